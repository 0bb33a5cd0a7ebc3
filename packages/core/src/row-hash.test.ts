import { describe, expect, it } from 'vitest';
import { canonicalValue, isCanonicalTime } from './row-hash.ts';

/** What canonicalValue did for every time string before the fast path: the Date round trip, or its RangeError. */
function roundTrip(s: string): string {
  try {
    return new Date(s).toISOString();
  } catch {
    return 'RangeError';
  }
}

function canonical(s: string): string {
  try {
    return canonicalValue('created_at', s) as string;
  } catch {
    return 'RangeError';
  }
}

describe('canonicalValue for time columns', () => {
  it.each([
    ['2026-05-01T10:00:00.000Z', true],
    ['2024-02-29T23:59:59.999Z', true],
    ['2000-02-29T00:00:00.000Z', true],
    ['0000-01-01T00:00:00.000Z', true],
    ['2023-02-29T00:00:00.000Z', false],
    ['1900-02-29T00:00:00.000Z', false],
    ['2026-04-31T00:00:00.000Z', false],
    ['2026-05-01T24:00:00.000Z', false],
    ['2026-13-01T00:00:00.000Z', false],
    ['2026-05-01T10:00:00Z', false],
    ['2026-05-01T10:00:00.000+00:00', false],
    ['2026-05-01 10:00:00.000Z', false],
    ['2026-05-01T10:00:60.000Z', false],
    ['2026-05-01T10:00:00.00xZ', false],
  ])('%s is canonical already: %s, and comes out as the Date round trip gives it', (s, fast) => {
    expect(isCanonicalTime(s)).toBe(fast);
    expect(canonical(s)).toBe(roundTrip(s));
  });

  it('agrees with the Date round trip over a sweep of well-shaped strings, valid or not', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const times = ['00:00:00.000', '23:59:59.999', '24:00:00.000', '12:60:00.000', '12:00:60.000'];
    let mismatches = 0;
    for (const year of [0, 1, 1899, 1900, 1970, 2000, 2023, 2024, 2100, 9999])
      for (let month = 0; month <= 13; month++)
        for (let day = 0; day <= 32; day++)
          for (const time of times) {
            const s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}Z`;
            if (canonical(s) !== roundTrip(s)) mismatches++;
          }
    expect(mismatches).toBe(0);
  });
});
