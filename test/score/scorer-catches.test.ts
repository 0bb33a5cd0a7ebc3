import type { TargetSnapshot } from '@salvage/core';
import { type AccuracyReport, scoreRebuild } from '@salvage/simulator';
import { describe, expect, it } from 'vitest';
import {
  customer,
  provenanceOf,
  provenanceOfAll,
  rebuildOf,
  recoverabilityOf,
  smallTruth,
} from './builders.ts';

// Each case spoils one thing in an otherwise perfect rebuild and checks that exactly the right measure moves.

function score(
  truth: TargetSnapshot,
  rebuilt: TargetSnapshot,
  extra: Partial<Parameters<typeof scoreRebuild>[0]> = {},
) {
  return scoreRebuild({ truth, recoverability: recoverabilityOf(truth), rebuilt, ...extra });
}

function perfect(): { truth: TargetSnapshot; rebuilt: TargetSnapshot; ids: Map<string, string> } {
  const truth = smallTruth();
  return { truth, ...rebuildOf(truth) };
}

function expectPerfect(report: AccuracyReport, except: string[] = []) {
  for (const entity of ['customers', 'bookings', 'payments'] as const) {
    const s = report[entity];
    if (!except.includes(`${entity}.recall`)) expect(s.recall.rate, `${entity} recall`).toBe(1);
    if (!except.includes(`${entity}.precision`)) expect(s.precision.rate, `${entity} precision`).toBe(1);
    if (!except.includes(`${entity}.fieldAccuracy`)) expect(s.fieldAccuracy.rate, `${entity} fields`).toBe(1);
    if (!except.includes(`${entity}.duplicates`)) expect(s.duplicates.hit, `${entity} duplicates`).toBe(0);
  }
  if (!except.includes('customers.wronglyMerged')) expect(report.customers.wronglyMerged.hit).toBe(0);
}

