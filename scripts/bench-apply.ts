// npm run bench:apply: rows per second for a guarded apply of 500k inserts + 100k updates, against a raw COPY of the
// same rows into the same tables (other databases, seeded alike) in the same run. The raw COPY is timed twice, just
// before and just after the apply (each into its own database, after a CHECKPOINT so no phase pays for the previous
// one's dirty buffers), and the ratio is to their mean: load on this shared machine drifts within a run, and a single
// COPY after the apply swung 14-33 s. Needs PostgreSQL (TEST_DATABASE_URL or 127.0.0.1:5432) and psql. Options: --inserts N (default 500000), --updates N (default 100000), --chunk N, --revert
// (also time reverting the batch; slow at full size: the reference schema has no index on bookings.customer_id, so
// each removed customer's foreign-key check scans bookings).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { applyPlan, REFERENCE_COLUMNS, revertBatch } from '@salvage/apply';
import {
  canonicalRow,
  deterministicUuid,
  hashRow,
  hashValue,
  type InsertItem,
  type Plan,
  type PlanItem,
  type TableName,
  type UpdateItem,
  type Value,
} from '@salvage/core';
import { createReferenceSchema, openDatabase, readTargetIdentity } from '@salvage/store';
import { createTestDatabase } from '@salvage/test-support';
import { type Kysely, sql } from 'kysely';

const { values: args } = parseArgs({
  options: {
    inserts: { type: 'string', default: '500000' },
    updates: { type: 'string', default: '100000' },
    chunk: { type: 'string', default: '5000' },
    revert: { type: 'boolean', default: false },
  },
});
const INSERTS = Number(args.inserts);
const UPDATES = Number(args.updates);
const CHUNK = Number(args.chunk);
const NEW_CUSTOMERS = Math.floor(INSERTS * 0.4);
const NEW_BOOKINGS = INSERTS - NEW_CUSTOMERS;
const BUSINESS = deterministicUuid('bench:business');
const RESOURCE = deterministicUuid('bench:resource');
const T0 = '2026-05-01T10:00:00.000Z';

function customer(n: number): Record<string, Value> {
  return {
    id: deterministicUuid(`bench:customer:${n}`),
    business_id: BUSINESS,
    full_name: `Customer ${n}`,
    email: `c${n}@example.test`,
    phone: n % 3 === 0 ? `+1555${String(n).padStart(7, '0')}` : null,
    stripe_customer_id: n % 2 === 0 ? `cus_${n.toString(36).padStart(14, '0')}` : null,
    created_at: T0,
    updated_at: T0,
  };
}

function booking(n: number, customerId: string): Record<string, Value> {
  return {
    id: deterministicUuid(`bench:booking:${n}`),
    business_id: BUSINESS,
    reference: `BK-${n.toString(36).toUpperCase().padStart(6, '0')}`,
    customer_id: customerId,
    resource_id: RESOURCE,
    starts_at: new Date(Date.parse('2026-06-01T14:00:00Z') + n * 3_600_000).toISOString(),
    ends_at: new Date(Date.parse('2026-06-01T14:00:00Z') + n * 3_600_000 + 1_800_000).toISOString(),
    status: 'confirmed',
    total_amount: 10_000 + (n % 5000),
    currency: 'eur',
    notes: null,
    created_at: T0,
    updated_at: T0,
  };
}

function fields(row: Record<string, Value>, evidence: string[]) {
  return Object.entries(row).map(([column, value]) => ({
    column,
    value,
    confidence: 0.97,
    rule: `bench.${column}`,
    evidenceIds: evidence,
    alternatives: [],
  }));
}

function insert(table: TableName, row: Record<string, Value>, dependsOn: string[] = []): InsertItem {
  const evidence = [hashValue(['ev', row.id, 1]), hashValue(['ev', row.id, 2])];
  return {
    kind: 'insert',
    id: hashValue(['insert', table, row.id]),
    table,
    key: { id: String(row.id) },
    businessId: BUSINESS,
    confidence: 0.97,
    disposition: 'auto',
    fields: fields(row, evidence),
    evidenceIds: evidence,
    conflicts: [],
    dependsOn,
    summary: `${table} ${row.id}`,
    row,
  };
}

