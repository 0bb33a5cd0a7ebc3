import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planReconciliation } from './plan-reconciliation.ts';
import {
  bookingRow,
  customerRow,
  googleEvent,
  icsEvent,
  input,
  mail,
  paymentRow,
  snapshot,
  stripeBooking,
  stripeCharge,
  stripeCustomer,
} from './test-builders.ts';

/**
 * The canonical mini incident: a backup holding Ana's booking; after it, Ana rescheduled and was partly refunded, Bo
 * booked and paid (lost with the database), and a hand-made calendar event mirrors Bo's stay. The plan is checked in
 * (golden/mini-incident.plan.json) and reviewed like code: regenerate with UPDATE_GOLDEN=1 and read the diff.
 */
export function miniIncident() {
  const ana = 'aaaaaaaa-0000-4000-8000-000000000001';
  const bo = 'aaaaaaaa-0000-4000-8000-000000000002';
  const anaBooking = 'bbbbbbbb-0000-4000-8000-000000000001';
  const boBooking = 'bbbbbbbb-0000-4000-8000-000000000002';
  const snap = snapshot({
    customers: [customerRow({ id: ana, stripe_customer_id: 'cus_ana' })],
    bookings: [bookingRow({ id: anaBooking, customer_id: ana, reference: 'BK-ANA001' })],
    payments: [
      paymentRow({
        id: 'cccccccc-0000-4000-8000-000000000001',
        booking_id: anaBooking,
        customer_id: ana,
        stripe_charge_id: 'ch_ana',
        stripe_payment_intent_id: 'pi_ana',
      }),
    ],
  });
  const evidence = [
    icsEvent(
      {
        calendarUid: `${anaBooking}@platform.example`,
        reference: 'BK-ANA001',
        startsAt: '2026-06-17T14:00:00.000Z',
        endsAt: '2026-06-19T10:00:00.000Z',
      },
      '2026-05-20T10:00:00.000Z',
      2,
    ),
    mail(
      {
        reference: 'BK-ANA001',
        startsAt: '2026-06-17T14:00:00.000Z',
        endsAt: '2026-06-19T10:00:00.000Z',
        customerEmail: 'ana@example.com',
        customerPhone: '+351912345678',
      },
      'ana-resched',
      '2026-05-20T10:00:20.000Z',
    ),
    stripeCharge(
      {
        stripeChargeId: 'ch_ana',
        stripePaymentIntentId: 'pi_ana',
        amount: 30000,
        amountRefunded: 5000,
        status: 'partially_refunded',
        bookingId: anaBooking,
        paidAt: '2026-04-01T09:05:00.000Z',
        createdAt: '2026-04-01T09:05:00.000Z',
      },
      '2026-05-21T08:00:00.000Z',
    ),
    stripeCustomer(
      { stripeCustomerId: 'cus_bo', email: 'bo.chen@example.com', fullName: 'Bo Chen', customerId: bo },
      '2026-06-01T09:00:00.000Z',
    ),
    stripeBooking(
      {
        bookingId: boBooking,
        reference: 'BK-BO0002',
        totalAmount: 45000,
        currency: 'eur',
        resourceName: 'Cabin B',
        stripeCustomerId: 'cus_bo',
      },
      'cs_bo',
      '2026-06-01T09:01:00.000Z',
    ),
    stripeCharge(
      {
        stripeChargeId: 'ch_bo',
        stripePaymentIntentId: 'pi_bo',
        amount: 45000,
        bookingId: boBooking,
        bookingReference: 'BK-BO0002',
        stripeCustomerId: 'cus_bo',
        customerEmail: 'bo.chen@example.com',
      },
      '2026-06-01T09:02:00.000Z',
    ),
    mail(
      {
        reference: 'BK-BO0002',
        resourceName: 'Cabin B',
        startsAt: '2026-07-03T14:00:00.000Z',
        endsAt: '2026-07-06T10:00:00.000Z',
        customerName: 'Bo Chen',
        customerEmail: 'bo.chen@example.com',
        totalAmount: 45000,
        status: 'confirmed',
      },
      'bo-confirm',
      '2026-06-01T09:02:30.000Z',
    ),
    googleEvent(
      {
        resourceName: 'Cabin B',
        startsAt: '2026-07-03T14:00:00.000Z',
        endsAt: '2026-07-06T10:00:00.000Z',
        customerName: 'Bo Chen',
      },
      'staff-made-bo',
      '2026-06-02T08:00:00.000Z',
    ),
  ];
  return input(snap, evidence);
}

const file = new URL('./golden/mini-incident.plan.json', import.meta.url).pathname;

describe('golden plan', () => {
  it('matches the reviewed plan for the canonical mini incident', () => {
    const plan = planReconciliation(miniIncident());
    const text = `${JSON.stringify(plan, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, text);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(text));
  });
});
