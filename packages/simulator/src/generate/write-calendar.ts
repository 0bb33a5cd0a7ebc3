import { join } from 'node:path';
import { type CalendarEntry, calendarEntries, zonedDate, zonedDateTime } from './calendar-entries.ts';
import { dateValue, escapeText, foldLine, localStamp, utcStamp, VTIMEZONES } from './ics-text.ts';
import { openSink } from './jsonl-writer.ts';
import type { SimBusiness, SimResource, World } from './world.ts';
import { wallAt as wallTimeAt } from './zone-clock.ts';

/**
 * Renders each resource's calendar twice: as Google Calendar v3 event resources (what events.list with
 * showDeleted=true returns) and as the .ics export (deleted events are gone from it; cancelled bookings stay with
 * STATUS:CANCELLED).
 */

const iso = (ms: number) => new Date(ms).toISOString();

function timeField(ms: number, allDay: boolean, zone: string): Record<string, string> {
  return allDay ? { date: zonedDate(ms, zone) } : { dateTime: zonedDateTime(ms, zone), timeZone: zone };
}

/** A Calendar v3 event resource. */
export function googleEvent(
  e: CalendarEntry,
  business: SimBusiness,
  resource: SimResource,
): Record<string, unknown> {
  const zone = business.timezone;
  const event: Record<string, unknown> = {
    kind: 'calendar#event',
    etag: `"${e.updatedMs}000"`,
    id: e.googleId,
    status: e.status,
    htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${e.googleId} ${resource.calendarId}`).toString('base64url')}`,
    created: iso(e.createdMs),
    updated: iso(e.updatedMs),
    summary: e.summary,
  };
  if (e.description) event.description = e.description;
  event.creator = {
    email: e.bookingId ? `calendar-sync@${business.key}.iam.gserviceaccount.com` : business.mailbox,
  };
  event.organizer = {
    email: resource.calendarId,
    displayName: `${business.name} – ${resource.name}`,
    self: true,
  };
  event.start = timeField(e.startsMs, e.allDay, zone);
  event.end = timeField(e.endsMs, e.allDay, zone);
  if (e.recurrence) {
    const w = (ms: number) => localStamp(wallTimeAt(ms, zone));
    event.recurrence = [
      e.recurrence.rrule,
      ...e.recurrence.exdates.map((x) => `EXDATE;TZID=${zone}:${w(x)}`),
    ];
  }
  if (e.exceptionOf) {
    event.recurringEventId = e.exceptionOf.seriesId;
    event.originalStartTime = timeField(e.exceptionOf.originalStartMs, false, zone);
  }
  event.iCalUID = e.uid;
  event.sequence = e.sequence;
  if (e.attendee)
    event.attendees = [
      { email: e.attendee.email, displayName: e.attendee.name, responseStatus: 'needsAction' },
    ];
  if (e.bookingId)
    event.extendedProperties = { private: { bookingId: e.bookingId, bookingRef: e.reference } };
  event.reminders = { useDefault: true };
  event.eventType = 'default';
  return event;
}

/** The VEVENT lines of one entry. */
export function icsEvent(e: CalendarEntry, zone: string, stampMs: number): string[] {
  const w = (ms: number) => localStamp(wallTimeAt(ms, zone));
  const lines = ['BEGIN:VEVENT', `UID:${e.uid}`, `DTSTAMP:${utcStamp(stampMs)}`];
  if (e.allDay) {
    lines.push(`DTSTART;VALUE=DATE:${dateValue(wallTimeAt(e.startsMs, zone))}`);
    lines.push(`DTEND;VALUE=DATE:${dateValue(wallTimeAt(e.endsMs, zone))}`);
  } else {
    lines.push(`DTSTART;TZID=${zone}:${w(e.startsMs)}`, `DTEND;TZID=${zone}:${w(e.endsMs)}`);
  }
  if (e.recurrence) {
    lines.push(e.recurrence.rrule);
    for (const x of e.recurrence.exdates) lines.push(`EXDATE;TZID=${zone}:${w(x)}`);
  }
  if (e.exceptionOf) lines.push(`RECURRENCE-ID;TZID=${zone}:${w(e.exceptionOf.originalStartMs)}`);
  lines.push(
    `CREATED:${utcStamp(e.createdMs)}`,
    `LAST-MODIFIED:${utcStamp(e.updatedMs)}`,
    `SEQUENCE:${e.sequence}`,
    `STATUS:${e.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
    `SUMMARY:${escapeText(e.summary)}`,
  );
  if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
  if (e.attendee)
    lines.push(
      `ATTENDEE;CN=${JSON.stringify(e.attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:${e.attendee.email}`,
    );
  lines.push('TRANSP:OPAQUE', 'END:VEVENT');
  return lines;
}

/** Writes DIR/calendar/<key>/google/<calendarId>.json and ics/<slug>.ics for every resource; returns event counts. */
export async function writeCalendars(
  world: World,
  outDir: string,
  customers: Parameters<typeof calendarEntries>[3],
): Promise<Record<string, { google: number; ics: number }>> {
  const counts: Record<string, { google: number; ics: number }> = {};
  for (const business of world.businesses) {
    const c = { google: 0, ics: 0 };
    for (const resource of business.resources) {
      const entries = calendarEntries(world, business, resource, customers);
      const g = openSink(join(outDir, 'calendar', business.key, 'google', `${resource.calendarId}.json`));
      await g.write(
        `{"calendarId":${JSON.stringify(resource.calendarId)},"summary":${JSON.stringify(`${business.name} – ${resource.name}`)},"timeZone":${JSON.stringify(business.timezone)},"items":[\n`,
      );
      for (const [i, e] of entries.entries()) {
        await g.write(`${i === 0 ? '' : ',\n'}${JSON.stringify(googleEvent(e, business, resource))}`);
        c.google++;
      }
      await g.write('\n]}\n');
      await g.close();
      const ics = openSink(join(outDir, 'calendar', business.key, 'ics', `${resource.slug}.ics`));
      const head = [
        'BEGIN:VCALENDAR',
        'PRODID:-//RentalHub//Calendar Export 2.4//EN',
        'VERSION:2.0',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        `X-WR-CALNAME:${escapeText(`${business.name} – ${resource.name}`)}`,
        `X-WR-TIMEZONE:${business.timezone}`,
        ...VTIMEZONES[business.timezone]!,
      ];
      await ics.write(`${head.map(foldLine).join('\r\n')}\r\n`);
      for (const e of entries) {
        if (e.deletedByStaff) continue;
        await ics.write(
          `${icsEvent(e, business.timezone, world.timeline.pulledMs).map(foldLine).join('\r\n')}\r\n`,
        );
        c.ics++;
      }
      await ics.write('END:VCALENDAR\r\n');
      await ics.close();
    }
    counts[business.key] = c;
  }
  return counts;
}
