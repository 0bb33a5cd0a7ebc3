import type { ColumnType, Generated } from 'kysely';

/** A timestamptz column: read as a Date, written as a Date or an ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz column with a default (now()): optional on insert. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** A jsonb column: read parsed, written as JSON text (see `toJson`), the one form both pg and PGlite take alike. */
export type Json<T = unknown> = ColumnType<T, string, string>;
/** A bigint/bigserial column: read as a decimal string, as node-postgres does. */
export type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;

/** One command run (pull, plan, ...) and its outcome summary. */
export interface RunsTable {
  id: string;
  command: string;
  source: string | null;
  business_id: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'partial';
  started_at: CreatedAt;
  finished_at: Timestamp | null;
  summary: Json | null;
  pid: number | null;
  host: string | null;
}

/** Raw bytes evidence was read from, keyed by their sha256; written once. */
export interface RawMaterialTable {
  ref: string;
  media_type: string;
  body: Uint8Array;
  size: number;
  source_kind: string | null;
  source_account: string | null;
  object_id: string | null;
  created_at: CreatedAt;
}

/** One Evidence value: queryable columns plus `extra` for the rest. */
export interface EvidenceTable {
  id: string;
  business_id: string;
  source_kind: string;
  source_account: string;
  object_id: string;
  object_version: string;
  entity: string;
  fields: Json<Record<string, unknown>>;
  observed_at: Timestamp;
  extractor_name: string;
  extractor_version: string;
  confidence: number;
  raw_ref: string | null;
  /** The rest of the Evidence value (observedAt as given, versionRank, note, keys added later). */
  extra: Json<Record<string, unknown>>;
  run_id: string | null;
  created_at: CreatedAt;
}

/** The last checkpoint of each connector stream, per scope (business + account). */
export interface CheckpointsTable {
  connector: string;
  scope: string;
  stream: string;
  state: Json;
  updated_at: CreatedAt;
}

/** Warnings recorded during runs: stable code, message without customer data, object pointer. */
export interface WarningsTable {
  id: Generated<Int8>;
  run_id: string;
  stream: string;
  code: string;
  message: string;
  object_id: string | null;
  raw_ref: string | null;
  created_at: CreatedAt;
}

/**
 * Saved plans in save order (`seq`). Since migration 0002 `plan` is the header (the plan with `items: []`) and the
 * items are rows of plan_items (`items_apart`); older plans hold their items inline.
 */
export interface PlansTable {
  id: string;
  seq: Generated<Int8>;
  as_of: Timestamp;
  item_count: number;
  plan: Json;
  items_apart: Generated<boolean>;
  created_at: CreatedAt;
}

/** One plan item, in the plan's order (`ord` from 0). */
export interface PlanItemsTable {
  plan_id: string;
  ord: number;
  item_id: string;
  item: Json;
}

/** Decisions on plan items, append-only; the latest per item and decider stands. */
export interface DecisionsTable {
  seq: Generated<Int8>;
  plan_id: string;
  item_id: string;
  kind: 'approve' | 'reject' | 'edit';
  decided_by: string;
  decided_at: string;
  decision: Json;
  created_at: CreatedAt;
}

/** A question sent to a customer about plan items; owned by @salvage/confirm, stored here. */
export interface ConfirmationsTable {
  id: string;
  plan_id: string;
  business_id: string;
  item_ids: Json<string[]>;
  recipient: string;
  status: Generated<'pending' | 'sent' | 'answered' | 'expired' | 'failed'>;
  sent_at: Timestamp | null;
  expires_at: Timestamp | null;
  answered_at: Timestamp | null;
  answer: Json | null;
  created_at: CreatedAt;
}

/** The workspace's tables (in schema salvage_workspace; `Workspace.db` is already bound to it). */
export interface WorkspaceDb {
  runs: RunsTable;
  raw_material: RawMaterialTable;
  evidence: EvidenceTable;
  checkpoints: CheckpointsTable;
  warnings: WarningsTable;
  plans: PlansTable;
  plan_items: PlanItemsTable;
  decisions: DecisionsTable;
  confirmations: ConfirmationsTable;
}

/** JSON text for a jsonb parameter. node-postgres would turn a top-level array into a PostgreSQL array literal. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}
