import { type Evidence, normalizeEmail, type PaymentMethod, type PaymentStatus } from '@salvage/core';
import {
  type BookingHints,
  hintConfidence,
  matchBookingHints,
  namesBooking,
  readContact,
} from './booking-hints.ts';
import {
  idOf,
  type MapContext,
  makeEvidence,
  num,
  obj,
  phoneOf,
  type StripeRaw,
  str,
  unixToIso,
} from './map-context.ts';

const BANK_METHODS = new Set([
  'ach_credit_transfer',
  'ach_debit',
  'acss_debit',
  'au_becs_debit',
  'bacs_debit',
  'customer_balance',
  'sepa_credit_transfer',
  'sepa_debit',
  'us_bank_account',
]);

/** Stripe's payment method type as the reference schema's method. */
export function matchPaymentMethod(type: string | undefined): PaymentMethod | undefined {
  if (!type) return undefined;
  if (type === 'card' || type === 'card_present' || type === 'interac_present') return 'card';
  return BANK_METHODS.has(type) ? 'bank_transfer' : 'other';
}

function bookingEvidence(
  ctx: MapContext,
  object: StripeRaw,
  hints: BookingHints,
  extra: Partial<Record<string, unknown>>,
  note?: string,
): Evidence[] {
  if (!namesBooking(hints)) return [];
  return [
    makeEvidence(
      ctx,
      object,
      'booking',
      {
        bookingId: hints.bookingId,
        reference: hints.reference,
        resourceName: hints.resourceName,
        startsAt: hints.startsAt,
        endsAt: hints.endsAt,
        customerId: hints.customerId,
        ...extra,
      },
      { confidence: hintConfidence(hints), ...(note ? { note } : {}) },
    ),
  ];
}

function guestEvidence(
  ctx: MapContext,
  object: StripeRaw,
  details: unknown,
  stripeCustomerId?: string,
  stripeCustomerGuest?: boolean,
): Evidence[] {
  const contact = readContact(details, (p) => phoneOf(p, ctx.config.defaultRegion) ?? null);
  if (!contact.email && !contact.fullName) return [];
  // A cardholder or checkout contact is usually, not always, the person who booked.
  return [
    makeEvidence(
      ctx,
      object,
      'customer',
      { ...contact, stripeCustomerId, ...(stripeCustomerGuest ? { stripeCustomerGuest } : {}) },
      {
        confidence: 0.9,
        note: 'contact details collected at payment',
      },
    ),
  ];
}

/**
 * Payment (and booking hint) evidence from a PaymentIntent. A canceled manual-capture intent is usually a deposit
 * hold that expired: it says the payment failed, never that the booking was cancelled. Pure.
 */
export function mapPaymentIntent(pi: StripeRaw, ctx: MapContext): Evidence[] {
  const status = str(pi.status);
  const manualHold = status === 'canceled' && str(pi.capture_method)?.startsWith('manual') === true;
  let paymentStatus: PaymentStatus | undefined;
  if (status === 'succeeded') paymentStatus = 'succeeded';
  else if (status === 'canceled') paymentStatus = 'failed';
  else if (status) paymentStatus = 'pending';
  const hints = matchBookingHints(pi, ctx);
  const types = Array.isArray(pi.payment_method_types) ? (pi.payment_method_types as unknown[]) : [];
  const note = manualHold
    ? `expired deposit hold (manual-capture PaymentIntent canceled${str(pi.cancellation_reason) ? `: ${str(pi.cancellation_reason)}` : ''}); not a cancelled booking`
    : undefined;
  const payment = makeEvidence(
    ctx,
    pi,
    'payment',
    {
      stripePaymentIntentId: String(pi.id),
      stripeChargeId: idOf(pi.latest_charge),
      amount: status === 'succeeded' ? (num(pi.amount_received) ?? num(pi.amount)) : num(pi.amount),
      currency: str(pi.currency)?.toLowerCase(),
      status: paymentStatus,
      method: types.length === 1 ? matchPaymentMethod(str(types[0])) : undefined,
      createdAt: unixToIso(pi.created),
      bookingId: hints.bookingId,
      bookingReference: hints.reference,
      kind: hints.paymentKind,
      customerId: hints.customerId,
      stripeCustomerId: idOf(pi.customer),
      customerEmail: normalizeEmail(str(pi.receipt_email)) ?? undefined,
    },
    { confidence: 0.99, ...(note ? { note } : {}) },
  );
  return [payment, ...bookingEvidence(ctx, pi, hints, { stripeCustomerId: idOf(pi.customer) }, note)];
}

