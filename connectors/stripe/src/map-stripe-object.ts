import type { Evidence } from '@salvage/core';
import type { MapContext, StripeRaw } from './map-context.ts';
import { mapCustomer } from './map-customer.ts';
import { mapCharge, mapCheckoutSession, mapInvoice, mapPaymentIntent } from './map-payments.ts';

/** The result of mapping one object: its evidence, or why its shape is not one the mappers know. */
export type MapResult = { known: true; evidence: Evidence[] } | { known: false; reason: string };

const MAPPERS: Record<string, (o: StripeRaw, ctx: MapContext) => Evidence[]> = {
  customer: mapCustomer,
  payment_intent: mapPaymentIntent,
  charge: mapCharge,
  'checkout.session': mapCheckoutSession,
  invoice: mapInvoice,
  // Refunds and disputes are kept raw; what they change is read from the charge they carry (expanded).
  refund: () => [],
  dispute: () => [],
};

/** The Stripe `object` types the mappers read. */
export const KNOWN_OBJECT_TYPES: readonly string[] = Object.keys(MAPPERS);

/**
 * Maps any Stripe object to evidence by its `object` type. An object without a string id, a known type or a numeric
 * `created`, or one whose mapper fails on an unexpected shape, is reported as unknown (kept raw by the caller). Pure.
 */
export function mapStripeObject(object: StripeRaw, ctx: MapContext): MapResult {
  const type = typeof object.object === 'string' ? object.object : undefined;
  if (typeof object.id !== 'string' || !object.id) return { known: false, reason: 'it has no id' };
  if (!type) return { known: false, reason: `${object.id} has no "object" type` };
  const mapper = MAPPERS[type];
  if (!mapper) return { known: false, reason: `object type "${type}" is not one the Stripe connector reads` };
  if (typeof object.created !== 'number' && object.deleted !== true)
    return { known: false, reason: `${type} ${object.id} has no numeric "created"` };
  try {
    return { known: true, evidence: mapper(object, ctx) };
  } catch (error) {
    return {
      known: false,
      reason: `${type} ${object.id} has an unexpected shape (${(error as Error).message})`,
    };
  }
}
