import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '@salvage/core';
import { createReferenceSchema, openDatabase, openWorkspace } from '@salvage/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIZ,
  icsEvent,
  mail,
  snapshot,
  stripeBooking,
  stripeCharge,
  stripeCustomer,
} from '../../reconcile/src/test-builders.ts';
import { runCli } from './run-cli.ts';

const BOOKING = 'bbbbbbbb-0000-4000-8000-000000000001';

/** A config, an embedded target holding one business with two resources, and a workspace with one lost booking. */
async function setUp(dir: string): Promise<void> {
  writeFileSync(
    join(dir, 'salvage.config.yaml'),
    [
      'incident: { backupTakenAt: 2026-05-01T00:00:00Z, incidentAt: 2026-07-31T00:00:00Z }',
      'target: { pglite: ./target }',
      'businesses:',
      `  - { id: ${BIZ}, name: Lakeside Cabins, timezone: Europe/Lisbon, currency: eur }`,
      '',
    ].join('\n'),
  );
  const target = await openDatabase({ pglite: join(dir, 'target') });
  try {
    await createReferenceSchema(target.db);
    const s = snapshot();
    await target.db.insertInto('businesses').values(s.businesses).execute();
    await target.db.insertInto('resources').values(s.resources).execute();
  } finally {
    await target.close();
  }
  mkdirSync(join(dir, '.salvage'), { recursive: true, mode: 0o700 });
  const ws = await openWorkspace({ pglite: join(dir, '.salvage', 'db') });
  try {
    const runId = await ws.startRun({ command: 'pull' });
    await ws.putEvidence(
      [
        stripeCustomer({ stripeCustomerId: 'cus_ana', email: 'ana@example.com', fullName: 'Ana Lima' }),
        stripeCharge({
          stripeChargeId: 'ch_1',
          stripePaymentIntentId: 'pi_1',
          amount: 30000,
          bookingId: BOOKING,
          stripeCustomerId: 'cus_ana',
        }),
        stripeBooking(
          {
            bookingId: BOOKING,
            reference: 'BK-7F3K2Q',
            totalAmount: 30000,
            resourceName: 'Cabin A',
            stripeCustomerId: 'cus_ana',
          },
          'cs_1',
        ),
        icsEvent({
          calendarUid: `${BOOKING}@platform.example`,
          reference: 'BK-7F3K2Q',
          startsAt: '2026-06-10T14:00:00.000Z',
          endsAt: '2026-06-12T10:00:00.000Z',
        }),
        mail(
          {
            reference: 'BK-7F3K2Q',
            startsAt: '2026-06-10T14:00:00.000Z',
            endsAt: '2026-06-12T10:00:00.000Z',
            customerEmail: 'ana@example.com',
            status: 'confirmed',
          },
          'm1',
        ),
      ],
      runId,
    );
    await ws.finishRun(runId, { status: 'succeeded', summary: {} });
  } finally {
    await ws.close();
  }
}

describe('salvage plan', { timeout: 240_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvage-plan-'));
    await setUp(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plans, stores the plan and prints new/changed/unchanged/review/confirm per business and entity', async () => {
    const out = join(dir, 'plan.json');
    const r = await runCli(['plan', '--as-of', '2026-08-02T12:00:00Z', '--out', out], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/plan [0-9a-f]{32}: 3 item\(s\) from 5 evidence item\(s\)/);
    expect(r.stdout).toMatch(/Lakeside Cabins +bookings +1 +0 +0 +[01] +0/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const plan = JSON.parse(readFileSync(out, 'utf8')) as Plan;
    expect(plan.items.map((i) => `${i.kind}:${i.table}`)).toEqual([
      'insert:customers',
      'insert:bookings',
      'insert:payments',
    ]);
    const status = await runCli(['status', '--json'], dir);
    expect(JSON.parse(status.stdout).plan).toMatchObject({ id: plan.id });
  });

  it('re-planning gives the same items (--json), and carries decisions over', async () => {
    const r = await runCli(['plan', '--as-of', '2026-08-03T12:00:00Z', '--json'], dir);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.items).toBe(3);
    expect(doc.summary).toContainEqual({
      business: 'Lakeside Cabins',
      entity: 'payments',
      new: 1,
      changed: 0,
      unchanged: 0,
      review: 0,
      confirm: 0,
    });
  });

  it('refuses to write the plan inside a git work tree unless told to', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    const refused = await runCli(['plan', '--out', join(repo, 'plan.json')], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/inside the git work tree .*--allow-in-git/);
    const allowed = await runCli(['plan', '--out', join(repo, 'plan.json'), '--allow-in-git'], dir);
    expect(allowed.code).toBe(0);
    expect(statSync(join(repo, 'plan.json')).mode & 0o777).toBe(0o600);
  });
});
