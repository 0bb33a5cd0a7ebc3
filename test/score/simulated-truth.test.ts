import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AccuracyReport,
  completeEndedBookings,
  DUMP_SCHEMA_SQL,
  generateIncident,
  loadTruth,
  readManifest,
  SCORED_ENTITIES,
  scoreTarget,
} from '@salvage/simulator';
import { openDatabase } from '@salvage/store';
import { createTestDatabase, type TestDatabase } from '@salvage/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The scorer on a real simulated incident: the truth itself, loaded as the target, must score perfectly (so every
// miss the scorer reports on a rebuild is the rebuild's), and the restored database, before any rebuild, must not.

const literal = (v: unknown): string =>
  v === null || v === undefined
    ? 'NULL'
    : typeof v === 'number'
      ? String(v)
      : `'${String(v).replace(/'/g, "''")}'`;

describe('scoreTarget on a simulated incident (real PostgreSQL)', () => {
  let dir: string;
  const dbs: TestDatabase[] = [];

  async function scoreDatabase(sqlText: string): Promise<AccuracyReport> {
    const db = await createTestDatabase('salvage_score_sim');
    dbs.push(db);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(sqlText);
    } finally {
      await client.end();
    }
    const handle = await openDatabase({ url: db.url });
    try {
      return await scoreTarget({ truthDir: dir, targetDb: handle.db });
    } finally {
      await handle.close();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvage-score-sim-'));
    await generateIncident({ scale: 'small', seed: 1 }, dir);
  });

  afterAll(async () => {
    for (const db of dbs) await db.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives the truth itself full marks', async () => {
    const { snapshot: truth } = await loadTruth(dir);
    // The truth as the platform held it when the rebuild is judged: its clock has completed what ended by then.
    const { incident } = await readManifest(dir);
    const snapshot = {
      ...truth,
      bookings: completeEndedBookings(truth.bookings, Date.parse(incident.pulledAt)),
    };
    let text = `${DUMP_SCHEMA_SQL}\n`;
    for (const table of ['businesses', 'resources', 'customers', 'bookings', 'payments'] as const)
      for (const row of snapshot[table] as object[]) {
        const cols = Object.keys(row);
        text += `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => literal((row as Record<string, unknown>)[c])).join(', ')});\n`;
      }
    const report = await scoreDatabase(text);
    for (const entity of SCORED_ENTITIES) {
      const s = report[entity];
      expect(s.recall.of, `${entity} has records to recover`).toBeGreaterThan(0);
      expect(s.recall.rate, `${entity} recall ${JSON.stringify(s.examples.missing)}`).toBe(1);
      expect(s.precision.rate, `${entity} precision ${JSON.stringify(s.examples.spurious)}`).toBe(1);
      expect(s.fieldAccuracy.rate, `${entity} fields ${JSON.stringify(s.examples.wrongFields)}`).toBe(1);
      expect(s.duplicates.hit, `${entity} duplicates`).toBe(0);
    }
    expect(report.customers.wronglyMerged.hit).toBe(0);
    expect(report.payments.linkedToBooking.rate).toBe(1);
  });

  it('finds most of what was lost still missing from the restored database', async () => {
    const report = await scoreDatabase(await readFile(join(dir, 'restored.sql'), 'utf8'));
    expect(report.bookings.recall.rate).toBeLessThan(0.5);
    expect(report.payments.recall.rate).toBeLessThan(0.5);
    // The rebuild added nothing: no claims to be precise about.
    expect(report.bookings.claimed).toBe(0);
    expect(report.bookings.precision.rate).toBeNull();
  });
});
