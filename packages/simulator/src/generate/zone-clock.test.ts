import { wallTimeAt, zonedTimeToUtc } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { instantOf, wallAt } from './zone-clock.ts';

describe('zone clock', () => {
  it('agrees with core across a year, DST changes included, in every simulator zone', () => {
    for (const zone of ['America/New_York', 'Europe/Lisbon', 'Europe/London']) {
      for (
        let ms = Date.parse('2025-10-01T00:00:00Z');
        ms < Date.parse('2026-12-01T00:00:00Z');
        ms += 3_600_000 * 7 + 60_000 * 13
      ) {
        const w = wallAt(ms, zone);
        expect(w).toEqual(wallTimeAt(ms, zone));
        expect(instantOf(w, zone)).toBe(zonedTimeToUtc(w, zone).getTime());
      }
      // Inside the spring-forward gap and the fall-back overlap.
      for (const text of ['2026-03-08T02:30', '2026-11-01T01:30', '2026-03-29T01:30', '2026-10-25T01:30']) {
        const [d, t] = text.split('T') as [string, string];
        const [year, month, day] = d.split('-').map(Number) as [number, number, number];
        const [hour, minute] = t.split(':').map(Number) as [number, number];
        const wall = { year, month, day, hour, minute, second: 0 };
        expect(instantOf(wall, zone)).toBe(zonedTimeToUtc(wall, zone).getTime());
      }
    }
  });
});