function update(base: Record<string, Value>, changes: Record<string, Value>): UpdateItem {
  const evidence = [hashValue(['ev', base.id, 'u'])];
  return {
    kind: 'update',
    id: hashValue(['update', base.id]),
    table: 'customers',
    key: { id: String(base.id) },
    businessId: BUSINESS,
    confidence: 0.97,
    disposition: 'auto',
    baseRowHash: hashRow('customers', base),
    changes: Object.entries(changes).map(([column, to]) => ({ column, from: base[column] ?? null, to })),
    fields: fields(changes, evidence),
    evidenceIds: evidence,
    conflicts: [],
    dependsOn: [],
    summary: `customers ${base.id}`,
  };
}

function csv(rows: Record<string, Value>[], columns: readonly string[]): string {
  const cell = (v: Value) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${rows.map((r) => columns.map((c) => cell(r[c] ?? null)).join(',')).join('\n')}\n`;
}

// biome-ignore lint/suspicious/noExplicitAny: the reference schema, untyped.
async function seed(db: Kysely<any>, url: string, dir: string): Promise<void> {
  await createReferenceSchema(db);
  await db
    .insertInto('businesses')
    .values({ id: BUSINESS, name: 'Bench', timezone: 'UTC', currency: 'eur', created_at: T0 })
    .execute();
  await db
    .insertInto('resources')
    .values({ id: RESOURCE, business_id: BUSINESS, name: 'Room', created_at: T0 })
    .execute();
  const existing = Array.from({ length: UPDATES }, (_, i) => customer(i));
  const file = join(dir, `seed-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, csv(existing, REFERENCE_COLUMNS.customers));
  psql(url, `\\copy customers (${REFERENCE_COLUMNS.customers.join(',')}) from '${file}' with (format csv)`);
  await sql`analyze`.execute(db);
}

function psql(url: string, script: string): void {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url], {
    input: script,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
}

