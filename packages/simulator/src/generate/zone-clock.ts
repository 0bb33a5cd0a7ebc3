import { type WallTime, zoneOffsetMs } from '@salvage/core';

/**
 * Wall-clock conversions for the generator, with the zone's offset cached per UTC hour: Intl is slow and the generator
 * converts millions of times. Exact for zones whose offset changes only on whole UTC hours (all the simulator's zones);
 * same semantics as @salvage/core's wallTimeAt and zonedTimeToUtc.
 */

const HOUR = 3_600_000;
const cache = new Map<string, Map<number, number>>();

/** The zone's offset from UTC at `ms`, in milliseconds. */
export function offsetAt(ms: number, zone: string): number {
  let byHour = cache.get(zone);
  if (!byHour) {
    byHour = new Map();
    cache.set(zone, byHour);
  }
  const hour = Math.floor(ms / HOUR);
  let offset = byHour.get(hour);
  if (offset === undefined) {
    offset = zoneOffsetMs(hour * HOUR, zone);
    byHour.set(hour, offset);
  }
  return offset;
}

/** The wall-clock time in `zone` at `ms`. */
export function wallAt(ms: number, zone: string): WallTime {
  const d = new Date(ms + offsetAt(ms, zone));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** The instant `zone`'s clocks show `wall` (the earlier one in a fall-back overlap; pushed forward in a gap). */
export function instantOf(wall: WallTime, zone: string): number {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const before = offsetAt(naive - 86_400_000, zone);
  const after = offsetAt(naive + 86_400_000, zone);
  const exact = [naive - before, naive - after].filter((t) => t + offsetAt(t, zone) === naive);
  if (exact.length > 0) return Math.min(...exact);
  return naive - before;
}
