import type { Decision, Evidence, Plan } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { planReconciliation } from './plan-reconciliation.ts';
import { createPrng } from './prng.ts';
import { projectPlan } from './project-plan.ts';
import {
  bookingRow,
  customerRow,
  googleEvent,
  icsEvent,
  input,
  mail,
  snapshot,
  stripeBooking,
  stripeCharge,
  stripeCustomer,
} from './test-builders.ts';

/** A small incident: a backup with some rows, and evidence of new, changed and cancelled bookings. */
function incident(size: number) {
  const rand = createPrng(42);
  const hex = (i: number, p: string) => `${p}${String(i).padStart(12, '0')}`;
  const customers = [];
  const bookings = [];
  const evidence: Evidence[] = [];
  for (let i = 0; i < size; i++) {
    const cid = hex(i, 'aaaaaaaa-0000-4000-8000-');
    const bid = hex(i, 'bbbbbbbb-0000-4000-8000-');
    const ref = `BK-${String(i).padStart(6, '0')}`;
    const day = 1 + (i % 27);
    const starts = `2026-06-${String(day).padStart(2, '0')}T14:00:00.000Z`;
    const ends = `2026-06-${String(day + 1).padStart(2, '0')}T10:00:00.000Z`;
    const resourceName = i % 2 === 0 ? 'Cabin A' : 'Cabin B';
    const email = `guest${i}@example.com`;
    const name = `Guest${i} Family${i % 7}`;
    const inBackup = rand() < 0.4;
    if (inBackup) {
      customers.push(customerRow({ id: cid, email, full_name: name }));
      bookings.push(
        bookingRow({
          id: bid,
          customer_id: cid,
          reference: ref,
          starts_at: starts,
          ends_at: ends,
          resource_id:
            i % 2 === 0 ? '22222222-2222-4222-8222-22222222222a' : '22222222-2222-4222-8222-22222222222b',
        }),
      );
    } else {
      evidence.push(stripeCustomer({ stripeCustomerId: `cus_${i}`, email, fullName: name, customerId: cid }));
      evidence.push(
        stripeCharge({
          stripeChargeId: `ch_${i}`,
          stripePaymentIntentId: `pi_${i}`,
          amount: 30000,
          bookingId: bid,
          stripeCustomerId: `cus_${i}`,
        }),
      );
      evidence.push(
        stripeBooking(
          { bookingId: bid, reference: ref, totalAmount: 30000, resourceName, stripeCustomerId: `cus_${i}` },
          `cs_${i}`,
        ),
      );
    }
    const moved = rand() < 0.3;
    const s2 = moved ? starts.replace('T14', 'T16') : starts;
    evidence.push(
      icsEvent(
        { calendarUid: `${bid}@platform.example`, reference: ref, startsAt: s2, endsAt: ends, resourceName },
        '2026-05-20T10:00:00.000Z',
        moved ? 1 : 0,
      ),
    );
    evidence.push(
      mail(
        {
          reference: ref,
          startsAt: s2,
          endsAt: ends,
          customerEmail: email,
          customerName: name,
          resourceName,
          status: rand() < 0.1 ? 'cancelled' : 'confirmed',
        },
        `m${i}`,
        '2026-05-20T10:00:30.000Z',
      ),
    );
    if (rand() < 0.2)
      evidence.push(
        googleEvent(
          { startsAt: s2, endsAt: ends, customerName: name, resourceName },
          `hand${i}`,
          '2026-05-21T10:00:00.000Z',
        ),
      );
  }
  return { snap: snapshot({ customers, bookings }), evidence };
}

function shuffle<T>(list: T[], seed: number): T[] {
  const rand = createPrng(seed);
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('planReconciliation: properties', () => {
  const { snap, evidence } = incident(40);
  const plan = planReconciliation(input(snap, evidence));

  it('plans something for the incident (the properties below are not vacuous)', () => {
    expect(plan.items.filter((i) => i.kind === 'insert').length).toBeGreaterThan(40);
    expect(plan.items.filter((i) => i.kind === 'update').length).toBeGreaterThan(3);
  });

  it('gives the same plan whatever the order of the evidence', () => {
    for (const seed of [1, 2, 3]) {
      expect(planReconciliation(input(snap, shuffle(evidence, seed)))).toEqual(plan);
    }
  });

  it('accepts any iterable, read once', () => {
    function* once() {
      yield* evidence;
    }
    expect(planReconciliation(input(snap, once() as unknown as Evidence[])).id).toBe(plan.id);
  });

  it('plans nothing more after its own plan is applied', () => {
    const { snapshot: after, refused } = projectPlan(snap, plan);
    expect(refused).toEqual([]);
    const again = planReconciliation(input(after, evidence));
    expect(again.items).toEqual([]);
  });

  it('never deletes, and every item is keyed, hashed and ordered customer before booking before payment', () => {
    const position = new Map(plan.items.map((i, n) => [i.id, n]));
    for (const item of plan.items) {
      expect(['insert', 'update']).toContain(item.kind);
      expect(item.id).toMatch(/^[0-9a-f]{32}$/);
      for (const dep of item.dependsOn) expect(position.get(dep)).toBeLessThan(position.get(item.id)!);
    }
  });

  it('carries decisions over for unchanged items and drops them where new evidence reaches', () => {
    const decisions: Decision[] = plan.items.map((i) => ({
      itemId: i.id,
      kind: 'approve',
      by: 'operator:test',
      at: '2026-08-02T13:00:00.000Z',
    }));
    const late = mail(
      { reference: 'BK-000003', status: 'cancelled' },
      'late-cancel',
      '2026-07-30T10:00:00.000Z',
    );
    const next: Plan = planReconciliation(
      input(snap, [...evidence, late], { previous: { plan, decisions }, asOf: '2026-08-03T12:00:00.000Z' }),
    );
    const changed = next.items.filter((i) => !plan.items.some((p) => p.id === i.id));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThanOrEqual(2);
    expect(next.decisions!.length).toBe(
      decisions.length - (plan.items.length - (next.items.length - changed.length)),
    );
    expect(new Set(next.decisions!.map((d) => d.itemId))).toEqual(
      new Set(next.items.filter((i) => !changed.includes(i)).map((i) => i.id)),
    );
  });
});
