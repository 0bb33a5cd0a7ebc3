import type { TableName } from './model.ts';

/**
 * A plan: what the engine proposes to write to the restored database, item by item. Like a ProseMirror step, each item
 * is a serializable value that carries its precondition (the base row it was computed from) and enough to be undone.
 * Plans only insert and update: a cancellation is a status update, never a delete.
 */

export type Value = string | number | boolean | null;

/** What happens to an item by default: written as is, shown to an operator, or confirmed by the customer first. */
export const DISPOSITIONS = ['auto', 'review', 'ask_customer'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** One rival value for a field, with the evidence behind it. */
export interface Alternative {
  value: Value;
  evidenceIds: string[];
  /** Source kinds behind the value, for display: ['stripe'], ['ics', 'imap']. */
  sources: string[];
  confidence?: number;
}

/** Why a column got its value: the rule that chose it, the evidence used, and what was not chosen. */
export interface FieldChoice {
  column: string;
  value: Value;
  /** Calibrated probability that the value is right, in [0, 1]. */
  confidence: number;
  /** Id of the survivorship rule that chose the value (stable, stored). */
  rule: string;
  evidenceIds: string[];
  alternatives: Alternative[];
  explanation?: string;
}

/** Trusted sources that disagree beyond tolerance; an item with a conflict is never auto-accepted. */
export interface Conflict {
  column: string;
  message: string;
  alternatives: Alternative[];
}

interface PlanItemBase {
  /** Hash of what the item describes, so equal plans have equal ids. */
  id: string;
  table: TableName;
  /** Primary key of the row in the target. */
  key: { id: string };
  businessId: string;
  /** Calibrated probability that the whole item is right. */
  confidence: number;
  disposition: Disposition;
  /** Provenance per column: every column of an insert, the changed columns of an update. */
  fields: FieldChoice[];
  evidenceIds: string[];
  conflicts: Conflict[];
  /** Ids of items that must be applied first (the customer a booking references). */
  dependsOn: string[];
  /** One line for people: 'new booking BK-7F3K2Q for Ana Lima, Cabin A, 3-5 May'. No secrets. */
  summary: string;
}

export interface InsertItem extends PlanItemBase {
  kind: 'insert';
  row: Record<string, Value>;
}

export interface ColumnChange {
  column: string;
  from: Value;
  to: Value;
}

export interface UpdateItem extends PlanItemBase {
  kind: 'update';
  /** `hashRow` of the target row the update was computed from; apply refuses the item when it has changed. */
  baseRowHash: string;
  changes: ColumnChange[];
}

export type PlanItem = InsertItem | UpdateItem;

/** Which database a plan was made for. Apply refuses any other. */
export interface TargetIdentity {
  systemIdentifier: string;
  databaseName: string;
  schemaFingerprint: string;
}

export interface Diagnostic {
  level: 'info' | 'warning' | 'error';
  code: string;
  message: string;
  evidenceIds?: string[];
  itemId?: string;
}

export interface Plan {
  formatVersion: 1;
  /** Hash of target identity, asOf and items. */
  id: string;
  /** When the plan was computed, as given to the engine (never read from a clock inside it). */
  asOf: string;
  target: TargetIdentity;
  items: PlanItem[];
  diagnostics: Diagnostic[];
  /** When re-planned from a previous plan: its decisions on items that did not change (same item id), to store again. */
  decisions?: Decision[];
}

export const DECISION_KINDS = ['approve', 'reject', 'edit'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** An operator's, or a customer's, answer about one plan item. */
export interface Decision {
  itemId: string;
  kind: DecisionKind;
  /** For `edit`: the column values chosen instead of the plan's. */
  values?: Record<string, Value>;
  /** 'operator:alice', 'customer:<evidence id>', 'policy:auto-accept'. */
  by: string;
  at: string;
  note?: string;
}
