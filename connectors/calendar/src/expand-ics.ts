import type { WallTime } from '@salvage/core';
import ICAL from 'ical.js';
import type { IcsEvent, IcsIssue, IcsTime } from './parse-ics.ts';
import { ianaClock, resolveTzid, type ZoneClock } from './resolve-zone.ts';

/** One occurrence of a calendar entry in the window: a plain event, an expanded instance, or an exception. */
export interface IcsOccurrence {
  /** `UID`, or `UID/<recurrence-id as UTC stamp>` for an instance of a series. */
  objectId: string;
  uid: string;
  /** The VEVENT that says what this occurrence is (the exception's, if one overrides it). */
  event: IcsEvent;
  /** The series master, when `event` is an exception to it: what the exception leaves out, it inherits. */
  master?: IcsEvent;
  startMs: number;
  /** Null when the file gives an end before the start. */
  endMs: number | null;
  allDay: boolean;
  /** The zone the times were read in (IANA name, or the file's TZID for a VTIMEZONE-only zone). */
  zone: string;
}

/** How to read times: the file's VTIMEZONEs, the business zone (floating times, dates), and the window. */
export interface ExpandOptions {
  vtimezones: ReadonlyMap<string, ICAL.Component>;
  businessZone: string;
  sinceMs: number;
  untilMs: number;
  /** Occurrences per series at most; default 100000. */
  maxOccurrences?: number;
}

const DAY = 86_400_000;

function addDays(w: WallTime, days: number): WallTime {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days, w.hour, w.minute, w.second));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/**
 * Turns a file's events into occurrences within [sinceMs, untilMs): series expanded from RRULE and RDATE minus
 * EXDATE on wall-clock time in their own zone, exceptions (RECURRENCE-ID) applied only to the series with the same
 * UID (strict: never another event's), missing ends per RFC 5545 3.6.1 (a DATE start lasts one day, a DATE-TIME
 * start none), DURATION with nominal days. Plain events are kept when they overlap the window or changed in it. Pure.
 */
