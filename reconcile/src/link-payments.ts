import type { Diagnostic, EvidenceOf, PaymentRow } from '@salvage/core';
import type { BookingCluster } from './link-bookings.ts';
import { UnionFind } from './union-find.ts';

/** One payment as linking found it, and the booking it pays for (when one is known). */
export interface PaymentCluster {
  businessId: string;
  row: PaymentRow | null;
  evidence: EvidenceOf<'payment'>[];
  booking: BookingCluster | null;
  /** How the booking was found: 'target-row', 'bookingId', 'bookingReference'; empty when none. */
  bookingRule: string;
}

/** Deterministic keys of a payment: the platform id, the PaymentIntent and the charge. */
export function paymentKeys(f: {
  paymentId?: string;
  stripePaymentIntentId?: string;
  stripeChargeId?: string;
}): string[] {
  const keys: string[] = [];
  if (f.paymentId) keys.push(`pid:${f.paymentId.toLowerCase()}`);
  if (f.stripePaymentIntentId) keys.push(`pi:${f.stripePaymentIntentId}`);
  if (f.stripeChargeId) keys.push(`ch:${f.stripeChargeId}`);
  return keys;
}

/**
 * Links one business's payment evidence to the target's payments by id, PaymentIntent and charge (two existing rows
 * never join), then each payment to its booking by the target row, the platform booking id or the reference.
 */
export function matchPayments(
  businessId: string,
  rows: PaymentRow[],
  evidence: EvidenceOf<'payment'>[],
  bookingsByKey: Map<string, BookingCluster>,
  diagnostics: Diagnostic[],
): PaymentCluster[] {
  const uf = new UnionFind(rows.length + evidence.length);
  const rowOf = new Map<number, number>();
  rows.forEach((_, i) => {
    rowOf.set(i, i);
  });
  const owner = new Map<string, number>();
  const claim = (node: number, key: string, evidenceId?: string) => {
    const o = owner.get(key);
    if (o === undefined) {
      owner.set(key, node);
      return;
    }
    const ra = uf.find(o);
    const rb = uf.find(node);
    if (ra === rb) return;
    if (rowOf.has(ra) && rowOf.has(rb)) {
      diagnostics.push({
        level: 'warning',
        code: 'payment_keys_disagree',
        message: 'evidence ties two existing payments together; kept apart',
        evidenceIds: evidenceId ? [evidenceId] : [],
      });
      return;
    }
    const row = rowOf.get(ra) ?? rowOf.get(rb);
    const root = uf.union(ra, rb);
    if (row !== undefined) rowOf.set(root, row);
  };
  rows.forEach((r, i) => {
    for (const k of paymentKeys({
      paymentId: r.id,
      stripePaymentIntentId: r.stripe_payment_intent_id ?? undefined,
      stripeChargeId: r.stripe_charge_id ?? undefined,
    }))
      claim(i, k);
  });
  evidence.forEach((ev, j) => {
    for (const k of paymentKeys(ev.fields)) claim(rows.length + j, k, ev.id);
  });
  const groups = new Map<number, PaymentCluster>();
  const groupOf = (node: number): PaymentCluster => {
    const root = uf.find(node);
    let g = groups.get(root);
    if (!g) {
      const ri = rowOf.get(root);
      g = {
        businessId,
        row: ri === undefined ? null : rows[ri]!,
        evidence: [],
        booking: null,
        bookingRule: '',
      };
      groups.set(root, g);
    }
    return g;
  };
  for (let i = 0; i < rows.length; i++) groupOf(i);
  evidence.forEach((ev, j) => {
    groupOf(rows.length + j).evidence.push(ev);
  });

  const clusters = [...groups.values()];
  for (const p of clusters) {
    if (p.row?.booking_id) {
      p.booking = bookingsByKey.get(`id:${p.row.booking_id.toLowerCase()}`) ?? null;
      p.bookingRule = 'target-row';
      if (p.booking) continue;
    }
    const votes = new Map<BookingCluster, { n: number; rule: string }>();
    for (const ev of p.evidence) {
      const byId = ev.fields.bookingId
        ? bookingsByKey.get(`id:${ev.fields.bookingId.toLowerCase()}`)
        : undefined;
      const byRef = ev.fields.bookingReference
        ? bookingsByKey.get(`ref:${ev.fields.bookingReference.toUpperCase()}`)
        : undefined;
      const hit = byId ?? byRef;
      if (!hit) continue;
      const v = votes.get(hit) ?? { n: 0, rule: byId ? 'bookingId' : 'bookingReference' };
      v.n++;
      votes.set(hit, v);
    }
    const ranked = [...votes.entries()].sort((a, b) => b[1].n - a[1].n);
    if (ranked.length > 1) {
      diagnostics.push({
        level: 'warning',
        code: 'payment_booking_ambiguous',
        message: `a payment names ${ranked.length} different bookings; linked to the one named most often`,
        evidenceIds: p.evidence.map((e) => e.id),
      });
    }
    if (ranked[0]) {
      p.booking = ranked[0][0];
      p.bookingRule = ranked[0][1].rule;
    }
  }
  return clusters;
}
