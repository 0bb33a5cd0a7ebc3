import type { BookingRow, PaymentRow } from '@salvage/core';

/**
 * When no source gives a booking's total, the sum of its payments stands in for it. How far to trust that depends
 * on the business: one that takes full payment at checkout is nearly always right, one that takes a deposit and the
 * balance in cash on the day is not. The business's own restored rows say which it is, so the confidence is learnt
 * from them rather than fixed. Pure.
 */
export interface PaymentsTotalPrior {
  /** Restored bookings with at least one paid payment. */
  of: number;
  /** Of those, the bookings whose total_amount equals the sum of their paid payments. */
  hit: number;
  /** The smoothed share: (hit + PRIOR_WEIGHT x PRIOR) / (of + PRIOR_WEIGHT), at most MAX_CONFIDENCE. */
  confidence: number;
}

/** What the sum is trusted with before a business's rows say anything. */
export const PAYMENTS_TOTAL_PRIOR = 0.7;
const PRIOR_WEIGHT = 4;
// Even a business whose every booking was paid in full may take a deposit tomorrow.
const MAX_CONFIDENCE = 0.98;

const PAID = new Set(['succeeded', 'refunded', 'partially_refunded']);

/** Learns the prior from one business's restored bookings and payments. */
export function paymentsTotalPrior(bookings: BookingRow[], payments: PaymentRow[]): PaymentsTotalPrior {
  const paid = new Map<string, number>();
  for (const p of payments)
    if (p.booking_id && PAID.has(p.status)) paid.set(p.booking_id, (paid.get(p.booking_id) ?? 0) + p.amount);
  let of = 0;
  let hit = 0;
  for (const b of bookings) {
    const sum = paid.get(b.id);
    if (sum === undefined) continue;
    of += 1;
    if (sum === b.total_amount) hit += 1;
  }
  const smoothed = (hit + PRIOR_WEIGHT * PAYMENTS_TOTAL_PRIOR) / (of + PRIOR_WEIGHT);
  return { of, hit, confidence: Math.round(Math.min(MAX_CONFIDENCE, smoothed) * 10_000) / 10_000 };
}
