import type Stripe from 'stripe';

type ListFn = (
  client: Stripe,
  params: Record<string, unknown>,
  options: Stripe.RequestOptions,
) => Promise<{ data: unknown[]; has_more: boolean }>;

/** One stream: a Stripe list endpoint, what to expand on it, and the restricted-key permission it needs. */
export interface StripeStream {
  /** Stable, stored: never renamed. */
  name: string;
  description: string;
  path: string;
  permission: string;
  expand: string[];
  list: ListFn;
  /** Only the last 30 days exist (Stripe keeps events for 30 days). */
  recentOnly?: boolean;
}

/** The streams the connector reads, in the order their slices start. */
export const STRIPE_STREAMS: readonly StripeStream[] = [
  {
    name: 'customers',
    description: 'Customer objects created in the window',
    path: '/v1/customers',
    permission: 'rak_customer_read',
    expand: [],
    list: (c, p, o) => c.customers.list(p, o),
  },
  {
    name: 'payment_intents',
    description: 'PaymentIntents created in the window',
    path: '/v1/payment_intents',
    permission: 'rak_payment_intent_read',
    expand: [],
    list: (c, p, o) => c.paymentIntents.list(p, o),
  },
  {
    name: 'charges',
    description: 'Charges created in the window',
    path: '/v1/charges',
    permission: 'rak_charge_read',
    expand: [],
    list: (c, p, o) => c.charges.list(p, o),
  },
  {
    name: 'refunds',
    description: 'Refunds created in the window, with their charge (older charges changed since the backup)',
    path: '/v1/refunds',
    permission: 'rak_refund_read',
    expand: ['data.charge'],
    list: (c, p, o) => c.refunds.list(p, o),
  },
  {
    name: 'checkout_sessions',
    description: 'Checkout Sessions created in the window, with their line items',
    path: '/v1/checkout/sessions',
    permission: 'rak_checkout_session_read',
    expand: ['data.line_items'],
    list: (c, p, o) => c.checkout.sessions.list(p, o),
  },
  {
    name: 'invoices',
    description: 'Invoices created in the window',
    path: '/v1/invoices',
    permission: 'rak_invoice_read',
    expand: [],
    list: (c, p, o) => c.invoices.list(p, o),
  },
  {
    name: 'disputes',
    description: 'Disputes created in the window, with their charge',
    path: '/v1/disputes',
    permission: 'rak_dispute_read',
    expand: ['data.charge'],
    list: (c, p, o) => c.disputes.list(p, o),
  },
  {
    name: 'events',
    description:
      'Events of the last 30 days: earlier versions of objects, and changes to objects older than the window',
    path: '/v1/events',
    permission: 'rak_event_read',
    expand: [],
    list: (c, p, o) => c.events.list(p, o),
    recentOnly: true,
  },
];
