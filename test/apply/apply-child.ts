// A separate process that applies a plan file to a target and reports progress on stdout, so a test can kill -9 it
// in the middle. Usage: tsx apply-child.ts '<DatabaseLocation JSON>' <plan.json> <confirm-target>
import { readFileSync } from 'node:fs';
import { applyPlan } from '@salvage/apply';
import type { Plan } from '@salvage/core';
import { openDatabase } from '@salvage/store';

const [location, planFile, confirmTarget] = process.argv.slice(2);
const handle = await openDatabase(JSON.parse(location!));
const plan = JSON.parse(readFileSync(planFile!, 'utf8')) as Plan;
const result = await applyPlan({
  db: handle.db,
  plan,
  approvedBy: 'operator:child',
  confirmTarget,
  dryRun: false,
  chunkSize: 500,
  onProgress: (p) => process.stdout.write(`progress ${p.phase} ${p.done}\n`),
});
process.stdout.write(`done ${result.kind}\n`);
await handle.close();
