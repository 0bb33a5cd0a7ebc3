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
  if (TIME_COLUMNS.has(column) && typeof raw === 'string')
    return isCanonicalInstant(raw) ? raw : new Date(raw).toISOString();
  if (NUMERIC_COLUMNS.has(column)) return Number(raw);
  if (typeof raw === 'bigint') return Number(raw);
  if (column === 'currency' && typeof raw === 'string') return raw.trim();
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
  return JSON.stringify(raw);
}

const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

/**
 * True when `s` is already what `new Date(s).toISOString()` gives back (YYYY-MM-DDTHH:MM:SS.sssZ with every field in
 * range), so canonicalizing it needs neither a Date nor a new string; evidence and plans carry millions of them. Days
 * past the 28th take the slow path, since Date rolls an impossible day over into the next month rather than failing.
 */
function isCanonicalInstant(s: string): boolean {
  if (s.length !== 24 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':')
    return false;
  if (s[19] !== '.' || s[23] !== 'Z') return false;
  for (const i of DIGITS) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 28 &&
    twoDigits(s, 11) <= 23 &&
    twoDigits(s, 14) <= 59 &&
    twoDigits(s, 17) <= 59
  );
}

function twoDigits(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;
}

/** The hash of a row's canonical form: the precondition an update item carries. */
export function hashRow(table: TableName, row: Record<string, unknown>): string {
  return hashValue([table, canonicalRow(table, row)]);
}
