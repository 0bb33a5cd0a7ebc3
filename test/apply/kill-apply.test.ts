import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPlan } from '@salvage/apply';
import { openDatabase } from '@salvage/store';
import { describe, expect, it } from 'vitest';
import { bulkCustomerItems, makePlan, openTestTarget, readCounts } from './plan-builder.ts';

const CHILD = fileURLToPath(new URL('./apply-child.ts', import.meta.url));

/** Runs the child and kills it with SIGKILL once it has written `afterRows` rows inside its transaction. */
function runAndKill(
  location: unknown,
  planFile: string,
  confirm: string,
  afterRows: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    // node itself, with tsx as a loader: the tsx CLI would run the apply in a grandchild that SIGKILL misses.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, JSON.stringify(location), planFile, confirm],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = [...out.matchAll(/progress insert (\d+)/g)].pop();
      if (!killed && m && Number(m[1]) >= afterRows) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve(out);
      else
        reject(
          new Error(
            `child was not killed mid-apply (signal ${signal}): ${out.slice(-300)} ${err.slice(-500)}`,
          ),
        );
    });
  });
}

describe.each(['postgres', 'pglite'] as const)('kill -9 in the middle of a large apply on %s', (engine) => {
  // PGlite is slower (one embedded backend, opened three times here): fewer rows, more time.
  const rows = engine === 'postgres' ? 20_000 : 8_000;
  it('leaves nothing partial, and the plan can still be applied', { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salvage-kill-'));
    const pgliteDir = join(dir, 'target');
    const t = await openTestTarget(engine, engine === 'pglite' ? { pgliteDir } : {});
    try {
      const plan = makePlan(t.identity, bulkCustomerItems(rows));
      const planFile = join(dir, 'plan.json');
      writeFileSync(planFile, JSON.stringify(plan));
      const before = await readCounts(t.db);
      const location = engine === 'postgres' ? { url: t.url! } : { pglite: pgliteDir };
      if (engine === 'pglite') await t.close(); // the directory is one process's at a time
      const out = await runAndKill(location, planFile, t.name, rows / 4);
      expect(out).toMatch(new RegExp(`progress insert ${rows / 4}`));
      expect(out).not.toMatch(/done/);
      const after = await openDatabase(location);
      try {
        expect(await readCounts(after.db)).toEqual(before);
        const applied = await applyPlan({
          db: after.db,
          plan,
          approvedBy: 'operator:t',
          confirmTarget: t.name,
          dryRun: false,
          wait: true,
        });
        expect(applied.kind).toBe('applied');
        expect((await readCounts(after.db)).customers).toBe(before.customers! + rows);
      } finally {
        await after.close();
      }
    } finally {
      await t.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
