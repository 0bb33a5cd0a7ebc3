import {
  type BookingFacts,
  type BookingRow,
  type CustomerFacts,
  type CustomerRow,
  type Evidence,
  evidenceId,
  type PaymentFacts,
  type PaymentRow,
  type SourceKind,
  type TargetIdentity,
  type TargetSnapshot,
} from '@salvage/core';
import type { ReconcileConfig, ReconcileInput } from './input.ts';

/**
 * Tiny builders for engine tests (in the manner of ProseMirror's test builder): a business with two resources, rows
 * of the restored target, and evidence as each connector would write it. Every builder takes the fields that matter
 * to a case and fills the rest with plain defaults.
 */

export const BIZ = '11111111-1111-4111-8111-111111111111';
export const CABIN_A = '22222222-2222-4222-8222-22222222222a';
export const CABIN_B = '22222222-2222-4222-8222-22222222222b';
export const TARGET: TargetIdentity = {
  systemIdentifier: '7300000000000000001',
  databaseName: 'restored',
  schemaFingerprint: 'ref-v1',
};
export const AS_OF = '2026-08-02T12:00:00.000Z';
export const BACKUP_AT = '2026-05-01T00:00:00.000Z';

/** A target with one business and two resources (Cabin A, Cabin B), plus the given rows. */
export function snapshot(
  rows: Partial<Pick<TargetSnapshot, 'customers' | 'bookings' | 'payments'>> = {},
): TargetSnapshot {
  return {
    businesses: [
      {
        id: BIZ,
        name: 'Lakeside Cabins',
        timezone: 'Europe/Lisbon',
        currency: 'eur',
        stripe_account_id: 'acct_1Lake',
        created_at: '2024-01-01T00:00:00.000Z',
      },
    ],
    resources: [
      {
        id: CABIN_A,
        business_id: BIZ,
        name: 'Cabin A',
        calendar_id: 'cabin-a@group.calendar.google.com',
        created_at: '2024-01-01T00:00:00.000Z',
      },
      {
        id: CABIN_B,
        business_id: BIZ,
        name: 'Cabin B',
        calendar_id: null,
        created_at: '2024-01-01T00:00:00.000Z',
      },
    ],
    customers: rows.customers ?? [],
    bookings: rows.bookings ?? [],
    payments: rows.payments ?? [],
  };
}

/** A customer row in the target. */
export function customerRow(over: Partial<CustomerRow> & { id: string }): CustomerRow {
  return {
    business_id: BIZ,
    full_name: 'Ana Lima',
    email: 'ana@example.com',
    phone: null,
    stripe_customer_id: null,
    created_at: '2026-01-10T10:00:00.000Z',
    updated_at: '2026-01-10T10:00:00.000Z',
    ...over,
  };
}

/** A booking row in the target. */
export function bookingRow(over: Partial<BookingRow> & { id: string; customer_id: string }): BookingRow {
  return {
    business_id: BIZ,
    reference: 'BK-AAAAAA',
    resource_id: CABIN_A,
    starts_at: '2026-06-10T14:00:00.000Z',
    ends_at: '2026-06-12T10:00:00.000Z',
    status: 'confirmed',
    total_amount: 30000,
    currency: 'eur',
    notes: null,
    created_at: '2026-04-01T09:00:00.000Z',
    updated_at: '2026-04-01T09:00:00.000Z',
    ...over,
  };
}

/** A payment row in the target. */
export function paymentRow(over: Partial<PaymentRow> & { id: string }): PaymentRow {
  return {
    business_id: BIZ,
    booking_id: null,
    customer_id: null,
    amount: 30000,
    amount_refunded: 0,
    currency: 'eur',
    status: 'succeeded',
    method: 'card',
    stripe_payment_intent_id: null,
    stripe_charge_id: null,
    paid_at: '2026-04-01T09:05:00.000Z',
    created_at: '2026-04-01T09:05:00.000Z',
    updated_at: '2026-04-01T09:05:00.000Z',
    ...over,
  };
}

interface SourceOptions {
  kind: SourceKind;
  account?: string;
  objectId: string;
  version?: string;
  versionRank?: number;
  observedAt: string;
  confidence?: number;
  ordinal?: number;
}

function make<E extends 'customer' | 'booking' | 'payment'>(
  entity: E,
  fields: Partial<E extends 'customer' ? CustomerFacts : E extends 'booking' ? BookingFacts : PaymentFacts>,
  s: SourceOptions,
): Evidence {
  const source = {
    kind: s.kind,
    account: s.account ?? `${s.kind}-account`,
    objectId: s.objectId,
    version: s.version ?? String(s.versionRank ?? s.observedAt),
    ...(s.versionRank !== undefined ? { versionRank: s.versionRank } : {}),
  };
  const extractor = { name: `test-${s.kind}`, version: '1' };
  return {
    id: evidenceId(source, entity, extractor, s.ordinal ?? 0),
    businessId: BIZ,
    source,
    entity,
    fields,
    observedAt: s.observedAt,
    extractor,
    confidence: s.confidence ?? 0.98,
    rawRef: null,
  } as Evidence;
}

