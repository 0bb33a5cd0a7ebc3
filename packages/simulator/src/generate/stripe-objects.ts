import { createRng } from './prng.ts';
import { paymentStateAt } from './snapshot.ts';
import {
  type SimBooking,
  type SimBusiness,
  type SimCustomer,
  type SimPayment,
  type SimStripePayment,
  scheduleAt,
  stripeId,
  type World,
} from './world.ts';

/**
 * Stripe objects as the API (version STRIPE_API_VERSION) returns them, built from the world at a given instant: the
 * state at pull time for the object files, earlier states for event snapshots. Field names follow the Stripe API
 * reference; unix seconds for times, integer minor units for amounts, livemode false (test-mode keys).
 */

/** The API version the objects and events are shaped for (the one stripe-node 23 pins). */
export const STRIPE_API_VERSION = '2026-10-28.endive';

type Obj = Record<string, unknown>;
const unix = (ms: number): number => Math.floor(ms / 1000);

/**
 * The platform's metadata on a payment: the booking's id, reference, resource and, as checkout wrote them, its start
 * and end (not updated by a later reschedule, as Stripe metadata is written once).
 */
function metadataFor(
  b: SimBooking,
  s: SimStripePayment,
  resourceName: string,
  p: SimPayment,
): Record<string, string> {
  const keys = [
    ['booking_id', 'booking_ref', 'starts_at', 'ends_at'],
    ['bookingId', 'bookingRef', 'startsAt', 'endsAt'],
    ['booking-id', 'booking-ref', 'check_in', 'check_out'],
  ][s.metadataStyle]!;
  const schedule = scheduleAt(b, p.createdMs);
  // One style writes unix seconds, the others ISO instants: both are seen in the wild.
  const stamp = (ms: number) => (s.metadataStyle === 1 ? String(unix(ms)) : new Date(ms).toISOString());
  return {
    [keys[0]!]: b.id,
    [keys[1]!]: b.reference,
    resource: resourceName,
    payment_kind: p.kind,
    [keys[2]!]: stamp(schedule.startsMs),
    [keys[3]!]: stamp(schedule.endsMs),
  };
}

function describe(b: SimBooking, resourceName: string, kind: SimPayment['kind']): string {
  const what = kind === 'deposit' ? 'Deposit' : kind === 'balance' ? 'Balance' : 'Booking';
  return `${what} ${b.reference} – ${resourceName}`;
}

