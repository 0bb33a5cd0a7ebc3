import { allDaySpan, type BookingStatus, type Evidence, toInstant } from '@salvage/core';
import type { calendar_v3 } from 'googleapis';
import { buildEvidence, definedOnly } from './build-evidence.ts';
import { CUSTOMER_ONLY_CONFIDENCE, STRUCTURED_CONFIDENCE } from './map-ics-occurrence.ts';
import { pickAttendee, readBookingText, type TextReading } from './read-booking-text.ts';

/** Whose a Google event is: business (and its zone, for all-day dates), resource, calendar id, raw ref. */
export interface GoogleMapContext {
  businessId: string;
  businessZone: string;
  resourceName: string;
  calendarId: string;
  rawRef: string | null;
  reading: TextReading;
  /** When the event carries no `updated` (minimal cancelled entries in a sync answer). */
  fallbackObservedAt: string;
  /** extendedProperties.private keys, in order of preference. */
  bookingIdKeys?: readonly string[];
  referenceKeys?: readonly string[];
}

/** Calendar v3 status to a booking status: cancelled, tentative (pending), else confirmed. */
export function statusOfGoogle(status: string | null | undefined): BookingStatus {
  if (status === 'cancelled') return 'cancelled';
  if (status === 'tentative') return 'pending';
  return 'confirmed';
}

function pick(props: Record<string, string> | undefined, keys: readonly string[]): string | undefined {
  if (!props) return undefined;
  for (const k of keys) {
    const v = props[k];
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return undefined;
}

/**
 * Evidence for one Calendar v3 event resource (a single event, a recurring master, or an instance): the booking
 * with the platform's id and reference from extendedProperties.private, times (all-day dates at midnight in the
 * business zone), status, attendees, and rule fields from summary and description. Pure.
 */
export function mapGoogleEvent(
  event: calendar_v3.Schema$Event,
  ctx: GoogleMapContext,
): { evidence: Evidence[]; issues: string[] } {
  const id = event.id;
  if (!id) return { evidence: [], issues: ['event without an id'] };
  const props = { ...(event.extendedProperties?.shared ?? {}), ...(event.extendedProperties?.private ?? {}) };
  const text = readBookingText(event.summary ?? undefined, event.description ?? undefined, ctx.reading);
  const attendee = pickAttendee(
    (event.attendees ?? []).map((a) => ({ ...a, name: a.displayName ?? null })),
    event.organizer?.email ?? undefined,
  );
  const bookingId = pick(props, ctx.bookingIdKeys ?? ['bookingId', 'booking_id', 'booking-id']);
  const reference = pick(
    props,
    ctx.referenceKeys ?? ['bookingRef', 'booking_ref', 'booking-ref', 'reference'],
  );
  let startsAt: string | undefined;
  let endsAt: string | undefined;
  let allDay: boolean | undefined;
  const issues = [...text.issues];
  if (event.start?.date && event.end?.date) {
    ({ startsAt, endsAt } = allDaySpan(event.start.date, event.end.date, ctx.businessZone));
    allDay = true;
  } else if (event.start?.dateTime) {
    startsAt = toInstant(event.start.dateTime) ?? undefined;
    endsAt = event.end?.dateTime ? (toInstant(event.end.dateTime) ?? undefined) : undefined;
    allDay = false;
  }
  if (startsAt && endsAt && endsAt < startsAt) {
    issues.push('event ends before it starts; its end is left out');
    endsAt = undefined;
  }
  const booking = definedOnly({
    ...text.booking,
    bookingId: bookingId ?? text.booking.bookingId,
    reference: reference ?? text.booking.reference,
    resourceName: ctx.resourceName,
    startsAt,
    endsAt,
    allDay,
    status:
      event.status === 'cancelled' ? 'cancelled' : (text.booking.status ?? statusOfGoogle(event.status)),
    customerEmail: text.booking.customerEmail ?? attendee?.email,
    customerName: text.booking.customerName ?? attendee?.name,
    calendarUid: event.iCalUID ?? event.recurringEventId ?? id,
    // The platform mirrors a booking when it is made: the entry's creation dates the booking, where its `updated`
    // moves with every later change. An instance of a series was made with the series, not with its booking.
    createdAt: event.recurringEventId ? undefined : instantText(event.created),
  });
  const customer = definedOnly({
    email: booking.customerEmail,
    fullName: booking.customerName,
    phone: booking.customerPhone,
  });
  // A deleted event in a sync answer is only an id and `cancelled`: still evidence that its booking was cancelled.
  const bare = event.status === 'cancelled' && !event.start;
  if (!bare && !booking.bookingId && !booking.reference && !customer.email && !customer.fullName)
    return { evidence: [], issues };
  const confidence =
    booking.bookingId || reference
      ? STRUCTURED_CONFIDENCE
      : bare
        ? 0.9
        : (text.confidence ?? CUSTOMER_ONLY_CONFIDENCE);
  const updatedMs = event.updated ? Date.parse(event.updated) : Number.NaN;
  const evidence = buildEvidence({
    businessId: ctx.businessId,
    source: {
      kind: 'google_calendar',
      account: ctx.calendarId,
      objectId: id,
      version: event.etag ?? event.updated ?? 'unversioned',
      ...(Number.isNaN(updatedMs) ? {} : { versionRank: updatedMs }),
    },
    observedAt: Number.isNaN(updatedMs) ? ctx.fallbackObservedAt : new Date(updatedMs).toISOString(),
    booking,
    customer,
    confidence,
    rawRef: ctx.rawRef,
    ...(text.via ? { note: text.via } : {}),
  });
  return { evidence, issues };
}

function instantText(value: string | null | undefined): string | undefined {
  const ms = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
