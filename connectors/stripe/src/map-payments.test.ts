import { describe, expect, it } from 'vitest';
import type { MapContext, StripeRaw } from './map-context.ts';
import { mapStripeObject } from './map-stripe-object.ts';
import { parseStripeConfig } from './stripe-config.ts';

const parsed = parseStripeConfig({
  businessId: 'b-1',
  businessName: 'Harbor Kayaks',
  keyEnv: 'STRIPE_KEY',
  timezone: 'Europe/Lisbon',
  defaultRegion: 'PT',
});
if (!parsed.ok) throw new Error('config');
const config = parsed.config;

function ctx(over: Partial<MapContext> = {}): MapContext {
  return {
    businessId: 'b-1',
    account: 'acct_1',
    config,
    version: 'v1',
    versionRank: 1,
    rawRef: 'r',
    ...over,
  };
}
const T = 1_780_000_000;

function paymentIntent(over: StripeRaw = {}): StripeRaw {
  return {
    id: 'pi_1',
    object: 'payment_intent',
    amount: 5000,
    amount_received: 0,
    capture_method: 'automatic',
    created: T,
    currency: 'EUR',
    customer: 'cus_1',
    latest_charge: null,
    livemode: true,
    metadata: {
      bookingId: 'bk-uuid',
      'booking-ref': 'BK-ABC123',
      resource: 'Kayak 2',
      start: '2026-07-01 09:00',
    },
    payment_method_types: ['card'],
    receipt_email: ' Ana@Example.COM ',
    status: 'requires_payment_method',
    ...over,
  };
}
function charge(over: StripeRaw = {}): StripeRaw {
  return {
    id: 'ch_1',
    object: 'charge',
    amount: 5000,
    amount_refunded: 1500,
    billing_details: {
      email: 'ana@example.com',
      name: 'Ana Lima',
      phone: '912 345 678',
      address: { country: 'PT' },
    },
    captured: true,
    created: T,
    currency: 'eur',
    customer: null,
    description: 'Booking BK-ZZZ999 – Kayak',
    metadata: {},
    paid: true,
    payment_intent: 'pi_1',
    payment_method_details: { type: 'card' },
    status: 'succeeded',
    ...over,
  };
}
function session(over: StripeRaw = {}): StripeRaw {
  return {
    id: 'cs_1',
    object: 'checkout.session',
    amount_total: 5000,
    client_reference_id: 'BK-QQQ111',
    created: T,
    currency: 'eur',
    customer: null,
    customer_details: { email: 'guest@example.com', name: 'Guest Person', phone: '+351912345678' },
    line_items: { object: 'list', data: [{ id: 'li_1', description: 'Kayak 2026-07-01' }], has_more: false },
    metadata: {},
    mode: 'payment',
    payment_intent: 'pi_9',
    payment_status: 'paid',
    status: 'complete',
    ...over,
  };
}

const byEntity = (o: StripeRaw, c = ctx()) => {
  const r = mapStripeObject(o, c);
  if (!r.known) throw new Error(r.reason);
  // Fields read loosely: the tests look at one entity's fields at a time.
  return Object.fromEntries(r.evidence.map((e) => [e.entity, e])) as Record<
    string,
    { id: string; fields: Record<string, unknown>; note?: string; confidence: number } | undefined
  >;
};

