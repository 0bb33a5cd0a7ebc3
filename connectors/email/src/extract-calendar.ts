import {
  allDaySpan,
  type BookingFacts,
  isValidTimeZone,
  normalizeEmail,
  zonedTimeToUtc,
} from '@salvage/core';
import ICAL from 'ical.js';
import type { MessageProblem } from './mime-scan.ts';
import { EXTRACTORS, type Observation } from './observation.ts';
import type { CalendarPart } from './parse-message.ts';

/** What reading calendar parts needs to know about the business. */
export interface CalendarExtractOptions {
  /** IANA zone for floating times and zones we cannot resolve. */
  timezone: string;
  referencePattern: string;
  /** The business's own addresses, so the organizer is not taken for the customer. */
  ownAddresses: ReadonlySet<string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads invitations (text/calendar parts) into booking and customer observations: UID, DTSTART/DTEND with TZID,
 * SUMMARY, ATTENDEE, METHOD REQUEST/CANCEL, SEQUENCE. The most trusted extractor (0.98; 0.85 when a time zone had to
 * be guessed). Unreadable parts come back as problems, never thrown. Pure.
 */
export function extractCalendar(
  parts: readonly CalendarPart[],
  options: CalendarExtractOptions,
): { observations: Observation[]; problems: MessageProblem[] } {
  const observations: Observation[] = [];
  const problems: MessageProblem[] = [];
  for (const part of parts) {
    let root: ICAL.Component;
    try {
      root = new ICAL.Component(ICAL.parse(part.text));
    } catch (error) {
      problems.push({
        code: 'calendar_unreadable',
        detail: `part ${part.path || '1'}: ${(error as Error).message.slice(0, 120)}`,
      });
      continue;
    }
    const method = String(root.getFirstPropertyValue('method') ?? '').toUpperCase();
    const zones = new Map<string, ICAL.Timezone>();
    for (const vtz of root.getAllSubcomponents('vtimezone')) {
      const tzid = String(vtz.getFirstPropertyValue('tzid') ?? '');
      if (tzid) zones.set(tzid, new ICAL.Timezone(vtz));
    }
    for (const vevent of root.getAllSubcomponents('vevent')) {
      const fields: Partial<BookingFacts> = {};
      let guessedZone = false;
      const uid = String(vevent.getFirstPropertyValue('uid') ?? '').trim();
      if (uid) {
        fields.calendarUid = uid;
        const local = uid.split('@')[0] ?? '';
        if (UUID.test(local)) fields.bookingId = local.toLowerCase();
      }
      const start = readTime(vevent.getFirstProperty('dtstart'), zones, options.timezone);
      const end = readTime(vevent.getFirstProperty('dtend'), zones, options.timezone);
      if (start) {
        guessedZone ||= start.guessed;
        if (start.date && end?.date) {
          Object.assign(fields, allDaySpan(start.date, end.date, options.timezone));
          fields.allDay = true;
        } else if (start.instant) {
          fields.startsAt = start.instant;
          if (end?.instant) fields.endsAt = end.instant;
          guessedZone ||= Boolean(end?.guessed);
        }
      }
      const status = String(vevent.getFirstPropertyValue('status') ?? '').toUpperCase();
      fields.status = method === 'CANCEL' || status === 'CANCELLED' ? 'cancelled' : 'confirmed';
      const summary = String(vevent.getFirstPropertyValue('summary') ?? '');
      const description = String(vevent.getFirstPropertyValue('description') ?? '');
      const ref = new RegExp(options.referencePattern, 'u').exec(`${summary}\n${description}`);
      if (ref) fields.reference = ref[0];
      const location = String(vevent.getFirstPropertyValue('location') ?? '').trim();
      if (location) fields.resourceName = location;
      const organizer = normalizeEmail(mailto(vevent.getFirstPropertyValue('organizer')));
      for (const att of vevent.getAllProperties('attendee')) {
        const email = normalizeEmail(mailto(att.getFirstValue()));
        if (!email || email === organizer || options.ownAddresses.has(email)) continue;
        fields.customerEmail = email;
        const cn = att.getParameter('cn');
        if (typeof cn === 'string' && cn.trim()) fields.customerName = cn.trim();
        break;
      }
      const sequence = Number(vevent.getFirstPropertyValue('sequence') ?? 0);
      const confidence = guessedZone ? 0.85 : 0.98;
      const note = `text/calendar METHOD:${method || 'none'} SEQUENCE:${sequence}${guessedZone ? ' (time zone guessed)' : ''}`;
      observations.push({
        entity: 'booking',
        fields,
        extractor: EXTRACTORS.calendar,
        confidence,
        versionRank: Number.isFinite(sequence) ? sequence : 0,
        note,
        rule: 'ics',
      });
      if (fields.customerEmail) {
        observations.push({
          entity: 'customer',
          fields: {
            email: fields.customerEmail,
            ...(fields.customerName ? { fullName: fields.customerName } : {}),
          },
          extractor: EXTRACTORS.calendar,
          confidence,
          note: 'ATTENDEE of a text/calendar part',
          rule: 'ics',
        });
      }
    }
  }
  return { observations, problems };
}

function mailto(value: unknown): string {
  return String(value ?? '').replace(/^mailto:/i, '');
}

interface ReadTime {
  /** Set for DATE values (all-day): `YYYY-MM-DD`. */
  date?: string;
  instant?: string;
  guessed: boolean;
}

function readTime(
  prop: ICAL.Property | null,
  zones: Map<string, ICAL.Timezone>,
  fallbackZone: string,
): ReadTime | null {
  if (!prop) return null;
  const value = prop.getFirstValue();
  if (!(value instanceof ICAL.Time)) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (value.isDate) return { date: `${value.year}-${pad(value.month)}-${pad(value.day)}`, guessed: false };
  const wall = {
    year: value.year,
    month: value.month,
    day: value.day,
    hour: value.hour,
    minute: value.minute,
    second: value.second,
  };
  if (value.zone === ICAL.Timezone.utcTimezone || /Z$/.test(String(prop.toICALString()))) {
    return {
      instant: new Date(
        Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second),
      ).toISOString(),
      guessed: false,
    };
  }
  const tzid = prop.getParameter('tzid');
  const zoneName = typeof tzid === 'string' ? tzid.replace(/^"|"$/g, '') : '';
  // IANA names are authoritative; an Outlook name (W. Europe Standard Time) needs the VTIMEZONE it ships.
  if (zoneName && isValidTimeZone(zoneName))
    return { instant: zonedTimeToUtc(wall, zoneName).toISOString(), guessed: false };
  const vtz = zoneName ? zones.get(zoneName) : undefined;
  if (vtz) {
    const t = value.clone();
    t.zone = vtz;
    return { instant: new Date(t.toUnixTime() * 1000).toISOString(), guessed: false };
  }
  return { instant: zonedTimeToUtc(wall, fallbackZone).toISOString(), guessed: true };
}
