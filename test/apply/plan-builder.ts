import { PGlite } from '@electric-sql/pglite';
import {
  type BookingRow,
  type CustomerRow,
  type Decision,
  type Disposition,
  deterministicUuid,
  hashRow,
  hashValue,
  type InsertItem,
  type Plan,
  type PlanItem,
  type TableName,
  type TargetIdentity,
  type UpdateItem,
  type Value,
} from '@salvage/core';
import { createReferenceSchema, openDatabase, PGliteDialect, readTargetIdentity } from '@salvage/store';
import { createTestDatabase } from '@salvage/test-support';
import { Kysely, sql } from 'kysely';

/** Tiny builders for hand-made plans (the engine is written in parallel) and a seeded reference-schema target. */

export const BUSINESS_ID = deterministicUuid('test:business');
export const RESOURCE_ID = deterministicUuid('test:resource');
const T0 = '2026-05-01T10:00:00.000Z';

export function customerRow(n: number, overrides: Partial<CustomerRow> = {}): CustomerRow {
  return {
    id: deterministicUuid(`test:customer:${n}`),
    business_id: BUSINESS_ID,
    full_name: `Customer ${n}`,
    email: `c${n}@example.test`,
    phone: null,
    stripe_customer_id: null,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

export function bookingRow(n: number, customerId: string, overrides: Partial<BookingRow> = {}): BookingRow {
  return {
    id: deterministicUuid(`test:booking:${n}`),
    business_id: BUSINESS_ID,
    reference: `BK-${String(n).padStart(6, '0')}`,
    customer_id: customerId,
    resource_id: RESOURCE_ID,
    starts_at: '2026-06-01T14:00:00.000Z',
    ends_at: '2026-06-03T10:00:00.000Z',
    status: 'confirmed',
    total_amount: 12_000 + n,
    currency: 'eur',
    notes: null,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

interface ItemOptions {
  disposition?: Disposition;
  confidence?: number;
  dependsOn?: string[];
}

/** An insert item with a FieldChoice per column from one fake evidence id. */
export function insertItem(table: TableName, row: object, o: ItemOptions = {}): InsertItem {
  const r = row as Record<string, Value>;
  const evidence = [`ev:${table}:${r.id}`];
  return {
    kind: 'insert',
    id: hashValue(['insert', table, r.id]),
    row: { ...r },
    table,
    key: { id: String(r.id) },
    businessId: BUSINESS_ID,
    confidence: o.confidence ?? 0.97,
    disposition: o.disposition ?? 'auto',
    fields: Object.entries(r).map(([column, value]) => ({
      column,
      value,
      confidence: o.confidence ?? 0.97,
      rule: `test.${column}`,
      evidenceIds: evidence,
      alternatives: [],
    })),
    evidenceIds: evidence,
    conflicts: [],
    dependsOn: o.dependsOn ?? [],
    summary: `${table} ${r.id}`,
  };
}

/** An update item computed from the row as it is now (its hash is the precondition). */
export function updateItem(
  table: TableName,
  base: object,
  changes: Record<string, Value>,
  o: ItemOptions = {},
): UpdateItem {
  const b = base as Record<string, Value>;
  const evidence = [`ev:${table}:${b.id}:update`];
  return {
    kind: 'update',
    id: hashValue(['update', table, b.id, changes]),
    table,
    key: { id: String(b.id) },
    businessId: BUSINESS_ID,
    confidence: o.confidence ?? 0.97,
    disposition: o.disposition ?? 'auto',
    baseRowHash: hashRow(table, b),
    changes: Object.entries(changes).map(([column, to]) => ({ column, from: b[column] ?? null, to })),
    fields: Object.entries(changes).map(([column, value]) => ({
      column,
      value,
      confidence: o.confidence ?? 0.97,
      rule: `test.${column}`,
      evidenceIds: evidence,
      alternatives: [],
    })),
    evidenceIds: evidence,
    conflicts: [],
    dependsOn: o.dependsOn ?? [],
    summary: `${table} ${b.id} ${Object.keys(changes).join(',')}`,
  };
}

export function makePlan(target: TargetIdentity, items: PlanItem[], asOf = '2026-08-01T00:00:00.000Z'): Plan {
  return {
    formatVersion: 1,
    id: hashValue([target, asOf, items.map((i) => i.id)]),
    asOf,
    target,
    items,
    diagnostics: [],
  };
}

export function decision(
  itemId: string,
  kind: Decision['kind'],
  by: string,
  values?: Record<string, Value>,
): Decision {
  return { itemId, kind, by, at: '2026-08-02T00:00:00.000Z', ...(values ? { values } : {}) };
}

/** A target for a test: a fresh PostgreSQL database or an in-memory PGlite, in the reference schema, seeded. */
export interface TestTarget {
  engine: 'postgres' | 'pglite';
  // biome-ignore lint/suspicious/noExplicitAny: the reference schema, untyped.
  db: Kysely<any>;
  /** For PostgreSQL: the URL (other connections, child processes). */
  url?: string;
  name: string;
  identity: TargetIdentity;
  close(): Promise<void>;
}

export async function openTestTarget(
  engine: 'postgres' | 'pglite',
  opts: { customers?: number; pgliteDir?: string } = {},
): Promise<TestTarget> {
  let url: string | undefined;
  let drop = async () => {};
  let name = 'template1';
  const handle = await (async () => {
    if (engine === 'postgres') {
      const t = await createTestDatabase('salvage_apply');
      url = t.url;
      name = t.name;
      drop = () => t.drop();
      return { ...(await openDatabase({ url: t.url })), fresh: true };
    }
    if (!opts.pgliteDir) {
      // Creating PGlite and its schema takes seconds; a clone of a seeded template is much faster.
      const lite = (await (await pgliteTemplate(opts.customers ?? 3)).clone()) as PGlite;
      const db = new Kysely<any>({ dialect: new PGliteDialect(lite) });
      return { db, close: () => db.destroy(), fresh: false };
    }
    return { ...(await openDatabase({ pglite: opts.pgliteDir })), fresh: true };
  })();
  if (engine === 'postgres' || handle.fresh) {
    await createReferenceSchema(handle.db);
    await seedTarget(handle.db, opts.customers ?? 3);
  }
  const identity = await readTargetIdentity(handle.db);
  name = identity.databaseName;
  return {
    engine,
    db: handle.db,
    url,
    name,
    identity,
    async close() {
      await handle.close();
      await drop();
    },
  };
}

const templates = new Map<number, Promise<PGlite>>();

function pgliteTemplate(customers: number): Promise<PGlite> {
  let p = templates.get(customers);
  if (!p) {
    p = (async () => {
      const lite = await PGlite.create();
      const db = new Kysely<any>({ dialect: new PGliteDialect(lite) });
      await createReferenceSchema(db);
      await seedTarget(db, customers);
      return lite;
    })();
    templates.set(customers, p);
  }
  return p;
}

/** One business, one resource, `customers` customers each with one booking. */
// biome-ignore lint/suspicious/noExplicitAny: the reference schema, untyped.
export async function seedTarget(db: Kysely<any>, customers: number): Promise<void> {
  await db
    .insertInto('businesses')
    .values({
      id: BUSINESS_ID,
      name: 'Test Cabins',
      timezone: 'Europe/Lisbon',
      currency: 'eur',
      created_at: T0,
    })
    .execute();
  await db
    .insertInto('resources')
    .values({ id: RESOURCE_ID, business_id: BUSINESS_ID, name: 'Cabin A', created_at: T0 })
    .execute();
  for (let n = 1; n <= customers; n++) {
    const c = customerRow(n);
    await db.insertInto('customers').values(c).execute();
    await db.insertInto('bookings').values(bookingRow(n, c.id)).execute();
  }
}

/** Row counts per reference table, and whether salvage has written an audit batch. */
// biome-ignore lint/suspicious/noExplicitAny: the reference schema, untyped.
export async function readCounts(db: Kysely<any>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['businesses', 'resources', 'customers', 'bookings', 'payments']) {
    const { rows } = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(t)}`.execute(db);
    out[t] = Number(rows[0]!.n);
  }
  const { rows } = await sql<{ n: string | null }>`select to_regclass('salvage.batches')::text as n`.execute(
    db,
  );
  out.batches = 0;
  if (rows[0]?.n) {
    const b = await sql<{ n: string }>`select count(*)::text as n from salvage.batches`.execute(db);
    out.batches = Number(b.rows[0]!.n);
  }
  return out;
}

/** A row of a reference table as the target has it now, canonical (as a plan's base row). */
// biome-ignore lint/suspicious/noExplicitAny: the reference schema, untyped.
export async function readRow(db: Kysely<any>, table: TableName, id: string): Promise<Record<string, Value>> {
  const { canonicalRow } = await import('@salvage/core');
  const row = await db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return canonicalRow(table, row);
}

/** A plan inserting `n` new customers (and nothing else): for large applies. */
export function bulkCustomerItems(n: number, offset = 1_000_000): InsertItem[] {
  const items: InsertItem[] = [];
  for (let i = 0; i < n; i++) items.push(insertItem('customers', customerRow(offset + i)));
  return items;
}