const dir = mkdtempSync(join(tmpdir(), 'salvage-bench-apply-'));
const a = await createTestDatabase('salvage_bench_apply');
const b = await createTestDatabase('salvage_bench_copy_before');
const c = await createTestDatabase('salvage_bench_copy_after');
const ha = await openDatabase({ url: a.url });
const hb = await openDatabase({ url: b.url });
const hc = await openDatabase({ url: c.url });
try {
  console.log(`seeding three databases with ${UPDATES} customers ...`);
  await seed(ha.db, a.url, dir);
  await seed(hb.db, b.url, dir);
  await seed(hc.db, c.url, dir);

  console.log(
    `building a plan: ${NEW_CUSTOMERS} customer + ${NEW_BOOKINGS} booking inserts, ${UPDATES} updates ...`,
  );
  const items: PlanItem[] = [];
  const newCustomers: Record<string, Value>[] = [];
  const newBookings: Record<string, Value>[] = [];
  const customerItems: InsertItem[] = [];
  for (let i = 0; i < NEW_CUSTOMERS; i++) {
    const row = customer(1_000_000 + i);
    newCustomers.push(row);
    const item = insert('customers', row);
    customerItems.push(item);
    items.push(item);
  }
  for (let i = 0; i < NEW_BOOKINGS; i++) {
    const c = customerItems[i % customerItems.length]!;
    const row = booking(i, c.key.id);
    newBookings.push(row);
    items.push(insert('bookings', row, [c.id]));
  }
  const updated: Record<string, Value>[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const base = canonicalRow('customers', customer(i));
    const changes = { phone: `+1666${String(i).padStart(7, '0')}`, updated_at: '2026-07-15T09:00:00.000Z' };
    updated.push({ id: base.id!, ...changes });
    items.push(update(base, changes));
  }
  const identity = await readTargetIdentity(ha.db);
  const plan: Plan = {
    formatVersion: 1,
    id: hashValue(['bench', Date.now()]),
    asOf: T0,
    target: identity,
    items,
    diagnostics: [],
  };

  const cFile = join(dir, 'customers.csv');
  const bFile = join(dir, 'bookings.csv');
  const uFile = join(dir, 'updates.csv');
  writeFileSync(cFile, csv(newCustomers, REFERENCE_COLUMNS.customers));
  writeFileSync(bFile, csv(newBookings, REFERENCE_COLUMNS.bookings));
  writeFileSync(uFile, csv(updated, ['id', 'phone', 'updated_at']));
  // Inserts by COPY, updates by COPY into a staging table + UPDATE ... FROM, in one transaction.
  const rawCopy = (url: string, when: string): number => {
    console.log(`raw COPY of the same rows, ${when} the apply ...`);
    psql(url, 'checkpoint;');
    const t = performance.now();
    psql(
      url,
      [
        'begin;',
        `\\copy customers (${REFERENCE_COLUMNS.customers.join(',')}) from '${cFile}' with (format csv)`,
        `\\copy bookings (${REFERENCE_COLUMNS.bookings.join(',')}) from '${bFile}' with (format csv)`,
        'create temp table staged (id uuid, phone text, updated_at timestamptz) on commit drop;',
        `\\copy staged from '${uFile}' with (format csv)`,
        'update customers c set phone = s.phone, updated_at = s.updated_at from staged s where c.id = s.id;',
        'commit;',
      ].join('\n'),
    );
    return (performance.now() - t) / 1000;
  };
  const copyBeforeSeconds = rawCopy(b.url, 'before');

  console.log('applying ...');
  await sql`checkpoint`.execute(ha.db);
  let started = performance.now();
  let lastNote = 0;
  const result = await applyPlan({
    db: ha.db,
    plan,
    approvedBy: 'operator:bench',
    confirmTarget: identity.databaseName,
    dryRun: false,
    chunkSize: CHUNK,
    onProgress: (p) => {
      if (performance.now() - lastNote > 5000) {
        lastNote = performance.now();
        console.log(`  ${p.phase} ${p.table ?? ''} ${p.done}/${p.total}`);
      }
    },
  });
  const applySeconds = (performance.now() - started) / 1000;
  if (result.kind !== 'applied') throw new Error(`apply did not write: ${JSON.stringify(result.refusals)}`);

  const copyAfterSeconds = rawCopy(c.url, 'after');
  const copySeconds = (copyBeforeSeconds + copyAfterSeconds) / 2;

  let revertSeconds = Number.NaN;
  if (args.revert) {
    console.log('reverting the applied batch ...');
    started = performance.now();
    const reverted = await revertBatch({
      db: ha.db,
      batchId: result.batchId,
      dryRun: false,
      confirmTarget: identity.databaseName,
      chunkSize: CHUNK,
    });
    revertSeconds = (performance.now() - started) / 1000;
    if (reverted.kind !== 'reverted') throw new Error('revert refused');
  }

  const rows = INSERTS + UPDATES;
  const out = {
    inserts: INSERTS,
    updates: UPDATES,
    chunk: CHUNK,
    applySeconds: Number(applySeconds.toFixed(2)),
    applyRowsPerSecond: Math.round(rows / applySeconds),
    copyBeforeSeconds: Number(copyBeforeSeconds.toFixed(2)),
    copyAfterSeconds: Number(copyAfterSeconds.toFixed(2)),
    copySeconds: Number(copySeconds.toFixed(2)),
    copyRowsPerSecond: Math.round(rows / copySeconds),
    ratioToCopy: Number((applySeconds / copySeconds).toFixed(2)),
    ratioToEachCopy: [copyBeforeSeconds, copyAfterSeconds].map((s) => Number((applySeconds / s).toFixed(2))),
    revertSeconds: Number(revertSeconds.toFixed(2)),
    revertRowsPerSecond: Math.round(rows / revertSeconds),
    loadAverage: (await import('node:os')).loadavg().map((l) => Number(l.toFixed(1))),
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  await ha.close();
  await hb.close();
  await hc.close();
  await a.drop();
  await b.drop();
  await c.drop();
  rmSync(dir, { recursive: true, force: true });
}
