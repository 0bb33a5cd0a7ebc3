import type { BookingRow, EvidenceOf, PaymentKind, PaymentRow } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import type { PaymentCluster } from './link-payments.ts';
import { PAYMENTS_TOTAL_PRIOR, paymentsTotal, paymentsTotalPrior } from './payments-total.ts';
import { stripeCharge } from './test-builders.ts';

const booking = (id: string, total: number) => ({ id, total_amount: total }) as BookingRow;
const payment = (
  bookingId: string,
  amount: number,
  status: PaymentRow['status'] = 'succeeded',
  createdAt = '2026-04-01T09:00:00.000Z',
) => ({ booking_id: bookingId, amount, status, created_at: createdAt }) as PaymentRow;

/** A business that takes 30% at booking and the rest two weeks before (or nothing yet). */
function depositBusiness(n: number) {
  const bookings = Array.from({ length: n }, (_, i) => booking(`d${i}`, 10_000 + 500 * i));
  const payments = bookings.flatMap((b, i) => {
    const deposit = Math.round(b.total_amount * 0.3);
    const first = payment(b.id, deposit, 'succeeded', '2026-03-01T09:00:00.000Z');
    return i % 3 === 0
      ? [first]
      : [first, payment(b.id, b.total_amount - deposit, 'succeeded', '2026-04-01T09:00:00.000Z')];
  });
  return paymentsTotalPrior(bookings, payments);
}

const cluster = (...paid: [amount: number, kind?: PaymentKind][]): PaymentCluster[] =>
  paid.map(([amount, kind], i) => ({
    businessId: 'b',
    row: null,
    booking: null,
    bookingRule: 'bookingReference',
    evidence: [
      stripeCharge({ stripeChargeId: `ch_${i}`, amount, ...(kind ? { kind } : {}) }) as EvidenceOf<'payment'>,
    ],
  }));

describe('paymentsTotalPrior', () => {
  it('trusts the sum as far as the business paid its bookings in full', () => {
    const full = Array.from({ length: 40 }, (_, i) => booking(`b${i}`, 1000));
    const paidInFull = paymentsTotalPrior(
      full,
      full.map((b) => payment(b.id, 1000)),
    );
    expect(paidInFull).toMatchObject({ of: 40, hit: 40 });
    expect(paidInFull.confidence).toBeGreaterThan(0.95);
    expect(paidInFull.confidence).toBeLessThan(1);
    // A deposit business: a third of the total online, the rest on the day.
    const deposits = paymentsTotalPrior(
      full,
      full.map((b) => payment(b.id, 300)),
    );
    expect(deposits).toMatchObject({ of: 40, hit: 0 });
    expect(deposits.confidence).toBeLessThan(0.1);
  });

  it('counts paid payments only, and falls back to the prior with no rows', () => {
    const rows = [booking('a', 1000), booking('b', 1000), booking('c', 500)];
    const prior = paymentsTotalPrior(rows, [
      payment('a', 600),
      payment('a', 400),
      payment('b', 1000),
      payment('b', 1000, 'failed'),
      payment('c', 500, 'refunded'),
    ]);
    expect(prior).toMatchObject({ of: 3, hit: 3 });
    expect(paymentsTotalPrior([], []).confidence).toBe(PAYMENTS_TOTAL_PRIOR);
  });
});

describe('paymentsTotal with payments that say what they paid for', () => {
  it('learns the deposit share from restored bookings paid in parts, and only from enough of them', () => {
    const prior = depositBusiness(30);
    expect(prior.deposit).toMatchObject({ share: 0.3, of: 30, hit: 30 });
    expect(prior.deposit!.confidence).toBeGreaterThan(0.95);
    expect(depositBusiness(4).deposit).toBeNull();
    // Paid in full: no part-paid bookings, no share.
    const full = Array.from({ length: 20 }, (_, i) => booking(`f${i}`, 1000));
    expect(
      paymentsTotalPrior(
        full,
        full.map((b) => payment(b.id, 1000)),
      ).deposit,
    ).toBeNull();
  });

  it('scales a deposit alone by the learnt share, and trusts payments in full over the prior', () => {
    const prior = depositBusiness(30);
    // The prior alone would put the sum of a deposit business's payments in review.
    expect(prior.confidence).toBeLessThan(0.95);
    const deposit = paymentsTotal(cluster([17_100, 'deposit']), prior)!;
    expect(deposit).toMatchObject({ value: 57_000, confidence: prior.deposit!.confidence });
    expect(deposit.explanation).toContain('30% deposit');
    expect(paymentsTotal(cluster([57_500, 'full']), prior)).toMatchObject({
      value: 57_500,
      confidence: 0.98,
    });
    expect(paymentsTotal(cluster([17_100, 'deposit'], [39_900, 'balance']), prior)).toMatchObject({
      value: 57_000,
      confidence: 0.98,
    });
    // Unmarked payments keep the business's prior; a mark on only one of two says nothing about the other.
    expect(paymentsTotal(cluster([57_500]), prior)!.confidence).toBe(prior.confidence);
    expect(paymentsTotal(cluster([17_100, 'deposit'], [39_900]), prior)!.confidence).toBe(prior.confidence);
  });

  it('will not pass a deposit off as the total where no share fits it', () => {
    const noShare = paymentsTotalPrior([], []);
    expect(paymentsTotal(cluster([17_100, 'deposit']), noShare)).toMatchObject({
      value: 17_100,
      confidence: 0.3,
    });
    // A balance alone is scaled by the rest of the price.
    expect(paymentsTotal(cluster([39_900, 'balance']), depositBusiness(30))).toMatchObject({ value: 57_000 });
  });
});
