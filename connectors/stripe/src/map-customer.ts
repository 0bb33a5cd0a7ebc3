import { type Evidence, normalizeEmail } from '@salvage/core';
import { formatAddress } from './booking-hints.ts';
import {
  compact,
  type MapContext,
  makeEvidence,
  phoneOf,
  type StripeRaw,
  str,
  unixToIso,
} from './map-context.ts';

/** Customer evidence from a Stripe Customer object (a deleted customer gives none). Pure. */
export function mapCustomer(customer: StripeRaw, ctx: MapContext): Evidence[] {
  if (customer.deleted === true) return [];
  const metadata = (customer.metadata ?? {}) as StripeRaw;
  const customerId = ctx.config.metadataKeys.customerId.map((k) => str(metadata[k])).find(Boolean);
  const phone = str(customer.phone);
  const fields = compact({
    stripeCustomerId: String(customer.id),
    email: normalizeEmail(str(customer.email)) ?? undefined,
    fullName: str(customer.name),
    phone: phone ? phoneOf(phone, ctx.config.defaultRegion) : undefined,
    address: formatAddress(customer.address),
    createdAt: unixToIso(customer.created),
    customerId,
  });
  return [makeEvidence(ctx, customer, 'customer', fields, { confidence: 0.99 })];
}
