import { describe, expect, it } from 'vitest';
import { deterministicUuid, hashValue, stableStringify } from './hash.ts';
import { canonicalRow, hashRow } from './row-hash.ts';

describe('stable hashing', () => {
  it('ignores key order and undefined', () => {
    expect(stableStringify({ b: 1, a: { d: 2, c: undefined } })).toBe('{"a":{"d":2},"b":1}');
    expect(hashValue({ x: 1, y: 2 })).toBe(hashValue({ y: 2, x: 1 }));
  });

  it('makes valid, stable v5-layout uuids', () => {
    const id = deterministicUuid('booking:BK-7F3K2Q');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid('booking:BK-7F3K2Q')).toBe(id);
    expect(deterministicUuid('booking:BK-7F3K2R')).not.toBe(id);
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
