import { type Evidence, evidenceId, type TargetSnapshot } from '@salvage/core';
import { createPrng } from '@salvage/reconcile';
import type { RecoverabilityRow } from '@salvage/simulator';

/**
 * Evidence as the connectors would write it, synthesized from a simulated incident's truth: per booking, only from the
 * sources its recoverability row lists; names misspelt at `typoRate`; phones in half the mails. Scripts only.
 */
export function synthesizeEvidence(
  t: TargetSnapshot,
  recoverability: RecoverabilityRow[],
  { seed, typoRate }: { seed: number; typoRate: number },
): Evidence[] {
  const rand = createPrng(seed);
  const out: Evidence[] = [];
  const customers = new Map(t.customers.map((c) => [c.id, c]));
  const resources = new Map(t.resources.map((r) => [r.id, r]));
  const paymentsOf = new Map<string, typeof t.payments>();
  for (const p of t.payments)
    if (p.booking_id) paymentsOf.set(p.booking_id, [...(paymentsOf.get(p.booking_id) ?? []), p]);
  const rec = new Map(recoverability.map((r) => [`${r.businessId}|${r.reference}`, r]));
  const typo = (s: string) => (rand() < typoRate && s.length > 3 ? `${s.slice(0, 2)}${s.slice(3)}` : s);
  const make = (
    businessId: string,
    kind: Evidence['source']['kind'],
    objectId: string,
    entity: Evidence['entity'],
    fields: Record<string, unknown>,
    at: string,
    confidence: number,
    rank = 0,
  ): Evidence => {
    const source = {
      kind,
      account: `${kind}:${businessId.slice(0, 8)}`,
      objectId,
      version: String(rank),
      versionRank: rank,
    };
    const extractor = { name: `synth-${kind}`, version: '1' };
    return {
      id: evidenceId(source, entity, extractor),
      businessId,
      source,
      entity,
      fields,
      observedAt: at,
      extractor,
      confidence,
      rawRef: null,
    } as Evidence;
  };
  for (const b of t.bookings) {
    const r = rec.get(`${b.business_id}|${b.reference}`);
    if (!r?.recoverable) continue;
    const c = customers.get(b.customer_id);
    const resourceName = resources.get(b.resource_id)?.name;
    const at = b.updated_at;
    if (r.sources.includes('stripe')) {
      if (c?.stripe_customer_id)
        out.push(
          make(
            b.business_id,
            'stripe',
            c.stripe_customer_id,
            'customer',
            {
              stripeCustomerId: c.stripe_customer_id,
              email: c.email ?? undefined,
              fullName: c.full_name,
              ...(c.phone ? { phone: c.phone } : {}),
            },
            c.created_at,
            1,
          ),
        );
      out.push(
        make(
          b.business_id,
          'stripe',
          `cs_${b.id}`,
          'booking',
          {
            bookingId: b.id,
            reference: b.reference,
            totalAmount: b.total_amount,
            currency: b.currency,
            resourceName,
            ...(c?.stripe_customer_id
              ? { stripeCustomerId: c.stripe_customer_id }
              : { customerEmail: c?.email ?? undefined }),
          },
          b.created_at,
          0.99,
        ),
      );
      // Only what Stripe holds: cash and bank transfers never went through it.
      for (const p of (paymentsOf.get(b.id) ?? []).filter(
        (x) => x.stripe_charge_id || x.stripe_payment_intent_id,
      ))
        out.push(
          make(
            b.business_id,
            'stripe',
            p.stripe_charge_id ?? p.id,
            'payment',
            {
              stripeChargeId: p.stripe_charge_id ?? undefined,
              stripePaymentIntentId: p.stripe_payment_intent_id ?? undefined,
              amount: p.amount,
              amountRefunded: p.amount_refunded,
              currency: p.currency,
              status: p.status,
              method: p.method,
              paidAt: p.paid_at ?? undefined,
              createdAt: p.created_at,
              bookingId: b.id,
              bookingReference: b.reference,
              stripeCustomerId: c?.stripe_customer_id ?? undefined,
              customerEmail: c?.email ?? undefined,
            },
            p.updated_at,
            1,
            Date.parse(p.updated_at),
          ),
        );
    }
    if (r.sources.includes('email'))
      out.push(
        make(
          b.business_id,
          'imap',
          `mail-${b.id}`,
          'booking',
          {
            reference: b.reference,
            startsAt: b.starts_at,
            endsAt: b.ends_at,
            status: b.status,
            totalAmount: b.total_amount,
            currency: b.currency,
            resourceName,
            customerName: c ? typo(c.full_name) : undefined,
            customerEmail: c?.email ?? undefined,
            ...(c?.phone && rand() < 0.5 ? { customerPhone: c.phone } : {}),
          },
          at,
          0.95,
        ),
      );
    if (r.sources.includes('calendar'))
      out.push(
        make(
          b.business_id,
          'ics',
          `${b.id}@platform`,
          'booking',
          {
            calendarUid: `${b.id}@platform`,
            reference: b.reference,
            startsAt: b.starts_at,
            endsAt: b.ends_at,
            status: b.status,
            resourceName,
            customerName: c ? typo(c.full_name) : undefined,
          },
          at,
          0.98,
          Date.parse(at),
        ),
      );
  }
  return out;
}