describe('Stripe mappers', () => {
  it('reads a payment intent with the configured metadata spellings, normalized', () => {
    const e = byEntity(paymentIntent({ status: 'succeeded', amount_received: 5000, latest_charge: 'ch_1' }));
    expect(e.payment!.fields).toEqual({
      stripePaymentIntentId: 'pi_1',
      stripeChargeId: 'ch_1',
      amount: 5000,
      currency: 'eur',
      status: 'succeeded',
      method: 'card',
      createdAt: new Date(T * 1000).toISOString(),
      bookingId: 'bk-uuid',
      bookingReference: 'BK-ABC123',
      stripeCustomerId: 'cus_1',
      customerEmail: 'ana@example.com',
    });
    expect(e.booking!.fields).toMatchObject({
      bookingId: 'bk-uuid',
      reference: 'BK-ABC123',
      resourceName: 'Kayak 2',
      // Wall time in the business's zone (Lisbon, UTC+1 in July).
      startsAt: '2026-07-01T08:00:00.000Z',
    });
    expect(e.booking!.fields).not.toHaveProperty('status');
  });

  it('reads a canceled manual-capture intent as an expired hold: a failed payment, not a cancelled booking', () => {
    const e = byEntity(
      paymentIntent({ status: 'canceled', capture_method: 'manual', cancellation_reason: 'abandoned' }),
    );
    expect(e.payment!.fields.status).toBe('failed');
    expect(e.payment!.note).toMatch(/expired deposit hold/);
    expect(e.booking!.fields).not.toHaveProperty('status');
  });

  it('reads refunds into the charge status and the cardholder as a guest customer', () => {
    const e = byEntity(charge());
    expect(e.payment!.fields).toMatchObject({
      stripeChargeId: 'ch_1',
      amountRefunded: 1500,
      status: 'partially_refunded',
      paidAt: new Date(T * 1000).toISOString(),
    });
    expect(e.customer!.fields).toEqual({
      email: 'ana@example.com',
      fullName: 'Ana Lima',
      phone: '+351912345678',
      address: 'PT',
    });
    expect(byEntity(charge({ amount_refunded: 5000 })).payment!.fields.status).toBe('refunded');
    // A charge with a payment intent leaves booking hints to the intent.
    expect(e.booking).toBeUndefined();
    const legacy = byEntity(charge({ payment_intent: null }));
    expect(legacy.booking!.fields.reference).toBe('BK-ZZZ999');
    expect(legacy.booking!.confidence).toBeLessThan(0.9);
  });

  it('reads a completed checkout session as a confirmed booking, and an expired one as abandoned', () => {
    const done = byEntity(session());
    expect(done.booking!.fields).toMatchObject({
      reference: 'BK-QQQ111',
      status: 'confirmed',
      description: 'Kayak 2026-07-01',
      customerEmail: 'guest@example.com',
    });
    // A line item says what was sold; it is not a note anyone wrote on the booking.
    expect(done.booking!.fields).not.toHaveProperty('notes');
    expect(done.customer!.fields).toMatchObject({ email: 'guest@example.com', fullName: 'Guest Person' });
    expect(done.payment!.fields).toMatchObject({ stripePaymentIntentId: 'pi_9', status: 'succeeded' });
    const expired = byEntity(session({ status: 'expired', payment_status: 'unpaid', payment_intent: null }));
    expect(expired.booking!.fields).not.toHaveProperty('status');
    expect(expired.booking!.note).toMatch(/abandoned/);
    expect(expired.payment).toBeUndefined();
    expect(expired.customer).toBeUndefined();
  });

  it("marks a Customer that Checkout created for a guest, and not the platform's own", () => {
    const guest = byEntity(session({ customer: 'cus_guest', customer_creation: 'always' }));
    expect(guest.booking!.fields).toMatchObject({ stripeCustomerId: 'cus_guest', stripeCustomerGuest: true });
    expect(guest.customer!.fields).toMatchObject({
      stripeCustomerId: 'cus_guest',
      stripeCustomerGuest: true,
    });
    const own = byEntity(session({ customer: 'cus_own', customer_creation: null }));
    expect(own.booking!.fields).toMatchObject({ stripeCustomerId: 'cus_own' });
    expect(own.booking!.fields).not.toHaveProperty('stripeCustomerGuest');
    expect(own.customer!.fields).not.toHaveProperty('stripeCustomerGuest');
  });

  it('honours custom metadata key spellings from the config', () => {
    const custom = parseStripeConfig({
      businessId: 'b-1',
      businessName: 'X',
      keyEnv: 'K',
      metadataKeys: { reference: ['order_no'] },
    });
    if (!custom.ok) throw new Error('config');
    const e = byEntity(
      paymentIntent({ metadata: { order_no: 'BK-CUSTOM' } }),
      ctx({ config: custom.config }),
    );
    expect(e.booking!.fields.reference).toBe('BK-CUSTOM');
  });

  it('reports an object it does not know instead of throwing', () => {
    expect(mapStripeObject({ id: 'po_1', object: 'payout', created: T }, ctx())).toMatchObject({
      known: false,
    });
    expect(mapStripeObject({ object: 'charge' }, ctx())).toMatchObject({ known: false });
    expect(mapStripeObject({ id: 'ch_2', object: 'charge', created: 'yesterday' }, ctx())).toMatchObject({
      known: false,
    });
  });

  it('gives stable evidence ids per object version, distinct across versions', () => {
    const a = byEntity(charge(), ctx({ version: 'v1' })).payment!.id;
    expect(byEntity(charge(), ctx({ version: 'v1' })).payment!.id).toBe(a);
    expect(byEntity(charge(), ctx({ version: 'evt_2' })).payment!.id).not.toBe(a);
  });
});

