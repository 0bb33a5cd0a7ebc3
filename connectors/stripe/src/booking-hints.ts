import { normalizeEmail, type PaymentKind, parseTimeInZone } from '@salvage/core';
import { type MapContext, type StripeRaw, str, unixToIso } from './map-context.ts';

/** What an object's metadata, client_reference_id and description say about the platform booking it paid for. */
export interface BookingHints {
  bookingId?: string;
  reference?: string;
  resourceName?: string;
  startsAt?: string;
  endsAt?: string;
  customerId?: string;
  /** Whether it paid the whole price, a deposit or the balance, when metadata or the description says so. */
  paymentKind?: PaymentKind;
  /** Where the reference came from: structured metadata is surer than a description. */
  referenceFrom?: 'metadata' | 'client_reference_id' | 'description';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function firstKey(metadata: StripeRaw, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = str(metadata[k]);
    if (v) return v;
  }
  return undefined;
}

function timeOf(text: string | undefined, zone: string): string | undefined {
  if (!text) return undefined;
  // Metadata dates come as unix seconds or as text, with or without an offset.
  if (/^\d{9,11}$/.test(text)) return unixToIso(Number(text));
  return parseTimeInZone(text, zone) ?? undefined;
}

const KIND_WORDS: Record<string, PaymentKind> = {
  full: 'full',
  in_full: 'full',
  full_payment: 'full',
  total: 'full',
  deposit: 'deposit',
  downpayment: 'deposit',
  down_payment: 'deposit',
  balance: 'balance',
  remainder: 'balance',
  final: 'balance',
  final_payment: 'balance',
};

/** A metadata value such as 'deposit', 'Balance' or 'in-full' as a payment kind; anything else says nothing. */
export function paymentKindOf(text: string | undefined): PaymentKind | undefined {
  if (!text) return undefined;
  return KIND_WORDS[
    text
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_')
  ];
}

// A description that opens with the word ('Deposit BK-7K2M9Q – Cabin', 'Balance for ...'). 'Booking ...' or a bare
// reference says nothing: a business that writes only deposits' descriptions so leaves full payments unmarked.
const KIND_IN_DESCRIPTION = /^\s*(deposit|down[- ]?payment|balance|remainder|final payment)\b/i;

const patterns = new Map<string, RegExp>();
function referenceRegex(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    re = new RegExp(source, 'u');
    patterns.set(source, re);
  }
  return re;
}

/** Reads booking hints with the business's configured metadata key spellings. Pure. */
export function matchBookingHints(object: StripeRaw, ctx: MapContext): BookingHints {
  const metadata = (
    object.metadata && typeof object.metadata === 'object' ? object.metadata : {}
  ) as StripeRaw;
  const keys = ctx.config.metadataKeys;
  const pattern = referenceRegex(ctx.config.referencePattern);
  const hints: BookingHints = {};
  const bookingId = firstKey(metadata, keys.bookingId);
  if (bookingId) hints.bookingId = bookingId;
  const reference = firstKey(metadata, keys.reference);
  if (reference) {
    hints.reference = reference;
    hints.referenceFrom = 'metadata';
  }
  const clientRef = str(object.client_reference_id);
  if (clientRef) {
    if (!hints.bookingId && UUID.test(clientRef)) hints.bookingId = clientRef.toLowerCase();
    else if (!hints.reference && pattern.test(clientRef)) {
      hints.reference = pattern.exec(clientRef)![0];
      hints.referenceFrom = 'client_reference_id';
    }
  }
  if (!hints.reference) {
    const m = pattern.exec(str(object.description) ?? '');
    if (m) {
      hints.reference = m[0];
      hints.referenceFrom = 'description';
    }
  }
  const resource = firstKey(metadata, keys.resource);
  if (resource) hints.resourceName = resource;
  const startsAt = timeOf(firstKey(metadata, keys.startsAt), ctx.config.timezone);
  if (startsAt) hints.startsAt = startsAt;
  const endsAt = timeOf(firstKey(metadata, keys.endsAt), ctx.config.timezone);
  if (endsAt) hints.endsAt = endsAt;
  const customerId = firstKey(metadata, keys.customerId);
  if (customerId) hints.customerId = customerId;
  const kind =
    paymentKindOf(firstKey(metadata, keys.paymentKind)) ??
    paymentKindOf(KIND_IN_DESCRIPTION.exec(str(object.description) ?? '')?.[1]);
  if (kind) hints.paymentKind = kind;
  return hints;
}

/** True when the hints identify a booking at all. */
export function namesBooking(h: BookingHints): boolean {
  return Boolean(h.bookingId || h.reference);
}

/** Confidence that the booking fields were read right: metadata is structured, a description is free text. */
export function hintConfidence(h: BookingHints): number {
  return h.referenceFrom === 'description' && !h.bookingId ? 0.8 : 0.97;
}

/** A guest's contact details as Checkout or the card form collected them. */
export interface ContactDetails {
  email?: string;
  fullName?: string;
  phone?: string;
  address?: string;
}

/** One line of an address object, parts joined with ', '. */
export function formatAddress(address: unknown): string | undefined {
  if (!address || typeof address !== 'object') return undefined;
  const a = address as StripeRaw;
  const parts = ['line1', 'line2', 'postal_code', 'city', 'state', 'country']
    .map((k) => str(a[k]))
    .filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

/** Contact details from a `billing_details` / `customer_details` object. */
export function readContact(
  details: unknown,
  normalizePhoneFn: (p: string) => string | null,
): ContactDetails {
  if (!details || typeof details !== 'object') return {};
  const d = details as StripeRaw;
  const phone = str(d.phone);
  const out: ContactDetails = {};
  const email = normalizeEmail(str(d.email));
  if (email) out.email = email;
  const name = str(d.name);
  if (name) out.fullName = name;
  const p = phone ? normalizePhoneFn(phone) : null;
  if (p) out.phone = p;
  const address = formatAddress(d.address);
  if (address) out.address = address;
  return out;
}
