import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@salvage/store';
import { sql } from 'kysely';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, SALVAGE_BIN } from './run-cli.ts';

interface DemoResult {
  dir: string;
  sourceWrites: number;
  plan: { id: string | null; total: number; auto: number; review: number; ask: number };
  steps: { step: string; exitCode: number; result: unknown }[];
}

describe('salvage demo', { timeout: 300_000 }, () => {
  let root: string;
  let dir: string;
  let demo: DemoResult;
  let stderr: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'salvage-demo-test-'));
    dir = join(root, 'demo');
    const r = await runCli(['demo', '--dir', dir, '--json'], root);
    stderr = r.stderr;
    expect(r.code, r.stderr).toBe(0);
    demo = JSON.parse(r.stdout);
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('runs every step of the pipeline, as a user would, and never writes to a source', () => {
    expect(demo.dir).toBe(dir);
    expect(demo.steps.map((s) => [s.step, s.exitCode])).toEqual([
      ['simulate', 0],
      ['pull', 0],
      ['plan', 0],
      ['apply', 0],
      ['score', 0],
      ['why', 0],
    ]);
    expect(demo.sourceWrites).toBe(0);
    expect(demo.plan.total).toBe(demo.plan.auto + demo.plan.review + demo.plan.ask);
    expect(demo.plan.auto).toBeGreaterThan(0);
    // Progress goes to stderr; the JSON document alone to stdout.
    expect(stderr).toMatch(/\[1\/\d+\]/);
  });

  it('writes the auto-accepted items into the embedded target, with an audit batch, and no more', async () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'incident', 'manifest.json'), 'utf8'));
    const apply = demo.steps.find((s) => s.step === 'apply')!.result as {
      preview: { totals: { inserts: number; updates: number } };
    };
    const target = await openDatabase({ pglite: join(dir, 'target') });
    try {
      const count = async (table: string) =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(target.db))
          .rows[0]!.n;
      const restored = manifest.counts.restored;
      const added =
        (await count('customers')) -
        restored.customers +
        (await count('bookings')) -
        restored.bookings +
        (await count('payments')) -
        restored.payments;
      expect(added).toBe(apply.preview.totals.inserts);
      expect(added).toBeGreaterThan(0);
      const batches = await sql<{ plan_id: string }>`SELECT plan_id FROM salvage.batches`.execute(target.db);
      expect(batches.rows.map((b) => b.plan_id)).toEqual([demo.plan.id]);
    } finally {
      await target.close();
    }
  });

  it('scores the rebuild against the truth and shows where a value came from', () => {
    const report = JSON.parse(readFileSync(join(dir, 'accuracy.json'), 'utf8'));
    expect(report.bookings.precision.of).toBeGreaterThan(0);
    expect(report.bookings.recall.of).toBeGreaterThan(0);
    const why = demo.steps.find((s) => s.step === 'why')!.result as {
      provenance: { column: string; evidenceIds: string[]; approvedBy: string }[];
    };
    expect(why.provenance).toHaveLength(1);
    expect(why.provenance[0]!.column).toBe('starts_at');
    expect(why.provenance[0]!.evidenceIds.length).toBeGreaterThan(0);
  });

  it('leaves a directory that works as a salvage project', async () => {
    const status = await runCli(['status', '--json'], dir);
    expect(status.code, status.stderr).toBe(0);
    const doc = JSON.parse(status.stdout);
    expect(doc.plan.id).toBe(demo.plan.id);
    expect(doc.evidenceTotal).toBeGreaterThan(0);
  });

  it('refuses a directory that is not empty, with exit code 2', async () => {
    const busy = join(root, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'keep.txt'), 'mine');
    const r = await runCli(['demo', '--dir', busy], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not empty/);
    expect(readFileSync(join(busy, 'keep.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(busy, 'incident'))).toBe(false);
  });
});

describe('salvage simulate serve', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvage-serve-test-'));
    const r = await runCli(['simulate', '--out', dir, '--bookings', '40'], dir);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the incident to the real Stripe SDK with the key it prints, read-only, until stopped', async () => {
    const child = spawn(
      SALVAGE_BIN,
      ['simulate', 'serve', dir, '--stripe-port', '0', '--google-port', '0', '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((done) => child.on('close', done));
    try {
      while (!/serving until Ctrl-C/.test(stderr)) {
        if (child.exitCode !== null) throw new Error(`serve exited: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const doc = JSON.parse(stdout) as { stripeUrl: string; env: Record<string, string> };
      const url = new URL(doc.stripeUrl);
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      const stripe = new Stripe(doc.env.STRIPE_API_KEY!, {
        host: url.hostname,
        port: Number(url.port),
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      const customers = await stripe.customers.list(
        { limit: 3 },
        { stripeAccount: manifest.businesses[0].stripeAccount },
      );
      expect(customers.data.length).toBeGreaterThan(0);
      await expect(stripe.customers.del(customers.data[0]!.id)).rejects.toThrow();
      expect(Object.keys(doc.env).filter((k) => k.startsWith('GOOGLE_TOKEN_'))).toHaveLength(
        manifest.businesses.length,
      );
    } finally {
      child.kill('SIGTERM');
    }
    expect(await closed).toBe(0);
    expect(stderr).toMatch(/1 non-GET request\(s\) were refused/);
  });
});
