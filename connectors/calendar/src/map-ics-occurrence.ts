import type { BookingStatus, Evidence } from '@salvage/core';
import { buildEvidence, definedOnly } from './build-evidence.ts';
import type { IcsOccurrence } from './expand-ics.ts';
import { pickAttendee, readBookingText, type TextReading } from './read-booking-text.ts';

/** Where an occurrence came from and whose it is: business, resource, the file path or feed URL, its raw ref. */
export interface IcsMapContext {
  businessId: string;
  resourceName: string;
  /** The file path or feed URL, as configured (SourceRef.account). */
  account: string;
  rawRef: string | null;
  reading: TextReading;
  /** When nothing in the event dates it (no LAST-MODIFIED, DTSTAMP or CREATED). */
  fallbackObservedAt: string;
}

/** Confidence of a structured calendar entry read by its UID: as sure as a text/calendar part. */
export const STRUCTURED_CONFIDENCE = 0.98;
/** Confidence of an entry known only by a customer name or address in it (a hand-made booking, maybe). */
export const CUSTOMER_ONLY_CONFIDENCE = 0.5;

const UUID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@/i;

/** RFC 5545 STATUS to a booking status: CANCELLED, TENTATIVE (pending), else confirmed. */
export function statusOfIcs(status: string | undefined): BookingStatus {
  if (status === 'CANCELLED') return 'cancelled';
  if (status === 'TENTATIVE') return 'pending';
  return 'confirmed';
}

/**
 * Evidence for one occurrence: a booking (times, status, resource, reference and customer from rules or attendees,
 * the platform's booking id from a `<uuid>@domain` UID) and the customer it names. Entries that name neither a
 * booking nor a customer (staff blocks, holidays) give nothing. Pure.
 */
export function mapIcsOccurrence(
  o: IcsOccurrence,
  ctx: IcsMapContext,
): { evidence: Evidence[]; issues: string[] } {
  const e = o.event;
  // An exception that leaves out the summary, description or attendees keeps the series' (what clients show).
  const text = readBookingText(
    e.summary ?? o.master?.summary,
    e.description ?? o.master?.description,
    ctx.reading,
  );
  const attendees = e.attendees.length > 0 ? e.attendees : (o.master?.attendees ?? []);
  const attendee = pickAttendee(attendees, (e.organizer ?? o.master?.organizer)?.email);
  const bookingId = UUID.exec(o.uid)?.[1]?.toLowerCase();
  const booking = definedOnly({
    ...text.booking,
    bookingId: bookingId ?? text.booking.bookingId,
    resourceName: ctx.resourceName,
    startsAt: new Date(o.startMs).toISOString(),
    endsAt: o.endMs === null ? undefined : new Date(o.endMs).toISOString(),
    allDay: o.allDay,
    status: e.status === 'CANCELLED' ? 'cancelled' : (text.booking.status ?? statusOfIcs(e.status)),
    customerEmail: text.booking.customerEmail ?? attendee?.email,
    customerName: text.booking.customerName ?? attendee?.name,
    calendarUid: o.uid,
    // CREATED dates the booking the entry mirrors (LAST-MODIFIED moves with every change); not for an instance of a
    // series, which was made with the series.
    createdAt:
      o.objectId === o.uid && e.createdMs !== undefined ? new Date(e.createdMs).toISOString() : undefined,
  });
  const customer = definedOnly({
    email: booking.customerEmail,
    fullName: booking.customerName,
    phone: booking.customerPhone,
  });
  if (!booking.bookingId && !booking.reference && !customer.email && !customer.fullName)
    return { evidence: [], issues: text.issues };
  const confidence = booking.bookingId
    ? STRUCTURED_CONFIDENCE
    : (text.confidence ?? CUSTOMER_ONLY_CONFIDENCE);
  const changedMs = e.lastModifiedMs ?? e.dtstampMs ?? e.createdMs;
  const observedAt = changedMs === undefined ? ctx.fallbackObservedAt : new Date(changedMs).toISOString();
  // DTSTAMP is the export time in published files, so it never enters the version: re-exports are the same version.
  const version = `seq:${e.sequence}${e.lastModifiedMs === undefined ? '' : `;lm:${new Date(e.lastModifiedMs).toISOString()}`}`;
  const evidence = buildEvidence({
    businessId: ctx.businessId,
    source: {
      kind: 'ics',
      account: ctx.account,
      objectId: o.objectId,
      version,
      versionRank: e.sequence * 1e13 + (e.lastModifiedMs ?? 0),
    },
    observedAt,
    booking,
    customer,
    confidence,
    rawRef: ctx.rawRef,
    note: `ics line ${e.line}${text.via ? `; ${text.via}` : ''}`,
  });
  return { evidence, issues: text.issues };
}
