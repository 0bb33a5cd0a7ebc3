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
    return isCanonicalTime(raw) ? raw : new Date(raw).toISOString();
  if (NUMERIC_COLUMNS.has(column)) return Number(raw);
  if (typeof raw === 'bigint') return Number(raw);
  if (column === 'currency' && typeof raw === 'string') return raw.trim();
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
  return JSON.stringify(raw);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * True when `s` is already what `new Date(s).toISOString()` returns ('2026-05-01T10:00:00.000Z', a real calendar day,
 * hour 00-23), so canonicalValue can skip the Date: plan and journal values are nearly all in this form, and the round
 * trip was the largest cost of building an apply's statements. Anything else (24:00, 29 February of a common year,
 * offsets, no milliseconds) takes the slow path, which normalizes or rolls it over as before.
 */
export function isCanonicalTime(s: string): boolean {
  if (
    s.length !== 24 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 ||
    s.charCodeAt(23) !== 90
  )
    return false;
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  const ms = twoDigits(s, 20);
  const lastMs = s.charCodeAt(22) - 48;
  if (century < 0 || yy < 0 || ms < 0 || lastMs < 0 || lastMs > 9) return false;
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  if (second < 0 || second > 59) return false;
  const year = century * 100 + yy;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** The hash of a row's canonical form: the precondition an update item carries. */
export function hashRow(table: TableName, row: Record<string, unknown>): string {
  return hashValue([table, canonicalRow(table, row)]);
}
