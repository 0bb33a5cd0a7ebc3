import { PGlite } from '@electric-sql/pglite';
import { applyPlan, checkStatement, guardDatabase, revertBatch, toUuidArrayParam } from '@salvage/apply';
import { createReferenceSchema, PGliteDialect, readTargetIdentity } from '@salvage/store';
import { createTestDatabase } from '@salvage/test-support';
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  bookingRow,
  customerRow,
  insertItem,
  makePlan,
  readCounts,
  readRow,
  seedTarget,
  updateItem,
} from './plan-builder.ts';

interface Sent {
  sql: string;
  params: unknown[];
}

/** A target whose every statement is recorded on the wire: pg Client.query, or PGlite query/exec. */
async function openRecorded(engine: 'postgres' | 'pglite') {
  const sent: Sent[] = [];
  let recording = false;
  const record = (sql: unknown, params: unknown) => {
    const text = typeof sql === 'string' ? sql : (sql as { text: string }).text;
    if (recording) sent.push({ sql: text, params: (params as unknown[]) ?? [] });
  };
  if (engine === 'postgres') {
    const t = await createTestDatabase('salvage_apply_wire');
    const pool = new pg.Pool({ connectionString: t.url, max: 3 });
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...a: unknown[]) => unknown;
      (client as unknown as { query: unknown }).query = (...a: unknown[]) => {
        record(a[0], a[1]);
        return query(...a);
      };
    });
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      sent,
      start: () => {
        recording = true;
      },
      close: async () => {
        await db.destroy();
        await t.drop();
      },
    };
  }
  const lite = await PGlite.create();
  for (const method of ['query', 'exec'] as const) {
    const original = lite[method].bind(lite) as (...a: unknown[]) => unknown;
    (lite as unknown as Record<string, unknown>)[method] = (...a: unknown[]) => {
      record(a[0], method === 'query' ? a[1] : []);
      return original(...a);
    };
  }
  const db = new Kysely<any>({ dialect: new PGliteDialect(lite) });
  return {
    db,
    sent,
    start: () => {
      recording = true;
    },
    close: () => db.destroy(),
  };
}

describe.each(['postgres', 'pglite'] as const)('every statement sent to a %s target', (engine) => {
  it('over a full apply and revert: no TRUNCATE, DROP, ALTER; DELETE only of rows the batch inserted', async () => {
    const t = await openRecorded(engine);
    try {
      await createReferenceSchema(t.db);
      await seedTarget(t.db, 3);
      const identity = await readTargetIdentity(t.db);
      const c = customerRow(500);
      const insC = insertItem('customers', c);
      const insB = insertItem('bookings', bookingRow(500, c.id), { dependsOn: [insC.id] });
      const upd = updateItem('customers', await readRow(t.db, 'customers', customerRow(2).id), {
        phone: '+15550100',
      });
      const plan = makePlan(identity, [insC, insB, upd]);
      const before = await readCounts(t.db);
      t.start();
      const applied = await applyPlan({
        db: t.db,
        plan,
        approvedBy: 'operator:t',
        confirmTarget: identity.databaseName,
        dryRun: false,
      });
      if (applied.kind !== 'applied') throw new Error(JSON.stringify(applied));
      const reverted = await revertBatch({
        db: t.db,
        batchId: applied.batchId,
        dryRun: false,
        confirmTarget: identity.databaseName,
      });
      expect(reverted.kind).toBe('reverted');
      // Something the guard refuses is never sent.
      const guarded = guardDatabase(t.db);
      await expect(
        guarded.executeQuery(CompiledQuery.raw('delete from "public"."customers"')),
      ).rejects.toMatchObject({
        code: 'statement_refused',
      });
      await expect(
        guarded.executeQuery(CompiledQuery.raw('truncate "public"."bookings"')),
      ).rejects.toMatchObject({
        code: 'statement_refused',
      });
      await guarded.destroy();
      const sentNow = [...t.sent];
      expect(sentNow.length).toBeGreaterThan(20);
      for (const s of sentNow) {
        expect(checkStatement(s.sql), s.sql).toMatchObject({ ok: true });
        expect(s.sql).not.toMatch(/\b(truncate|drop|alter)\b/i);
      }
      const deletes = sentNow.filter((s) => /^\s*delete\b/i.test(s.sql));
      expect(deletes.map((s) => s.sql.match(/^delete from ("[^"]+"\."[^"]+")/)?.[1])).toEqual([
        '"public"."bookings"',
        '"public"."customers"',
      ]);
      for (const s of deletes) {
        expect(s.sql).toContain(`"undo_chunks" where "batch_id" = $2`);
        expect(s.params[1]).toBe(applied.batchId);
      }
      // The id lists (uuid[], sent in binary) name exactly the rows inserted.
      expect(deletes[0]!.params[0]).toEqual(toUuidArrayParam([insB.key.id]));
      expect(deletes[1]!.params[0]).toEqual(toUuidArrayParam([c.id]));
      expect(sentNow.some((s) => /truncate "public"/i.test(s.sql))).toBe(false);
      const after = await readCounts(t.db);
      expect({ ...after, batches: 0 }).toEqual({ ...before, batches: 0 });
    } finally {
      await t.close();
    }
  });
});
