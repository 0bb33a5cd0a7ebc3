import type { WallTime } from '@salvage/core';
import ICAL from 'ical.js';

/** Something in a file salvage read around, named by line, for the run's warnings. No customer data. */
export interface IcsIssue {
  code:
    | 'ics_bad_line'
    | 'ics_bad_event'
    | 'ics_unknown_tzid'
    | 'ics_end_before_start'
    | 'ics_missing_uid'
    | 'ics_unclosed';
  message: string;
  line?: number;
  /** 1-based line of the VEVENT the issue is in, when it is in one. */
  eventLine?: number;
  uid?: string;
}

/** A date or date-time value as written: wall components, and whether it was a DATE, UTC (`Z`) or had a TZID. */
export interface IcsTime {
  wall: WallTime;
  isDate: boolean;
  utc: boolean;
  tzid?: string;
}

/** One VEVENT as read: the properties salvage uses, and its unfolded text (kept as raw material). */
export interface IcsEvent {
  uid: string;
  recurrenceId?: IcsTime;
  start?: IcsTime;
  end?: IcsTime;
  /** DURATION as nominal days (weeks included) plus exact seconds, per RFC 5545 3.3.6. */
  duration?: { days: number; seconds: number; negative: boolean };
  rrules: string[];
  rdates: IcsTime[];
  exdates: IcsTime[];
  status?: string;
  sequence: number;
  lastModifiedMs?: number;
  dtstampMs?: number;
  createdMs?: number;
  summary?: string;
  description?: string;
  attendees: { email?: string; name?: string; role?: string }[];
  organizer?: { email?: string; name?: string };
  /** Unfolded lines of the VEVENT, BEGIN to END, exactly as salvage read them (bad lines included). */
  raw: string;
  /** 1-based line of BEGIN:VEVENT in the file. */
  line: number;
}

/** A file split into events and time zones, with what was wrong in it. */
export interface ParsedIcs {
  events: IcsEvent[];
  /** VTIMEZONE components by TZID, as written (quotes dropped). */
  vtimezones: Map<string, ICAL.Component>;
  calendarName?: string;
  issues: IcsIssue[];
}

