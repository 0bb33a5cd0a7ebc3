import type { Config, Decision, Evidence, Plan, TargetIdentity, TargetSnapshot } from '@salvage/core';

/** The parts of the config the engine reads; a parsed `Config` fits as is. */
export type ReconcileConfig = Pick<Config, 'thresholds' | 'rules'> & {
  businesses: Array<Pick<Config['businesses'][number], 'id' | 'currency' | 'rules'>>;
  /** When the backup was taken: a restored row the platform's clock touched since says nothing newer. */
  incident?: Pick<Config['incident'], 'backupTakenAt' | 'restoredAt'>;
};

/** Everything `planReconciliation` needs; the engine reads nothing else (no clock, no files, no database). */
export interface ReconcileInput {
  /** The restored target database, rows canonicalized with `canonicalRow`. */
  snapshot: TargetSnapshot;
  evidence: Iterable<Evidence>;
  config: ReconcileConfig;
  /** The instant the plan is made for (ISO 8601); only recorded, never compared with a clock. */
  asOf: string;
  target: TargetIdentity;
  /** The previous plan and the decisions taken on it, carried over for items that did not change. */
  previous?: { plan: Plan; decisions: Decision[] };
}
