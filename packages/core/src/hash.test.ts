import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deterministicUuid, hashValue, stableStringify } from './hash.ts';
import { canonicalRow, canonicalValue, hashRow } from './row-hash.ts';

describe('stable hashing', () => {
  it('ignores key order and undefined', () => {
    expect(stableStringify({ b: 1, a: { d: 2, c: undefined } })).toBe('{"a":{"d":2},"b":1}');
    expect(hashValue({ x: 1, y: 2 })).toBe(hashValue({ y: 2, x: 1 }));
  });

  it('writes exactly what JSON.stringify of a key-sorted copy writes', () => {
    const copy = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(copy);
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v).sort()) {
          const x = (v as Record<string, unknown>)[k];
          if (x !== undefined) out[k] = copy(x);
        }
        return out;
      }
      return v;
    };
    const cases: unknown[] = [
      null,
      -0,
      Number.NaN,
      'a"\u2028\n',
      [undefined, () => 1, Symbol('s'), Number.POSITIVE_INFINITY],
      { b: 1, a: { d: 2, c: undefined }, f: () => 1 },
      { 10: 'x', 2: 'y', a: 1, '01': 2, é: 3, E: 4, '': 5 },
      JSON.parse('{"__proto__": {"x": 1}, "a": 2}'),
      { toJSON: () => 'replaced', a: 1 },
      [new Date(0), new Map([[1, 2]])],
      ['plan-item', 'insert', 'customers', 'k', { row: { z: null, a: [1, { y: 'é' }] } }],
    ];
    for (const v of cases) expect(stableStringify(v)).toBe(JSON.stringify(copy(v)));
    expect(stableStringify(undefined)).toBe(JSON.stringify(undefined));
  });

  it('makes valid, stable v5-layout uuids', () => {
    const id = deterministicUuid('booking:BK-7F3K2Q');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid('booking:BK-7F3K2Q')).toBe(id);
    // Ids already in plans and databases: these were made by the Buffer-based version and must never change.
    expect(id).toBe('92820728-fb55-5f49-a48a-795035f83117');
    expect(deterministicUuid('customers:b:1:x')).toBe('f0b00c3c-5110-5c09-a485-988e43b5b1b5');
    expect(deterministicUuid('')).toBe('c6d842d9-df14-523b-baa4-ac46c46e56e2');
    expect(deterministicUuid('é中')).toBe('2f24df70-e927-5e62-b28d-1f6ec7065063');
    const reference = (name: string) => {
      const h = createHash('sha256').update(`salvage:${name}`).digest();
      h[6] = (h[6]! & 0x0f) | 0x50;
      h[8] = (h[8]! & 0x3f) | 0x80;
      const x = h.subarray(0, 16).toString('hex');
      return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
    };
    for (let i = 0; i < 2000; i++)
      expect(deterministicUuid(`bookings:${i}`)).toBe(reference(`bookings:${i}`));
    expect(deterministicUuid('booking:BK-7F3K2R')).not.toBe(id);
  });

  it('canonicalizes an instant string exactly as Date does', () => {
    const instants = [
      '2026-05-03T14:00:00.000Z',
      '2026-02-28T23:59:59.999Z',
      '2026-02-29T00:00:00.000Z',
      '2026-02-30T10:00:00.000Z',
      '2026-04-31T10:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2026-05-03T14:00:00Z',
      '2026-05-03T14:00:00.000+01:00',
      '2026-05-03 14:00:00.000Z',
    ];
    for (const t of instants) expect(canonicalValue('starts_at', t)).toBe(new Date(t).toISOString());
    expect(() => canonicalValue('starts_at', '2026-13-01T00:00:00.000Z')).toThrow(RangeError);
  });

  it('hashes a row the same whether read from pg, PGlite or a plan', () => {
    const fromPg = {
      id: 'a',
      total_amount: '12000',
      currency: 'usd',
      starts_at: new Date('2026-05-03T14:00:00Z'),
    };
    const fromPlan = { id: 'a', total_amount: 12000, currency: 'usd', starts_at: '2026-05-03T14:00:00.000Z' };
    expect(canonicalRow('bookings', fromPg)).toEqual(fromPlan);
    expect(hashRow('bookings', fromPg)).toBe(hashRow('bookings', fromPlan));
    expect(hashRow('bookings', { ...fromPlan, total_amount: 12001 })).not.toBe(hashRow('bookings', fromPlan));
  });
});