/** A Stripe customer object. */
export function stripeCustomer(
  fields: Partial<CustomerFacts> & { stripeCustomerId: string },
  at = '2026-05-10T10:00:00.000Z',
): Evidence {
  return make('customer', fields, {
    kind: 'stripe',
    account: 'acct_1Lake',
    objectId: fields.stripeCustomerId,
    observedAt: at,
    confidence: 1,
  });
}

/** Customer details read from somewhere else (a mail signature, a form). */
export function customer(fields: Partial<CustomerFacts>, s: Partial<SourceOptions> = {}): Evidence {
  return make('customer', fields, {
    kind: 'imap',
    objectId: `mail-${JSON.stringify(fields).length}-${fields.email ?? fields.fullName}`,
    observedAt: '2026-05-10T10:00:00.000Z',
    ...s,
  });
}

/** A Stripe charge (with its PaymentIntent), as payment evidence. */
export function stripeCharge(
  fields: Partial<PaymentFacts> & { stripeChargeId: string },
  at = '2026-05-12T09:00:00.000Z',
  rank?: number,
): Evidence {
  return make(
    'payment',
    {
      currency: 'eur',
      status: 'succeeded',
      method: 'card',
      amountRefunded: 0,
      paidAt: at,
      createdAt: at,
      ...fields,
    },
    {
      kind: 'stripe',
      account: 'acct_1Lake',
      objectId: fields.stripeChargeId,
      observedAt: at,
      versionRank: rank ?? Date.parse(at),
      confidence: 1,
    },
  );
}

/** Booking facts from Stripe metadata (a checkout session). */
export function stripeBooking(
  fields: Partial<BookingFacts>,
  objectId: string,
  at = '2026-05-12T09:00:00.000Z',
): Evidence {
  return make('booking', fields, {
    kind: 'stripe',
    account: 'acct_1Lake',
    objectId,
    observedAt: at,
    confidence: 0.99,
  });
}

/** An ICS event (UID, SEQUENCE as version rank). */
export function icsEvent(
  fields: Partial<BookingFacts> & { calendarUid: string },
  at = '2026-05-12T09:01:00.000Z',
  sequence = 0,
): Evidence {
  return make(
    'booking',
    { resourceName: 'Cabin A', ...fields },
    {
      kind: 'ics',
      account: 'cabin-a.ics',
      objectId: fields.calendarUid,
      observedAt: at,
      versionRank: sequence,
      version: String(sequence),
    },
  );
}

/** A Google Calendar event (updated time as version rank). */
export function googleEvent(
  fields: Partial<BookingFacts>,
  eventId: string,
  at = '2026-05-12T09:01:00.000Z',
): Evidence {
  return make(
    'booking',
    { resourceName: 'Cabin A', calendarUid: eventId, ...fields },
    {
      kind: 'google_calendar',
      account: 'cabin-a@group.calendar.google.com',
      objectId: eventId,
      observedAt: at,
      versionRank: Date.parse(at),
    },
  );
}

/** A booking mail (confirmation, reschedule, cancellation) read over IMAP; confidence as a template rule gives it. */
export function mail(
  fields: Partial<BookingFacts>,
  messageId: string,
  at = '2026-05-12T09:00:30.000Z',
  confidence = 0.95,
): Evidence {
  return make('booking', fields, {
    kind: 'imap',
    account: 'bookings@lakeside.example',
    objectId: `INBOX/1/${messageId}`,
    observedAt: at,
    confidence,
  });
}

/** A customer's own answer through the confirmation page. */
export function confirmation(
  fields: Partial<BookingFacts>,
  token: string,
  at = '2026-08-01T10:00:00.000Z',
): Evidence {
  return make('booking', fields, {
    kind: 'confirmation',
    account: 'confirm',
    objectId: token,
    observedAt: at,
    confidence: 1,
  });
}

/** The config the engine reads, with default thresholds and no overrides unless given. */
export function config(
  over: Partial<ReconcileConfig> = {},
  businessRules?: ReconcileConfig['rules'],
): ReconcileConfig {
  const rules = { survivorship: {}, tolerances: { amountMinor: 0, timeMinutes: 0 } };
  return {
    thresholds: { autoAccept: 0.95, askCustomerBelow: 0.6 },
    rules,
    businesses: [{ id: BIZ, currency: 'eur', rules: businessRules ?? rules }],
    ...over,
  };
}

/** A full engine input from a snapshot and evidence. */
export function input(
  snap: TargetSnapshot,
  evidence: Evidence[],
  over: Partial<ReconcileInput> = {},
): ReconcileInput {
  return { snapshot: snap, evidence, config: config(), asOf: AS_OF, target: TARGET, ...over };
}
