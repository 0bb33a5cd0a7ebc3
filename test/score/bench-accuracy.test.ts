import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TargetSnapshot } from '@salvage/core';
import { type AccuracyReport, DUMP_SCHEMA_SQL, type FieldProvenanceRow } from '@salvage/simulator';
import { createTestDatabase, type TestDatabase } from '@salvage/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, provenanceOfAll, rebuildOf, recoverabilityOf, smallTruth } from './builders.ts';

// End to end through the real binary: a tiny truth directory on disk, a rebuilt target in a real PostgreSQL database
// with apply's salvage.field_provenance, and `salvage bench accuracy --json --out`.

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'node_modules/.bin/salvage');
const run = promisify(execFile);

async function salvage(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(BIN, args, { cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const TABLE_ORDER = ['businesses', 'resources', 'customers', 'bookings', 'payments'] as const;

const literal = (v: unknown): string =>
  v === null || v === undefined
    ? 'NULL'
    : typeof v === 'number'
      ? String(v)
      : `'${String(v).replace(/'/g, "''")}'`;

function insertsOf(snapshot: Partial<TargetSnapshot>): string {
  let out = '';
  for (const table of TABLE_ORDER)
    for (const row of (snapshot[table] ?? []) as object[]) {
      const cols = Object.keys(row);
      const values = cols.map((c) => literal((row as Record<string, unknown>)[c]));
      out += `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${values.join(', ')});\n`;
    }
  return out;
}

function writeTruthDir(dir: string, truth: TargetSnapshot): void {
  mkdirSync(join(dir, 'truth'), { recursive: true });
  for (const table of TABLE_ORDER)
    writeFileSync(
      join(dir, 'truth', `${table}.jsonl`),
      truth[table].map((r) => `${JSON.stringify(r)}\n`).join(''),
    );
  writeFileSync(
    join(dir, 'truth', 'recoverability.jsonl'),
    recoverabilityOf(truth)
      .map((r) => `${JSON.stringify(r)}\n`)
      .join(''),
  );
  // The backup held the business and its resource only; a note with a quote and a newline tests the dump reader.
  const businesses = truth.businesses.map((b) => ({ ...b, name: "Lake's\nRentals" }));
  writeFileSync(
    join(dir, 'backup.sql'),
    `BEGIN;\n${DUMP_SCHEMA_SQL}\n${insertsOf({ businesses, resources: truth.resources })}COMMIT;\n`,
  );
}

const PROVENANCE_DDL = `create schema salvage;
create table salvage.field_provenance (batch_id text, table_name text, row_id uuid, column_name text, value jsonb,
  confidence double precision, rule text, evidence_ids text[], approved_by text);
create table salvage.batches (id text primary key, status text);
insert into salvage.batches values ('batch-1', 'applied'), ('batch-0', 'reverted')`;

describe('salvage bench accuracy (real PostgreSQL, the CLI binary)', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvage-score-'));
    const truth = smallTruth();
    writeTruthDir(dir, truth);

    // The rebuild: Ben's booking and its payment missing, Ana written twice, one payment amount wrong.
    const { rebuilt } = rebuildOf(truth);
    const lost = rebuilt.bookings.pop()!;
    rebuilt.payments = rebuilt.payments.filter((p) => p.booking_id !== lost.id);
    rebuilt.customers.push(
      customer({ id: 'cccccccc-0000-4000-8000-000000000001', email: 'ANA@example.com' }),
    );
    rebuilt.payments[0]!.amount = 999;
    const provenance: FieldProvenanceRow[] = provenanceOfAll(rebuilt).map((p) =>
      p.table_name === 'bookings' && p.row_id === rebuilt.bookings[1]!.id
        ? { ...p, approved_by: 'operator:alice' }
        : p,
    );

    // A reverted batch's values are gone from the target: a wrong one there must not count.
    provenance.push({
      ...provenance[0]!,
      batch_id: 'batch-0',
      column_name: 'full_name',
      value: 'Wrong Name',
    });

    db = await createTestDatabase('salvage_score');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(`${DUMP_SCHEMA_SQL}\n${insertsOf(rebuilt)}`);
      await client.query(PROVENANCE_DDL);
      for (const p of provenance)
        await client.query(
          'insert into salvage.field_provenance values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)',
          [
            p.batch_id,
            p.table_name,
            p.row_id,
            p.column_name,
            JSON.stringify(p.value),
            p.confidence,
            p.rule,
            p.evidence_ids,
            p.approved_by,
          ],
        );
    } finally {
      await client.end();
    }
  });

  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scores the target and writes the same JSON it prints', async () => {
    const out = join(dir, 'report.json');
    const { code, stdout, stderr } = await salvage([
      'bench',
      'accuracy',
      '--truth',
      dir,
      '--target',
      db.url,
      '--out',
      out,
      '--json',
    ]);
    expect(stderr).toContain('wrote');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as AccuracyReport;
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);

    expect(report.bookings.recall).toEqual({ hit: 2, of: 3, rate: 2 / 3 });
    expect(report.bookings.examples.missing).toEqual(['BK-BBBBB1']);
    expect(report.bookings.precision).toEqual({ hit: 2, of: 2, rate: 1 });
    expect(report.customers.duplicates).toEqual({ hit: 1, of: 3, rate: 1 / 3 });
    expect(report.customers.wronglyMerged).toEqual({ hit: 0, of: 1, rate: 0 });
    expect(report.payments.recall).toEqual({ hit: 2, of: 3, rate: 2 / 3 });
    expect(report.payments.fieldAccuracy).toEqual({ hit: 19, of: 20, rate: 19 / 20 });
    expect(report.payments.linkedToBooking).toEqual({ hit: 2, of: 3, rate: 2 / 3 });
    // Auto-accepted: the wrong amount, and the twin's stripe_customer_id (null, Ana's is cus_ana).
    expect(report.payments.wrongAutoAccepted).toEqual({ hit: 1, of: 24, rate: 1 / 24 });
    expect(report.customers.wrongAutoAccepted).toEqual({ hit: 1, of: 18, rate: 1 / 18 });
    // One booking was reviewed by an operator: its 11 fields are not auto-accepted.
    expect(report.bookings.wrongAutoAccepted).toEqual({ hit: 0, of: 11, rate: 0 });
    expect(report.overall.wrongAutoAccepted).toEqual({ hit: 2, of: 53, rate: 2 / 53 });
    expect(report.bookings.reviewShare).toEqual({
      source: 'provenance',
      items: 2,
      review: 1,
      askCustomer: 0,
      share: 0.5,
    });
    expect(report.overall.reviewShare.share).toBe(1 / 7);
    // Every value written at 0.95, and 62 of the 64 judged fields right: one bin, 0.95 against 0.96875.
    const c = report.overall.calibration;
    expect(c.pairs).toBe(64);
    expect(c.bins[9]!.count).toBe(64);
    expect(c.bins[9]!.accuracy).toBeCloseTo(62 / 64, 12);
    expect(c.ece).toBeCloseTo(Math.abs(62 / 64 - 0.95), 9);
    expect(report.notes).toEqual([]);
  });

  it('prints a table for people', async () => {
    const { code, stdout } = await salvage(['bench', 'accuracy', '--truth', dir, '--target', db.url]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^bookings\s+66\.67% \(2\/3\)\s+100\.00% \(2\/2\)/m);
    expect(stdout).toContain('customers wrongly merged: 0.00% (0/1)');
  });

  it('refuses a bad command line with exit code 2 and says what to do', async () => {
    const both = await salvage(['bench', 'accuracy', '--truth', dir, '--target', db.url, '--pglite', dir]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exactly one of --target URL or --pglite DIR');
    const missing = await salvage(['bench', 'accuracy', '--truth', join(dir, 'nope'), '--target', db.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('salvage simulate --out DIR');
  });

  it('names the missing truth file', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'salvage-score-empty-'));
    try {
      const { code, stderr } = await salvage(['bench', 'accuracy', '--truth', empty, '--target', db.url]);
      expect(code).toBe(1);
      expect(stderr).toContain(join(empty, 'truth', 'customers.jsonl'));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