describe('scoreRebuild catches', () => {
  it('nothing in a perfect rebuild under other ids (matching is by natural keys)', () => {
    const { truth, rebuilt } = perfect();
    const report = score(truth, rebuilt);
    expectPerfect(report);
    expect(report.bookings.recall).toEqual({ hit: 3, of: 3, rate: 1 });
    expect(report.bookings.fieldAccuracy).toEqual({ hit: 21, of: 21, rate: 1 }); // 3 bookings x 7 core columns
    expect(report.payments.linkedToBooking).toEqual({ hit: 3, of: 3, rate: 1 });
    expect(report.customers.wronglyMerged).toEqual({ hit: 0, of: 2, rate: 0 });
  });

  it('every mistake up to the example limit, and no more', () => {
    const { truth, rebuilt } = perfect();
    rebuilt.bookings[0]!.starts_at = '2026-03-01T11:00:00.000Z';
    rebuilt.bookings[1]!.starts_at = '2026-03-01T11:00:00.000Z';
    expect(score(truth, rebuilt).bookings.examples.wrongFields).toHaveLength(2);
    expect(score(truth, rebuilt, { exampleLimit: 1 }).bookings.examples.wrongFields).toHaveLength(1);
  });

  it('a wrong value: one start time, in that column only', () => {
    const { truth, rebuilt } = perfect();
    rebuilt.bookings[1]!.starts_at = '2026-03-01T11:00:00.000Z';
    const report = score(truth, rebuilt);
    expect(report.bookings.fieldAccuracy).toEqual({ hit: 20, of: 21, rate: 20 / 21 });
    expect(report.bookings.columns.starts_at).toMatchObject({ hit: 2, of: 3, core: true });
    expect(report.bookings.columns.ends_at).toMatchObject({ hit: 3, of: 3 });
    expect(report.bookings.examples.wrongFields).toEqual(['BK-AAAAA2.starts_at']);
    // Found, though wrong: recall counts presence for a booking the backup never had.
    expect(report.bookings.recall.rate).toBe(1);
    expectPerfect(report, ['bookings.fieldAccuracy']);
  });

  it('instants only to the resolution the sources have: paid_at to the second, created_at to 10 minutes', () => {
    const { truth, rebuilt } = perfect();
    const shift = (v: string | null, ms: number) => new Date(Date.parse(v!) + ms).toISOString();
    // Stripe stamps whole seconds; a checkout opens minutes before the row is written.
    rebuilt.payments[0]!.paid_at = shift(truth.payments[0]!.paid_at, 999);
    rebuilt.payments[1]!.created_at = shift(truth.payments[1]!.created_at, -9 * 60_000);
    expectPerfect(score(truth, rebuilt));
    rebuilt.payments[0]!.paid_at = shift(truth.payments[0]!.paid_at, 1000);
    rebuilt.payments[1]!.created_at = shift(truth.payments[1]!.created_at, -11 * 60_000);
    const report = score(truth, rebuilt);
    expect(report.payments.columns.paid_at).toMatchObject({ hit: 2, of: 3 });
    expect(report.payments.columns.created_at).toMatchObject({ hit: 2, of: 3 });
  });

  it('a missing record: recall of bookings and payments drops by one', () => {
    const { truth, rebuilt } = perfect();
    const lost = rebuilt.bookings.pop()!;
    rebuilt.payments = rebuilt.payments.filter((p) => p.booking_id !== lost.id);
    const report = score(truth, rebuilt);
    expect(report.bookings.recall).toEqual({ hit: 2, of: 3, rate: 2 / 3 });
    expect(report.bookings.examples.missing).toEqual(['BK-BBBBB1']);
    expect(report.payments.recall).toEqual({ hit: 2, of: 3, rate: 2 / 3 });
    expect(report.payments.linkedToBooking).toEqual({ hit: 2, of: 3, rate: 2 / 3 });
    // Ben still has no booking, but his customer row is found by email: customers are untouched.
    expect(report.customers.recall.rate).toBe(1);
    expect(report.bookings.precision.rate).toBe(1);
  });

  it('an unrecoverable booking missing is not held against recall', () => {
    const { truth, rebuilt } = perfect();
    rebuilt.bookings.pop();
    const report = scoreRebuild({ truth, recoverability: recoverabilityOf(truth, ['BK-BBBBB1']), rebuilt });
    expect(report.bookings.recall).toEqual({ hit: 2, of: 2, rate: 1 });
    expect(report.bookings.toRecover).toBe(3);
  });

  it('a duplicate customer: the same person written twice, one of them an extra record', () => {
    const { truth, rebuilt } = perfect();
    const ana = rebuilt.customers[0]!;
    const twin = customer({ full_name: 'Ana  Lima', email: 'ANA@example.com', phone: null });
    rebuilt.customers.push(twin);
    const report = score(truth, rebuilt);
    expect(report.customers.duplicates).toEqual({ hit: 1, of: 3, rate: 1 / 3 });
    expect(report.customers.precision).toEqual({ hit: 2, of: 3, rate: 2 / 3 });
    expect(report.customers.examples.duplicates).toEqual([twin.id]);
    // The row her bookings point at stands for Ana, so her fields still score right; the twin is the extra one.
    expect(report.customers.fieldAccuracy.rate).toBe(1);
    expect(twin.id < ana.id).toBe(true); // so the choice is not by id order
    expectPerfect(report, ['customers.duplicates', 'customers.precision']);
  });

  it('two bookings with one reference: a duplicate booking', () => {
    const { truth, rebuilt } = perfect();
    rebuilt.bookings.push({ ...rebuilt.bookings[0]!, id: 'ffffffff-0000-4000-8000-000000000001' });
    const report = score(truth, rebuilt);
    expect(report.bookings.duplicates).toEqual({ hit: 1, of: 4, rate: 1 / 4 });
    expect(report.bookings.precision).toEqual({ hit: 3, of: 4, rate: 3 / 4 });
    expect(report.bookings.examples.duplicates).toEqual(['BK-AAAAA1']);
  });

  it('a wrongly merged person: Ben booked under Ana', () => {
    const { truth, rebuilt } = perfect();
    rebuilt.bookings[2]!.customer_id = rebuilt.customers[0]!.id;
    const report = score(truth, rebuilt);
    expect(report.customers.wronglyMerged).toEqual({ hit: 1, of: 1, rate: 1 });
    expect(report.customers.examples.wronglyMerged).toEqual([rebuilt.customers[0]!.id]);
    expect(report.bookings.columns.customer_id).toMatchObject({ hit: 2, of: 3 });
    expectPerfect(report, ['customers.wronglyMerged', 'bookings.fieldAccuracy']);
  });

  it('an unreviewed wrong write, and not a reviewed one', () => {
    const { truth, rebuilt } = perfect();
    rebuilt.payments[0]!.amount = 999;
    const auto = provenanceOfAll(rebuilt);
    const report = score(truth, rebuilt, { provenance: auto });
    // 3 payments x 12 judged columns (all but id and updated_at); one of them wrong.
    expect(report.payments.wrongAutoAccepted).toEqual({ hit: 1, of: 36, rate: 1 / 36 });
    expect(report.payments.examples.wrongAutoAccepted).toEqual(['pi_1.amount']);
    expect(report.bookings.wrongAutoAccepted.hit).toBe(0);
    expect(report.overall.wrongAutoAccepted.hit).toBe(1);
    expect(report.payments.writtenFields).toEqual({ hit: 35, of: 36, rate: 35 / 36 });
    // The per-rule breakdown puts the column and rule with the wrong value first.
    expect(report.payments.rules[0]).toEqual({
      column: 'amount',
      rule: 'test',
      written: 3,
      wrong: 1,
      autoAccepted: 3,
      autoWrong: 1,
      meanConfidence: expect.closeTo(0.95, 9),
    });
    expect(report.payments.rules.slice(1).every((r) => r.wrong === 0)).toBe(true);

    const reviewed = auto.map((p) =>
      p.table_name === 'payments' && p.column_name === 'amount' ? { ...p, approved_by: 'operator:alice' } : p,
    );
    const again = score(truth, rebuilt, { provenance: reviewed });
    expect(again.payments.wrongAutoAccepted).toEqual({ hit: 0, of: 33, rate: 0 });
    expect(again.payments.writtenFields.hit).toBe(35);
    expect(again.payments.rules[0]).toMatchObject({
      column: 'amount',
      wrong: 1,
      autoAccepted: 0,
      autoWrong: 0,
    });
  });

  it('a field written to a record that should not exist counts as wrong', () => {
    const { truth, rebuilt } = perfect();
    const ghost = customer({ full_name: 'Nobody', email: 'nobody@example.com', phone: null });
    rebuilt.customers.push(ghost);
    const report = score(truth, rebuilt, { provenance: provenanceOf('customers', ghost) });
    expect(report.customers.wrongAutoAccepted).toEqual({ hit: 6, of: 6, rate: 1 });
    expect(report.customers.precision).toEqual({ hit: 2, of: 3, rate: 2 / 3 });
    expect(report.customers.examples.spurious).toEqual([ghost.id]);
  });

  it('a payment linked to the wrong booking', () => {
    const { truth, rebuilt } = perfect();
    rebuilt.payments[0]!.booking_id = rebuilt.bookings[1]!.id;
    const report = score(truth, rebuilt);
    // Matched by its Stripe ids all the same.
    expect(report.payments.recall.rate).toBe(1);
    expect(report.payments.linkedToBooking).toEqual({ hit: 2, of: 3, rate: 2 / 3 });
    expect(report.payments.examples.wrongBookingLink).toEqual(['pi_1']);
    expect(report.payments.columns.booking_id).toMatchObject({ hit: 2, of: 3 });
  });

  it('a cash payment is matched by booking reference, amount and paid_at', () => {
    const truth = smallTruth();
    for (const p of truth.payments) {
      p.stripe_payment_intent_id = null;
      p.stripe_charge_id = null;
      p.method = 'cash';
    }
    const { rebuilt } = rebuildOf(truth);
    const report = score(truth, rebuilt);
    expect(report.payments.precision).toEqual({ hit: 3, of: 3, rate: 1 });
    // Cash leaves no Stripe trace: nothing to recall.
    expect(report.payments.recall).toEqual({ hit: 0, of: 0, rate: null });
    rebuilt.payments[0]!.amount += 1;
    expect(score(truth, rebuilt).payments.precision).toEqual({ hit: 2, of: 3, rate: 2 / 3 });
  });
});

