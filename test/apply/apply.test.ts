import { applyPlan, type ChunkMeta, revertBatch, unpackEntry, why } from '@salvage/apply';
import { hashRow, type TableName } from '@salvage/core';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BUSINESS_ID,
  bookingRow,
  customerRow,
  decision,
  insertItem,
  makePlan,
  openTestTarget,
  readCounts,
  readRow,
  type TestTarget,
  updateItem,
} from './plan-builder.ts';

const OPERATOR = 'operator:test';

describe.each(['postgres', 'pglite'] as const)('apply on %s', (engine) => {
  let t: TestTarget;
  beforeEach(async () => {
    t = await openTestTarget(engine);
  });
  afterEach(async () => {
    await t.close();
  });

  /** Two inserts (a customer and their booking) and one update of an existing customer. */
  async function basicPlan() {
    const c = customerRow(100, { full_name: 'New Person' });
    const insC = insertItem('customers', c);
    const insB = insertItem('bookings', bookingRow(100, c.id), { dependsOn: [insC.id] });
    const base = await readRow(t.db, 'customers', customerRow(1).id);
    const upd = updateItem('customers', base, {
      phone: '+351912345678',
      updated_at: '2026-07-01T00:00:00.000Z',
    });
    return { plan: makePlan(t.identity, [insC, insB, upd]), c, insC, insB, upd };
  }

  it('dry-runs by default: per-table counts and samples, nothing written', async () => {
    const { plan } = await basicPlan();
    const before = await readCounts(t.db);
    const result = await applyPlan({ db: t.db, plan, approvedBy: OPERATOR });
    expect(result.kind).toBe('dry_run');
    expect(result.preview.tables.map((x) => [x.table, x.inserts, x.updates])).toEqual([
      ['customers', 1, 1],
      ['bookings', 1, 0],
    ]);
    expect(result.preview.tables[0]!.samples[0]).toMatch(/^insert customers /);
    expect(result.kind === 'dry_run' && result.refusals).toEqual([]);
    expect(await readCounts(t.db)).toEqual(before);
  });

  it('writes with the confirmed target name, records batch, ledger, provenance and journal', async () => {
    const { plan, c, upd } = await basicPlan();
    const result = await applyPlan({
      db: t.db,
      plan,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    expect(result.kind).toBe('applied');
    if (result.kind !== 'applied') return;
    expect((await readRow(t.db, 'customers', c.id)).full_name).toBe('New Person');
    expect((await readRow(t.db, 'customers', upd.key.id)).phone).toBe('+351912345678');
    const batch = await sql<{ plan_id: string; status: string; applied_by: string }>`
      select plan_id, status, applied_by from salvage.batches where id = ${result.batchId}`.execute(t.db);
    expect(batch.rows).toEqual([{ plan_id: plan.id, status: 'applied', applied_by: OPERATOR }]);
    const ledger = await sql<{
      batch_id: string;
    }>`select batch_id from salvage.plan_ledger where plan_id = ${plan.id}`.execute(t.db);
    expect(ledger.rows).toEqual([{ batch_id: result.batchId }]);
    const journal = await sql<{ table_name: string; op: string; row_ids: string[]; rows: unknown[][] }>`
      select table_name, op, row_ids::text[] as row_ids, rows from salvage.undo_chunks
      where batch_id = ${result.batchId} order by seq`.execute(t.db);
    expect(journal.rows.map((r) => [r.table_name, r.op, r.row_ids])).toEqual([
      ['customers', 'insert', [c.id]],
      ['customers', 'update', [upd.key.id]],
      ['bookings', 'insert', [plan.items[1]!.key.id]],
    ]);
    // An update's entry ends with its prior values (one per changed column, sorted) and the hash of the row written.
    expect(journal.rows[1]!.rows[0]!.slice(4, 5)).toEqual([[null, '2026-05-01T10:00:00.000Z']]);
    const prov = await why(t.db, 'customers', c.id, 'full_name');
    expect(prov).toHaveLength(1);
    expect(prov[0]).toMatchObject({
      value: 'New Person',
      rule: 'test.full_name',
      approvedBy: 'policy:auto-accept',
      evidenceIds: [`ev:customers:${c.id}`],
      batchStatus: 'applied',
    });
    expect(prov[0]!.confidence).toBeCloseTo(0.97);
    const fp = await sql<{ n: string }>`
      select count(*)::text as n from salvage.field_provenance where batch_id = ${result.batchId}`.execute(
      t.db,
    );
    expect(Number(fp.rows[0]!.n)).toBe(8 + 13 + 2);
  });

  it('refuses a plan made for another target', async () => {
    const { plan } = await basicPlan();
    const other = { ...plan, target: { ...plan.target, systemIdentifier: '1', databaseName: 'elsewhere' } };
    const before = await readCounts(t.db);
    const result = await applyPlan({
      db: t.db,
      plan: other,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    expect(result.kind).toBe('refused');
    expect(result.kind !== 'applied' && result.refusals.map((r) => r.code)).toContain('wrong_target');
    expect(result.kind !== 'applied' && result.refusals[0]!.message).toMatch(/elsewhere.*salvage plan/);
    const fingerprint = { ...plan, target: { ...plan.target, schemaFingerprint: 'x' } };
    const r2 = await applyPlan({
      db: t.db,
      plan: fingerprint,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    expect(r2.kind !== 'applied' && r2.refusals.map((r) => r.code)).toContain('wrong_target');
    expect(await readCounts(t.db)).toEqual(before);
  });

  it('refuses to write without the right confirmed name', async () => {
    const { plan } = await basicPlan();
    const missing = await applyPlan({ db: t.db, plan, approvedBy: OPERATOR, dryRun: false });
    expect(missing.kind !== 'applied' && missing.refusals.map((r) => r.code)).toEqual([
      'confirm_target_missing',
    ]);
    const wrong = await applyPlan({
      db: t.db,
      plan,
      approvedBy: OPERATOR,
      dryRun: false,
      confirmTarget: 'prod',
    });
    expect(wrong.kind !== 'applied' && wrong.refusals.map((r) => r.code)).toEqual([
      'confirm_target_mismatch',
    ]);
    expect((await readCounts(t.db)).batches).toBe(0);
  });

  it('refuses a stale plan: a base row changed since planning, or an inserted id exists now', async () => {
    const { plan, upd } = await basicPlan();
    // The live application edits the customer after the plan was made.
    await t.db
      .updateTable('customers')
      .set({ email: 'changed@example.test' })
      .where('id', '=', upd.key.id)
      .execute();
    const before = await readCounts(t.db);
    const result = await applyPlan({
      db: t.db,
      plan,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    expect(result.kind).toBe('refused');
    const stale =
      result.kind !== 'applied' ? result.refusals.find((r) => r.code === 'stale_plan') : undefined;
    expect(stale?.items).toEqual([
      expect.objectContaining({ key: upd.key.id, reason: 'the row changed since planning' }),
    ]);
    expect(stale?.message).toMatch(/salvage plan/);
    expect((await readRow(t.db, 'customers', upd.key.id)).email).toBe('changed@example.test');
    expect(await readCounts(t.db)).toEqual(before);

    const existing = customerRow(2);
    const plan2 = makePlan(t.identity, [insertItem('customers', { ...existing, full_name: 'Duplicate' })]);
    const r2 = await applyPlan({
      db: t.db,
      plan: plan2,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    expect(
      r2.kind !== 'applied' && r2.refusals.find((r) => r.code === 'stale_plan')?.items?.[0]?.reason,
    ).toBe('a row with this id exists now');
    expect((await readRow(t.db, 'customers', existing.id)).full_name).toBe('Customer 2');
  });

  it('refuses undecided items; with onlyDecided writes auto and approved/edited ones, never rejected', async () => {
    const auto = insertItem('customers', customerRow(201));
    const review = insertItem('customers', customerRow(202), { disposition: 'review' });
    const ask = insertItem('customers', customerRow(203), { disposition: 'ask_customer' });
    const edited = insertItem('customers', customerRow(204), { disposition: 'review' });
    const rejected = insertItem('customers', customerRow(205), { disposition: 'ask_customer' });
    const autoRejected = insertItem('customers', customerRow(206));
    const plan = makePlan(t.identity, [auto, review, ask, edited, rejected, autoRejected]);
    const decisions = [
      decision(ask.id, 'approve', 'customer:BK-000203'),
      decision(edited.id, 'edit', 'operator:alice', { full_name: 'Edited Name' }),
      decision(rejected.id, 'reject', 'customer:BK-000205'),
      decision(autoRejected.id, 'reject', 'operator:alice'),
    ];
    const refused = await applyPlan({
      db: t.db,
      plan,
      decisions,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    expect(refused.kind).toBe('refused');
    const undecided =
      refused.kind !== 'applied' ? refused.refusals.find((r) => r.code === 'undecided_items') : undefined;
    expect(undecided?.items?.map((i) => i.itemId)).toEqual([review.id]);
    expect(undecided?.message).toMatch(/--only-decided/);
    expect((await readCounts(t.db)).customers).toBe(3);

    const result = await applyPlan({
      db: t.db,
      plan,
      decisions,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
      onlyDecided: true,
    });
    expect(result.kind).toBe('applied');
    expect(result.preview.excluded).toEqual({ rejected: 2, undecided: 1, dependencyNotWritten: 0 });
    const names = await t.db
      .selectFrom('customers')
      .select(['id', 'full_name'])
      .where('id', 'in', [
        auto.key.id,
        review.key.id,
        ask.key.id,
        edited.key.id,
        rejected.key.id,
        autoRejected.key.id,
      ])
      .orderBy('full_name')
      .execute();
    expect(names.map((r) => r.full_name)).toEqual(['Customer 201', 'Customer 203', 'Edited Name']);
    expect((await why(t.db, 'customers', ask.key.id, 'email'))[0]?.approvedBy).toBe('customer:BK-000203');
    const edit = await why(t.db, 'customers', edited.key.id, 'full_name');
    expect(edit[0]).toMatchObject({
      approvedBy: 'operator:alice',
      rule: 'operator_edit',
      value: 'Edited Name',
    });
  });

  it('applies a plan once: a second apply is refused', async () => {
    const { plan } = await basicPlan();
    const first = await applyPlan({
      db: t.db,
      plan,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    expect(first.kind).toBe('applied');
    const again = await applyPlan({
      db: t.db,
      plan,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    expect(again.kind).toBe('refused');
    const consumed =
      again.kind !== 'applied' ? again.refusals.find((r) => r.code === 'plan_consumed') : undefined;
    expect(consumed?.message).toContain(first.kind === 'applied' ? first.batchId : 'x');
    expect((await readCounts(t.db)).batches).toBe(1);
  });

  it('rolls everything back on a constraint violation', async () => {
    const c = customerRow(300);
    const insC = insertItem('customers', c);
    // Same (business_id, reference) as the seeded booking 1: violates a unique constraint, after the customer insert.
    const insB = insertItem('bookings', bookingRow(300, c.id, { reference: 'BK-000001' }), {
      dependsOn: [insC.id],
    });
    const plan = makePlan(t.identity, [insC, insB]);
    const before = await readCounts(t.db);
    await expect(
      applyPlan({ db: t.db, plan, approvedBy: OPERATOR, confirmTarget: t.name, dryRun: false }),
    ).rejects.toMatchObject({
      code: 'apply_failed',
      message: expect.stringMatching(/rolled back.*bookings_business_id_reference_key/),
    });
    expect(await readCounts(t.db)).toEqual(before);
    const fixed = makePlan(t.identity, [insC]);
    expect(
      (await applyPlan({ db: t.db, plan: fixed, approvedBy: OPERATOR, confirmTarget: t.name, dryRun: false }))
        .kind,
    ).toBe('applied');
  });

  it('reverts a batch: prior values restored, inserted rows removed, batch marked', async () => {
    const snapshot = async () => {
      const rows: Record<string, unknown[]> = {};
      for (const table of ['customers', 'bookings'] as const)
        rows[table] = (await t.db.selectFrom(table).selectAll().orderBy('id').execute()).map((r) =>
          hashRow(table, r),
        );
      return rows;
    };
    const before = await snapshot();
    const { plan } = await basicPlan();
    const applied = await applyPlan({
      db: t.db,
      plan,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    if (applied.kind !== 'applied') throw new Error(applied.kind);
    expect(await snapshot()).not.toEqual(before);
    const dry = await revertBatch({ db: t.db, batchId: applied.batchId });
    expect(dry.kind).toBe('dry_run');
    expect(await snapshot()).not.toEqual(before);
    const noName = await revertBatch({ db: t.db, batchId: applied.batchId, dryRun: false });
    expect(noName.kind === 'refused' && noName.refusals[0]!.code).toBe('confirm_target_missing');
    const reverted = await revertBatch({
      db: t.db,
      batchId: applied.batchId,
      dryRun: false,
      confirmTarget: t.name,
    });
    expect(reverted.kind).toBe('reverted');
    if (reverted.kind !== 'reverted') return;
    expect(reverted.changedSince).toEqual([]);
    expect(reverted.counts).toEqual([
      { table: 'customers', restored: 1, removed: 1 },
      { table: 'bookings', restored: 0, removed: 1 },
    ]);
    expect(await snapshot()).toEqual(before);
    const status = await sql<{
      status: string;
    }>`select status from salvage.batches where id = ${applied.batchId}`.execute(t.db);
    expect(status.rows[0]!.status).toBe('reverted');
    const twice = await revertBatch({
      db: t.db,
      batchId: applied.batchId,
      dryRun: false,
      confirmTarget: t.name,
    });
    expect(twice.kind === 'refused' && twice.refusals[0]!.code).toBe('batch_reverted');
  });

  it('revert leaves rows changed since apply and reports them', async () => {
    const { plan, c, upd, insB } = await basicPlan();
    const applied = await applyPlan({
      db: t.db,
      plan,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    if (applied.kind !== 'applied') throw new Error(applied.kind);
    // Staff edit the inserted booking and the updated customer on the live target after the apply.
    await t.db
      .updateTable('bookings')
      .set({ notes: 'late check-in' })
      .where('id', '=', insB.key.id)
      .execute();
    await t.db
      .updateTable('customers')
      .set({ email: 'new@example.test' })
      .where('id', '=', upd.key.id)
      .execute();
    const reverted = await revertBatch({
      db: t.db,
      batchId: applied.batchId,
      dryRun: false,
      confirmTarget: t.name,
    });
    if (reverted.kind !== 'reverted') throw new Error(JSON.stringify(reverted));
    expect(reverted.changedSince).toEqual(
      expect.arrayContaining([
        { table: 'bookings', rowId: insB.key.id, op: 'insert', reason: 'changed' },
        { table: 'customers', rowId: upd.key.id, op: 'update', reason: 'changed' },
        { table: 'customers', rowId: c.id, op: 'insert', reason: 'referenced' },
      ]),
    );
    expect(reverted.changedSince).toHaveLength(3);
    expect((await readRow(t.db, 'bookings', insB.key.id)).notes).toBe('late check-in');
    expect((await readRow(t.db, 'customers', upd.key.id)).phone).toBe('+351912345678');
    // The inserted customer is still referenced by the kept booking: removing it would break that row, so it stays.
    expect(reverted.counts.find((x) => x.table === 'customers')).toEqual({
      table: 'customers',
      restored: 0,
      removed: 0,
    });
    expect(await t.db.selectFrom('customers').select('id').where('id', '=', c.id).execute()).toHaveLength(1);
  });

  it('why and salvage.field_provenance agree field by field, a field with part of the evidence included', async () => {
    const { plan, c, upd } = await basicPlan();
    const insC = plan.items[0]!;
    const email = insC.fields.find((f) => f.column === 'email')!;
    email.evidenceIds = [...email.evidenceIds, 'ev:mail:1'];
    email.rule = 'test.email_from_mail';
    const applied = await applyPlan({
      db: t.db,
      plan,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    if (applied.kind !== 'applied') throw new Error(applied.kind);
    for (const [table, id] of [
      ['customers', c.id],
      ['customers', upd.key.id],
    ] as const) {
      const fromWhy = (await why(t.db, table, id)).map((p) => [
        p.column,
        p.value,
        p.confidence,
        p.rule,
        p.evidenceIds,
        p.approvedBy,
      ]);
      const { rows } = await sql<Record<string, unknown>>`
        select column_name, value, confidence, rule, evidence_ids, approved_by from salvage.field_provenance
        where table_name = ${table} and row_id = ${id} order by column_name`.execute(t.db);
      expect(fromWhy).toEqual(
        rows.map((r) => [r.column_name, r.value, r.confidence, r.rule, r.evidence_ids, r.approved_by]),
      );
      expect(fromWhy.length).toBeGreaterThan(1);
    }
    const mail = await why(t.db, 'customers', c.id, 'email');
    expect(mail[0]).toMatchObject({
      rule: 'test.email_from_mail',
      evidenceIds: [`ev:customers:${c.id}`, 'ev:mail:1'],
    });
    expect((await why(t.db, 'customers', c.id, 'full_name'))[0]!.evidenceIds).toEqual([
      `ev:customers:${c.id}`,
    ]);
  });

  it('a batch journaled one row per written row (before undo_chunks) still explains and reverts', async () => {
    const snapshot = async () =>
      Promise.all(
        (['customers', 'bookings'] as const).map(async (table) =>
          (await t.db.selectFrom(table).selectAll().orderBy('id').execute()).map((r) => hashRow(table, r)),
        ),
      );
    const before = await snapshot();
    const { plan, c } = await basicPlan();
    const applied = await applyPlan({
      db: t.db,
      plan,
      approvedBy: OPERATOR,
      confirmTarget: t.name,
      dryRun: false,
    });
    if (applied.kind !== 'applied') throw new Error(applied.kind);
    // Rewrite the batch's journal as the per-row undo_journal of earlier versions wrote it.
    const { rows: chunks } = await sql<{
      seq: number;
      table_name: TableName;
      op: 'insert' | 'update';
      row_ids: string[];
      columns: string[];
      meta: ChunkMeta;
      rows: unknown[];
    }>`select seq, table_name, op, row_ids::text[] as row_ids, columns, meta, rows from salvage.undo_chunks
       where batch_id = ${applied.batchId} order by seq`.execute(t.db);
    let seq = 0;
    for (const chunk of chunks) {
      for (let r = 0; r < chunk.row_ids.length; r++) {
        const e = unpackEntry(chunk.op, chunk.columns, chunk.meta, chunk.row_ids[r]!, chunk.rows[r]);
        const evidence = [...new Set(e.fields.flatMap((f) => f[4]))];
        const written =
          chunk.op === 'insert'
            ? hashRow(chunk.table_name, Object.fromEntries(chunk.columns.map((col, i) => [col, e.values[i]])))
            : hashRow(chunk.table_name, await readRow(t.db, chunk.table_name, e.rowId));
        await sql`insert into salvage.undo_journal values (${applied.batchId}, ${++seq}, ${chunk.table_name},
          ${e.rowId}::uuid, ${chunk.op}, ${e.prior === null ? null : JSON.stringify(e.prior)}::jsonb, ${written},
          ${e.approvedBy}, ${JSON.stringify({ e: evidence, f: e.fields.map((f) => f.slice(0, 4)) })}::json)`.execute(
          t.db,
        );
      }
    }
    await sql`delete from salvage.undo_chunks where batch_id = ${applied.batchId}`.execute(t.db);
    expect((await why(t.db, 'customers', c.id, 'full_name'))[0]).toMatchObject({
      value: 'New Person',
      rule: 'test.full_name',
      evidenceIds: [`ev:customers:${c.id}`],
    });
    const reverted = await revertBatch({
      db: t.db,
      batchId: applied.batchId,
      dryRun: false,
      confirmTarget: t.name,
    });
    if (reverted.kind !== 'reverted') throw new Error(JSON.stringify(reverted));
    expect(reverted.changedSince).toEqual([]);
    expect(reverted.counts).toEqual([
      { table: 'customers', restored: 1, removed: 1 },
      { table: 'bookings', restored: 0, removed: 1 },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('one apply at a time: a second one refuses, or waits with wait', async () => {
    const { plan } = await basicPlan();
    const plan2 = makePlan(t.identity, [insertItem('customers', customerRow(400))]);
    if (engine === 'pglite') {
      // One PGlite backend: two applies on it run one after the other, never interleaved.
      const [a, b] = await Promise.all([
        applyPlan({ db: t.db, plan, approvedBy: OPERATOR, confirmTarget: t.name, dryRun: false }),
        applyPlan({ db: t.db, plan: plan2, approvedBy: OPERATOR, confirmTarget: t.name, dryRun: false }),
      ]);
      expect([a.kind, b.kind]).toEqual(['applied', 'applied']);
      return;
    }
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select pg_advisory_xact_lock(7351060951)');
      const refused = await applyPlan({
        db: t.db,
        plan,
        approvedBy: OPERATOR,
        confirmTarget: t.name,
        dryRun: false,
      });
      expect(refused.kind !== 'applied' && refused.refusals.map((r) => r.code)).toEqual(['locked']);
      expect(refused.kind !== 'applied' && refused.refusals[0]!.message).toMatch(/--wait/);
      let settled = false;
      const waiting = applyPlan({
        db: t.db,
        plan,
        approvedBy: OPERATOR,
        confirmTarget: t.name,
        dryRun: false,
        wait: true,
      }).finally(() => {
        settled = true;
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(settled).toBe(false);
      await holder.query('commit');
      expect((await waiting).kind).toBe('applied');
    } finally {
      await holder.end();
    }
  });
});

describe('apply on postgres, failures mid-write', () => {
  it('a connection dropped mid-apply leaves the target as it was', async () => {
    const t = await openTestTarget('postgres');
    try {
      const { bulkCustomerItems } = await import('./plan-builder.ts');
      const plan = makePlan(t.identity, bulkCustomerItems(30_000));
      const before = await readCounts(t.db);
      const admin = new pg.Client({ connectionString: t.url });
      await admin.connect();
      let killed = false;
      let terminating: Promise<unknown> = Promise.resolve();
      const run = applyPlan({
        db: t.db,
        plan,
        approvedBy: OPERATOR,
        confirmTarget: t.name,
        dryRun: false,
        chunkSize: 1000,
        onProgress: (p) => {
          if (p.phase === 'insert' && p.done >= 5000 && !killed) {
            killed = true;
            terminating = admin.query(
              `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
            );
          }
        },
      });
      await expect(run).rejects.toMatchObject({ code: 'apply_failed' });
      expect(killed).toBe(true);
      // The apply can fail before the terminating query returns; ending the client under it rejected that query
      // with nobody listening (an unhandled rejection that failed the run now and then).
      await terminating;
      await admin.end();
      // A fresh connection sees the target exactly as before: no customers, no batch, the plan not consumed.
      const { openDatabase } = await import('@salvage/store');
      const again = await openDatabase({ url: t.url! });
      try {
        expect(await readCounts(again.db)).toEqual(before);
        const applied = await applyPlan({
          db: again.db,
          plan,
          approvedBy: OPERATOR,
          confirmTarget: t.name,
          dryRun: false,
        });
        expect(applied.kind).toBe('applied');
        expect((await readCounts(again.db)).customers).toBe(before.customers! + 30_000);
      } finally {
        await again.close();
      }
    } finally {
      await t.close().catch(() => {});
    }
  });
});

export { BUSINESS_ID };
