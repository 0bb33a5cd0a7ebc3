import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryElementType, encodeBinaryArray } from './binary-array.ts';
import { toArrayLiteral } from './statements.ts';

describe('encodeBinaryArray', () => {
  it('writes the header, a null and a uuid as array_send does', () => {
    const out = encodeBinaryArray('uuid', ['01234567-89ab-CDEF-0123-456789abcdef', null])!;
    expect(out.readInt32BE(0)).toBe(1); // dimensions
    expect(out.readInt32BE(4)).toBe(1); // has nulls
    expect(out.readInt32BE(8)).toBe(2950);
    expect(out.readInt32BE(12)).toBe(2);
    expect(out.readInt32BE(16)).toBe(1); // lower bound
    expect(out.readInt32BE(20)).toBe(16);
    expect(out.subarray(24, 40).toString('hex')).toBe('0123456789abcdef0123456789abcdef');
    expect(out.readInt32BE(40)).toBe(-1);
    expect(out.length).toBe(44);
  });

  it('writes a time as microseconds since 2000-01-01', () => {
    const out = encodeBinaryArray('timestamp with time zone', [
      '2000-01-01T00:00:01.500Z',
      '1999-12-31T23:59:59.999Z',
    ])!;
    expect(out.readInt32BE(8)).toBe(1184);
    expect(out.readBigInt64BE(24)).toBe(1_500_000n);
    expect(out.readBigInt64BE(36)).toBe(-1000n);
  });

  it('agrees with Date for times over the whole range', () => {
    const times = ['0001-01-01T00:00:00.000Z', '1600-02-29T23:59:59.999Z', '1970-01-01T00:00:00.000Z'];
    for (let i = 0; i < 2000; i++)
      times.push(new Date(-62_000_000_000_000 + i * 156_000_000_123).toISOString());
    times.push('9999-12-31T23:59:59.999Z');
    const out = encodeBinaryArray('timestamp with time zone', times)!;
    times.forEach((t, i) => {
      expect(out.readBigInt64BE(24 + i * 12), t).toBe(BigInt(Date.parse(t) - Date.UTC(2000, 0, 1)) * 1000n);
    });
  });

  it('gives up on anything the text form would read differently or refuse', () => {
    for (const v of ['0123456789abcdef0123456789abcdef', '{01234567-89ab-cdef-0123-456789abcdef}', 'x', 7])
      expect(encodeBinaryArray('uuid', [v])).toBeUndefined();
    expect(encodeBinaryArray('uuid', ['01234567-89ab-cdef-0123-456789abcdeg'])).toBeUndefined();
    for (const v of [
      '2026-05-01 10:00:00+02',
      '2026-05-01T10:00:00Z',
      '0000-01-01T00:00:00.000Z',
      'infinity',
      0,
    ])
      expect(encodeBinaryArray('timestamp with time zone', [v])).toBeUndefined();
  });

  it('encodes only uuid and timestamptz columns', () => {
    expect(binaryElementType('uuid')).toBe('uuid');
    expect(binaryElementType('timestamp with time zone')).toBe('timestamp with time zone');
    for (const t of ['timestamp(3) with time zone', 'timestamp without time zone', 'text', undefined])
      expect(binaryElementType(t)).toBeUndefined();
  });
});

describe('binary arrays read back as their text literals do', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = await PGlite.create();
  });
  afterAll(async () => {
    await pg.close();
  });

  it.each([
    ['uuid', 'uuid', ['01234567-89ab-cdef-0123-456789abcdef', null, 'ffffffff-ffff-ffff-ffff-ffffffffffff']],
    [
      'timestamptz',
      'timestamp with time zone',
      ['2026-05-01T10:00:00.000Z', null, '1969-07-20T20:17:40.123Z', '0001-01-01T00:00:00.000Z'],
    ],
    ['uuid', 'uuid', []],
  ] as const)('%s[]', async (sqlType, type, values) => {
    const binary = encodeBinaryArray(type, values)!;
    const { rows } = await pg.query<{ b: string; t: string }>(
      `select $1::${sqlType}[]::text as "b", $2::${sqlType}[]::text as "t"`,
      [binary, toArrayLiteral(values)],
    );
    expect(rows[0]!.b).toBe(rows[0]!.t);
  });
});
