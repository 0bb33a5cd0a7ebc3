import type { BookingRow, CustomerRow, PaymentRow, TargetSnapshot } from '@salvage/core';
import type { FieldProvenanceRow, RecoverabilityRow } from '@salvage/simulator';

/**
 * Tiny builders for the scorer's tests: a truth with one business, one resource, two customers, three bookings and
 * their payments; and `rebuildOf`, the same records under fresh ids, as a perfect rebuild would write them (the
 * scorer must match by natural keys, so a perfect rebuild with other ids must score perfectly).
 */

let counter = 0;
/** A fresh uuid-shaped id: 'uuid(prefix)' keeps truth ids and rebuilt ids visibly apart. */
export function uuid(prefix: 'a' | 'b' | 'c' = 'a'): string {
  counter++;
  return `${prefix.repeat(8)}-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

export const BUSINESS_ID = '11111111-1111-4111-8111-111111111111';
export const RESOURCE_ID = '22222222-2222-4222-8222-222222222222';
const T0 = '2026-01-10T09:00:00.000Z';

export function customer(over: Partial<CustomerRow> = {}): CustomerRow {
  return {
    id: uuid(),
    business_id: BUSINESS_ID,
    full_name: 'Ana Lima',
    email: 'ana@example.com',
    phone: '+14155550101',
    stripe_customer_id: null,
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}

export function booking(customerRow: CustomerRow, over: Partial<BookingRow> = {}): BookingRow {
  return {
    id: uuid(),
    business_id: BUSINESS_ID,
    reference: 'BK-AAAAAA',
    customer_id: customerRow.id,
    resource_id: RESOURCE_ID,
    starts_at: '2026-02-01T10:00:00.000Z',
    ends_at: '2026-02-01T12:00:00.000Z',
    status: 'confirmed',
    total_amount: 12000,
    currency: 'usd',
    notes: null,
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}

export function payment(bookingRow: BookingRow, over: Partial<PaymentRow> = {}): PaymentRow {
  return {
    id: uuid(),
    business_id: BUSINESS_ID,
    booking_id: bookingRow.id,
    customer_id: bookingRow.customer_id,
    amount: bookingRow.total_amount,
    amount_refunded: 0,
    currency: bookingRow.currency,
    status: 'succeeded',
    method: 'card',
    stripe_payment_intent_id: null,
    stripe_charge_id: null,
    paid_at: T0,
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}

/** The canonical small truth: Ana (2 bookings) and Ben (1 booking), a Stripe payment per booking. */
export function smallTruth(): TargetSnapshot {
  const ana = customer({ stripe_customer_id: 'cus_ana' });
  const ben = customer({ full_name: 'Ben Okafor', email: 'ben@example.com', phone: '+14155550102' });
  const b1 = booking(ana, { reference: 'BK-AAAAA1' });
  const b2 = booking(ana, {
    reference: 'BK-AAAAA2',
    starts_at: '2026-03-01T10:00:00.000Z',
    ends_at: '2026-03-01T12:00:00.000Z',
  });
  const b3 = booking(ben, { reference: 'BK-BBBBB1', total_amount: 8000 });
  return {
    businesses: [
      {
        id: BUSINESS_ID,
        name: 'Lake Rentals',
        timezone: 'America/Los_Angeles',
        currency: 'usd',
        stripe_account_id: 'acct_1',
        created_at: T0,
      },
    ],
    resources: [
      { id: RESOURCE_ID, business_id: BUSINESS_ID, name: 'Kayak', calendar_id: null, created_at: T0 },
    ],
    customers: [ana, ben],
    bookings: [b1, b2, b3],
    payments: [
      payment(b1, { stripe_payment_intent_id: 'pi_1', stripe_charge_id: 'ch_1' }),
      payment(b2, { stripe_payment_intent_id: 'pi_2', stripe_charge_id: 'ch_2' }),
      payment(b3, { stripe_payment_intent_id: 'pi_3', stripe_charge_id: 'ch_3' }),
    ],
  };
}

/** Every booking of `truth` recoverable and new since the backup (unless listed in `unrecoverable`). */
export function recoverabilityOf(truth: TargetSnapshot, unrecoverable: string[] = []): RecoverabilityRow[] {
  return truth.bookings.map((b) => ({
    businessId: b.business_id,
    reference: b.reference,
    recoverable: !unrecoverable.includes(b.reference),
    sources: unrecoverable.includes(b.reference) ? [] : ['stripe'],
    inBackup: false,
    changedSinceBackup: true,
  }));
}

/**
 * A perfect rebuild of `truth` under fresh ids (businesses and resources keep theirs: they come from the backup).
 * `ids` maps each truth id to its rebuilt id, for tests that then spoil one record.
 */
export function rebuildOf(truth: TargetSnapshot): { rebuilt: TargetSnapshot; ids: Map<string, string> } {
  const ids = new Map<string, string>();
  const fresh = (id: string) => {
    const n = uuid('b');
    ids.set(id, n);
    return n;
  };
  const link = (id: string | null) => (id === null ? null : ids.get(id)!);
  const customers = truth.customers.map((c) => ({ ...c, id: fresh(c.id) }));
  const bookings = truth.bookings.map((b) => ({ ...b, id: fresh(b.id), customer_id: link(b.customer_id)! }));
  const payments = truth.payments.map((p) => ({
    ...p,
    id: fresh(p.id),
    booking_id: link(p.booking_id),
    customer_id: link(p.customer_id),
  }));
  return {
    rebuilt: {
      businesses: [...truth.businesses],
      resources: [...truth.resources],
      customers,
      bookings,
      payments,
    },
    ids,
  };
}

/** Provenance for every non-id column of `row`, as apply writes it, approved by `approvedBy`. */
export function provenanceOf(
  table: 'customers' | 'bookings' | 'payments',
  row: object,
  over: Partial<FieldProvenanceRow> = {},
): FieldProvenanceRow[] {
  const r = row as Record<string, unknown>;
  return Object.keys(r)
    .filter((c) => c !== 'id')
    .map((column) => ({
      batch_id: 'batch-1',
      table_name: table,
      row_id: String(r.id),
      column_name: column,
      value: r[column] ?? null,
      confidence: 0.95,
      rule: 'test',
      evidence_ids: ['ev_1'],
      approved_by: 'policy:auto-accept',
      ...over,
    }));
}

/** Provenance for every record of a rebuild (all three entities). */
export function provenanceOfAll(
  rebuilt: TargetSnapshot,
  over: Partial<FieldProvenanceRow> = {},
): FieldProvenanceRow[] {
  return [
    ...rebuilt.customers.flatMap((r) => provenanceOf('customers', r, over)),
    ...rebuilt.bookings.flatMap((r) => provenanceOf('bookings', r, over)),
    ...rebuilt.payments.flatMap((r) => provenanceOf('payments', r, over)),
  ];
}
