import { applyPlan, resolveTargetMapping, revertBatch, why } from '@salvage/apply';
import { hashRow, type TargetMappingConfig } from '@salvage/core';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { bookingRow, customerRow, insertItem, makePlan, openTestTarget, updateItem } from './plan-builder.ts';

/** A platform whose schema differs: customers are app.clients(client_id, name), bookings app.reservations. */
const CONFIG: TargetMappingConfig = {
  schema: 'app',
  tables: {
    customers: { name: 'clients', columns: { id: 'client_id', full_name: 'name' }, idGeneration: 'random' },
    bookings: {
      name: 'reservations',
      columns: { customer_id: 'client', status: 'state' },
      enums: {
        status: {
          pending: 'PENDING',
          confirmed: 'CONFIRMED',
          cancelled: 'CANCELLED',
          completed: 'COMPLETED',
        },
      },
    },
  },
};

const DDL = [
  'create schema app',
  `create table app.clients (client_id uuid primary key, business_id uuid not null, name text not null, email text,
     phone text, stripe_customer_id text, created_at timestamptz not null, updated_at timestamptz not null)`,
  `create type app.reservation_state as enum ('PENDING', 'CONFIRMED', 'CANCELLED', 'COMPLETED')`,
  `create table app.reservations (id uuid primary key, business_id uuid not null, reference text not null unique,
     client uuid not null references app.clients (client_id), resource_id uuid not null, starts_at timestamptz not null,
     ends_at timestamptz not null, state app.reservation_state not null, total_amount bigint not null,
     currency char(3) not null, notes text, created_at timestamptz not null, updated_at timestamptz not null)`,
];

describe.each(['postgres', 'pglite'] as const)('a renamed schema on %s', (engine) => {
  it('applies through targetMapping (tables, columns, enum values, random ids) and reverts', async () => {
    const t = await openTestTarget(engine, { customers: 0 });
    try {
      for (const statement of DDL) await sql.raw(statement).execute(t.db);
      const mapping = resolveTargetMapping(CONFIG);
      const c = customerRow(700, { full_name: 'Mapped Person' });
      const insC = insertItem('customers', c);
      const insB = insertItem('bookings', bookingRow(700, c.id), { dependsOn: [insC.id] });
      const plan = makePlan(t.identity, [insC, insB]);
      const applied = await applyPlan({
        db: t.db,
        plan,
        mapping,
        approvedBy: 'operator:t',
        confirmTarget: t.name,
        dryRun: false,
      });
      if (applied.kind !== 'applied') throw new Error(JSON.stringify(applied));
      const clients = await sql<{
        client_id: string;
        name: string;
      }>`select client_id, name from app.clients`.execute(t.db);
      expect(clients.rows).toHaveLength(1);
      const newId = clients.rows[0]!.client_id;
      expect(newId).not.toBe(c.id);
      expect(clients.rows[0]!.name).toBe('Mapped Person');
      const res = await sql<{
        client: string;
        state: string;
      }>`select client, state::text as state from app.reservations`.execute(t.db);
      expect(res.rows).toEqual([{ client: newId, state: 'CONFIRMED' }]);
      expect((await why(t.db, 'customers', newId, 'full_name'))[0]).toMatchObject({ value: 'Mapped Person' });

      // An update planned in reference terms: the base row hash is over reference names and values.
      const base = { ...bookingRow(700, newId) } as Record<string, unknown>;
      const upd = updateItem('bookings', base, { status: 'cancelled' });
      expect(upd.baseRowHash).toBe(hashRow('bookings', base));
      const second = await applyPlan({
        db: t.db,
        plan: makePlan(t.identity, [upd], '2026-08-03T00:00:00.000Z'),
        mapping,
        approvedBy: 'operator:t',
        confirmTarget: t.name,
        dryRun: false,
      });
      if (second.kind !== 'applied') throw new Error(JSON.stringify(second));
      const state = await sql<{ state: string }>`select state::text as state from app.reservations`.execute(
        t.db,
      );
      expect(state.rows[0]!.state).toBe('CANCELLED');

      for (const batchId of [second.batchId, applied.batchId]) {
        const r = await revertBatch({ db: t.db, batchId, mapping, dryRun: false, confirmTarget: t.name });
        expect(r.kind === 'reverted' && r.changedSince).toEqual([]);
      }
      const left = await sql<{
        n: string;
      }>`select (select count(*) from app.clients) + (select count(*) from app.reservations) as n`.execute(
        t.db,
      );
      expect(Number(left.rows[0]!.n)).toBe(0);
    } finally {
      await t.close();
    }
  });
});