describe('invoices', () => {
  const invoice = (over: StripeRaw = {}): StripeRaw => ({
    id: 'in_1',
    object: 'invoice',
    number: 'AB-0001',
    status: 'paid',
    amount_due: 5000,
    amount_paid: 5000,
    currency: 'eur',
    created: T - 2 * 86_400,
    customer: 'cus_1',
    customer_email: 'ana@example.com',
    status_transitions: { paid_at: T + 60 },
    payments: { data: [{ payment: { payment_intent: 'pi_1' } }] },
    metadata: { bookingId: 'bk-uuid' },
    ...over,
  });

  it('leaves the creation time of a payment with an intent to the intent', () => {
    const payment = byEntity(invoice()).payment;
    expect(payment?.fields.stripePaymentIntentId).toBe('pi_1');
    expect(payment?.fields.createdAt).toBeUndefined();
    expect(payment?.fields.paidAt).toBe(new Date((T + 60) * 1000).toISOString());
  });

  it('dates a payment without an intent by the invoice', () => {
    const payment = byEntity(invoice({ status: 'open', payments: { data: [] } })).payment;
    expect(payment?.fields.stripePaymentIntentId).toBeUndefined();
    expect(payment?.fields.createdAt).toBe(new Date((T - 2 * 86_400) * 1000).toISOString());
  });
});

describe('what a payment paid for', () => {
  const kindOf = (object: StripeRaw) => byEntity(object).payment?.fields.kind;

  it('reads the kind from metadata in its spellings, or from a description that opens with it', () => {
    const md = (v: Record<string, string>) => ({ bookingId: 'bk-uuid', ...v });
    expect(kindOf(paymentIntent({ metadata: md({ payment_kind: 'deposit' }) }))).toBe('deposit');
    expect(kindOf(paymentIntent({ metadata: md({ paymentType: 'In full' }) }))).toBe('full');
    expect(kindOf(charge({ metadata: md({ payment_kind: 'Remainder' }) }))).toBe('balance');
    expect(kindOf(paymentIntent({ description: 'Deposit BK-ABC123 – Cabin' }))).toBe('deposit');
    expect(kindOf(paymentIntent({ description: 'Balance for BK-ABC123' }))).toBe('balance');
  });

  it('says nothing where neither names it', () => {
    expect(kindOf(paymentIntent({ description: 'Booking BK-ABC123 – Cabin' }))).toBeUndefined();
    expect(
      kindOf(paymentIntent({ metadata: { bookingId: 'bk-uuid', payment_kind: 'gift card' } })),
    ).toBeUndefined();
    expect(kindOf(paymentIntent({ description: 'Cabin, deposit included' }))).toBeUndefined();
  });
});
