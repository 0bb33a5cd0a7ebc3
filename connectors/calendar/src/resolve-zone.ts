import { isValidTimeZone, type WallTime, zoneOffsetMs } from '@salvage/core';
import ICAL from 'ical.js';
import { WINDOWS_ZONES } from './windows-zones.ts';

/**
 * A time zone as calendar code needs it: wall time to instant and back. Always a real zone (IANA, or the rules of a
 * VTIMEZONE in the file), never the machine's.
 */
export interface ZoneClock {
  /** The IANA name, or the file's TZID for a zone known only by its VTIMEZONE. */
  name: string;
  kind: 'iana' | 'vtimezone';
  toUtcMs(wall: WallTime): number;
  toWall(ms: number): WallTime;
}

const DAY = 86_400_000;

/**
 * A zone clock for an IANA zone, through Intl (so the IANA database, never TZ of the process). Offsets are cached per
 * UTC day when the offset is the same at both ends of it, which makes bulk reads fast; transition days are computed
 * exactly. Disambiguation as core's zonedTimeToUtc: a repeated time takes its earlier instant, a skipped one moves on.
 */
export function ianaClock(zone: string): ZoneClock {
  const days = new Map<number, number | null>();
  const offsetAt = (ms: number): number => {
    const day = Math.floor(ms / DAY);
    let cached = days.get(day);
    if (cached === undefined) {
      const start = zoneOffsetMs(day * DAY, zone);
      const end = zoneOffsetMs(day * DAY + DAY - 1000, zone);
      cached = start === end ? start : null;
      if (days.size > 50_000) days.clear();
      days.set(day, cached);
    }
    return cached ?? zoneOffsetMs(ms, zone);
  };
  return {
    name: zone,
    kind: 'iana',
    toUtcMs: (w) => {
      const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
      const before = offsetAt(naive - DAY);
      const after = offsetAt(naive + DAY);
      let best: number | null = null;
      for (const t of before === after ? [naive - before] : [naive - before, naive - after]) {
        if (t + offsetAt(t) === naive && (best === null || t < best)) best = t;
      }
      return best ?? naive - before;
    },
    toWall: (ms) => {
      const d = new Date(Math.floor(ms / 1000) * 1000 + offsetAt(ms));
      return {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      };
    },
  };
}

function vtimezoneClock(tzid: string, component: ICAL.Component): ZoneClock {
  const tz = ICAL.Timezone.fromData({ component, tzid });
  return {
    name: tzid,
    kind: 'vtimezone',
    toUtcMs: (w) => ICAL.Time.fromData({ ...w, isDate: false }, tz).toUnixTime() * 1000,
    toWall: (ms) => {
      const t = ICAL.Time.fromJSDate(new Date(ms), true).convertToZone(tz);
      return { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second };
    },
  };
}

const lowerWindows = new Map(Object.entries(WINDOWS_ZONES).map(([k, v]) => [k.toLowerCase(), v]));

/** The IANA zone a TZID names, if any: an IANA id, a Windows id, or a vendor path ending in one. */
export function ianaZoneFor(tzid: string): string | null {
  const name = tzid
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim();
  if (name.length === 0) return null;
  if (/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name) && isValidTimeZone(name)) return name;
  const windows = lowerWindows.get(name.toLowerCase());
  if (windows) return windows;
  // Mozilla and older Evolution/Lotus write /mozilla.org/20050126_1/Europe/Berlin or /softwarestudio.org/.../Europe/Berlin.
  const tail = /([A-Za-z_]+\/[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)?)$/.exec(name)?.[1];
  if (tail && isValidTimeZone(tail)) return tail;
  return null;
}

/** How a TZID was resolved: the clock, and a warning when it fell back to the business zone. */
export interface ZoneResolution {
  clock: ZoneClock;
  warning?: string;
}

/**
 * Resolves a TZID the way calendar clients do: IANA and Windows names, vendor paths, X-LIC-LOCATION, then the
 * file's own VTIMEZONE rules; a TZID none of these explain is read in the business zone, with a warning.
 */
export function resolveTzid(
  tzid: string,
  vtimezones: ReadonlyMap<string, ICAL.Component>,
  businessZone: string,
): ZoneResolution {
  const cleaned = tzid.trim().replace(/^"(.*)"$/, '$1');
  const iana = ianaZoneFor(cleaned);
  if (iana) return { clock: ianaClock(iana) };
  const vtz = vtimezones.get(cleaned);
  if (vtz) {
    const location = vtz.getFirstPropertyValue('x-lic-location');
    if (typeof location === 'string') {
      const fromLocation = ianaZoneFor(location);
      if (fromLocation) return { clock: ianaClock(fromLocation) };
    }
    try {
      return { clock: vtimezoneClock(cleaned, vtz) };
    } catch {
      // A VTIMEZONE ical.js cannot read is as good as none.
    }
  }
  return {
    clock: ianaClock(businessZone),
    warning: `TZID '${cleaned}' is neither an IANA or Windows zone nor defined by a VTIMEZONE in the file; read in the business zone ${businessZone}`,
  };
}
