import { hashValue } from './hash.ts';
import type { TableName } from './model.ts';
import type { Value } from './plan.ts';

const NUMERIC_COLUMNS = new Set(['total_amount', 'amount', 'amount_refunded']);
const TIME_COLUMNS = new Set(['created_at', 'updated_at', 'starts_at', 'ends_at', 'paid_at']);

/**
 * A database row as the model writes it: Date and timestamp strings become ISO UTC with milliseconds, bigint
 * strings become numbers, char(n) padding is trimmed. Rows read through pg, PGlite or from a plan compare equal after it.
 */
export function canonicalRow(_table: TableName, row: Record<string, unknown>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [column, raw] of Object.entries(row)) {
    out[column] = canonicalValue(column, raw);
  }
  return out;
}

export function canonicalValue(column: string, raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof Date) return raw.toISOString();
  if (TIME_COLUMNS.has(column) && typeof raw === 'string') return new Date(raw).toISOString();
  if (NUMERIC_COLUMNS.has(column)) return Number(raw);
  if (typeof raw === 'bigint') return Number(raw);
  if (column === 'currency' && typeof raw === 'string') return raw.trim();
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
  return JSON.stringify(raw);
}

/** The hash of a row's canonical form: the precondition an update item carries. */
export function hashRow(table: TableName, row: Record<string, unknown>): string {
  return hashValue([table, canonicalRow(table, row)]);
}
