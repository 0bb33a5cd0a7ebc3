import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Plan, SalvageError, type TargetSnapshot } from '@salvage/core';
import { readTargetSnapshot } from '@salvage/store';
import type { Kysely } from 'kysely';
import { loadTruth } from '../generate/load-truth.ts';
import { readManifest } from '../generate/manifest.ts';
import type { AccuracyReport } from './accuracy-report.ts';
import { readSqlDump } from './read-dump.ts';
import { readFieldProvenance } from './read-provenance.ts';
import { scoreRebuild } from './score-rebuild.ts';

/** Where scoreTarget is; each phase is reported once, before it starts. */
export type ScoreTargetPhase = 'truth' | 'backup' | 'restored' | 'target' | 'provenance' | 'plan' | 'score';

export interface ScoreTargetOptions {
  /** A directory written by `salvage simulate` (manifest.json, truth/*.jsonl, backup.sql, restored.sql). */
  truthDir: string;
  /** The rebuilt target, in the reference schema (plus schema salvage when apply has run). */
  // biome-ignore lint/suspicious/noExplicitAny: the target's schema is the reference schema, read untyped.
  targetDb: Kysely<any>;
  /** A plan JSON file (as `salvage plan --out` writes it): its dispositions give the review share. */
  planFile?: string;
  /** Keys kept per kind of mistake in the report's examples (see ScoreInput.exampleLimit). */
  exampleLimit?: number;
  onProgress?(phase: ScoreTargetPhase): void;
}

/**
 * Reads the truth of a simulated incident and a rebuilt target, and scores the target (see scoreRebuild). The
 * backup and restored dumps, when present in truthDir, tell what the target already held before the rebuild. Missing truth files throw SalvageError 'truth_missing' naming the file.
 */
export async function scoreTarget(options: ScoreTargetOptions): Promise<AccuracyReport> {
  const { truthDir, targetDb } = options;
  const progress = options.onProgress ?? (() => {});
  progress('truth');
  for (const file of ['customers', 'bookings', 'payments', 'recoverability'].map((t) =>
    join('truth', `${t}.jsonl`),
  )) {
    if (!existsSync(join(truthDir, file)))
      throw new SalvageError(
        'truth_missing',
        `${join(truthDir, file)} is missing: point --truth at a directory written by \`salvage simulate --out DIR\``,
      );
  }
  const { snapshot: truth, recoverability } = await loadTruth(truthDir);
  const phoneRegions: Record<string, string> = {};
  let asOf: string | undefined;
  if (existsSync(join(truthDir, 'manifest.json'))) {
    const manifest = await readManifest(truthDir);
    for (const b of manifest.businesses) phoneRegions[b.id] = b.defaultRegion;
    asOf = manifest.incident.pulledAt;
  }
  progress('backup');
  const backup = await loadDump(join(truthDir, 'backup.sql'));
  progress('restored');
  const restored = await loadDump(join(truthDir, 'restored.sql'));
  progress('target');
  const rebuilt = await readTargetSnapshot(targetDb);
  progress('provenance');
  const provenance = (await readFieldProvenance(targetDb)) ?? undefined;
  let plan: Plan | undefined;
  if (options.planFile) {
    progress('plan');
    plan = await readPlanFile(options.planFile);
  }
  progress('score');
  return scoreRebuild({
    truth,
    recoverability,
    backup,
    restored,
    rebuilt,
    provenance,
    plan,
    exampleLimit: options.exampleLimit,
    phoneRegions,
    ...(asOf ? { asOf } : {}),
  });
}

/** Reads a simulator SQL dump when the file exists. */
async function loadDump(file: string): Promise<TargetSnapshot | undefined> {
  return existsSync(file) ? readSqlDump(file) : undefined;
}

/** Reads a plan JSON file; throws SalvageError 'plan_unreadable' naming the file and what is wrong. */
export async function readPlanFile(file: string): Promise<Plan> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new SalvageError(
      'plan_unreadable',
      `${file} is not a readable JSON plan (${(error as Error).message}); write one with \`salvage plan --out FILE\``,
      { cause: error },
    );
  }
  const plan = value as Partial<Plan> | null;
  if (!plan || typeof plan !== 'object' || !Array.isArray(plan.items))
    throw new SalvageError('plan_unreadable', `${file} has no items array: it is not a salvage plan`);
  const bad = plan.items.findIndex(
    (i) => !i || typeof i.table !== 'string' || !['auto', 'review', 'ask_customer'].includes(i.disposition),
  );
  if (bad >= 0)
    throw new SalvageError('plan_unreadable', `${file}: items[${bad}] lacks a table or a known disposition`);
  return plan as Plan;
}
