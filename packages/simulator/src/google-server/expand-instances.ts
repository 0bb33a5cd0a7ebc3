import { wallTimeAt, zonedTimeToUtc } from '@salvage/core';
import ICAL from 'ical.js';
import { zonedDate, zonedDateTime } from '../generate/calendar-entries.ts';

/** A Calendar v3 event resource, as stored and served (loosely typed: the server passes fields through). */
export type CalendarEvent = Record<string, unknown> & {
  id: string;
  status?: string;
  updated?: string;
  start?: EventTime;
  end?: EventTime;
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: EventTime;
};

/** `start`/`end` of an event: a date for all-day events, else a dateTime with an optional zone. */
export interface EventTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

/** The instant an event time stands for (all-day dates at midnight in `zone`), in ms; NaN when unreadable. */
export function eventTimeMs(t: EventTime | undefined, zone: string): number {
  if (!t) return Number.NaN;
  if (t.dateTime) return Date.parse(t.dateTime);
  if (t.date) {
    const [y, m, d] = t.date.split('-').map(Number);
    return zonedTimeToUtc(
      { year: y!, month: m!, day: d!, hour: 0, minute: 0, second: 0 },
      t.timeZone ?? zone,
    ).getTime();
  }
  return Number.NaN;
}

const MAX_INSTANCES = 1000;

/** The recurrence-id stamp Google puts after `_` in instance ids: `20260503T100000Z`, or `20260503` for dates. */
function instanceStamp(ms: number, allDay: boolean, zone: string): string {
  if (allDay) return zonedDate(ms, zone).replace(/-/g, '');
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseRecurrenceDates(line: string, zone: string): number[] {
  const colon = line.indexOf(':');
  const params = line.slice(0, colon);
  const tzid = /TZID=("?)([^;:"]+)\1/.exec(params)?.[2] ?? zone;
  return line
    .slice(colon + 1)
    .split(',')
    .map((v) => {
      const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(v.trim());
      if (!m) return Number.NaN;
      const wall = {
        year: +m[1]!,
        month: +m[2]!,
        day: +m[3]!,
        hour: +(m[4] ?? 0),
        minute: +(m[5] ?? 0),
        second: +(m[6] ?? 0),
      };
      return m[7]
        ? Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second)
        : zonedTimeToUtc(wall, tzid).getTime();
    })
    .filter((ms) => !Number.isNaN(ms));
}

/**
 * The start instants (ms) of a recurring master's occurrences, RRULE and RDATE minus EXDATE, expanded on wall-clock
 * time in the event's zone (so a 10:00 lesson stays at 10:00 across DST), up to `untilMs` and 1000 occurrences.
 */
export function occurrenceStarts(master: CalendarEvent, calendarZone: string, untilMs: number): number[] {
  const allDay = Boolean(master.start?.date);
  const zone = master.start?.timeZone ?? calendarZone;
  const startMs = eventTimeMs(master.start, calendarZone);
  if (Number.isNaN(startMs)) return [];
  const w = wallTimeAt(startMs, zone);
  const starts = new Set<number>();
  const excluded = new Set<number>();
  for (const line of master.recurrence ?? []) {
    const upper = line.toUpperCase();
    if (upper.startsWith('RRULE:')) {
      const recur = ICAL.Recur.fromString(line.slice(6));
      if (recur.until && recur.until.zone === ICAL.Timezone.utcTimezone) {
        const u = wallTimeAt(recur.until.toJSDate().getTime(), zone);
        recur.until = ICAL.Time.fromData({ ...u, isDate: recur.until.isDate });
      }
      const dtstart = ICAL.Time.fromData({ ...w, isDate: allDay });
      const it = recur.iterator(dtstart);
      for (let n = 0; n < MAX_INSTANCES; n++) {
        const next = it.next();
        if (!next) break;
        const ms = zonedTimeToUtc(
          {
            year: next.year,
            month: next.month,
            day: next.day,
            hour: next.hour,
            minute: next.minute,
            second: next.second,
          },
          zone,
        ).getTime();
        if (ms > untilMs) break;
        starts.add(ms);
      }
    } else if (upper.startsWith('RDATE')) {
      for (const ms of parseRecurrenceDates(line, zone)) starts.add(ms);
    } else if (upper.startsWith('EXDATE')) {
      for (const ms of parseRecurrenceDates(line, zone)) excluded.add(ms);
    }
  }
  return [...starts].filter((ms) => !excluded.has(ms)).sort((a, b) => a - b);
}

/**
 * The instances of a recurring master as events.list with singleEvents=true returns them: ids `<master>_<stamp>`,
 * recurringEventId and originalStartTime set, exceptions (modified or cancelled instances) in place of the generated
 * ones.
 */
export function expandInstances(
  master: CalendarEvent,
  exceptions: readonly CalendarEvent[],
  calendarZone: string,
  untilMs: number,
): CalendarEvent[] {
  const allDay = Boolean(master.start?.date);
  const zone = master.start?.timeZone ?? calendarZone;
  const startMs = eventTimeMs(master.start, calendarZone);
  const durationMs = eventTimeMs(master.end, calendarZone) - startMs;
  const byOriginal = new Map<number, CalendarEvent>();
  for (const e of exceptions) byOriginal.set(eventTimeMs(e.originalStartTime, calendarZone), e);
  const out: CalendarEvent[] = [];
  const { recurrence: _r, ...base } = master;
  const time = (ms: number): EventTime =>
    allDay ? { date: zonedDate(ms, zone) } : { dateTime: zonedDateTime(ms, zone), timeZone: zone };
  for (const ms of occurrenceStarts(master, calendarZone, untilMs)) {
    const exception = byOriginal.get(ms);
    if (exception) {
      out.push(exception);
      byOriginal.delete(ms);
      continue;
    }
    out.push({
      ...base,
      id: `${master.id}_${instanceStamp(ms, allDay, zone)}`,
      recurringEventId: master.id,
      originalStartTime: time(ms),
      start: time(ms),
      end: time(ms + durationMs),
    });
  }
  // Exceptions for dates the rule no longer yields (moved or excluded) are still instances of the series.
  out.push(...byOriginal.values());
  return out;
}
