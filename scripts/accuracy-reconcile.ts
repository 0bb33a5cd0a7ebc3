/**
 * node --import tsx scripts/accuracy-reconcile.ts [--scale small|medium] [--seed N] [--typos 0.08] [--dir DIR]
 *
 * Measures the reconcile engine alone on a simulated incident. The evidence is SYNTHESIZED HERE from the simulator's
 * truth (per booking, only from the sources its recoverability row lists, with name typos and missing contact details
 * at the given rates), not pulled by the connectors; the plan is projected onto the restored database in memory (every
 * item taken, as if reviewers approved them) and scored with the simulator's scoreRebuild. It measures linking,
 * merging and confidence, not extraction.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@salvage/core';
import { planReconciliation, projectPlan } from '@salvage/reconcile';
import {
  generateIncident,
  loadTruth,
  readSqlDump,
  reportFootnotes,
  reportRows,
  scoreRebuild,
} from '@salvage/simulator';
import { synthesizeEvidence } from './synthesize-evidence.ts';

const args = process.argv.slice(2);
const get = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const scale = get('--scale', 'small') as 'small' | 'medium';
const seed = Number(get('--seed', '7'));
const typoRate = Number(get('--typos', '0.08'));
const dir = get('--dir', '') || mkdtempSync(join(tmpdir(), `salvage-acc-${scale}-`));

if (!existsSync(join(dir, 'manifest.json'))) await generateIncident({ scale, seed }, dir);
const { snapshot: truth, recoverability } = await loadTruth(dir);
const backup = await readSqlDump(join(dir, 'backup.sql'));
const restored = await readSqlDump(join(dir, 'restored.sql'));
const parsed = parseConfig(readFileSync(join(dir, 'salvage.config.yaml'), 'utf8'));
if (!parsed.ok) throw new Error(`config: ${JSON.stringify(parsed.issues)}`);
const config = parsed.config;

const evidence = synthesizeEvidence(truth, recoverability, { seed, typoRate });
const target = { systemIdentifier: 'sim', databaseName: 'restored', schemaFingerprint: 'ref' };
const t0 = performance.now();
const plan = planReconciliation({
  snapshot: restored,
  evidence,
  config,
  asOf: '2026-08-01T00:00:00.000Z',
  target,
});
const ms = performance.now() - t0;
const { snapshot: rebuilt } = projectPlan(restored, plan);
const report = scoreRebuild({ truth, recoverability, backup, restored, rebuilt, plan });
const disp: Record<string, number> = {};
for (const i of plan.items) disp[i.disposition] = (disp[i.disposition] ?? 0) + 1;
console.log(
  `incident ${dir} (scale ${scale}, seed ${seed}), ${evidence.length} synthesized evidence items, name typo rate ${typoRate}`,
);
console.log(
  `plan: ${plan.items.length} items in ${(ms / 1000).toFixed(1)} s; dispositions ${JSON.stringify(disp)}`,
);
const rows = reportRows(report);
const cols = Object.keys(rows[0] ?? {});
console.log(`| ${cols.join(' | ')} |`);
console.log(`|${cols.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${cols.map((c) => r[c] ?? '').join(' | ')} |`);
for (const f of reportFootnotes(report)) console.log(`- ${f}`);
if (args.includes('--why')) {
  const why: Record<string, number> = {};
  for (const i of plan.items) {
    if (i.disposition === 'auto') continue;
    const immaterial = new Set(['created_at', 'updated_at', 'notes']);
    const low = [...i.fields]
      .filter((f) => !immaterial.has(f.column) && !(f.rule === 'no-evidence' && f.value === null))
      .sort((a, b) => a.confidence - b.confidence)[0];
    const k = i.conflicts.length
      ? `${i.table} conflict ${i.conflicts[0]!.message.slice(0, 50)}`
      : `${i.table} ${i.kind} ${low?.column}:${low?.rule}:${low?.confidence} item ${i.confidence}`;
    why[k] = (why[k] ?? 0) + 1;
  }
  console.log(why);
  for (const i of plan.items.filter((x) => x.conflicts.length > 0).slice(0, 3)) {
    const ref = /booking (BK-\w+)/.exec(i.conflicts[0]!.message)?.[1];
    const other =
      restored.bookings.find((b) => b.reference === ref) ?? truth.bookings.find((b) => b.reference === ref);
    const mine = i.kind === 'insert' ? i.row : i.changes;
    const t = truth.bookings.find((b) => b.id === i.key.id);
    console.log(
      JSON.stringify({
        mine,
        other,
        inRestored: restored.bookings.some((b) => b.reference === ref),
        truthMine: t,
      }),
    );
  }
}