// name *(";" param) ":" value, with quoted parameter values that may hold ':' or ';' (RFC 5545 3.1).
const CONTENT_LINE = /^[A-Za-z0-9-]+(?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*:/;

function unfold(text: string): { text: string; line: number }[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const physical = body.split(/\r\n|\n|\r/);
  const out: { text: string; line: number }[] = [];
  for (let i = 0; i < physical.length; i++) {
    const l = physical[i]!;
    if ((l.startsWith(' ') || l.startsWith('\t')) && out.length > 0) out[out.length - 1]!.text += l.slice(1);
    else out.push({ text: l, line: i + 1 });
  }
  return out;
}

function timeOf(value: unknown, tzid: unknown): IcsTime | undefined {
  if (!(value instanceof ICAL.Time)) return undefined;
  const wall = {
    year: value.year,
    month: value.month,
    day: value.day,
    hour: value.hour,
    minute: value.minute,
    second: value.second,
  };
  if (
    ![wall.year, wall.month, wall.day].every(Number.isFinite) ||
    wall.month < 1 ||
    wall.month > 12 ||
    wall.day < 1 ||
    wall.day > 31
  )
    return undefined;
  const utc = value.zone === ICAL.Timezone.utcTimezone;
  const t: IcsTime = { wall, isDate: value.isDate, utc };
  if (!utc && typeof tzid === 'string' && tzid.length > 0) t.tzid = tzid;
  return t;
}

function instantOf(value: unknown): number | undefined {
  if (!(value instanceof ICAL.Time)) return undefined;
  // LAST-MODIFIED, DTSTAMP and CREATED must be UTC (RFC 5545 3.8.7); a floating one is read as UTC too.
  const ms = Date.UTC(value.year, value.month - 1, value.day, value.hour, value.minute, value.second);
  return Number.isNaN(ms) ? undefined : ms;
}

function readEvent(component: ICAL.Component, raw: string, line: number): IcsEvent {
  const prop = (name: string) => component.getFirstProperty(name);
  const time = (name: string) => {
    const p = prop(name);
    return p ? timeOf(p.getFirstValue(), p.getParameter('tzid')) : undefined;
  };
  const times = (name: string) =>
    component.getAllProperties(name).flatMap((p) => {
      const tzid = p.getParameter('tzid');
      return p.getValues().flatMap((v) => {
        // RDATE may hold PERIODs; their start is the occurrence.
        const value = v instanceof ICAL.Period ? v.start : v;
        const t = timeOf(value, tzid);
        return t ? [t] : [];
      });
    });
  const text = (name: string) => {
    const v = component.getFirstPropertyValue(name);
    return typeof v === 'string' ? v : undefined;
  };
  const event: IcsEvent = {
    uid: (text('uid') ?? '').trim(),
    rrules: component.getAllProperties('rrule').map((p) => String(p.getFirstValue()?.toString() ?? '')),
    rdates: times('rdate'),
    exdates: times('exdate'),
    sequence: Number(component.getFirstPropertyValue('sequence') ?? 0) || 0,
    attendees: component.getAllProperties('attendee').map((p) => person(p)),
    raw,
    line,
  };
  const recurrenceId = time('recurrence-id');
  if (recurrenceId) event.recurrenceId = recurrenceId;
  const start = time('dtstart');
  if (start) event.start = start;
  const end = time('dtend') ?? time('due');
  if (end) event.end = end;
  const duration = component.getFirstPropertyValue('duration');
  if (duration instanceof ICAL.Duration)
    event.duration = {
      days: duration.weeks * 7 + duration.days,
      seconds: duration.hours * 3600 + duration.minutes * 60 + duration.seconds,
      negative: duration.isNegative,
    };
  const status = text('status');
  if (status) event.status = status.trim().toUpperCase();
  const lastModified = instantOf(component.getFirstPropertyValue('last-modified'));
  if (lastModified !== undefined) event.lastModifiedMs = lastModified;
  const dtstamp = instantOf(component.getFirstPropertyValue('dtstamp'));
  if (dtstamp !== undefined) event.dtstampMs = dtstamp;
  const created = instantOf(component.getFirstPropertyValue('created'));
  if (created !== undefined) event.createdMs = created;
  const summary = text('summary');
  if (summary !== undefined) event.summary = summary;
  const description = text('description');
  if (description !== undefined) event.description = description;
  const organizer = component.getFirstProperty('organizer');
  if (organizer) event.organizer = person(organizer);
  return event;
}

function person(p: ICAL.Property): { email?: string; name?: string; role?: string } {
  const out: { email?: string; name?: string; role?: string } = {};
  const value = String(p.getFirstValue() ?? '');
  const email = /^mailto:(.+)$/i.exec(value.trim())?.[1];
  if (email) out.email = email.trim();
  const cn = p.getParameter('cn');
  if (typeof cn === 'string' && cn.trim()) out.name = cn.trim();
  const role = p.getParameter('role');
  if (typeof role === 'string') out.role = role;
  return out;
}

/**
 * Reads an iCalendar file the tolerant way real exports need: a byte-order mark, any line ending, and malformed
 * content lines (dropped from the event with an `ics_bad_line` issue, RFC 5545 3.1 gives them no meaning). Each
 * VEVENT is parsed alone by ical.js, so one broken event loses only itself (kept raw, with an issue). Pure.
 */
export function parseIcs(text: string): ParsedIcs {
  const lines = unfold(text);
  const events: IcsEvent[] = [];
  const vtimezones = new Map<string, ICAL.Component>();
  const issues: IcsIssue[] = [];
  let calendarName: string | undefined;
  let block: {
    kind: 'vevent' | 'vtimezone';
    lines: string[];
    all: string[];
    line: number;
    depth: number;
  } | null = null;

  const close = () => {
    if (!block) return;
    const { kind, line } = block;
    const raw = block.all.join('\r\n');
    try {
      const component = new ICAL.Component(ICAL.parse(block.lines.join('\r\n')) as unknown[]);
      if (kind === 'vtimezone') {
        const tzid = String(component.getFirstPropertyValue('tzid') ?? '').replace(/^"(.*)"$/, '$1');
        if (tzid) vtimezones.set(tzid, component);
      } else {
        const event = readEvent(component, raw, line);
        if (!event.uid) {
          issues.push({
            code: 'ics_missing_uid',
            line,
            eventLine: line,
            message: `line ${line}: VEVENT has no UID; kept raw, not read`,
          });
          events.push({ ...event, uid: '' });
        } else events.push(event);
      }
    } catch (error) {
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      issues.push({
        code: 'ics_bad_event',
        line,
        eventLine: line,
        message: `line ${line}: ${kind.toUpperCase()} cannot be read (${why}); kept raw`,
      });
      if (kind === 'vevent')
        events.push({ uid: '', rrules: [], rdates: [], exdates: [], sequence: 0, attendees: [], raw, line });
    }
    block = null;
  };

  for (const { text: l, line } of lines) {
    if (l.trim() === '') continue;
    const upper = l.toUpperCase();
    if (block) {
      block.all.push(l);
      if (!CONTENT_LINE.test(l)) {
        issues.push({
          code: 'ics_bad_line',
          line,
          eventLine: block.line,
          message: `line ${line}: not an iCalendar content line (name:value); skipped`,
        });
        continue;
      }
      if (block.kind === 'vevent' && upper === 'BEGIN:VEVENT') {
        block.all.pop();
        issues.push({
          code: 'ics_unclosed',
          line: block.line,
          message: `line ${block.line}: VEVENT not closed before the next one; read up to line ${line - 1}`,
        });
        block.lines.push('END:VEVENT');
        close();
        block = { kind: 'vevent', lines: [l], all: [l], line, depth: 0 };
        continue;
      }
      block.lines.push(l);
      if (upper.startsWith('BEGIN:')) block.depth++;
      else if (upper.startsWith('END:')) {
        if (block.depth === 0) close();
        else block.depth--;
      }
      continue;
    }
    if (upper === 'BEGIN:VEVENT') block = { kind: 'vevent', lines: [l], all: [l], line, depth: 0 };
    else if (upper === 'BEGIN:VTIMEZONE') block = { kind: 'vtimezone', lines: [l], all: [l], line, depth: 0 };
    else if (upper.startsWith('X-WR-CALNAME:')) calendarName = l.slice(l.indexOf(':') + 1);
    else if (!CONTENT_LINE.test(l))
      issues.push({
        code: 'ics_bad_line',
        line,
        message: `line ${line}: not an iCalendar content line (name:value); skipped`,
      });
  }
  if (block) {
    const open: { line: number; kind: string } = block;
    issues.push({
      code: 'ics_unclosed',
      line: open.line,
      message: `line ${open.line}: ${open.kind.toUpperCase()} not closed at end of file; read what was there`,
    });
    (block as { lines: string[] }).lines.push(`END:${open.kind.toUpperCase()}`);
    close();
  }
  return calendarName === undefined
    ? { events, vtimezones, issues }
    : { events, vtimezones, calendarName, issues };
}
