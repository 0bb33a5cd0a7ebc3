/**
 * node --import tsx scripts/reconcile-plan-digest.ts [--sizes 2000,20000 --rows 20000]
 *
 * Prints, per size, the sha256 of the whole plan JSON the engine makes from the reconcile bench's synthetic world and
 * evidence. A performance change to the engine must leave every digest as it was: run this before and after.
 */
import { sha256 } from '@salvage/core';
import { evidenceStream, makeWorld, planWorld } from './bench-reconcile.ts';

const args = process.argv.slice(2);
const get = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const rows = Number(get('--rows', '20000'));
for (const size of get('--sizes', '2000,20000').split(',').map(Number)) {
  const world = makeWorld(rows);
  const evidence = [...evidenceStream(world, size)].slice(0, size);
  const plan = planWorld(world, evidence);
  const json = JSON.stringify(plan);
  console.log(
    `${size} evidence, ${rows} rows: ${plan.items.length} items, plan ${sha256(json)} (${json.length} chars)`,
  );
}