describe('scoreRebuild against the backup and the restored database', () => {
  it('does not count what the backup already held unchanged, and wants changes recovered', () => {
    const truth = smallTruth();
    const { rebuilt } = rebuildOf(truth);
    const backup: TargetSnapshot = structuredClone(truth);
    backup.bookings[0]!.status = 'pending'; // changed since the backup
    const recoverability = recoverabilityOf(truth).map((r) => ({
      ...r,
      inBackup: true,
      changedSinceBackup: r.reference === 'BK-AAAAA1',
    }));
    const good = scoreRebuild({ truth, recoverability, backup, rebuilt });
    expect(good.bookings.toRecover).toBe(1);
    expect(good.bookings.recall).toEqual({ hit: 1, of: 1, rate: 1 });
    expect(good.customers.toRecover).toBe(0);

    rebuilt.bookings[0]!.status = 'pending'; // the rebuild left the stale value
    const stale = scoreRebuild({ truth, recoverability, backup, rebuilt });
    expect(stale.bookings.recall).toEqual({ hit: 0, of: 1, rate: 0 });
    expect(stale.bookings.fieldAccuracy).toEqual({ hit: 6, of: 7, rate: 6 / 7 });
  });

  it("leaves the business's own rows out of precision and duplicates", () => {
    const truth = smallTruth();
    const { rebuilt } = rebuildOf(truth);
    // Ana signed up again on the restored database before the rebuild; salvage linked to her, wrote no new row.
    const restored: TargetSnapshot = { ...structuredClone(truth), customers: [rebuilt.customers[0]!] };
    restored.bookings = [];
    restored.payments = [];
    const report = scoreRebuild({ truth, recoverability: recoverabilityOf(truth), restored, rebuilt });
    expect(report.customers.claimed).toBe(1);
    expect(report.customers.precision).toEqual({ hit: 1, of: 1, rate: 1 });
    // Salvage adds Ana once more: a duplicate it created.
    rebuilt.customers.push({ ...rebuilt.customers[0]!, id: 'ffffffff-0000-4000-8000-000000000002' });
    const dup = scoreRebuild({ truth, recoverability: recoverabilityOf(truth), restored, rebuilt });
    expect(dup.customers.duplicates).toEqual({ hit: 1, of: 2, rate: 1 / 2 });
  });
});

