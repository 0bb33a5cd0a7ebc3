import type { BookingStatus, PaymentMethod, PaymentStatus } from './model.ts';

/**
 * Evidence: one observation, from one source, about one entity. Connectors produce it, the workspace stores it, the
 * engine reads it. Field values are already normalized (email lower case, phone E.164, money in minor units, instants
 * in UTC); a value the source did not give is absent, never null-as-a-guess.
 */

/** Where evidence comes from. Stored in the workspace: never rename a value once released. */
export const SOURCE_KINDS = [
  'stripe',
  'imap',
  'gmail',
  'mbox',
  'maildir',
  'eml',
  'google_calendar',
  'ics',
  'confirmation',
  'operator',
] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const ENTITY_KINDS = ['customer', 'booking', 'payment'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/**
 * The source object an observation was read from, and which version of it.
 * - stripe: objectId `ch_...`, version the object's `created` or the event id that carried it.
 * - imap: objectId `<mailbox>/<uidvalidity>/<uid>`, version the content hash; `messageId` in fields identifies the mail.
 * - gmail: objectId the Gmail message id, version its historyId.
 * - google_calendar: objectId the event id, version its etag.
 * - ics: objectId the UID (plus `/RECURRENCE-ID` for an instance), version the SEQUENCE (and LAST-MODIFIED).
 */
export interface SourceRef {
  kind: SourceKind;
  /** Which account of that kind: a Stripe account id, a mailbox address, a calendar id, a file path or feed URL. */
  account: string;
  objectId: string;
  version: string;
  /** A rank that orders versions of one object (SEQUENCE, event `updated` in ms, Stripe event created); higher is newer. */
  versionRank?: number;
}

export interface CustomerFacts {
  /** The platform's own customer id, when the source carries it (metadata, extended properties). */
  customerId: string;
  fullName: string;
  email: string;
  phone: string;
  stripeCustomerId: string;
  /**
   * True when Stripe Checkout created that Customer for a guest (the session's customer_creation): a new one each
   * checkout, whose id the platform never stored as the person's stripe_customer_id. It still links the checkout's
   * objects to one another.
   */
  stripeCustomerGuest: boolean;
  address: string;
  createdAt: string;
}

export interface BookingFacts {
  /** The platform's own booking id, when the source carries it. */
  bookingId: string;
  reference: string;
  resourceId: string;
  resourceName: string;
  startsAt: string;
  endsAt: string;
  /** True when the source gave dates, not times (all-day calendar events). */
  allDay: boolean;
  status: BookingStatus;
  totalAmount: number;
  currency: string;
  /** A note the customer or the platform wrote on the booking (the row's `notes`). */
  notes: string;
  /** What the source says was sold (a checkout line item, a charge description): for people and linking, never notes. */
  description: string;
  createdAt: string;
  /** Who the booking is for, as this source names them. */
  customerId: string;
  customerEmail: string;
  customerName: string;
  customerPhone: string;
  stripeCustomerId: string;
  /** See CustomerFacts.stripeCustomerGuest. */
  stripeCustomerGuest: boolean;
  /** The iCalendar UID, or calendar event id, that the platform mirrored this booking to. */
  calendarUid: string;
}

/** What a payment paid for, as its source says: the whole price, a deposit, or the balance after a deposit. */
export const PAYMENT_KINDS = ['full', 'deposit', 'balance'] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

export interface PaymentFacts {
  paymentId: string;
  stripePaymentIntentId: string;
  stripeChargeId: string;
  amount: number;
  amountRefunded: number;
  currency: string;
  status: PaymentStatus;
  method: PaymentMethod;
  /** Not a column: tells reconcile whether the booking's payments add up to its total (a deposit alone does not). */
  kind: PaymentKind;
  paidAt: string;
  createdAt: string;
  bookingId: string;
  bookingReference: string;
  customerId: string;
  stripeCustomerId: string;
  customerEmail: string;
}

export interface EntityFacts {
  customer: CustomerFacts;
  booking: BookingFacts;
  payment: PaymentFacts;
}

export interface Extractor {
  name: string;
  version: string;
}

interface EvidenceBase<E extends EntityKind> {
  /** Stable id: a hash of source, object, version, entity, extractor and ordinal (see `evidenceId`). */
  id: string;
  /** The business (its id in the target) this observation belongs to. */
  businessId: string;
  source: SourceRef;
  entity: E;
  fields: Partial<EntityFacts[E]>;
  /** When the source says the observation happened (message date, event updated, object created). */
  observedAt: string;
  extractor: Extractor;
  /** How sure the extractor is that it read the source right, in [0, 1]. Not how sure we are the fact is true. */
  confidence: number;
  /** Key of the raw material in the workspace (sha256 of its bytes), or null when nothing was kept. */
  rawRef: string | null;
  /** Free-form, for explanations: the rule that fired, the line a value came from. Never customer data beyond fields. */
  note?: string;
}

export type Evidence = { [E in EntityKind]: EvidenceBase<E> }[EntityKind];
export type EvidenceOf<E extends EntityKind> = EvidenceBase<E>;
