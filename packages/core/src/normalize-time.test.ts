import { describe, expect, it } from 'vitest';
import { allDaySpan, parseTimeInZone, wallTimeAt, zonedTimeToUtc, zoneOffsetMs } from './normalize-time.ts';

const wall = (s: string) => {
  const [d, t = '00:00'] = s.split(' ');
  const [year, month, day] = d!.split('-').map(Number);
  const [hour, minute] = t.split(':').map(Number);
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: 0 };
};

describe('zonedTimeToUtc', () => {
  it.each([
    ['2026-07-01 10:00', 'America/New_York', '2026-07-01T14:00:00.000Z'],
    ['2026-12-01 10:00', 'America/New_York', '2026-12-01T15:00:00.000Z'],
    ['2026-07-01 10:00', 'Europe/Lisbon', '2026-07-01T09:00:00.000Z'],
    ['2026-07-01 10:00', 'Asia/Kolkata', '2026-07-01T04:30:00.000Z'],
    // Fall back: 01:30 happens twice in New York on 2026-11-01; the earlier (EDT) one is chosen.
    ['2026-11-01 01:30', 'America/New_York', '2026-11-01T05:30:00.000Z'],
    // Spring forward: 02:30 does not exist on 2026-03-08; it moves forward by the gap to 03:30 EDT.
    ['2026-03-08 02:30', 'America/New_York', '2026-03-08T07:30:00.000Z'],
    ['2026-10-25 01:30', 'Europe/London', '2026-10-25T00:30:00.000Z'],
  ])('%s in %s is %s', (text, zone, expected) => {
    expect(zonedTimeToUtc(wall(text), zone).toISOString()).toBe(expected);
  });

  it('does not depend on the process time zone', () => {
    const before = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      expect(zonedTimeToUtc(wall('2026-07-01 10:00'), 'Europe/Berlin').toISOString()).toBe(
        '2026-07-01T08:00:00.000Z',
      );
    } finally {
      process.env.TZ = before;
    }
  });

  it('round-trips every hour across a DST week', () => {
    const zone = 'Europe/Lisbon';
    for (
      let ms = Date.parse('2026-10-20T00:00:00Z');
      ms < Date.parse('2026-10-30T00:00:00Z');
      ms += 3_600_000
    ) {
      const w = wallTimeAt(ms, zone);
      const back = zonedTimeToUtc(w, zone).getTime();
      // A repeated hour maps back to its first occurrence; otherwise exact.
      expect(back === ms || back === ms - 3_600_000).toBe(true);
    }
  });
});

describe('zone helpers', () => {
  it('remembers offsets per hour without changing them, also in hours with a transition', () => {
    const throughIntl = (ms: number, zone: string) => {
      const w = wallTimeAt(ms, zone);
      return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
    };
    const zones = [
      'Europe/Lisbon',
      'America/St_Johns',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
      'Europe/Dublin',
    ];
    for (const zone of zones)
      for (const [from, to] of [
        ['2026-03-27T00:00:00Z', '2026-04-06T00:00:00Z'],
        ['2026-10-23T00:00:00Z', '2026-11-03T00:00:00Z'],
        ['1911-12-31T00:00:00Z', '1912-01-02T00:00:00Z'],
      ] as const)
        for (let ms = Date.parse(from); ms < Date.parse(to); ms += 7 * 60_000 + 13_001) {
          // Twice: the first call fills the cache, the second reads it.
          expect(zoneOffsetMs(ms, zone)).toBe(throughIntl(ms, zone));
          expect(zoneOffsetMs(ms, zone)).toBe(throughIntl(ms, zone));
        }
  });

  it('reports offsets east-positive', () => {
    expect(zoneOffsetMs(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(zoneOffsetMs(Date.parse('2026-07-01T12:00:00Z'), 'Australia/Sydney')).toBe(10 * 3_600_000);
  });

  it('reads all-day spans as local midnights, 23 hours long across spring forward', () => {
    const span = allDaySpan('2026-03-28', '2026-03-30', 'Europe/Lisbon');
    expect(span).toEqual({ startsAt: '2026-03-28T00:00:00.000Z', endsAt: '2026-03-29T23:00:00.000Z' });
  });

  it('reads wall times in the zone and instants as given', () => {
    expect(parseTimeInZone('2026-05-03 14:00', 'Europe/Lisbon')).toBe('2026-05-03T13:00:00.000Z');
    expect(parseTimeInZone('2026-05-03T14:00:00+02:00', 'Europe/Lisbon')).toBe('2026-05-03T12:00:00.000Z');
    expect(parseTimeInZone('next tuesday', 'Europe/Lisbon')).toBeNull();
  });
});