/** A customer object; guests carry only what checkout collected. */
export function customerObject(
  business: SimBusiness,
  id: string,
  createdMs: number,
  who: { name: string; email: string; phone: string | null; address: SimCustomer['address'] | null },
  platformCustomerId: string | null,
): Obj {
  const rng = createRng(0, `invoice-prefix:${id}`);
  return {
    id,
    object: 'customer',
    address: who.address
      ? {
          city: who.address.city,
          country: who.address.country,
          line1: who.address.line1,
          line2: null,
          postal_code: who.address.postal_code,
          state: null,
        }
      : null,
    balance: 0,
    created: unix(createdMs),
    currency: business.currency,
    default_source: null,
    delinquent: false,
    description: platformCustomerId ? null : 'Guest checkout',
    discount: null,
    email: who.email,
    invoice_prefix: rng.chars(8, 'ABCDEF0123456789'),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: platformCustomerId ? { customer_id: platformCustomerId } : {},
    name: who.name,
    next_invoice_sequence: 1,
    phone: who.phone,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

function billingDetails(s: SimStripePayment, c: SimCustomer): Obj {
  return {
    address: {
      city: null,
      country: c.address.country,
      line1: null,
      line2: null,
      postal_code: c.address.postal_code,
      state: null,
    },
    email: s.billing.email,
    name: s.billing.name,
    phone: s.billing.phone,
    tax_id: null,
  };
}

function cardDetails(s: SimStripePayment, amount: number): Obj {
  const c = s.card;
  return {
    card: {
      amount_authorized: amount,
      authorization_code: null,
      brand: c.brand,
      checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' },
      country: c.country,
      exp_month: c.expMonth,
      exp_year: c.expYear,
      extended_authorization: { status: 'disabled' },
      fingerprint: c.fingerprint,
      funding: c.funding,
      incremental_authorization: { status: 'unavailable' },
      installments: null,
      last4: c.last4,
      mandate: null,
      multicapture: { status: 'unavailable' },
      network: c.brand,
      network_token: { used: false },
      network_transaction_id: null,
      overcapture: { maximum_amount_capturable: amount, status: 'unavailable' },
      regulated_status: 'unregulated',
      three_d_secure: null,
      wallet: null,
    },
    type: 'card',
  };
}

/** Everything one needs to render a payment's Stripe objects. */
export interface StripeContext {
  world: World;
  business: SimBusiness;
  booking: SimBooking;
  payment: SimPayment;
  stripe: SimStripePayment;
  customer: SimCustomer;
  resourceName: string;
}

/** The charge as it stood at `ms`. */
export function chargeObject(x: StripeContext, ms: number): Obj {
  const { payment: p, stripe: s } = x;
  const state = paymentStateAt(p, ms);
  const dispute = p.dispute && p.dispute.atMs <= ms ? p.dispute : null;
  return {
    id: s.chargeId,
    object: 'charge',
    amount: p.amountMinor,
    amount_captured: p.amountMinor,
    amount_refunded: state.refunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: s.balanceTransactionId,
    billing_details: billingDetails(s, x.customer),
    calculated_statement_descriptor: x.business.name.toUpperCase().slice(0, 22),
    captured: true,
    created: unix(p.paidMs ?? p.createdMs),
    currency: x.booking.currency,
    customer: s.customerId,
    description: describe(x.booking, x.resourceName, p.kind),
    disputed: dispute !== null,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: metadataFor(x.booking, s, x.resourceName, p),
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: createRng(0, s.chargeId).int(5, 60),
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: s.paymentIntentId,
    payment_method: s.paymentMethodId,
    payment_method_details: cardDetails(s, p.amountMinor),
    radar_options: {},
    receipt_email: s.billing.email,
    receipt_number: null,
    receipt_url: `https://pay.stripe.com/receipts/payment/${s.chargeId.slice(3)}`,
    refunded: state.refunded >= p.amountMinor,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

/** The payment intent as it stood at `ms`. */
export function paymentIntentObject(x: StripeContext, ms: number): Obj {
  const { payment: p, stripe: s } = x;
  const paid = p.paidMs !== null && p.paidMs <= ms;
  return {
    id: s.paymentIntentId,
    object: 'payment_intent',
    amount: p.amountMinor,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: paid ? p.amountMinor : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: `${s.paymentIntentId}_secret_${s.chargeId.slice(3, 28)}`,
    confirmation_method: 'automatic',
    created: unix(p.createdMs),
    currency: x.booking.currency,
    customer: s.customerId,
    description: describe(x.booking, x.resourceName, p.kind),
    last_payment_error: null,
    latest_charge: paid ? s.chargeId : null,
    livemode: false,
    metadata: metadataFor(x.booking, s, x.resourceName, p),
    next_action: null,
    on_behalf_of: null,
    payment_method: paid ? s.paymentMethodId : null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: ['card'],
    processing: null,
    receipt_email: s.billing.email,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: paid ? 'succeeded' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
}

/** A refund object. */
export function refundObject(x: StripeContext, r: SimPayment['refunds'][number]): Obj {
  const rng = createRng(0, r.id);
  return {
    id: r.id,
    object: 'refund',
    amount: r.amountMinor,
    balance_transaction: `txn_${rng.chars(24, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`,
    charge: x.stripe.chargeId,
    created: unix(r.atMs),
    currency: x.booking.currency,
    destination_details: {
      card: {
        reference: rng.chars(23, '0123456789'),
        reference_status: 'available',
        reference_type: 'acquirer_reference_number',
        type: 'refund',
      },
      type: 'card',
    },
    metadata: r.reason === null ? { reason: 'goodwill' } : {},
    payment_intent: x.stripe.paymentIntentId,
    reason: r.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

/** The checkout session (status complete) that took a full payment or a deposit. */
export function checkoutSessionObject(x: StripeContext, ms: number): Obj {
  const { payment: p, stripe: s, booking: b } = x;
  const paid = p.paidMs !== null && p.paidMs <= ms;
  const createdMs = p.createdMs - 3 * 60_000;
  return {
    id: s.checkoutSessionId,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: p.amountMinor,
    amount_total: p.amountMinor,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: `https://${x.business.key}.rentalhub.example/book/cancelled`,
    client_reference_id: b.id,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: unix(createdMs),
    currency: b.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: s.customerId,
    customer_creation: s.guest ? 'always' : null,
    customer_details: {
      address: {
        city: null,
        country: x.customer.address.country,
        line1: null,
        line2: null,
        postal_code: x.customer.address.postal_code,
        state: null,
      },
      email: s.billing.email,
      name: s.billing.name,
      phone: s.billing.phone,
      tax_exempt: 'none',
      tax_ids: [],
    },
    customer_email: s.guest ? s.billing.email : null,
    discounts: [],
    expires_at: unix(createdMs + 24 * 3_600_000),
    invoice: null,
    invoice_creation: {
      enabled: false,
      invoice_data: {
        account_tax_ids: null,
        custom_fields: null,
        description: null,
        footer: null,
        issuer: null,
        metadata: {},
        rendering_options: null,
      },
    },
    livemode: false,
    locale: null,
    metadata: metadataFor(b, s, x.resourceName, p),
    mode: 'payment',
    payment_intent: s.paymentIntentId,
    payment_link: null,
    payment_method_collection: 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    payment_status: paid ? 'paid' : 'unpaid',
    phone_number_collection: { enabled: true },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: paid ? 'complete' : 'open',
    submit_type: 'book',
    subscription: null,
    success_url: `https://${x.business.key}.rentalhub.example/book/done?session_id={CHECKOUT_SESSION_ID}`,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: null,
    wallet_options: null,
  };
}

/** The session's line items, as GET /v1/checkout/sessions/:id/line_items lists them. */
export function checkoutLineItems(x: StripeContext): Obj[] {
  const { payment: p, stripe: s, booking: b } = x;
  const schedule = scheduleAt(b, p.createdMs);
  return [
    {
      id: s.lineItemId,
      object: 'item',
      amount_discount: 0,
      amount_subtotal: p.amountMinor,
      amount_tax: 0,
      amount_total: p.amountMinor,
      currency: b.currency,
      description: `${x.resourceName} ${new Date(schedule.startsMs).toISOString().slice(0, 10)}${p.kind === 'deposit' ? ' (deposit)' : ''}`,
      price: {
        id: s.priceId,
        object: 'price',
        active: false,
        billing_scheme: 'per_unit',
        created: unix(p.createdMs - 180_000),
        currency: b.currency,
        custom_unit_amount: null,
        livemode: false,
        lookup_key: null,
        metadata: {},
        nickname: null,
        product: s.productId,
        recurring: null,
        tax_behavior: 'unspecified',
        tiers_mode: null,
        transform_quantity: null,
        type: 'one_time',
        unit_amount: p.amountMinor,
        unit_amount_decimal: String(p.amountMinor),
      },
      quantity: 1,
    },
  ];
}

/** The invoice that collected a balance (sent by email, paid by card), with its payments included. */
export function invoiceObject(x: StripeContext, ms: number): Obj {
  const { payment: p, stripe: s, booking: b, business } = x;
  const paid = p.paidMs !== null && p.paidMs <= ms;
  // Sent two days before it is paid, but never before the booking it bills existed.
  const finalizedMs = Math.max(p.createdMs - 2 * 86_400_000, b.createdMs + 600_000);
  return {
    id: s.invoiceId,
    object: 'invoice',
    account_country: business.defaultRegion,
    account_name: business.name,
    account_tax_ids: null,
    amount_due: p.amountMinor,
    amount_overpaid: 0,
    amount_paid: paid ? p.amountMinor : 0,
    amount_remaining: paid ? 0 : p.amountMinor,
    amount_shipping: 0,
    application: null,
    attempt_count: paid ? 1 : 0,
    attempted: paid,
    auto_advance: false,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: 'manual',
    collection_method: 'send_invoice',
    created: unix(finalizedMs - 600_000),
    currency: b.currency,
    custom_fields: null,
    customer: s.customerId,
    customer_address: null,
    customer_email: s.billing.email,
    customer_name: s.billing.name,
    customer_phone: s.billing.phone,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: describe(b, x.resourceName, p.kind),
    discounts: [],
    due_date: unix(finalizedMs + 7 * 86_400_000),
    effective_at: unix(finalizedMs),
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: `https://invoice.stripe.com/i/${business.stripeAccount}/test_${s.invoiceId!.slice(3)}`,
    invoice_pdf: `https://pay.stripe.com/invoice/${business.stripeAccount}/test_${s.invoiceId!.slice(3)}/pdf`,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: {
      object: 'list',
      data: [
        {
          id: s.lineItemId,
          object: 'line_item',
          amount: p.amountMinor,
          currency: b.currency,
          description: `Balance for ${b.reference} – ${x.resourceName}`,
          discount_amounts: [],
          discountable: true,
          discounts: [],
          invoice: s.invoiceId,
          livemode: false,
          metadata: metadataFor(b, s, x.resourceName, p),
          parent: {
            invoice_item_details: {
              invoice_item: `ii_${s.lineItemId.slice(3)}`,
              proration: false,
              proration_details: { credited_items: null },
              subscription: null,
            },
            subscription_item_details: null,
            type: 'invoice_item_details',
          },
          period: { end: unix(finalizedMs - 600_000), start: unix(finalizedMs - 600_000) },
          pretax_credit_amounts: [],
          pricing: {
            price_details: { price: s.priceId, product: s.productId },
            type: 'price_details',
            unit_amount_decimal: String(p.amountMinor),
          },
          quantity: 1,
          taxes: [],
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/invoices/${s.invoiceId}/lines`,
    },
    livemode: false,
    metadata: metadataFor(b, s, x.resourceName, p),
    next_payment_attempt: null,
    number: s.invoiceNumber,
    on_behalf_of: null,
    parent: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    payments: {
      object: 'list',
      data: paid
        ? [
            {
              id: `inpay_${s.paymentIntentId.slice(3)}`,
              object: 'invoice_payment',
              amount_paid: p.amountMinor,
              amount_requested: p.amountMinor,
              created: unix(p.createdMs),
              currency: b.currency,
              invoice: s.invoiceId,
              is_default: true,
              livemode: false,
              payment: { payment_intent: s.paymentIntentId, type: 'payment_intent' },
              status: 'paid',
              status_transitions: { canceled_at: null, paid_at: unix(p.paidMs!) },
            },
          ]
        : [],
      has_more: false,
      url: '/v1/invoice_payments',
    },
    period_end: unix(finalizedMs - 600_000),
    period_start: unix(finalizedMs - 600_000),
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: paid ? 'paid' : 'open',
    status_transitions: {
      finalized_at: unix(finalizedMs),
      marked_uncollectible_at: null,
      paid_at: paid ? unix(p.paidMs!) : null,
      voided_at: null,
    },
    subtotal: p.amountMinor,
    subtotal_excluding_tax: p.amountMinor,
    test_clock: null,
    total: p.amountMinor,
    total_discount_amounts: [],
    total_excluding_tax: p.amountMinor,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: unix(finalizedMs),
  };
}

/** The dispute as it stood at `ms`. */
export function disputeObject(x: StripeContext, ms: number): Obj {
  const d = x.payment.dispute!;
  const closed = d.closedMs !== null && d.closedMs <= ms;
  const status = closed ? d.status : d.status === 'won' || d.status === 'lost' ? 'needs_response' : d.status;
  const evidenceKeys = [
    'access_activity_log',
    'billing_address',
    'cancellation_policy',
    'cancellation_policy_disclosure',
    'cancellation_rebuttal',
    'customer_communication',
    'customer_email_address',
    'customer_name',
    'customer_purchase_ip',
    'customer_signature',
    'duplicate_charge_documentation',
    'duplicate_charge_explanation',
    'duplicate_charge_id',
    'product_description',
    'receipt',
    'refund_policy',
    'refund_policy_disclosure',
    'refund_refusal_explanation',
    'service_date',
    'service_documentation',
    'shipping_address',
    'shipping_carrier',
    'shipping_date',
    'shipping_documentation',
    'shipping_tracking_number',
    'uncategorized_file',
    'uncategorized_text',
  ];
  const evidence: Obj = Object.fromEntries(evidenceKeys.map((k) => [k, null]));
  evidence.enhanced_evidence = {};
  const rng = createRng(0, d.id);
  return {
    id: d.id,
    object: 'dispute',
    amount: x.payment.amountMinor,
    balance_transactions: [],
    charge: x.stripe.chargeId,
    created: unix(d.atMs),
    currency: x.booking.currency,
    enhanced_eligibility_types: [],
    evidence,
    evidence_details: {
      due_by: unix(d.atMs + 21 * 86_400_000),
      enhanced_eligibility: {},
      has_evidence: status !== 'needs_response',
      past_due: false,
      submission_count: status === 'needs_response' ? 0 : 1,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    network_reason_code: rng.pick(['10.4', '13.1', '12.6', '4837']),
    payment_intent: x.stripe.paymentIntentId,
    payment_method_details: {
      card: {
        brand: x.stripe.card.brand,
        case_type: 'chargeback',
        network_reason_code: rng.pick(['10.4', '13.1', '12.6']),
      },
      type: 'card',
    },
    reason: d.reason,
    status,
  };
}

/** One Stripe event: `data.object` is the object after the change, `previous_attributes` what the change replaced. */
export function eventObject(
  business: SimBusiness,
  type: string,
  atMs: number,
  object: Obj,
  previous?: Obj,
): Obj {
  const rng = createRng(0, `evt:${type}:${object.id}:${atMs}`);
  return {
    id: stripeId(rng, 'evt'),
    object: 'event',
    account: business.stripeAccount,
    api_version: STRIPE_API_VERSION,
    context: business.stripeAccount,
    created: unix(atMs),
    data: previous ? { object, previous_attributes: previous } : { object },
    livemode: false,
    pending_webhooks: 0,
    request: type.startsWith('charge.dispute')
      ? { id: null, idempotency_key: null }
      : { id: stripeId(rng, 'req', 14), idempotency_key: rng.uuid() },
    type,
  };
}
