import { formatMoney } from '@salvage/core';
import { PLATFORM_DOMAIN } from './catalog.ts';
import {
  type SimBooking,
  type SimBusiness,
  type SimCustomer,
  type SimResource,
  templateVersionAt,
  type World,
} from './world.ts';
import { wallAt as wallTimeAt, offsetAt as zoneOffsetMs } from './zone-clock.ts';

/**
 * One resource's calendar as it stands at pull time, in a form both renderers (Google v3 JSON and .ics) share:
 * the platform's booking events (rescheduled, cancelled, edited or deleted by staff), staff-made blocks, and the weekly
 * lesson series with its exception.
 */
export interface CalendarEntry {
  googleId: string;
  uid: string;
  status: 'confirmed' | 'cancelled';
  /** Deleted by hand in Google: gone from the .ics export. */
  deletedByStaff: boolean;
  summary: string;
  description: string | null;
  allDay: boolean;
  startsMs: number;
  endsMs: number;
  createdMs: number;
  updatedMs: number;
  sequence: number;
  bookingId: string | null;
  reference: string | null;
  attendee: { email: string; name: string } | null;
  /** RRULE/EXDATE lines for a series master. */
  recurrence: { rrule: string; exdates: number[] } | null;
  /** For an exception instance: the series id and the original start. */
  exceptionOf: { seriesId: string; seriesUid: string; originalStartMs: number } | null;
}

/** `2026-05-03T10:00:00-04:00`: an instant written in a zone, as Google writes dateTime. */
export function zonedDateTime(ms: number, zone: string): string {
  const w = wallTimeAt(ms, zone);
  const off = zoneOffsetMs(ms, zone) / 60_000;
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}:${p(w.second)}${sign}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}

/** `2026-05-03`: the local date of an instant. */
export function zonedDate(ms: number, zone: string): string {
  const w = wallTimeAt(ms, zone);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

function summaryFor(world: World, b: SimBooking, resource: SimResource): string {
  switch (templateVersionAt(world, b.createdMs)) {
    case 1:
      return `${b.reference} - ${b.contact.name}`;
    case 2:
      return `${b.contact.name} (${b.reference})`;
    default:
      return `${resource.name}: ${b.contact.name} – ${b.reference}`;
  }
}

/** The entries of one resource's calendar at pull time, in creation order. */
export function calendarEntries(
  world: World,
  business: SimBusiness,
  resource: SimResource,
  customers: Map<string, SimCustomer>,
): CalendarEntry[] {
  const { pulledMs } = world.timeline;
  const entries: CalendarEntry[] = [];
  for (const b of world.bookings) {
    if (b.resourceId !== resource.id || !b.onCalendar || b.createdMs > pulledMs) continue;
    const last = b.schedules[b.schedules.length - 1]!;
    const customer = customers.get(b.customerId)!;
    let updatedMs = last.atMs + 2_000;
    let sequence = b.schedules.length - 1;
    let status: CalendarEntry['status'] = 'confirmed';
    if (b.cancelledMs !== null) {
      status = 'cancelled';
      sequence++;
      updatedMs = b.cancelledMs + 2_000;
    }
    let summary = summaryFor(world, b, resource);
    let deletedByStaff = false;
    if (b.staffEdit && b.staffEdit.atMs > updatedMs) {
      updatedMs = b.staffEdit.atMs;
      if (b.staffEdit.kind === 'note') summary = `${summary} — ${b.staffEdit.note}`;
      else if (status !== 'cancelled') {
        status = 'cancelled';
        deletedByStaff = true;
      }
    }
    const description = [
      `Booking ${b.reference}`,
      `Customer: ${b.contact.name}`,
      `Email: ${b.contact.email}`,
      `Phone: ${b.contact.phone}`,
      `Total: ${formatMoney(b.totalMinor, b.currency)}`,
      ...(b.notes ? [`Notes: ${b.notes}`] : []),
      `Manage: https://${business.key}.${PLATFORM_DOMAIN}/admin/bookings/${b.id}`,
    ].join('\n');
    entries.push({
      googleId: b.calendarEventId,
      uid: `${b.id}@${PLATFORM_DOMAIN}`,
      status,
      deletedByStaff,
      summary,
      description,
      allDay: b.allDay,
      startsMs: last.startsMs,
      endsMs: last.endsMs,
      createdMs: b.createdMs + 2_000,
      updatedMs,
      sequence,
      bookingId: b.id,
      reference: b.reference,
      attendee: { email: b.contact.email, name: customer.fullName },
      recurrence: null,
      exceptionOf: null,
    });
  }
  for (const s of world.staffBlocks) {
    if (s.resourceId !== resource.id || s.createdMs > pulledMs) continue;
    entries.push({
      googleId: s.id,
      uid: `${s.id}@google.com`,
      status: s.cancelled ? 'cancelled' : 'confirmed',
      deletedByStaff: s.cancelled,
      summary: s.summary,
      description: null,
      allDay: resource.kind !== 'hourly',
      startsMs: s.startsMs,
      endsMs: s.endsMs,
      createdMs: s.createdMs,
      updatedMs: Math.min(s.updatedMs, pulledMs),
      sequence: 0,
      bookingId: null,
      reference: null,
      attendee: null,
      recurrence: null,
      exceptionOf: null,
    });
  }
  for (const l of world.lessons) {
    if (l.resourceId !== resource.id) continue;
    const until = new Date(l.untilMs)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const uid = `${l.id}@google.com`;
    entries.push({
      googleId: l.id,
      uid,
      status: 'confirmed',
      deletedByStaff: false,
      summary: l.summary,
      description: 'Instructor: Sam. Max 8 seats. Bookings for a seat come through the platform.',
      allDay: false,
      startsMs: l.firstStartMs,
      endsMs: l.firstStartMs + l.durationMs,
      createdMs: l.createdMs,
      updatedMs: l.moved.updatedMs - 86_400_000,
      sequence: 1,
      bookingId: null,
      reference: null,
      attendee: null,
      recurrence: { rrule: `RRULE:FREQ=WEEKLY;BYDAY=SA;UNTIL=${until}`, exdates: [l.exdateStartMs] },
      exceptionOf: null,
    });
    entries.push({
      googleId: l.moved.id,
      uid,
      status: 'confirmed',
      deletedByStaff: false,
      summary: `${l.summary} (moved to 11:00, tide)`,
      description: 'Moved one hour later for the tide.',
      allDay: false,
      startsMs: l.moved.startsMs,
      endsMs: l.moved.endsMs,
      createdMs: l.createdMs,
      updatedMs: l.moved.updatedMs,
      sequence: 2,
      bookingId: null,
      reference: null,
      attendee: null,
      recurrence: null,
      exceptionOf: { seriesId: l.id, seriesUid: uid, originalStartMs: l.moved.originalStartMs },
    });
  }
  return entries;
}
