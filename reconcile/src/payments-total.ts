import type { BookingRow, PaymentKind, PaymentRow } from '@salvage/core';
import type { PaymentCluster } from './link-payments.ts';

/**
 * When no source gives a booking's total, the sum of its payments stands in for it. How far to trust that depends
 * on the business: one that takes full payment at checkout is nearly always right, one that takes a deposit and the
 * balance in cash on the day is not. The business's own restored rows say which it is, so the confidence is learnt
 * from them rather than fixed. Where the payments say what they paid for (Stripe metadata or a description naming a
 * deposit, a balance or the full price), that settles it: payments in full, or a deposit and its balance, are the
 * total; a deposit alone is not, and the total is the deposit scaled by the share of the price this business takes as
 * deposit, again learnt from its restored rows. Pure.
 */
export interface PaymentsTotalPrior {
  /** Restored bookings with at least one paid payment. */
  of: number;
  /** Of those, the bookings whose total_amount equals the sum of their paid payments. */
  hit: number;
  /** The smoothed share: (hit + PRIOR_WEIGHT x PRIOR) / (of + PRIOR_WEIGHT), at most MAX_CONFIDENCE. */
  confidence: number;
  /** The share of the total this business takes as a deposit, when its restored rows show one often enough. */
  deposit: DepositShare | null;
}

/** What a business's restored deposits say: the usual share of the total, and how often it is that share. */
export interface DepositShare {
  /** The most common first payment over total, to two decimals (0.3 for a 30% deposit). */
  share: number;
  /** Restored bookings paid in parts (a first payment below the total). */
  of: number;
  /** Of those, the ones whose first payment is `share` of the total. */
  hit: number;
  /** The smoothed share of hits, at most MAX_CONFIDENCE. */
  confidence: number;
}

/** What the sum is trusted with before a business's rows say anything. */
export const PAYMENTS_TOTAL_PRIOR = 0.7;
const PRIOR_WEIGHT = 4;
// Even a business whose every booking was paid in full may take a deposit tomorrow.
const MAX_CONFIDENCE = 0.98;
// Payments that say they paid in full (or a deposit and its balance): the source states the sum is the whole price.
const STATED_COMPLETE = 0.98;
// Payments that say they are a part, with no learnt deposit share to scale them by: the sum is surely not the total.
const STATED_PART = 0.3;
// Fewer restored part-paid bookings than this say nothing about a deposit share.
const MIN_DEPOSIT_SAMPLES = 5;

const PAID = new Set(['succeeded', 'refunded', 'partially_refunded']);

/** Learns the prior from one business's restored bookings and payments. */
export function paymentsTotalPrior(bookings: BookingRow[], payments: PaymentRow[]): PaymentsTotalPrior {
  const paid = new Map<string, PaymentRow[]>();
  for (const p of payments)
    if (p.booking_id && PAID.has(p.status)) {
      const list = paid.get(p.booking_id);
      if (list) list.push(p);
      else paid.set(p.booking_id, [p]);
    }
  let of = 0;
  let hit = 0;
  const shares = new Map<number, number>();
  let parts = 0;
  for (const b of bookings) {
    const list = paid.get(b.id);
    if (list === undefined) continue;
    of += 1;
    let sum = 0;
    let first = list[0]!;
    for (const p of list) {
      sum += p.amount;
      if (p.created_at < first.created_at) first = p;
    }
    if (sum === b.total_amount) hit += 1;
    // Paid in parts: a deposit and its balance adding up to the total, or a deposit alone so far.
    const inParts = list.length > 1 ? sum === b.total_amount : sum < b.total_amount;
    if (inParts && b.total_amount > 0 && first.amount < b.total_amount) {
      parts += 1;
      const share = Math.round((first.amount / b.total_amount) * 100) / 100;
      shares.set(share, (shares.get(share) ?? 0) + 1);
    }
  }
  const smoothed = (hit + PRIOR_WEIGHT * PAYMENTS_TOTAL_PRIOR) / (of + PRIOR_WEIGHT);
  let deposit: DepositShare | null = null;
  if (parts >= MIN_DEPOSIT_SAMPLES) {
    let share = 0;
    let count = 0;
    for (const [s, n] of shares) if (n > count || (n === count && s < share)) [share, count] = [s, n];
    // No prior pull towards any share: a business's deposit is whatever its rows show, or nothing.
    const confidence = Math.min(MAX_CONFIDENCE, count / (parts + 1));
    deposit = { share, of: parts, hit: count, confidence: round4(confidence) };
  }
  return { of, hit, confidence: round4(Math.min(MAX_CONFIDENCE, smoothed)), deposit };
}

/** The sum of a booking's paid payments, standing in for a total no source gave, with the trust it has earned. */
export interface PaymentsTotal {
  value: number;
  confidence: number;
  evidenceIds: string[];
  explanation: string;
}

/**
 * The total that a booking's paid payments (a failed charge or an expired hold paid nothing) stand for, with the
 * confidence the business's own rows give it (see paymentsTotalPrior) or, where the payments say what they paid for,
 * the confidence that statement earns.
 */
export function paymentsTotal(payments: PaymentCluster[], prior: PaymentsTotalPrior): PaymentsTotal | null {
  let total = 0;
  const evidenceIds: string[] = [];
  const kinds = new Set<PaymentKind | undefined>();
  for (const p of payments) {
    if (p.evidence.length > 0 && p.evidence.every((ev) => ev.fields.status === 'failed')) continue;
    const ev = p.evidence.find((e) => typeof e.fields.amount === 'number');
    if (!ev) continue;
    total += ev.fields.amount!;
    evidenceIds.push(ev.id);
    kinds.add(p.evidence.find((e) => e.fields.kind)?.fields.kind);
  }
  if (evidenceIds.length === 0) return null;
  evidenceIds.sort();
  const n = evidenceIds.length;
  const known = !kinds.has(undefined);
  if (known && (kinds.has('full') || (kinds.has('deposit') && kinds.has('balance'))))
    return {
      value: total,
      confidence: STATED_COMPLETE,
      evidenceIds,
      explanation: `no source gave a total; the ${n} paid payment(s) say they are the whole price (${[...kinds].sort().join(' and ')})`,
    };
  const part = kinds.size === 1 && (kinds.has('deposit') || kinds.has('balance')) ? [...kinds][0]! : null;
  if (part) {
    const d = prior.deposit;
    const share = d ? (part === 'deposit' ? d.share : 1 - d.share) : 0;
    const value = share > 0 ? Math.round(total / share) : 0;
    if (d && value > 0)
      return {
        value,
        confidence: d.confidence,
        evidenceIds,
        explanation: `no source gave a total; the ${n} paid payment(s) are a ${part} only, scaled by the ${Math.round(d.share * 100)}% deposit of ${d.hit} of this business's ${d.of} restored bookings paid in parts`,
      };
    return {
      value: total,
      confidence: STATED_PART,
      evidenceIds,
      explanation: `no source gave a total; the ${n} paid payment(s) are a ${part} only, so their sum is less than the total, and this business's restored rows show no usual deposit to scale it by`,
    };
  }
  return {
    value: total,
    confidence: prior.confidence,
    evidenceIds,
    explanation: `no source gave a total; the ${n} paid payment(s) stand in for it (in this business's restored rows the payments add up to the total for ${prior.hit} of ${prior.of} bookings)`,
  };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