export function expandIcsEvents(
  events: readonly IcsEvent[],
  options: ExpandOptions,
): { occurrences: IcsOccurrence[]; issues: IcsIssue[] } {
  const issues: IcsIssue[] = [];
  const clocks = new Map<string, ZoneClock>();
  const business = ianaClock(options.businessZone);
  const warned = new Set<string>();
  const utc = ianaClock('UTC');
  const clockFor = (t: IcsTime, uid: string, line: number): ZoneClock => {
    // A UTC start recurs in UTC; dates and floating times belong to the business zone, never the machine's.
    if (t.utc) return utc;
    if (t.isDate || !t.tzid) return business;
    let clock = clocks.get(t.tzid);
    if (!clock) {
      const r = resolveTzid(t.tzid, options.vtimezones, options.businessZone);
      clock = r.clock;
      clocks.set(t.tzid, clock);
      if (r.warning && !warned.has(t.tzid)) {
        warned.add(t.tzid);
        issues.push({
          code: 'ics_unknown_tzid',
          line,
          eventLine: line,
          uid,
          message: `line ${line}: ${r.warning}`,
        });
      }
    }
    return clock;
  };
  const instant = (t: IcsTime, clock: ZoneClock) =>
    t.utc
      ? Date.UTC(t.wall.year, t.wall.month - 1, t.wall.day, t.wall.hour, t.wall.minute, t.wall.second)
      : clock.toUtcMs(t.isDate ? { ...t.wall, hour: 0, minute: 0, second: 0 } : t.wall);

  /** Start, end and zone of one VEVENT read on its own. */
  const span = (e: IcsEvent) => {
    const start = e.start!;
    const clock = clockFor(start, e.uid, e.line);
    const startMs = instant(start, clock);
    let endMs: number;
    if (e.end) endMs = instant(e.end, e.end.isDate || e.end.utc ? clock : clockFor(e.end, e.uid, e.line));
    else if (e.duration) {
      const sign = e.duration.negative ? -1 : 1;
      const wall = start.utc ? clock.toWall(startMs) : start.wall;
      endMs = clock.toUtcMs(addDays(wall, sign * e.duration.days)) + sign * e.duration.seconds * 1000;
      if (start.utc) endMs = startMs + sign * (e.duration.days * DAY + e.duration.seconds * 1000);
    } else endMs = start.isDate ? clock.toUtcMs(addDays(start.wall, 1)) : startMs;
    return { startMs, endMs, clock, allDay: start.isDate };
  };

  const byUid = new Map<string, { master?: IcsEvent; overrides: IcsEvent[] }>();
  const out: IcsOccurrence[] = [];
  const emit = (
    objectId: string,
    e: IcsEvent,
    startMs: number,
    endMs: number,
    allDay: boolean,
    zone: string,
    master?: IcsEvent,
  ) => {
    let end: number | null = endMs;
    if (endMs < startMs) {
      issues.push({
        code: 'ics_end_before_start',
        line: e.line,
        eventLine: e.line,
        uid: e.uid,
        message: `line ${e.line}: event ends before it starts; its start is kept, its end left out`,
      });
      end = null;
    }
    out.push({
      objectId,
      uid: e.uid,
      event: e,
      startMs,
      endMs: end,
      allDay,
      zone,
      ...(master && master !== e ? { master } : {}),
    });
  };
  const inWindow = (e: IcsEvent, startMs: number, endMs: number) => {
    const changed = e.lastModifiedMs ?? e.createdMs;
    return (
      (startMs < options.untilMs && Math.max(endMs, startMs) >= options.sinceMs) ||
      (changed !== undefined && changed >= options.sinceMs)
    );
  };

  for (const e of events) {
    if (!e.uid || !e.start) continue;
    const group = byUid.get(e.uid) ?? { overrides: [] };
    if (e.recurrenceId) group.overrides.push(e);
    // Two masters with one UID: the higher SEQUENCE (then the later LAST-MODIFIED) is the current one.
    else if (!group.master || rank(e) > rank(group.master)) group.master = e;
    byUid.set(e.uid, group);
  }

  for (const [uid, { master, overrides }] of byUid) {
    const overrideAt = new Map<number, IcsEvent>();
    for (const o of overrides) {
      const clock = clockFor(o.recurrenceId!, uid, o.line);
      const at = instant(o.recurrenceId!, clock);
      const prior = overrideAt.get(at);
      if (!prior || rank(o) > rank(prior)) overrideAt.set(at, o);
    }
    const isSeries = master && (master.rrules.length > 0 || master.rdates.length > 0);
    if (master && !isSeries) {
      const s = span(master);
      if (inWindow(master, s.startMs, s.endMs)) emit(uid, master, s.startMs, s.endMs, s.allDay, s.clock.name);
    }
    if (master && isSeries) {
      const s = span(master);
      const length = s.endMs - s.startMs;
      const excluded = new Set(
        master.exdates.map((x) => instant(x, x.isDate ? s.clock : clockFor(x, uid, master.line))),
      );
      const starts = new Set<number>();
      for (const r of master.rdates)
        starts.add(instant(r, r.isDate ? s.clock : clockFor(r, uid, master.line)));
      for (const rule of master.rrules) {
        for (const ms of iterateRule(
          rule,
          master.start!,
          s.clock,
          options.untilMs,
          options.maxOccurrences ?? 100_000,
        ))
          starts.add(ms);
      }
      for (const ms of [...starts].sort((a, b) => a - b)) {
        if (excluded.has(ms)) continue;
        const objectId = `${uid}/${stamp(ms)}`;
        const o = overrideAt.get(ms);
        if (o) {
          overrideAt.delete(ms);
          const os = span(o);
          if (inWindow(o, os.startMs, os.endMs))
            emit(objectId, o, os.startMs, os.endMs, os.allDay, os.clock.name, master);
          continue;
        }
        const endMs = s.allDay
          ? s.clock.toUtcMs(addDays(s.clock.toWall(ms), Math.round(length / DAY)))
          : ms + length;
        if (ms < options.untilMs && endMs > options.sinceMs)
          emit(objectId, master, ms, endMs, s.allDay, s.clock.name);
      }
    }
    // Exceptions whose date the series does not give (or with no series in the file) still stand on their own.
    for (const [at, o] of overrideAt) {
      const os = span(o);
      if (inWindow(o, os.startMs, os.endMs))
        emit(`${uid}/${stamp(at)}`, o, os.startMs, os.endMs, os.allDay, os.clock.name, master);
    }
  }
  return { occurrences: out, issues };
}

/** SEQUENCE first, then LAST-MODIFIED: which of two versions of one VEVENT is newer. */
export function rank(e: IcsEvent): number {
  return e.sequence * 1e13 + (e.lastModifiedMs ?? e.dtstampMs ?? 0);
}

function* iterateRule(
  rule: string,
  start: IcsTime,
  clock: ZoneClock,
  untilMs: number,
  max: number,
): Generator<number> {
  const recur = ICAL.Recur.fromString(rule);
  // UNTIL in UTC is compared on wall time in the series' zone, where the iteration runs.
  if (recur.until && recur.until.zone === ICAL.Timezone.utcTimezone && !start.isDate) {
    const u = clock.toWall(recur.until.toUnixTime() * 1000);
    recur.until = ICAL.Time.fromData({ ...u, isDate: false });
  }
  const wall = start.utc
    ? clock.toWall(
        Date.UTC(
          start.wall.year,
          start.wall.month - 1,
          start.wall.day,
          start.wall.hour,
          start.wall.minute,
          start.wall.second,
        ),
      )
    : start.wall;
  const it = recur.iterator(ICAL.Time.fromData({ ...wall, isDate: start.isDate }));
  for (let n = 0; n < max; n++) {
    const next = it.next();
    if (!next) return;
    const ms = clock.toUtcMs({
      year: next.year,
      month: next.month,
      day: next.day,
      hour: next.hour,
      minute: next.minute,
      second: next.second,
    });
    if (ms >= untilMs) return;
    yield ms;
  }
}
