import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@salvage/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  customerRow,
  insertItem,
  makePlan,
  openTestTarget,
  readCounts,
  readRow,
  type TestTarget,
  updateItem,
} from './plan-builder.ts';

const BIN = fileURLToPath(new URL('../../packages/cli/bin/salvage.js', import.meta.url));

describe('salvage apply, why and revert (the CLI, as a process)', () => {
  let t: TestTarget;
  let workspace: TestDatabase;
  let dir: string;
  let config: string;
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '--config', config, ...args], {
      encoding: 'utf8',
      env: { ...process.env, USER: 'clitester' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    t = await openTestTarget('postgres');
    workspace = await createTestDatabase('salvage_apply_ws');
    dir = mkdtempSync(join(tmpdir(), 'salvage-cli-apply-'));
    config = join(dir, 'salvage.config.yaml');
    writeFileSync(
      config,
      `incident:
  backupTakenAt: 2026-05-01T00:00:00Z
  incidentAt: 2026-08-01T00:00:00Z
target:
  url: ${t.url}
workspace:
  url: ${workspace.url}
businesses:
  - id: ${customerRow(1).business_id}
    name: Test Cabins
    timezone: Europe/Lisbon
    currency: eur
`,
    );
  });
  afterAll(async () => {
    await t.close();
    await workspace.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  // Each run starts the whole CLI through tsx: seconds apiece on a loaded machine.
  it('dry-runs, refuses to write unconfirmed without a terminal, writes when confirmed, explains, reverts', {
    timeout: 600_000,
  }, async () => {
    const c = customerRow(900, { full_name: 'Cli Person' });
    const upd = updateItem('customers', await readRow(t.db, 'customers', customerRow(1).id), {
      phone: '+15550199',
    });
    const plan = makePlan(t.identity, [insertItem('customers', c), upd]);
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const before = await readCounts(t.db);

    const unconfirmed = run('apply', '--plan', planFile);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toMatch(/customers\s+1\s+1/);
    expect(unconfirmed.stderr).toContain(`--confirm-target ${t.name}`);

    const dry = run('apply', '--plan', planFile, '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      kind: 'dry_run',
      wrote: false,
      preview: { totals: { inserts: 1, updates: 1 } },
    });
    expect(await readCounts(t.db)).toEqual(before);

    const wrong = run('apply', '--plan', planFile, '--confirm-target', 'production');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/you confirmed 'production'/);

    const applied = run('apply', '--plan', planFile, '--confirm-target', t.name, '--json');
    expect(applied.code, applied.stderr).toBe(0);
    const { batchId } = JSON.parse(applied.stdout) as { batchId: string };
    expect((await readRow(t.db, 'customers', c.id)).full_name).toBe('Cli Person');

    const again = run('apply', '--plan', planFile, '--confirm-target', t.name);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/applied already/);

    const explained = run('why', 'customers', c.id, 'full_name', '--json');
    expect(explained.code).toBe(0);
    expect(JSON.parse(explained.stdout).provenance[0]).toMatchObject({
      value: 'Cli Person',
      approvedBy: 'policy:auto-accept',
    });
    const human = run('why', 'customers', upd.key.id);
    expect(human.stdout).toMatch(/phone\s+"\+15550199"/);
    expect(run('why', 'nosuch', c.id).code).toBe(2);

    const revert = run('revert', batchId, '--confirm-target', t.name, '--json');
    expect(revert.code, revert.stderr).toBe(0);
    expect(JSON.parse(revert.stdout)).toMatchObject({ kind: 'reverted', changedSince: [] });
    expect({ ...(await readCounts(t.db)), batches: 0 }).toEqual({ ...before, batches: 0 });
    expect((await readRow(t.db, 'customers', upd.key.id)).phone).toBeNull();
  });
});
