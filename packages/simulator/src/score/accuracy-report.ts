import type { Plan, TargetSnapshot } from '@salvage/core';
import type { RecoverabilityRow } from '../generate/manifest.ts';

/**
 * The accuracy report's types. The report is stored as JSON (bench results, docs/accuracy.md) and printed as a table,
 * so it holds only plain data: counts beside every rate, so a reader can re-add them, and no customer data (records
 * are named by booking reference, Stripe id or uuid, never by name, email or phone).
 */

/** Entities the scorer measures. Businesses and resources come from the backup and are not scored. */
export const SCORED_ENTITIES = ['customers', 'bookings', 'payments'] as const;
export type ScoredEntity = (typeof SCORED_ENTITIES)[number];

/** One row of the view salvage.field_provenance that apply writes in the target (snake_case, as the view has it). */
export interface FieldProvenanceRow {
  batch_id: string;
  table_name: string;
  row_id: string;
  column_name: string;
  /** The written value as JSON (jsonb): a string, number, boolean or null. */
  value: unknown;
  confidence: number;
  rule: string;
  evidence_ids: string[];
  /** 'policy:auto-accept' | 'operator:<name>' | 'customer:<ref>'. */
  approved_by: string;
}

/** What `scoreRebuild` compares. Only `truth`, `recoverability` and `rebuilt` are required. */
export interface ScoreInput {
  /** The database at the incident (the simulator's truth). */
  truth: TargetSnapshot;
  /** Which truth bookings left any trace, and whether the backup already held them unchanged. */
  recoverability: RecoverabilityRow[];
  /** The stale backup: records it already held unchanged are not counted as recovered. */
  backup?: TargetSnapshot;
  /**
   * The target as the rebuild found it (the restored database). Its rows are the business's own, not salvage's
   * claims: they are left out of precision and of duplicates created. Defaults to the backup's ids when absent.
   */
  restored?: TargetSnapshot;
  /** The target after the rebuild. */
  rebuilt: TargetSnapshot;
  /** salvage.field_provenance: what apply wrote, with confidence and who approved it. */
  provenance?: FieldProvenanceRow[];
  /** The applied plan: when given, the review share counts its dispositions instead of provenance's approvers. */
  plan?: Plan;
  /** Default phone region per business id (ISO 3166 alpha-2), for phones written without a country code. */
  phoneRegions?: Record<string, string>;
  /**
   * When the rebuild is judged (ISO 8601; the incident's pulledAt): the truth's confirmed bookings that ended by then
   * count as completed, as the platform's own clock would have made them. Default: the truth as it is.
   */
  asOf?: string;
  /** Keys kept per kind of mistake in `examples` (default EXAMPLE_LIMIT); raise it to list every mistake. */
  exampleLimit?: number;
}

/** A share with its counts. `rate` is hit/of, or null when `of` is 0 (nothing to measure is not 100%). */
export interface Ratio {
  hit: number;
  of: number;
  rate: number | null;
}

/** How often one column of matched records holds the truth's value. */
export interface ColumnScore extends Ratio {
  /** Part of the headline field accuracy (false for columns no source can know, like notes and created_at). */
  core: boolean;
}

/**
 * Written fields of one column chosen by one rule: where wrong values come from, so a rule can be fixed or its
 * confidence lowered. `wrong` and `autoWrong` are counts; `meanConfidence` is over `written`.
 */
export interface RuleScore {
  column: string;
  rule: string;
  written: number;
  wrong: number;
  autoAccepted: number;
  autoWrong: number;
  meanConfidence: number;
}

/** One bin of a reliability table: values scored in [lower, upper), with how often they were right. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence in the bin; null when empty. */
  meanConfidence: number | null;
  /** Share of correct values in the bin; null when empty. */
  accuracy: number | null;
}

/** Calibration of written values' confidence against the truth. */
export interface Calibration {
  /** (confidence, correct) pairs measured. */
  pairs: number;
  /** Expected calibration error over 10 equal-width bins, in [0, 1]; null with no pairs. */
  ece: number | null;
  bins: ReliabilityBin[];
}

/** Items sent to a person: to review (an operator) or to the customer to confirm. */
export interface ReviewShare {
  /** Where the dispositions came from: the plan, apply's provenance (approved_by), or nowhere. */
  source: 'plan' | 'provenance' | 'none';
  items: number;
  review: number;
  askCustomer: number;
  /** (review + askCustomer) / items. */
  share: number | null;
}

/**
 * Up to EXAMPLE_LIMIT keys per kind of mistake, for debugging a run (no PII): bookings by reference, payments by
 * Stripe id (else uuid), customers by uuid: the truth's id for missing and wrongFields, the rebuilt row's id for
 * spurious, duplicates (the extra row), wronglyMerged and wrongAutoAccepted. wrongFields and wrongAutoAccepted are
 * 'key.column'.
 */
export interface ScoreExamples {
  missing: string[];
  spurious: string[];
  duplicates: string[];
  wrongFields: string[];
  wrongAutoAccepted: string[];
  wronglyMerged: string[];
  wrongBookingLink: string[];
}

export const EXAMPLE_LIMIT = 10;

/** The scores of one entity (customers, bookings or payments). */
export interface EntityScore {
  /** Records in the truth. */
  truth: number;
  /** Truth records the rebuild had to produce: not in the backup, or changed since. */
  toRecover: number;
  /**
   * Recall over the recoverable ones among `toRecover`: found (matched by natural key), and for a record the backup
   * held in an older state, with every core field now right.
   */
  recall: Ratio;
  /** Records in the rebuilt target, and those the rebuild added (not in the restored database). */
  rebuilt: number;
  claimed: number;
  /** Added records that are a truth record no other rebuilt record already stands for. */
  precision: Ratio;
  /** Core fields of matched records in `toRecover` that equal the truth. */
  fieldAccuracy: Ratio;
  columns: Record<string, ColumnScore>;
  /** Extra rebuilt records standing for a truth record another one already stands for; rate over `claimed`. */
  duplicates: Ratio;
  /** Written fields (from provenance) judged against the truth; `of` excludes fields that cannot be judged. */
  writtenFields: Ratio;
  /** Auto-accepted written fields whose value is not the truth's: hit = wrong ones, of = auto-accepted judged. */
  wrongAutoAccepted: Ratio;
  /** Written fields by column and rule, the ones with wrong values first. */
  rules: RuleScore[];
  reviewShare: ReviewShare;
  calibration: Calibration;
  examples: ScoreExamples;
}

export interface CustomerScore extends EntityScore {
  /** Rebuilt customers holding bookings of two or more truth customers; rate over customers holding any booking. */
  wronglyMerged: Ratio;
}

export interface PaymentScore extends EntityScore {
  /** Stripe payments in `toRecover` (with a truth booking) found and attached to the truth's booking. */
  linkedToBooking: Ratio;
}

/** The whole report. formatVersion changes when a field changes meaning. */
export interface AccuracyReport {
  formatVersion: 1;
  customers: CustomerScore;
  bookings: EntityScore;
  payments: PaymentScore;
  /** Over all three entities. */
  overall: {
    wrongAutoAccepted: Ratio;
    reviewShare: ReviewShare;
    calibration: Calibration;
  };
  /** What the scorer could not measure and why (no provenance, no backup). */
  notes: string[];
}
