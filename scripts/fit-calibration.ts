/**
 * node --import tsx scripts/fit-calibration.ts [--seeds 11,12] [--scale small]
 *
 * Learns the Platt scaling checked in as CALIBRATION.plattA/plattB (reconcile/src/calibration.ts): plans simulated
 * incidents from evidence synthesized out of their truth (scripts/synthesize-evidence.ts), labels every value a
 * survivorship rule chose as right or wrong against the truth, and fits p = sigmoid(A * z + B) on the engine's feature
 * score z by Newton's method, with Platt's smoothed targets. Prints the constants and the expected calibration error before and after.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalValue, parseConfig, type Value } from '@salvage/core';
import { CALIBRATION, planReconciliation, RULES } from '@salvage/reconcile';
import { generateIncident, loadTruth, readSqlDump } from '@salvage/simulator';
import { synthesizeEvidence } from './synthesize-evidence.ts';

const args = process.argv.slice(2);
const get = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const seeds = get('--seeds', '11,12').split(',').map(Number);
const scale = get('--scale', 'small') as 'small' | 'medium';
const scored = new Set<string>(Object.values(RULES).filter((r) => r !== RULES.targetKept));
const SKIP = new Set(['id', 'business_id', 'customer_id', 'booking_id', 'created_at', 'updated_at', 'notes']);

const pairs: { z: number; right: boolean }[] = [];
for (const seed of seeds) {
  const dir = mkdtempSync(join(tmpdir(), `salvage-fit-${seed}-`));
  await generateIncident({ scale, seed }, dir);
  const { snapshot: truth, recoverability } = await loadTruth(dir);
  const restored = await readSqlDump(join(dir, 'restored.sql'));
  const parsed = parseConfig(readFileSync(join(dir, 'salvage.config.yaml'), 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const evidence = synthesizeEvidence(truth, recoverability, { seed, typoRate: 0.08 });
  const plan = planReconciliation({
    snapshot: restored,
    evidence,
    config: parsed.config,
    asOf: '2026-08-01T00:00:00.000Z',
    target: { systemIdentifier: 'fit', databaseName: 'fit', schemaFingerprint: 'fit' },
  });
  const truthBooking = new Map(truth.bookings.map((b) => [`${b.business_id}|${b.reference}`, b]));
  const truthPayment = new Map(truth.payments.map((p) => [p.stripe_charge_id ?? p.id, p]));
  const truthCustomerById = new Map(truth.customers.map((c) => [c.id, c]));
  const truthCustomerByEmail = new Map(truth.customers.map((c) => [`${c.business_id}|${c.email}`, c]));
  const restoredById = new Map<string, Record<string, Value>>();
  for (const t of ['customers', 'bookings', 'payments'] as const)
    for (const r of restored[t]) restoredById.set(r.id, r as unknown as Record<string, Value>);
  for (const item of plan.items) {
    const row =
      item.kind === 'insert'
        ? item.row
        : {
            ...restoredById.get(item.key.id),
            ...Object.fromEntries(item.changes.map((c) => [c.column, c.to])),
          };
    let truthRow: object | undefined;
    if (item.table === 'bookings') truthRow = truthBooking.get(`${item.businessId}|${row.reference}`);
    else if (item.table === 'payments') truthRow = truthPayment.get(String(row.stripe_charge_id));
    else
      truthRow =
        truthCustomerById.get(item.key.id) ?? truthCustomerByEmail.get(`${item.businessId}|${row.email}`);
    if (!truthRow) continue;
    for (const f of item.fields) {
      if (!scored.has(f.rule) || SKIP.has(f.column)) continue;
      const p = Math.min(1 - 1e-6, Math.max(1e-6, f.confidence));
      const z = (Math.log(p / (1 - p)) - CALIBRATION.plattB) / CALIBRATION.plattA;
      pairs.push({
        z,
        right: canonicalValue(f.column, (truthRow as Record<string, unknown>)[f.column]) === f.value,
      });
    }
  }
  console.log(`seed ${seed}: ${plan.items.length} items, ${pairs.length} labelled values so far`);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
// Platt's (1999) smoothed targets instead of 1 and 0: with few wrong values the plain fit runs off to certainty.
const positives = pairs.filter((p) => p.right).length;
const negatives = pairs.length - positives;
const targetRight = (positives + 1) / (positives + 2);
const targetWrong = 1 / (negatives + 2);
let A = 1;
let B = 0;
for (let it = 0; it < 50; it++) {
  let gA = 0;
  let gB = 0;
  let hAA = 1e-6;
  let hAB = 0;
  let hBB = 1e-6;
  for (const { z, right } of pairs) {
    const p = sigmoid(A * z + B);
    const e = p - (right ? targetRight : targetWrong);
    const w = p * (1 - p);
    gA += e * z;
    gB += e;
    hAA += w * z * z;
    hAB += w * z;
    hBB += w;
  }
  const det = hAA * hBB - hAB * hAB;
  const dA = (hBB * gA - hAB * gB) / det;
  const dB = (hAA * gB - hAB * gA) / det;
  A -= dA;
  B -= dB;
  if (Math.abs(dA) + Math.abs(dB) < 1e-9) break;
}

function ece(f: (z: number) => number): number {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, right: 0 }));
  for (const { z, right } of pairs) {
    const p = f(z);
    const bin = bins[Math.min(9, Math.floor(p * 10))]!;
    bin.n++;
    bin.conf += p;
    bin.right += right ? 1 : 0;
  }
  return bins.reduce(
    (s, b) => s + (b.n ? (b.n / pairs.length) * Math.abs(b.conf / b.n - b.right / b.n) : 0),
    0,
  );
}
const wrong = pairs.filter((p) => !p.right).length;
console.log(`${pairs.length} labelled values, ${wrong} wrong`);
console.log(`ECE before: ${ece((z) => sigmoid(CALIBRATION.plattA * z + CALIBRATION.plattB)).toFixed(4)}`);
console.log(`ECE after:  ${ece((z) => sigmoid(A * z + B)).toFixed(4)}`);
console.log(`paste into reconcile/src/calibration.ts:  plattA: ${A.toFixed(4)},  plattB: ${B.toFixed(4)},`);
