import { join } from 'node:path';
import { openSink } from './jsonl-writer.ts';
import {
  chargeObject,
  checkoutLineItems,
  checkoutSessionObject,
  customerObject,
  disputeObject,
  eventObject,
  invoiceObject,
  paymentIntentObject,
  refundObject,
  type StripeContext,
} from './stripe-objects.ts';
import type { SimCustomer, World } from './world.ts';

/** The object files under DIR/stripe/<acct>/, one per kind, each line one API object. */
export const STRIPE_KINDS = [
  'customers',
  'payment_intents',
  'charges',
  'refunds',
  'checkout_sessions',
  'checkout_session_line_items',
  'invoices',
  'disputes',
  'events',
] as const;
/** One of STRIPE_KINDS. */
export type StripeKind = (typeof STRIPE_KINDS)[number];

const EVENT_WINDOW_MS = 30 * 86_400_000;

/**
 * Writes every business's Stripe account as it stands at pull time, and the events of the 30 days before it (Stripe
 * keeps events for 30 days). Objects are in booking order; events oldest first. Returns counts per account and kind.
 */
export async function writeStripe(
  world: World,
  outDir: string,
): Promise<Record<string, Record<StripeKind, number>>> {
  const { pulledMs } = world.timeline;
  const eventsFrom = pulledMs - EVENT_WINDOW_MS;
  const customersById = new Map<string, SimCustomer>(world.customers.map((c) => [c.id, c]));
  const counts: Record<string, Record<StripeKind, number>> = {};
  for (const business of world.businesses) {
    const dir = join(outDir, 'stripe', business.stripeAccount);
    const sinks = Object.fromEntries(
      STRIPE_KINDS.map((k) => [k, openSink(join(dir, `${k}.jsonl`))]),
    ) as Record<StripeKind, ReturnType<typeof openSink>>;
    const count = Object.fromEntries(STRIPE_KINDS.map((k) => [k, 0])) as Record<StripeKind, number>;
    const events: { atMs: number; event: Record<string, unknown> }[] = [];
    const put = async (kind: StripeKind, value: unknown) => {
      count[kind]++;
      await sinks[kind].line(value);
    };
    const event = (
      type: string,
      atMs: number,
      object: Record<string, unknown>,
      previous?: Record<string, unknown>,
    ) => {
      if (atMs >= eventsFrom && atMs <= pulledMs)
        events.push({ atMs, event: eventObject(business, type, atMs, object, previous) });
    };
    const resourceNames = new Map(business.resources.map((r) => [r.id, r.name]));
    for (const booking of world.bookings) {
      if (booking.businessId !== business.id) continue;
      const customer = customersById.get(booking.customerId)!;
      for (const payment of booking.payments) {
        const stripe = payment.stripe;
        if (!stripe || payment.createdMs > pulledMs) continue;
        const x: StripeContext = {
          world,
          business,
          booking,
          payment,
          stripe,
          customer,
          resourceName: resourceNames.get(booking.resourceId)!,
        };
        if (stripe.createsCustomer) {
          const createdMs = stripe.guest ? payment.createdMs - 60_000 : customer.stripe!.createdMs;
          const obj = customerObject(
            business,
            stripe.customerId,
            createdMs,
            stripe.guest
              ? {
                  name: stripe.billing.name,
                  email: stripe.billing.email,
                  phone: stripe.billing.phone,
                  address: null,
                }
              : {
                  name: customer.fullName,
                  email: customer.email,
                  phone: booking.contact.phone,
                  address: customer.address,
                },
            stripe.guest ? null : customer.id,
          );
          await put('customers', obj);
          event('customer.created', createdMs, obj);
        }
        const pi = paymentIntentObject(x, pulledMs);
        await put('payment_intents', pi);
        event('payment_intent.created', payment.createdMs, paymentIntentObject(x, payment.createdMs));
        if (payment.paidMs !== null) {
          const ch = chargeObject(x, pulledMs);
          await put('charges', ch);
          event('charge.succeeded', payment.paidMs, chargeObject(x, payment.paidMs));
          event('payment_intent.succeeded', payment.paidMs, paymentIntentObject(x, payment.paidMs));
        }
        if (stripe.checkoutSessionId) {
          await put('checkout_sessions', checkoutSessionObject(x, pulledMs));
          await put('checkout_session_line_items', {
            session: stripe.checkoutSessionId,
            data: checkoutLineItems(x),
          });
          if (payment.paidMs !== null)
            event('checkout.session.completed', payment.paidMs, checkoutSessionObject(x, payment.paidMs));
        }
        if (stripe.invoiceId) {
          await put('invoices', invoiceObject(x, pulledMs));
          if (payment.paidMs !== null)
            event('invoice.paid', payment.paidMs, invoiceObject(x, payment.paidMs));
        }
        let refundedBefore = 0;
        for (const refund of payment.refunds) {
          if (refund.atMs > pulledMs) continue;
          const obj = refundObject(x, refund);
          await put('refunds', obj);
          event('refund.created', refund.atMs, obj);
          event('charge.refunded', refund.atMs, chargeObject(x, refund.atMs), {
            amount_refunded: refundedBefore,
            ...(refundedBefore + refund.amountMinor >= payment.amountMinor ? { refunded: false } : {}),
          });
          refundedBefore += refund.amountMinor;
        }
        if (payment.dispute && payment.dispute.atMs <= pulledMs) {
          await put('disputes', disputeObject(x, pulledMs));
          event('charge.dispute.created', payment.dispute.atMs, disputeObject(x, payment.dispute.atMs));
          if (payment.dispute.closedMs !== null && payment.dispute.closedMs <= pulledMs)
            event(
              'charge.dispute.closed',
              payment.dispute.closedMs,
              disputeObject(x, payment.dispute.closedMs),
              {
                status: 'under_review',
              },
            );
        }
      }
    }
    events.sort((a, b) => a.atMs - b.atMs || String(a.event.id).localeCompare(String(b.event.id)));
    for (const e of events) await put('events', e.event);
    await Promise.all(STRIPE_KINDS.map((k) => sinks[k].close()));
    counts[business.stripeAccount] = count;
  }
  return counts;
}
