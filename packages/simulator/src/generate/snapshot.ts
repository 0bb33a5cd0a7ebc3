import type {
  BookingRow,
  BookingStatus,
  BusinessRow,
  CustomerRow,
  PaymentRow,
  PaymentStatus,
  ResourceRow,
  TargetSnapshot,
} from '@salvage/core';
import { type SimBooking, type SimCustomer, type SimPayment, scheduleAt, type World } from './world.ts';

/**
 * The platform's database at an instant, from the world's histories: the truth (at the incident), the backup (at
 * backupTakenAt) and the restored database (the backup plus what the business did on it after the restore).
 */

const iso = (ms: number): string => new Date(ms).toISOString();

function businessRows(world: World): { businesses: BusinessRow[]; resources: ResourceRow[] } {
  return {
    businesses: world.businesses.map((b) => ({
      id: b.id,
      name: b.name,
      timezone: b.timezone,
      currency: b.currency,
      stripe_account_id: b.stripeAccount,
      created_at: iso(b.createdMs),
    })),
    resources: world.businesses.flatMap((b) =>
      b.resources.map((r) => ({
        id: r.id,
        business_id: b.id,
        name: r.name,
        calendar_id: r.calendarId,
        created_at: iso(r.createdMs),
      })),
    ),
  };
}

/** The customer row as the platform held it at `ms`. */
export function customerRowAt(c: SimCustomer, ms: number): CustomerRow {
  const stripe = c.stripe && c.stripe.createdMs <= ms ? c.stripe : null;
  return {
    id: c.id,
    business_id: c.businessId,
    full_name: c.fullName,
    email: c.email,
    phone: c.phone,
    stripe_customer_id: stripe?.id ?? null,
    created_at: iso(c.createdMs),
    updated_at: iso(Math.max(c.createdMs, stripe?.createdMs ?? 0)),
  };
}

/** A payment's refunded amount, status and last change at `ms`. */
export function paymentStateAt(
  p: SimPayment,
  ms: number,
): { refunded: number; status: PaymentStatus; updatedMs: number } {
  let refunded = 0;
  let updatedMs = p.createdMs;
  for (const r of p.refunds) {
    if (r.atMs <= ms) {
      refunded += r.amountMinor;
      updatedMs = Math.max(updatedMs, r.atMs);
    }
  }
  const paid = p.paidMs !== null && p.paidMs <= ms;
  if (paid) updatedMs = Math.max(updatedMs, p.paidMs!);
  const status: PaymentStatus = !paid
    ? 'pending'
    : refunded >= p.amountMinor
      ? 'refunded'
      : refunded > 0
        ? 'partially_refunded'
        : 'succeeded';
  return { refunded, status, updatedMs };
}

/** The payment row at `ms`; null before it existed. */
export function paymentRowAt(
  b: SimBooking,
  p: SimPayment,
  ms: number,
  customerId = b.customerId,
): PaymentRow | null {
  if (p.createdMs > ms) return null;
  const s = paymentStateAt(p, ms);
  return {
    id: p.id,
    business_id: b.businessId,
    booking_id: b.id,
    customer_id: customerId,
    amount: p.amountMinor,
    amount_refunded: s.refunded,
    currency: b.currency,
    status: s.status,
    method: p.method,
    stripe_payment_intent_id: p.stripe?.paymentIntentId ?? null,
    stripe_charge_id: p.stripe?.chargeId ?? null,
    paid_at: p.paidMs !== null && p.paidMs <= ms ? iso(p.paidMs) : null,
    created_at: iso(p.createdMs),
    updated_at: iso(s.updatedMs),
  };
}

/** The booking's status and last change at `ms`. */
export function bookingStateAt(b: SimBooking, ms: number): { status: BookingStatus; updatedMs: number } {
  const schedule = scheduleAt(b, ms);
  let updatedMs = schedule.atMs;
  if (b.cancelledMs !== null && b.cancelledMs <= ms) return { status: 'cancelled', updatedMs: b.cancelledMs };
  const awaiting = b.payments.some(
    (p) => p.method === 'bank_transfer' && p.createdMs <= ms && (p.paidMs === null || p.paidMs > ms),
  );
  const transfer = b.payments.find(
    (p) => p.method === 'bank_transfer' && p.paidMs !== null && p.paidMs <= ms,
  );
  if (transfer) updatedMs = Math.max(updatedMs, transfer.paidMs!);
  if (awaiting) return { status: 'pending', updatedMs };
  if (schedule.endsMs <= ms) return { status: 'completed', updatedMs: Math.max(updatedMs, schedule.endsMs) };
  return { status: 'confirmed', updatedMs };
}

