/**
 * Time, DST-safe and independent of the machine's zone: wall-clock times are read in a business's IANA zone through
 * Intl, never through the process's TZ. Instants are ISO 8601 UTC strings with milliseconds.
 */

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is an IANA time zone this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `zone` at the instant `ms` (epoch milliseconds). */
export function wallTimeAt(ms: number, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

const HOUR_MS = 3_600_000;
const MAX_CACHED_HOURS = 100_000;
const offsetsByHour = new Map<string, Map<number, number>>();

function offsetThroughIntl(ms: number, zone: string): number {
  const w = wallTimeAt(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The zone's offset from UTC at instant `ms`, in milliseconds (east positive). Remembered per zone and UTC hour once
 * the hour's first and last seconds agree (Intl costs microseconds a call, and a mailbox converts the same hours
 * again and again); an hour with a transition inside it is always read through Intl. No zone has changed its offset
 * twice within one hour, so equal ends mean one offset for the whole hour.
 */
export function zoneOffsetMs(ms: number, zone: string): number {
  let byHour = offsetsByHour.get(zone);
  if (!byHour) {
    byHour = new Map();
    offsetsByHour.set(zone, byHour);
  }
  const hour = Math.floor(ms / HOUR_MS);
  const known = byHour.get(hour);
  if (known !== undefined) return known;
  const first = offsetThroughIntl(hour * HOUR_MS, zone);
  if (first !== offsetThroughIntl(hour * HOUR_MS + HOUR_MS - 1000, zone)) return offsetThroughIntl(ms, zone);
  // Bounded: a run over centuries of instants forgets and starts again rather than growing without limit.
  if (byHour.size >= MAX_CACHED_HOURS) byHour.clear();
  byHour.set(hour, first);
  return first;
}

/**
 * The instant at which `zone`'s clocks show `wall`. Like Temporal's 'compatible' disambiguation: a time repeated by a
 * DST fall-back resolves to its first (earlier) occurrence; a time skipped by a spring-forward moves forward by the gap.
 */
export function zonedTimeToUtc(wall: WallTime, zone: string): Date {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const before = zoneOffsetMs(naive - 86_400_000, zone);
  const after = zoneOffsetMs(naive + 86_400_000, zone);
  const candidates = [naive - before, naive - after].filter((t, i, all) => all.indexOf(t) === i);
  const exact = candidates.filter((t) => t + zoneOffsetMs(t, zone) === naive);
  if (exact.length > 0) return new Date(Math.min(...exact));
  // In a gap: read the wall time with the offset in force before the transition, which lands after it.
  return new Date(naive - before);
}

/** Parses `YYYY-MM-DD[ T]HH:mm[:ss]` as a wall-clock time. Null when it is not one. */
export function parseWallTime(text: string): WallTime | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return null;
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
}

/** An ISO instant (`2026-05-03T14:00:00.000Z`) from anything Date accepts with an explicit offset, or null. */
export function toInstant(value: string | number | Date): string | null {
  const d = value instanceof Date ? value : new Date(typeof value === 'number' ? value : value.trim());
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The instant of a Unix timestamp in seconds, as Stripe writes them. */
export function fromUnixSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/**
 * An all-day span (`2026-05-03` to `2026-05-05`, end exclusive as iCalendar and Google write it) as the instants of
 * local midnight in `zone` at each end.
 */
export function allDaySpan(
  startDate: string,
  endDateExclusive: string,
  zone: string,
): { startsAt: string; endsAt: string } {
  const s = parseWallTime(startDate);
  const e = parseWallTime(endDateExclusive);
  if (!s || !e) throw new RangeError(`not a date: ${!s ? startDate : endDateExclusive}`);
  return { startsAt: zonedTimeToUtc(s, zone).toISOString(), endsAt: zonedTimeToUtc(e, zone).toISOString() };
}

/** Reads a wall-clock text in `zone`, or an instant with an offset as is. Null when unreadable. */
export function parseTimeInZone(text: string, zone: string): string | null {
  const wall = parseWallTime(text);
  if (wall) return zonedTimeToUtc(wall, zone).toISOString();
  if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(text.trim())) return toInstant(text);
  return null;
}