describe('scoreRebuild review share', () => {
  it('counts written rows by approver, or the plan dispositions when a plan is given', () => {
    const { truth, rebuilt } = perfect();
    const provenance = [
      ...provenanceOf('customers', rebuilt.customers[0]!),
      ...provenanceOf('customers', rebuilt.customers[1]!, { approved_by: 'customer:BK-BBBBB1' }),
      ...provenanceOf('bookings', rebuilt.bookings[0]!, { approved_by: 'operator:alice' }),
      ...provenanceOf('bookings', rebuilt.bookings[1]!),
    ];
    const report = score(truth, rebuilt, { provenance });
    expect(report.customers.reviewShare).toEqual({
      source: 'provenance',
      items: 2,
      review: 0,
      askCustomer: 1,
      share: 0.5,
    });
    expect(report.bookings.reviewShare).toMatchObject({ items: 2, review: 1, share: 0.5 });
    expect(report.overall.reviewShare).toMatchObject({ items: 4, review: 1, askCustomer: 1, share: 0.5 });

    const item = (table: 'bookings' | 'payments', disposition: 'auto' | 'review' | 'ask_customer') =>
      ({ table, disposition }) as never;
    const plan = {
      items: [
        item('bookings', 'auto'),
        item('bookings', 'auto'),
        item('bookings', 'review'),
        item('payments', 'auto'),
      ],
    } as never;
    const fromPlan = score(truth, rebuilt, { provenance, plan });
    expect(fromPlan.bookings.reviewShare).toEqual({
      source: 'plan',
      items: 3,
      review: 1,
      askCustomer: 0,
      share: 1 / 3,
    });
    expect(fromPlan.overall.reviewShare.share).toBe(1 / 4);
  });
});
