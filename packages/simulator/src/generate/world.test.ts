import { wallTimeAt } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.ts';
import { restoredSnapshot, truthSnapshot } from './snapshot.ts';
import { planWorld } from './world.ts';

const world = planWorld(resolveOptions({ scale: 'small', seed: 9, bookings: 3000 }));
const resources = new Map(world.businesses.flatMap((b) => b.resources.map((r) => [r.id, { r, b }] as const)));

describe('world', () => {
  it('keeps local wall times across DST: lessons on Saturdays at 10:00, all-day bookings at local midnight', () => {
    const utcHours = new Set<number>();
    for (const booking of world.bookings) {
      const { r, b } = resources.get(booking.resourceId)!;
      for (const s of booking.schedules) {
        expect(s.endsMs).toBeGreaterThan(s.startsMs);
        const w = wallTimeAt(s.startsMs, b.timezone);
        if (r.kind === 'lesson') {
          expect(new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay()).toBe(6);
          expect(w.hour).toBe(10);
          utcHours.add(new Date(s.startsMs).getUTCHours());
        }
        if (booking.allDay) expect([w.hour, w.minute]).toEqual([0, 0]);
        else expect(w.hour).toBeGreaterThanOrEqual(8);
      }
    }
    // 10:00 in New York is 14:00 UTC in summer and 15:00 UTC in winter.
    expect(utcHours).toEqual(new Set([14, 15]));
  });

  it('has reschedules (some twice), cancellations with and without refunds, disputes, guests and second emails', () => {
    expect(world.bookings.some((b) => b.schedules.length === 3)).toBe(true);
    expect(world.bookings.some((b) => b.schedules.length === 2)).toBe(true);
    const cancelled = world.bookings.filter((b) => b.cancelledMs !== null);
    expect(cancelled.some((b) => b.payments.some((p) => p.refunds.length > 0))).toBe(true);
    expect(
      cancelled.some((b) => b.payments.every((p) => p.refunds.length === 0) && b.payments.length > 0),
    ).toBe(true);
    const payments = world.bookings.flatMap((b) => b.payments);
    expect(payments.some((p) => p.dispute !== null)).toBe(true);
    expect(payments.some((p) => p.stripe?.guest)).toBe(true);
    expect(payments.some((p) => p.kind === 'deposit')).toBe(true);
    expect(payments.some((p) => p.kind === 'balance' && p.stripe?.invoiceId)).toBe(true);
    for (const p of payments)
      expect(p.refunds.reduce((s, r) => s + r.amountMinor, 0)).toBeLessThanOrEqual(p.amountMinor);
    const alt = new Set(world.customers.filter((c) => c.altEmail).map((c) => c.altEmail));
    expect(world.bookings.some((b) => alt.has(b.contact.email.toLowerCase()))).toBe(true);
    expect(world.bookings.some((b) => b.staffEdit?.kind === 'delete')).toBe(true);
    expect(world.bookings.some((b) => b.staffEdit?.kind === 'note')).toBe(true);
  });

  it('keeps the truth to what existed at the incident; the restored database adds re-entries and new bookings', () => {
    const truth = truthSnapshot(world);
    const restored = restoredSnapshot(world);
    const incident = world.timeline.incidentMs;
    for (const b of truth.bookings) expect(Date.parse(b.created_at)).toBeLessThanOrEqual(incident);
    const truthIds = new Set(truth.bookings.map((b) => b.id));
    const extra = restored.bookings.filter((b) => !truthIds.has(b.id));
    expect(extra.some((b) => b.notes?.startsWith('Re-entered'))).toBe(true);
    expect(
      extra.some(
        (b) => Date.parse(b.created_at) > world.timeline.restoredMs && !b.notes?.startsWith('Re-entered'),
      ),
    ).toBe(true);
    // References stay unique inside a business in both databases (the schema requires it).
    for (const snap of [truth, restored]) {
      const keys = snap.bookings.map((b) => `${b.business_id}/${b.reference}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
    const customerIds = new Set(restored.customers.map((c) => c.id));
    for (const b of restored.bookings) expect(customerIds.has(b.customer_id)).toBe(true);
  });
});
