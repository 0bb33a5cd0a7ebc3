import type { BookingRow, PaymentRow } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { PAYMENTS_TOTAL_PRIOR, paymentsTotalPrior } from './payments-total.ts';

const booking = (id: string, total: number) => ({ id, total_amount: total }) as BookingRow;
const payment = (bookingId: string, amount: number, status: PaymentRow['status'] = 'succeeded') =>
  ({ booking_id: bookingId, amount, status }) as PaymentRow;

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
