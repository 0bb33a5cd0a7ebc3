import {
  type BookingRow,
  hashRow,
  type InsertItem,
  type Plan,
  type PlanItem,
  type UpdateItem,
} from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { planReconciliation } from './plan-reconciliation.ts';
import {
  BIZ,
  bookingRow,
  CABIN_A,
  CABIN_B,
  config,
  confirmation,
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

const ANA = 'aaaaaaaa-0000-4000-8000-000000000001';
const BOOKING = 'bbbbbbbb-0000-4000-8000-000000000001';
const inserts = (p: Plan, table: string) =>
  p.items.filter((i): i is InsertItem => i.kind === 'insert' && i.table === table);
const updates = (p: Plan, table: string) =>
  p.items.filter((i): i is UpdateItem => i.kind === 'update' && i.table === table);
const field = (i: PlanItem, column: string) => i.fields.find((f) => f.column === column);

/** The lost booking's evidence without any customer name in it. */
function nameless() {
  return lostBooking()
    .filter((e) => e.entity !== 'customer')
    .map((e) => (e.entity === 'booking' ? { ...e, fields: { ...e.fields, customerName: undefined } } : e));
}

/** A booking made after the backup, seen in Stripe, the calendar and the confirmation mail. */
function lostBooking() {
  return [
    stripeCustomer(
      { stripeCustomerId: 'cus_ana', email: 'ana@example.com', fullName: 'Ana Lima', customerId: ANA },
      '2026-05-12T08:59:00.000Z',
    ),
    stripeCharge({
      stripeChargeId: 'ch_1',
      stripePaymentIntentId: 'pi_1',
      amount: 30000,
      bookingId: BOOKING,
      bookingReference: 'BK-7F3K2Q',
      stripeCustomerId: 'cus_ana',
      customerEmail: 'ana@example.com',
    }),
    stripeBooking(
      {
        bookingId: BOOKING,
        reference: 'BK-7F3K2Q',
        totalAmount: 30000,
        currency: 'eur',
        resourceName: 'Cabin A',
        stripeCustomerId: 'cus_ana',
      },
      'cs_1',
    ),
    icsEvent({
      calendarUid: `${BOOKING}@platform.example`,
      reference: 'BK-7F3K2Q',
      startsAt: '2026-06-10T14:00:00.000Z',
      endsAt: '2026-06-12T10:00:00.000Z',
      status: 'confirmed',
      customerName: 'Ana Lima',
    }),
    mail(
      {
        reference: 'BK-7F3K2Q',
        startsAt: '2026-06-10T14:00:00.000Z',
        endsAt: '2026-06-12T10:00:00.000Z',
        customerEmail: 'ana@example.com',
        customerName: 'Ana Lima',
        totalAmount: 30000,
        resourceName: 'Cabin A',
        status: 'confirmed',
      },
      'm1',
    ),
  ];
}

describe('planReconciliation: cases', () => {
  it('inserts a lost booking with its customer and payment, reusing original ids, in dependency order', () => {
    const plan = planReconciliation(input(snapshot(), lostBooking()));
    const [c] = inserts(plan, 'customers');
    const [b] = inserts(plan, 'bookings');
    const [p] = inserts(plan, 'payments');
    expect(plan.items).toHaveLength(3);
    expect(c!.key.id).toBe(ANA);
    expect(c!.row).toMatchObject({
      email: 'ana@example.com',
      full_name: 'Ana Lima',
      stripe_customer_id: 'cus_ana',
    });
    expect(b!.key.id).toBe(BOOKING);
    expect(b!.row).toMatchObject({
      reference: 'BK-7F3K2Q',
      customer_id: ANA,
      resource_id: CABIN_A,
      total_amount: 30000,
      starts_at: '2026-06-10T14:00:00.000Z',
      // It ended before the plan's time, so the platform would have completed it.
      status: 'completed',
    });
    expect(field(b!, 'status')!.rule).toBe('completed-after-end');
    expect(b!.dependsOn).toEqual([c!.id]);
    expect(p!.row).toMatchObject({
      booking_id: BOOKING,
      customer_id: ANA,
      amount: 30000,
      stripe_charge_id: 'ch_1',
    });
    expect(p!.dependsOn.sort()).toEqual([b!.id, c!.id].sort());
    expect(plan.items.map((i) => i.disposition)).toEqual(['auto', 'auto', 'auto']);
    expect(field(b!, 'total_amount')!.rule).toBe('stripe-for-amounts');
    expect(field(b!, 'starts_at')!.rule).toBe('latest-calendar-or-email');
    expect(field(b!, 'id')!.rule).toBe('original-id');
  });

  it('keeps the newest copy of an evidence id given more than once, the first of equally new ones, in any order', () => {
    const evidence = lostBooking();
    const mailIndex = evidence.findIndex((e) => e.source.kind === 'imap');
    const base = evidence[mailIndex]!;
    const copy = (observedAt: string, customerName: string) =>
      ({ ...base, observedAt, fields: { ...base.fields, customerName } }) as typeof base;
    // The same mail read three times: an older reading, the newest, and one as new that came after it.
    const older = copy('2026-05-01T00:00:00.000Z', 'Ana Older');
    const newest = copy('2026-05-30T00:00:00.000Z', 'Ana Newest');
    const tie = copy('2026-05-30T00:00:00.000Z', 'Ana Tie');
    const rest = evidence.filter((_, i) => i !== mailIndex);
    const plan = planReconciliation(input(snapshot(), [older, ...rest, newest, tie]));
    const [b] = inserts(plan, 'bookings');
    expect(b!.evidenceIds.filter((id) => id === base.id)).toHaveLength(1);
    const names = inserts(plan, 'customers')[0]!.fields.find((f) => f.column === 'full_name')!;
    expect(JSON.stringify(names)).toContain('Ana Newest');
    expect(JSON.stringify(names)).not.toContain('Ana Older');
    expect(JSON.stringify(names)).not.toContain('Ana Tie');
    const shuffled = planReconciliation(input(snapshot(), [...rest.reverse(), older, newest, tie]));
    expect(shuffled).toEqual(plan);
  });

  it("keeps the person's own Stripe customer when a later guest checkout made another", () => {
    const later = '2026-05-20T09:00:00.000Z';
    const guestCheckout = [
      stripeCharge(
        {
          stripeChargeId: 'ch_2',
          stripePaymentIntentId: 'pi_2',
          amount: 5000,
          bookingReference: 'BK-7F3K2Q',
          stripeCustomerId: 'cus_guest',
          customerEmail: 'ana@example.com',
        },
        later,
      ),
      stripeBooking(
        {
          reference: 'BK-7F3K2Q',
          stripeCustomerId: 'cus_guest',
          stripeCustomerGuest: true,
          customerEmail: 'ana@example.com',
        },
        'cs_2',
        later,
      ),
    ];
    const plan = planReconciliation(input(snapshot(), [...lostBooking(), ...guestCheckout]));
    const [c] = inserts(plan, 'customers');
    expect(c!.row.stripe_customer_id).toBe('cus_ana');
    // Unflagged, the account record (the Stripe Customer naming the platform's customer) still says which is hers.
    const unflagged = guestCheckout.map((e) =>
      e.entity === 'booking' ? { ...e, fields: { ...e.fields, stripeCustomerGuest: undefined } } : e,
    );
    const [c2] = inserts(
      planReconciliation(input(snapshot(), [...lostBooking(), ...unflagged])),
      'customers',
    );
    expect(c2!.row.stripe_customer_id).toBe('cus_ana');
    expect(field(c2!, 'stripe_customer_id')!.rule).toBe('account-record');
    // With neither the flag nor an account record, nothing tells them apart: the newer Customer wins.
    const noAccount = lostBooking().map((e) =>
      e.entity === 'customer' ? { ...e, fields: { ...e.fields, customerId: undefined } } : e,
    );
    const [c3] = inserts(planReconciliation(input(snapshot(), [...noAccount, ...unflagged])), 'customers');
    expect(c3!.row.stripe_customer_id).toBe('cus_guest');
  });

  it('leaves a restored customer the Stripe account the live platform made for them after the restore', () => {
    const restored = customerRow({ id: ANA, email: 'ana@example.com', full_name: 'Ana Lima' });
    const restoredAt = '2026-07-01T00:00:00.000Z';
    const afterRestore = '2026-07-10T09:00:00.000Z';
    const liveCheckout = [
      stripeCustomer(
        { stripeCustomerId: 'cus_live', email: 'ana@example.com', customerId: ANA, createdAt: afterRestore },
        afterRestore,
      ),
      stripeCharge(
        {
          stripeChargeId: 'ch_9',
          amount: 5000,
          stripeCustomerId: 'cus_live',
          customerEmail: 'ana@example.com',
        },
        afterRestore,
      ),
    ];
    const incident = (at: string) => ({
      config: config({ incident: { backupTakenAt: '2026-05-01T00:00:00.000Z', restoredAt: at } }),
    });
    const stripeUpdate = (p: Plan) =>
      updates(p, 'customers').find((u) => field(u, 'stripe_customer_id'))?.changes;
    // Made after the target went live: the live platform decided whether its row keeps the id.
    const live = planReconciliation(
      input(snapshot({ customers: [restored] }), liveCheckout, incident(restoredAt)),
    );
    expect(stripeUpdate(live)).toBeUndefined();
    // Made while the database was lost, the same account is news the restored row lacks.
    const lost = planReconciliation(
      input(snapshot({ customers: [restored] }), liveCheckout, incident('2026-07-20T00:00:00.000Z')),
    );
    expect(stripeUpdate(lost)).toContainEqual({ column: 'stripe_customer_id', from: null, to: 'cus_live' });
  });

  it("takes a person's contact details from their account record over a later booking's contact", () => {
    const workMail = mail(
      {
        reference: 'BK-7F3K2Q',
        customerEmail: 'ana.lima@work.example',
        customerName: 'Ana Lma',
        status: 'confirmed',
      },
      'm2',
      '2026-05-20T09:00:00.000Z',
    );
    const [c] = inserts(planReconciliation(input(snapshot(), [...lostBooking(), workMail])), 'customers');
    expect(c!.row).toMatchObject({ email: 'ana@example.com', full_name: 'Ana Lima' });
    expect(field(c!, 'email')!.rule).toBe('account-record');
    expect(field(c!, 'email')!.alternatives.map((a) => a.value)).toContain('ana.lima@work.example');
    // Without an account record (no platform id on the Stripe Customer), the newest contact wins.
    const noAccount = lostBooking().map((e) =>
      e.entity === 'customer' ? { ...e, fields: { ...e.fields, customerId: undefined } } : e,
    );
    const [c2] = inserts(planReconciliation(input(snapshot(), [...noAccount, workMail])), 'customers');
    expect(c2!.row.email).toBe('ana.lima@work.example');
  });

  it("writes a new customer's name in its best-formed spelling, counting spellings of one name as one vote", () => {
    const shouted = mail({ reference: 'BK-7F3K2Q', customerName: 'Ana LIMA', status: 'confirmed' }, 'm1');
    const calendar = icsEvent({
      reference: 'BK-7F3K2Q',
      calendarUid: `${BOOKING}@platform.example`,
      customerName: 'Ana LIMA',
    });
    const inverted = googleEvent({ reference: 'BK-7F3K2Q', customerName: 'Lima, Ana' }, 'evt-1');
    const typo = stripeCustomer({
      stripeCustomerId: 'cus_ana',
      email: 'ana@example.com',
      fullName: 'Aan Lima',
    });
    const evidence = lostBooking().filter((e) => e.entity !== 'customer');
    const [c] = inserts(
      planReconciliation(input(snapshot(), [...evidence, shouted, calendar, inverted, typo])),
      'customers',
    );
    // Three spellings of Ana Lima outvote the typo, and the one without a shouted or inverted name is written.
    expect(field(c!, 'full_name')).toMatchObject({ value: 'Ana Lima', rule: 'most-agreed-name' });
  });

  it("prefers a spelling other people's names bear out over a booking's typo copied to its calendar and mail", () => {
    const typoMail = mail({ reference: 'BK-7F3K2Q', customerName: 'Aan Lima', status: 'confirmed' }, 'm9');
    const typoEvent = googleEvent({ reference: 'BK-7F3K2Q', customerName: 'Aan Lima' }, 'evt-9');
    const stripe = stripeCustomer({
      stripeCustomerId: 'cus_ana',
      email: 'ana@example.com',
      fullName: 'Ana Lima',
    });
    const evidence = [...nameless(), typoMail, typoEvent, stripe];
    const others = [
      customerRow({
        id: 'cccccccc-0000-4000-8000-000000000001',
        full_name: 'Ana Souza',
        email: 'a@x.example',
      }),
      customerRow({
        id: 'cccccccc-0000-4000-8000-000000000002',
        full_name: 'Rita Lima',
        email: 'r@x.example',
      }),
    ];
    const [alone] = inserts(planReconciliation(input(snapshot(), evidence)), 'customers');
    // With nobody else to go by, the two systems that carry the typo outvote the one that does not.
    expect(field(alone!, 'full_name')!.value).toBe('Aan Lima');
    const planned = inserts(
      planReconciliation(input(snapshot({ customers: others }), evidence)),
      'customers',
    );
    const ana = planned.find((c) => c.row.email === 'ana@example.com');
    expect(field(ana!, 'full_name')).toMatchObject({ value: 'Ana Lima', rule: 'most-agreed-name' });
    expect(field(ana!, 'full_name')!.alternatives.map((a) => a.value)).toEqual(['Aan Lima']);
  });

  it("dates a new customer by their first booking's evidence when the Stripe Customer came later", () => {
    const late = stripeCustomer(
      { stripeCustomerId: 'cus_ana', email: 'ana@example.com', createdAt: '2026-07-01T10:00:00.000Z' },
      '2026-07-01T10:00:00.000Z',
    );
    const early = mail(
      { reference: 'BK-7F3K2Q', customerEmail: 'ana@example.com' },
      'm9',
      '2026-05-02T08:00:00.000Z',
    );
    const [c] = inserts(planReconciliation(input(snapshot(), [...nameless(), late, early])), 'customers');
    expect(field(c!, 'created_at')).toMatchObject({
      value: '2026-05-02T08:00:00.000Z',
      rule: 'earliest-observation',
    });
    expect(field(c!, 'created_at')!.alternatives.map((a) => a.value)).toContain('2026-07-01T10:00:00.000Z');
    // A mail minutes before the Stripe Customer is the same sign-up stamped twice: the creation time stands.
    const close = mail(
      { reference: 'BK-7F3K2Q', customerEmail: 'ana@example.com' },
      'm9',
      '2026-07-01T09:55:00.000Z',
    );
    const [e] = inserts(planReconciliation(input(snapshot(), [late, close])), 'customers');
    expect(field(e!, 'created_at')).toMatchObject({
      value: '2026-07-01T10:00:00.000Z',
      rule: 'earliest-creation',
    });
    // Nothing seen before the Stripe Customer: its own creation time stands.
    const [d] = inserts(planReconciliation(input(snapshot(), [late])), 'customers');
    expect(field(d!, 'created_at')).toMatchObject({
      value: '2026-07-01T10:00:00.000Z',
      rule: 'earliest-creation',
    });
  });

  it('writes a name every source shouts or inverts the way names are stored, and says so', () => {
    const shouted = mail({ reference: 'BK-7F3K2Q', customerName: 'Ana LIMA', status: 'confirmed' }, 'm9');
    const inverted = googleEvent({ reference: 'BK-7F3K2Q', customerName: 'Lima, Ana' }, 'evt-9');
    const evidence = [...nameless(), shouted, inverted];
    const [c] = inserts(planReconciliation(input(snapshot(), evidence)), 'customers');
    const name = field(c!, 'full_name')!;
    expect(name.value).toBe('Ana Lima');
    expect(name.explanation).toContain('written as stored names are');
    expect(name.evidenceIds.length).toBe(2);
  });

  it("keeps a restored account's contact details over a later booking's, unless the account record changed them", () => {
    const snap = snapshot({
      customers: [customerRow({ id: ANA })],
      bookings: [bookingRow({ id: BOOKING, customer_id: ANA, reference: 'BK-7F3K2Q' })],
    });
    const row = snap.customers[0]!;
    const otherContact = mail(
      {
        reference: 'BK-7F3K2Q',
        customerEmail: 'ana.lima@work.example',
        customerName: `${row.full_name}x`,
        status: 'confirmed',
      },
      'm2',
      '2026-05-20T09:00:00.000Z',
    );
    // A card payment through a guest checkout names a Stripe Customer that is not the account's.
    const guestCharge = stripeCharge({
      stripeChargeId: 'ch_9',
      stripePaymentIntentId: 'pi_9',
      amount: 30000,
      bookingReference: 'BK-7F3K2Q',
      stripeCustomerId: 'cus_guest9',
      customerEmail: row.email!,
    });
    const kept = planReconciliation(input(snap, [otherContact, guestCharge]));
    expect(updates(kept, 'customers')).toEqual([]);
    // The platform's own copy of the account, newer than the row, does change it.
    const account = stripeCustomer(
      { stripeCustomerId: 'cus_ana', email: 'ana.lima@work.example', customerId: ANA },
      '2026-05-21T09:00:00.000Z',
    );
    const [u] = updates(planReconciliation(input(snap, [otherContact, account])), 'customers');
    expect(u!.changes).toContainEqual(
      expect.objectContaining({ column: 'email', to: 'ana.lima@work.example' }),
    );
    expect(field(u!, 'email')!.rule).toBe('account-record');
    expect(u!.changes.map((c) => c.column)).not.toContain('full_name');
  });

  it('updates a rescheduled booking from the newest calendar version, keeping the old value as an alternative', () => {
    const row = bookingRow({ id: BOOKING, customer_id: ANA, reference: 'BK-7F3K2Q' });
    const snap = snapshot({ customers: [customerRow({ id: ANA })], bookings: [row] });
    const plan = planReconciliation(
      input(snap, [
        icsEvent(
          {
            calendarUid: `${BOOKING}@platform.example`,
            startsAt: '2026-06-10T14:00:00.000Z',
            endsAt: '2026-06-12T10:00:00.000Z',
          },
          '2026-05-02T10:00:00.000Z',
          0,
        ),
        icsEvent(
          {
            calendarUid: `${BOOKING}@platform.example`,
            startsAt: '2026-06-17T14:00:00.000Z',
            endsAt: '2026-06-19T10:00:00.000Z',
          },
          '2026-05-20T10:00:00.000Z',
          1,
        ),
        mail(
          {
            reference: 'BK-7F3K2Q',
            startsAt: '2026-06-17T14:00:00.000Z',
            endsAt: '2026-06-19T10:00:00.000Z',
          },
          'resched',
          '2026-05-20T09:59:00.000Z',
        ),
      ]),
    );
    const [u] = updates(plan, 'bookings');
    expect(plan.items).toHaveLength(1);
    expect(u!.baseRowHash).toBe(hashRow('bookings', row as unknown as Record<string, unknown>));
    expect(u!.changes.find((c) => c.column === 'starts_at')).toEqual({
      column: 'starts_at',
      from: '2026-06-10T14:00:00.000Z',
      to: '2026-06-17T14:00:00.000Z',
    });
    expect(field(u!, 'starts_at')!.alternatives.map((a) => a.value)).toContain('2026-06-10T14:00:00.000Z');
    expect(u!.disposition).toBe('auto');
  });

  it('marks a booking cancelled by a trusted mail as a status update, never a delete', () => {
    const snap = snapshot({
      customers: [customerRow({ id: ANA })],
      bookings: [bookingRow({ id: BOOKING, customer_id: ANA, reference: 'BK-7F3K2Q' })],
    });
    const plan = planReconciliation(
      input(snap, [
        mail({ reference: 'BK-7F3K2Q', status: 'cancelled' }, 'cancel', '2026-05-22T10:00:00.000Z'),
        icsEvent(
          { calendarUid: `${BOOKING}@platform.example`, status: 'confirmed' },
          '2026-05-23T10:00:00.000Z',
        ),
      ]),
    );
    const [u] = updates(plan, 'bookings');
    expect(u!.changes.map((c) => [c.column, c.to])).toContainEqual(['status', 'cancelled']);
    expect(field(u!, 'status')!.rule).toBe('cancellation-from-trusted');
    expect(plan.items.every((i) => i.kind === 'insert' || i.kind === 'update')).toBe(true);
  });

  it('reads a calendar event deleted after its booking ended as housekeeping, not a cancellation', () => {
    const snap = snapshot({
      customers: [customerRow({ id: ANA })],
      bookings: [bookingRow({ id: BOOKING, customer_id: ANA, reference: 'BK-7F3K2Q' })],
    });
    const deletedAt = (at: string) =>
      googleEvent(
        {
          reference: 'BK-7F3K2Q',
          status: 'cancelled',
          startsAt: '2026-06-10T14:00:00.000Z',
          endsAt: '2026-06-12T10:00:00.000Z',
        },
        'evt-1',
        at,
      );
    const after = planReconciliation(input(snap, [deletedAt('2026-06-20T08:00:00.000Z')]));
    const statusAfter = updates(after, 'bookings')[0]?.changes.find((c) => c.column === 'status');
    expect(statusAfter?.to).not.toBe('cancelled');
    // The same deletion before the stay, borne out by the platform's own .ics export, is a cancellation.
    const exported = icsEvent(
      {
        calendarUid: `${BOOKING}@platform.example`,
        reference: 'BK-7F3K2Q',
        status: 'cancelled',
        startsAt: '2026-06-10T14:00:00.000Z',
        endsAt: '2026-06-12T10:00:00.000Z',
      },
      '2026-06-05T08:00:00.000Z',
      1,
    );
    const before = planReconciliation(input(snap, [deletedAt('2026-06-05T08:00:00.000Z'), exported]));
    expect(updates(before, 'bookings')[0]!.changes).toContainEqual(
      expect.objectContaining({ column: 'status', to: 'cancelled' }),
    );
    // Alone, it is a calendar tidied by hand: the restored row's status stands, the deletion beside it.
    const alone = planReconciliation(input(snap, [deletedAt('2026-06-05T08:00:00.000Z')]));
    expect(
      updates(alone, 'bookings')
        .flatMap((u) => u.changes)
        .map((c) => c.to),
    ).not.toContain('cancelled');
  });

  it('reads a Google event deleted with nothing to bear it out as tidying, and a corroborated one as a cancellation', () => {
    const confirmed = mail(
      { reference: 'BK-7F3K2Q', status: 'confirmed', startsAt: '2026-06-10T14:00:00.000Z' },
      'confirm',
      '2026-05-12T09:00:30.000Z',
    );
    const deleted = googleEvent(
      { reference: 'BK-7F3K2Q', status: 'cancelled' },
      'evt-1',
      '2026-05-20T08:00:00.000Z',
    );
    const [kept] = inserts(
      planReconciliation(input(snapshot(), [...lostBooking(), confirmed, deleted])),
      'bookings',
    );
    // It stood, and has since ended (the plan's time is after the stay).
    expect(field(kept!, 'status')).toMatchObject({ value: 'completed', rule: 'completed-after-end' });
    expect(field(kept!, 'status')!.alternatives.map((a) => a.value)).toContain('cancelled');
    // The .ics export still lists the event, as cancelled: the platform cancelled it.
    const exported = icsEvent(
      { reference: 'BK-7F3K2Q', calendarUid: `${BOOKING}@platform.example`, status: 'cancelled' },
      '2026-05-20T08:00:00.000Z',
      1,
    );
    const [gone] = inserts(
      planReconciliation(input(snapshot(), [...lostBooking(), confirmed, deleted, exported])),
      'bookings',
    );
    expect(field(gone!, 'status')).toMatchObject({ value: 'cancelled', rule: 'cancellation-from-trusted' });
  });

  it('raises a conflict, not a silent pick, when calendar and mail disagree at the same moment', () => {
    const snap = snapshot({
      customers: [customerRow({ id: ANA })],
      bookings: [bookingRow({ id: BOOKING, customer_id: ANA, reference: 'BK-7F3K2Q' })],
    });
    const plan = planReconciliation(
      input(snap, [
        icsEvent(
          { calendarUid: `${BOOKING}@platform.example`, startsAt: '2026-06-17T14:00:00.000Z' },
          '2026-05-20T10:00:00.000Z',
          1,
        ),
        mail(
          { reference: 'BK-7F3K2Q', startsAt: '2026-06-24T14:00:00.000Z' },
          'x',
          '2026-05-20T10:05:00.000Z',
        ),
      ]),
    );
    const [u] = updates(plan, 'bookings');
    expect(u!.disposition).toBe('review');
    expect(u!.conflicts[0]!.column).toBe('starts_at');
    expect(u!.conflicts[0]!.alternatives.map((a) => a.value)).toEqual(['2026-06-17T14:00:00.000Z']);
  });

  it("lets the customer's own confirmation override every other source", () => {
    const snap = snapshot({
      customers: [customerRow({ id: ANA })],
      bookings: [bookingRow({ id: BOOKING, customer_id: ANA, reference: 'BK-7F3K2Q' })],
    });
    const plan = planReconciliation(
      input(snap, [
        icsEvent(
          { calendarUid: `${BOOKING}@platform.example`, startsAt: '2026-06-17T14:00:00.000Z' },
          '2026-08-01T11:00:00.000Z',
          3,
        ),
        confirmation({ reference: 'BK-7F3K2Q', startsAt: '2026-06-10T15:00:00.000Z' }, 'tok1'),
      ]),
    );
    const [u] = updates(plan, 'bookings');
    expect(field(u!, 'starts_at')).toMatchObject({
      value: '2026-06-10T15:00:00.000Z',
      rule: 'customer-confirmation',
    });
    expect(u!.conflicts).toEqual([]);
  });

  it('honours a configured survivorship order per business', () => {
    const snap = snapshot({
      customers: [customerRow({ id: ANA })],
      bookings: [bookingRow({ id: BOOKING, customer_id: ANA, reference: 'BK-7F3K2Q' })],
    });
    const ev = [
      icsEvent(
        { calendarUid: `${BOOKING}@platform.example`, startsAt: '2026-06-17T14:00:00.000Z' },
        '2026-05-20T10:00:00.000Z',
        1,
      ),
      mail({ reference: 'BK-7F3K2Q', startsAt: '2026-06-24T14:00:00.000Z' }, 'x', '2026-05-25T10:00:00.000Z'),
    ];
    const byDefault = planReconciliation(input(snap, ev));
    expect(field(updates(byDefault, 'bookings')[0]!, 'starts_at')!.value).toBe('2026-06-24T14:00:00.000Z');
    const rules = {
      survivorship: { 'booking.startsAt': ['ics' as const] },
      tolerances: { amountMinor: 0, timeMinutes: 0 },
    };
    const configured = planReconciliation(input(snap, ev, { config: config({}, rules) }));
    expect(field(updates(configured, 'bookings')[0]!, 'starts_at')).toMatchObject({
      value: '2026-06-17T14:00:00.000Z',
      rule: 'configured-priority',
    });
  });

  it('takes amounts from Stripe over a mail that says otherwise', () => {
    const ev = lostBooking();
    ev.push(mail({ reference: 'BK-7F3K2Q', totalAmount: 28000 }, 'm2', '2026-05-13T09:00:00.000Z'));
    const [b] = inserts(planReconciliation(input(snapshot(), ev)), 'bookings');
    expect(field(b!, 'total_amount')).toMatchObject({ value: 30000, rule: 'stripe-for-amounts' });
    expect(field(b!, 'total_amount')!.alternatives.map((a) => a.value)).toEqual([28000]);
  });

  it('links to a customer who signed up again on the restored database instead of duplicating them', () => {
    const again = customerRow({
      id: 'cccccccc-0000-4000-8000-000000000009',
      email: 'ana@example.com',
      full_name: 'Ana Lima',
      created_at: '2026-07-20T10:00:00.000Z',
      updated_at: '2026-07-20T10:00:00.000Z',
    });
    const others = Array.from({ length: 30 }, (_, i) =>
      customerRow({
        id: `dddddddd-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`,
        email: `p${i}@example.org`,
        full_name: `Person ${i} Other${i}`,
      }),
    );
    const plan = planReconciliation(
      input(
        snapshot({ customers: [again, ...others] }),
        lostBooking().filter((e) => e.entity !== 'customer'),
      ),
    );
    expect(inserts(plan, 'customers')).toEqual([]);
    expect(inserts(plan, 'bookings')[0]!.row.customer_id).toBe(again.id);
  });

  it('links to a booking staff re-entered on the restored database under a new reference', () => {
    const reentered = bookingRow({
      id: 'eeeeeeee-0000-4000-8000-000000000001',
      customer_id: ANA,
      reference: 'BK-NEW001',
      created_at: '2026-07-21T09:00:00.000Z',
      updated_at: '2026-07-21T09:00:00.000Z',
    });
    const snap = snapshot({ customers: [customerRow({ id: ANA })], bookings: [reentered] });
    const plan = planReconciliation(
      input(
        snap,
        lostBooking().filter((e) => e.entity === 'booking'),
      ),
    );
    expect(inserts(plan, 'bookings')).toEqual([]);
  });

  it('keeps two people with the same name but different emails apart', () => {
    const plan = planReconciliation(
      input(snapshot(), [
        mail(
          {
            reference: 'BK-AAAAA1',
            customerName: 'John Smith',
            customerEmail: 'john1@example.com',
            resourceName: 'Cabin A',
            startsAt: '2026-06-01T14:00:00.000Z',
            endsAt: '2026-06-02T10:00:00.000Z',
          },
          'a',
        ),
        mail(
          {
            reference: 'BK-AAAAA2',
            customerName: 'John Smith',
            customerEmail: 'john2@example.com',
            resourceName: 'Cabin B',
            startsAt: '2026-06-01T14:00:00.000Z',
            endsAt: '2026-06-02T10:00:00.000Z',
          },
          'b',
        ),
      ]),
    );
    expect(inserts(plan, 'customers')).toHaveLength(2);
  });

  it('joins a key-less calendar event staff made by hand to the booking it mirrors', () => {
    const ev = lostBooking();
    ev.push(
      googleEvent(
        {
          startsAt: '2026-06-10T14:00:00.000Z',
          endsAt: '2026-06-12T10:00:00.000Z',
          customerName: 'Ana Lima',
        },
        'handmade1',
      ),
    );
    const plan = planReconciliation(input(snapshot(), ev));
    expect(inserts(plan, 'bookings')).toHaveLength(1);
    expect(inserts(plan, 'bookings')[0]!.evidenceIds).toHaveLength(4);
  });

  /** The lost booking, and Bo Chen's mailed booking of the same cabin over the same nights. */
  const doubleBooked = () => [
    ...lostBooking(),
    mail(
      {
        reference: 'BK-ZZZZZZ',
        customerName: 'Bo Chen',
        customerEmail: 'bo@example.com',
        resourceName: 'Cabin A',
        startsAt: '2026-06-11T14:00:00.000Z',
        endsAt: '2026-06-13T10:00:00.000Z',
      },
      'bo',
    ),
  ];

  it('raises a conflict when one resource would be booked twice at once', () => {
    const ev = doubleBooked();
    const bookings = inserts(planReconciliation(input(snapshot(), ev)), 'bookings');
    expect(bookings).toHaveLength(2);
    for (const b of bookings) {
      expect(b.disposition).toBe('review');
      expect(b.conflicts.map((c) => c.message).join()).toMatch(/double-booked/);
    }
  });

  it('holds a new customer no Stripe account vouches for with the bookings that wait for review, and only them', () => {
    const ev = doubleBooked();
    const customers = inserts(planReconciliation(input(snapshot(), ev)), 'customers');
    const bo = customers.find((c) => c.row?.email === 'bo@example.com')!;
    expect(bo.disposition).toBe('review');
    expect(bo.conflicts.map((c) => c.message).join()).toMatch(/held with them/);
    const vouched = customers.filter((c) => c.row?.stripe_customer_id);
    expect(vouched.length).toBeGreaterThan(0);
    for (const c of vouched) expect(c.conflicts.map((x) => x.message).join()).not.toMatch(/held with them/);
  });

  it('keeps the target row when evidence is older than it, and plans nothing for agreeing evidence', () => {
    const row = bookingRow({
      id: BOOKING,
      customer_id: ANA,
      reference: 'BK-7F3K2Q',
      resource_id: CABIN_B,
      updated_at: '2026-07-30T00:00:00.000Z',
    });
    const snap = snapshot({ customers: [customerRow({ id: ANA })], bookings: [row] });
    const plan = planReconciliation(
      input(snap, [
        mail({ reference: 'BK-7F3K2Q', resourceName: 'Cabin A' }, 'old', '2026-05-01T00:00:00.000Z'),
      ]),
    );
    expect(plan.items).toEqual([]);
  });

  it("cancels a restored row the platform's clock completed when a cancellation came after the backup", () => {
    // Backed up on 1 June as confirmed; cancelled on 3 June; the restored database completed it at its end.
    const row = bookingRow({
      id: BOOKING,
      customer_id: ANA,
      reference: 'BK-7F3K2Q',
      status: 'completed',
      updated_at: '2026-06-12T10:00:00.000Z',
    });
    const snap = snapshot({ customers: [customerRow({ id: ANA })], bookings: [row] });
    const cancelMail = mail(
      { reference: 'BK-7F3K2Q', status: 'cancelled' },
      'cancel',
      '2026-06-03T09:00:00.000Z',
    );
    const withBackup = config({ incident: { backupTakenAt: '2026-06-01T03:00:00.000Z' } });
    const [u] = updates(planReconciliation(input(snap, [cancelMail], { config: withBackup })), 'bookings');
    expect(u!.changes).toContainEqual({ column: 'status', from: 'completed', to: 'cancelled' });
    // Without the backup time, the clock's stamp is taken at its word and the older mail is ignored.
    expect(updates(planReconciliation(input(snap, [cancelMail])), 'bookings')).toEqual([]);
    // A confirmation seen since the backup does not reopen a booking that ended.
    const confirmMail = mail(
      { reference: 'BK-7F3K2Q', status: 'confirmed' },
      'conf',
      '2026-06-03T09:00:00.000Z',
    );
    expect(
      updates(planReconciliation(input(snap, [confirmMail], { config: withBackup })), 'bookings'),
    ).toEqual([]);
  });

  it('reports bad evidence as diagnostics and keeps going', () => {
    const ev = lostBooking();
    const bad = { ...ev[4]!, id: 'bad-1', observedAt: 'yesterday' };
    const stranger = { ...ev[4]!, id: 'bad-2', businessId: '99999999-9999-4999-8999-999999999999' };
    const plan = planReconciliation(input(snapshot(), [...ev, bad, stranger] as typeof ev));
    expect(plan.items).toHaveLength(3);
    expect(plan.diagnostics.map((d) => d.code)).toEqual(
      expect.arrayContaining(['evidence_invalid', 'unknown_business']),
    );
  });

  it('sends a booking with no reference and a weak extractor to a person', () => {
    const plan = planReconciliation(
      input(snapshot(), [
        googleEvent(
          {
            startsAt: '2026-07-01T14:00:00.000Z',
            endsAt: '2026-07-03T10:00:00.000Z',
            customerName: 'Rui Costa',
            customerEmail: 'rui@example.com',
          },
          'handmade2',
        ),
      ]),
    );
    const [b] = inserts(plan, 'bookings');
    expect(field(b!, 'reference')!.rule).toBe('generated-reference');
    expect(b!.disposition).not.toBe('auto');
  });

  it('takes a refund a charge shows even when the charge is dated before the restored row', () => {
    const PAY = 'dddddddd-0000-4000-8000-000000000001';
    const snap = snapshot({
      customers: [customerRow({ id: ANA })],
      bookings: [bookingRow({ id: BOOKING, customer_id: ANA, reference: 'BK-7F3K2Q' })],
      payments: [
        paymentRow({
          id: PAY,
          booking_id: BOOKING,
          customer_id: ANA,
          stripe_payment_intent_id: 'pi_1',
          stripe_charge_id: 'ch_1',
          updated_at: '2026-04-01T09:06:00.000Z',
        }),
      ],
    });
    // The charge object keeps its creation date; the refund it shows came later.
    const charge = stripeCharge(
      {
        stripeChargeId: 'ch_1',
        stripePaymentIntentId: 'pi_1',
        amount: 30000,
        amountRefunded: 12000,
        bookingId: BOOKING,
      },
      '2026-04-01T09:05:00.000Z',
    );
    const [u] = updates(planReconciliation(input(snap, [charge])), 'payments');
    expect(u!.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ column: 'amount_refunded', from: 0, to: 12000 }),
        expect.objectContaining({ column: 'status', from: 'succeeded', to: 'partially_refunded' }),
      ]),
    );
  });

  it('does not touch other businesses or rows nobody mentions', () => {
    const other = bookingRow({
      id: 'ffffffff-0000-4000-8000-000000000001',
      customer_id: ANA,
      reference: 'BK-QQQQQQ',
      starts_at: '2026-07-20T14:00:00.000Z',
      ends_at: '2026-07-22T10:00:00.000Z',
    }) as BookingRow;
    const plan = planReconciliation(
      input(snapshot({ customers: [customerRow({ id: ANA })], bookings: [other] }), lostBooking()),
    );
    expect(plan.items.some((i) => i.key.id === other.id)).toBe(false);
    // Ana is mentioned (her Stripe customer id is new to the target), so her row gains it.
    expect(updates(plan, 'customers')[0]!.changes.map((c) => c.column)).toEqual([
      'stripe_customer_id',
      'updated_at',
    ]);
    expect(plan.items.every((i) => i.businessId === BIZ)).toBe(true);
  });
});