/** Payment evidence from a Charge, its cardholder as customer evidence, and booking hints for legacy charges. Pure. */
export function mapCharge(charge: StripeRaw, ctx: MapContext): Evidence[] {
  const amount = num(charge.amount);
  const refunded = num(charge.amount_refunded) ?? 0;
  const status = str(charge.status);
  let paymentStatus: PaymentStatus | undefined;
  if (status === 'failed') paymentStatus = 'failed';
  else if (status === 'pending') paymentStatus = 'pending';
  else if (status === 'succeeded')
    paymentStatus =
      refunded > 0
        ? amount !== undefined && refunded >= amount
          ? 'refunded'
          : 'partially_refunded'
        : 'succeeded';
  const hints = matchBookingHints(charge, ctx);
  const billing = obj(charge.billing_details);
  const details = obj(charge.payment_method_details);
  const paid = charge.paid === true && charge.captured !== false && status === 'succeeded';
  const disputeNote =
    charge.disputed === true ? `disputed (${idOf(charge.dispute) ?? 'dispute'})` : undefined;
  const payment = makeEvidence(
    ctx,
    charge,
    'payment',
    {
      stripeChargeId: String(charge.id),
      stripePaymentIntentId: idOf(charge.payment_intent),
      amount,
      amountRefunded: refunded,
      currency: str(charge.currency)?.toLowerCase(),
      status: paymentStatus,
      method: matchPaymentMethod(str(details?.type)),
      paidAt: paid ? unixToIso(charge.created) : undefined,
      createdAt: unixToIso(charge.created),
      bookingId: hints.bookingId,
      bookingReference: hints.reference,
      kind: hints.paymentKind,
      customerId: hints.customerId,
      stripeCustomerId: idOf(charge.customer),
      customerEmail: normalizeEmail(str(billing?.email) ?? str(charge.receipt_email)) ?? undefined,
    },
    { confidence: 0.99, ...(disputeNote ? { note: disputeNote } : {}) },
  );
  const legacy = !idOf(charge.payment_intent);
  return [
    payment,
    ...guestEvidence(ctx, charge, billing, idOf(charge.customer)),
    ...(legacy ? bookingEvidence(ctx, charge, hints, { stripeCustomerId: idOf(charge.customer) }) : []),
  ];
}

/**
 * Evidence from a Checkout Session: the guest from customer_details, the booking it paid for (metadata,
 * client_reference_id, line item descriptions) and the payment intent it links. An expired session is an
 * abandoned checkout: its booking evidence carries no status (it never confirmed anything) and no payment. Pure.
 */