/** The booking row at `ms`; null before it was made. */
export function bookingRowAt(b: SimBooking, ms: number): BookingRow | null {
  if (b.createdMs > ms) return null;
  const schedule = scheduleAt(b, ms);
  const state = bookingStateAt(b, ms);
  return {
    id: b.id,
    business_id: b.businessId,
    reference: b.reference,
    customer_id: b.customerId,
    resource_id: b.resourceId,
    starts_at: iso(schedule.startsMs),
    ends_at: iso(schedule.endsMs),
    status: state.status,
    total_amount: b.totalMinor,
    currency: b.currency,
    notes: b.notes,
    created_at: iso(b.createdMs),
    updated_at: iso(state.updatedMs),
  };
}

/**
 * What the platform's own clock does to its bookings by `ms`: a confirmed booking that has ended is completed (the
 * status its truth rows get in bookingStateAt). It runs on whatever database the platform is running on, the
 * restored one too, reading that database's own (possibly stale) end times.
 */
export function completeEndedBookings(rows: BookingRow[], ms: number): BookingRow[] {
  return rows.map((r) => {
    const endsMs = Date.parse(r.ends_at);
    if (r.status !== 'confirmed' || endsMs > ms) return r;
    return { ...r, status: 'completed', updated_at: iso(Math.max(Date.parse(r.updated_at), endsMs)) };
  });
}

/** The platform's database at `ms`, counting only what the platform itself wrote (origin 'platform'). */
export function snapshotAt(world: World, ms: number): TargetSnapshot {
  const snap: TargetSnapshot = { ...businessRows(world), customers: [], bookings: [], payments: [] };
  for (const c of world.customers)
    if (c.origin === 'platform' && c.createdMs <= ms) snap.customers.push(customerRowAt(c, ms));
  for (const b of world.bookings) {
    if (b.origin !== 'platform') continue;
    const row = bookingRowAt(b, ms);
    if (!row) continue;
    snap.bookings.push(row);
    for (const p of b.payments) {
      const pr = paymentRowAt(b, p, ms);
      if (pr) snap.payments.push(pr);
    }
  }
  return snap;
}

/** The truth: the database at the incident. */
export function truthSnapshot(world: World): TargetSnapshot {
  return snapshotAt(world, world.timeline.incidentMs);
}

/** The stale backup. */
export function backupSnapshot(world: World): TargetSnapshot {
  return snapshotAt(world, world.timeline.backupTakenMs);
}

/**
 * The restored database when the rebuild starts (at pulledAt): the backup's rows as they were, plus customers who
 * signed up again, bookings staff re-entered by hand (new ids, same references, no payments), and new bookings.
 */
export function restoredSnapshot(world: World): TargetSnapshot {
  const { backupTakenMs, pulledMs } = world.timeline;
  const snap = backupSnapshot(world);
  for (const c of world.customers)
    if (c.origin === 'restored' && c.createdMs <= pulledMs) snap.customers.push(customerRowAt(c, pulledMs));
  for (const b of world.bookings) {
    if (b.origin === 'restored-new') {
      const row = bookingRowAt(b, pulledMs);
      if (!row) continue;
      snap.bookings.push(row);
      for (const p of b.payments) {
        const pr = paymentRowAt(b, p, pulledMs);
        if (pr) snap.payments.push(pr);
      }
    } else if (b.reentered && b.createdMs > backupTakenMs) {
      const row = bookingRowAt(b, world.timeline.incidentMs)!;
      snap.bookings.push({
        ...row,
        id: b.reentered.id,
        customer_id: b.reentered.customerId,
        status: 'confirmed',
        notes: 'Re-entered by staff after the outage',
        created_at: iso(b.reentered.atMs),
        updated_at: iso(b.reentered.atMs),
      });
    }
  }
  // The restored platform has been running since the restore: its own clock completed the bookings that ended.
  snap.bookings = completeEndedBookings(snap.bookings, pulledMs);
  return snap;
}
