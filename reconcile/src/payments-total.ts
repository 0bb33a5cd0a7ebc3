import type { BookingRow, PaymentRow } from '@salvage/core';
import type { PaymentCluster } from './link-payments.ts';

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

/** The sum of a booking's paid payments, standing in for a total no source gave, with the trust it has earned. */
export interface PaymentsTotal {
  value: number;
  confidence: number;
  evidenceIds: string[];
  explanation: string;
}

/**
 * The sum of a booking's payments that were paid (a failed charge or an expired hold paid nothing), with the
 * confidence the business's own rows give such a sum (see paymentsTotalPrior).
 */
export function paymentsTotal(payments: PaymentCluster[], prior: PaymentsTotalPrior): PaymentsTotal | null {
  let total = 0;
  const evidenceIds: string[] = [];
  for (const p of payments) {
    if (p.evidence.length > 0 && p.evidence.every((ev) => ev.fields.status === 'failed')) continue;
    const ev = p.evidence.find((e) => typeof e.fields.amount === 'number');
    if (!ev) continue;
    total += ev.fields.amount!;
    evidenceIds.push(ev.id);
  }
  if (evidenceIds.length === 0) return null;
  return {
    value: total,
    confidence: prior.confidence,
    evidenceIds: evidenceIds.sort(),
    explanation: `no source gave a total; the ${evidenceIds.length} paid payment(s) stand in for it (in this business's restored rows the payments add up to the total for ${prior.hit} of ${prior.of} bookings)`,
  };
}