export function mapCheckoutSession(session: StripeRaw, ctx: MapContext): Evidence[] {
  const status = str(session.status);
  const paymentStatus = str(session.payment_status);
  const expired = status === 'expired';
  const hints = matchBookingHints(session, ctx);
  const details = obj(session.customer_details);
  const contact = readContact(details, (p) => phoneOf(p, ctx.config.defaultRegion) ?? null);
  const lineItems = obj(session.line_items);
  const lines = Array.isArray(lineItems?.data) ? (lineItems.data as StripeRaw[]) : [];
  // What was sold ('SUP Board 2026-08-13'), not a note anyone wrote on the booking.
  const description =
    lines
      .map((l) => str(l.description))
      .filter(Boolean)
      .join('; ') || undefined;
  const confirmed =
    status === 'complete' && (paymentStatus === 'paid' || paymentStatus === 'no_payment_required');
  // A session that created its Customer (customer_creation 'always' or 'if_required') was a guest checkout: the
  // platform passes its own Customer in `customer` and leaves customer_creation null.
  const stripeCustomerId = idOf(session.customer);
  const guestCustomer = stripeCustomerId !== undefined && str(session.customer_creation) !== undefined;
  const note = expired
    ? 'abandoned checkout (session expired): not evidence of a confirmed booking'
    : undefined;
  const out: Evidence[] = [
    ...bookingEvidence(
      ctx,
      session,
      hints,
      {
        status: confirmed ? 'confirmed' : undefined,
        description,
        customerEmail: contact.email ?? normalizeEmail(str(session.customer_email)) ?? undefined,
        customerName: contact.fullName,
        customerPhone: contact.phone,
        stripeCustomerId,
        ...(guestCustomer ? { stripeCustomerGuest: true } : {}),
        currency: str(session.currency)?.toLowerCase(),
      },
      note,
    ),
  ];
  if (!expired) {
    out.push(...guestEvidence(ctx, session, details, stripeCustomerId, guestCustomer));
    const pi = idOf(session.payment_intent);
    if (pi)
      out.push(
        makeEvidence(
          ctx,
          session,
          'payment',
          {
            stripePaymentIntentId: pi,
            amount: num(session.amount_total),
            currency: str(session.currency)?.toLowerCase(),
            status: paymentStatus === 'paid' ? 'succeeded' : 'pending',
            createdAt: unixToIso(session.created),
            bookingId: hints.bookingId,
            bookingReference: hints.reference,
            kind: hints.paymentKind,
            stripeCustomerId: idOf(session.customer),
            customerEmail: contact.email,
          },
          { confidence: 0.97 },
        ),
      );
  }
  return out;
}

/** Payment, customer and booking hint evidence from an Invoice (a balance sent by email, for instance). Pure. */
export function mapInvoice(invoice: StripeRaw, ctx: MapContext): Evidence[] {
  const status = str(invoice.status);
  if (status === 'draft') return [];
  const hints = matchBookingHints(invoice, ctx);
  const payments = obj(invoice.payments);
  const firstPayment = Array.isArray(payments?.data) ? obj((payments.data as unknown[])[0]) : undefined;
  // API versions since 2025-03 list payments; older ones have payment_intent on the invoice.
  const pi = idOf(obj(firstPayment?.payment)?.payment_intent) ?? idOf(invoice.payment_intent);
  const transitions = obj(invoice.status_transitions);
  const paymentStatus: PaymentStatus =
    status === 'paid' ? 'succeeded' : status === 'void' || status === 'uncollectible' ? 'failed' : 'pending';
  const email = normalizeEmail(str(invoice.customer_email)) ?? undefined;
  const out: Evidence[] = [
    makeEvidence(
      ctx,
      invoice,
      'payment',
      {
        stripePaymentIntentId: pi,
        amount: status === 'paid' ? num(invoice.amount_paid) : num(invoice.amount_due),
        currency: str(invoice.currency)?.toLowerCase(),
        status: paymentStatus,
        paidAt: status === 'paid' ? unixToIso(transitions?.paid_at) : undefined,
        // An invoice is drafted before it is paid: when it names its PaymentIntent, the payment was created with that
        // (whose own evidence says when); the invoice's creation stands in only for a payment with no intent yet.
        createdAt: pi ? undefined : unixToIso(invoice.created),
        bookingId: hints.bookingId,
        bookingReference: hints.reference,
        kind: hints.paymentKind,
        customerId: hints.customerId,
        stripeCustomerId: idOf(invoice.customer),
        customerEmail: email,
      },
      { confidence: 0.97, note: `invoice ${str(invoice.number) ?? String(invoice.id)}` },
    ),
    ...guestEvidence(
      ctx,
      invoice,
      {
        email: invoice.customer_email,
        name: invoice.customer_name,
        phone: invoice.customer_phone,
        address: invoice.customer_address,
      },
      idOf(invoice.customer),
    ),
    ...bookingEvidence(ctx, invoice, hints, {
      customerEmail: email,
      stripeCustomerId: idOf(invoice.customer),
    }),
  ];
  return out;
}
