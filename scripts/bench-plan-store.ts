/**
 * npm run bench:plan-store [-- --size 200000 --rows 200000 --backend postgres|pglite]
 *
 * How long a large plan takes to store in the workspace and read back (what `salvage plan` and `salvage apply` do),
 * and to write as a plan file and read that back (`salvage plan --out`, `salvage apply --plan FILE`). The plan is the
 * reconcile bench's: `--size` synthetic evidence items planned onto a `--rows` restored target. Checks that what comes
 * back is the plan that went in (every item's id in order, every 500th item in full).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import type { Plan } from '@salvage/core';
import { openWorkspace } from '@salvage/store';
import { createTestDatabase } from '@salvage/test-support';
import { readPlanFile, writePlanFile } from '../packages/cli/src/plan-file.ts';
import { evidenceStream, makeWorld, planWorld } from './bench-reconcile.ts';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '200000' },
    rows: { type: 'string', default: '200000' },
    backend: { type: 'string', default: 'postgres' },
  },
});
const size = Number(args.size);
const backend = args.backend === 'pglite' ? 'pglite' : 'postgres';

const world = makeWorld(Number(args.rows));
const evidence = [...evidenceStream(world, size)].slice(0, size);
console.log(`planning ${size} evidence items onto ${args.rows} rows ...`);
const plan = planWorld(world, evidence);
evidence.length = 0;

function check(back: Plan | null, what: string): void {
  if (!back) throw new Error(`${what}: no plan came back`);
  if (back.items.length !== plan.items.length)
    throw new Error(`${what}: ${back.items.length} items came back`);
  for (let i = 0; i < plan.items.length; i++) {
    if (back.items[i]!.id !== plan.items[i]!.id) throw new Error(`${what}: item ${i} is another item`);
    // Through JSON, as a stored plan is: undefined properties are gone.
    if (i % 500 === 0 && !isDeepStrictEqual(back.items[i], JSON.parse(JSON.stringify(plan.items[i]))))
      throw new Error(`${what}: item ${i} came back changed`);
  }
}

const seconds = (t: number) => Number(((performance.now() - t) / 1000).toFixed(2));
const dir = mkdtempSync(join(tmpdir(), 'salvage-bench-plan-store-'));
const db = backend === 'postgres' ? await createTestDatabase('salvage_bench_plan_store') : null;
const ws = await openWorkspace(db ? { url: db.url } : { pglite: join(dir, 'workspace') });
try {
  console.log(`storing ${plan.items.length} items in a ${backend} workspace ...`);
  let t = performance.now();
  await ws.savePlan(plan);
  const saveSeconds = seconds(t);
  t = performance.now();
  const back = await ws.latestPlan();
  const readSeconds = seconds(t);
  check(back, 'workspace');

  console.log('writing and reading a plan file ...');
  const file = join(dir, 'plan.json');
  t = performance.now();
  writePlanFile(file, plan);
  const writeFileSeconds = seconds(t);
  t = performance.now();
  const fromFile = (await readPlanFile(file)) as Plan;
  const readFileSeconds = seconds(t);
  check(fromFile, 'plan file');

  console.log(
    JSON.stringify(
      {
        evidence: size,
        items: plan.items.length,
        backend,
        fileMegabytes: Math.round(statSync(file).size / 2 ** 20),
        saveSeconds,
        readSeconds,
        writeFileSeconds,
        readFileSeconds,
        maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        loadAverage: (await import('node:os')).loadavg().map((l) => Number(l.toFixed(1))),
      },
      null,
      2,
    ),
  );
} finally {
  await ws.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
}
