import type { TableName } from '@salvage/core';
import type { Kysely, Transaction } from 'kysely';
import { buildReadColumnTypes, buildSelectIds, buildSelectRows, type ColumnTypes } from './statements.ts';
import { type MappedTable, REFERENCE_COLUMNS, toReferenceValue } from './target-mapping.ts';

// biome-ignore lint/suspicious/noExplicitAny: the target's schema is not typed here.
export type Db = Kysely<any> | Transaction<any>;

/** Reads the SQL types of a mapped table's columns; throws SalvageError-free Error naming what is missing. */
export async function readColumnTypes(db: Db, mapped: MappedTable): Promise<ColumnTypes> {
  const { rows } = await db.executeQuery<{ name: string; type: string }>(buildReadColumnTypes(mapped));
  const types: ColumnTypes = {};
  for (const r of rows) types[r.name] = r.type;
  return types;
}

/** Target columns a mapping expects that the table lacks (the whole table when it does not exist). */
export function missingColumns(mapped: MappedTable, types: ColumnTypes): string[] {
  return REFERENCE_COLUMNS[mapped.table].map((c) => mapped.columns[c]!).filter((c) => !(c in types));
}

/**
 * Reads rows by id, in reference terms (reference column names and enum values), keyed by id. `whileReading`, if
 * given, runs (synchronously) once each read is sent, while the database answers it.
 */
export async function readRowsById(
  db: Db,
  mapped: MappedTable,
  ids: readonly string[],
  forUpdate: boolean,
  whileReading?: () => void,
  chunkSize = 10_000,
): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < ids.length; i += chunkSize) {
    const { rows } = await overlap(
      db.executeQuery<Record<string, unknown>>(
        buildSelectRows(mapped, ids.slice(i, i + chunkSize), forUpdate),
      ),
      whileReading,
    );
    for (const row of rows) {
      const ref: Record<string, unknown> = {};
      for (const c of REFERENCE_COLUMNS[mapped.table as TableName])
        ref[c] = toReferenceValue(mapped, c, row[c]);
      out.set(String(ref.id), ref);
    }
  }
  return out;
}

/** Which of the ids (lowercase uuids) exist in the table; reads ids only and takes no locks. As readRowsById. */
export async function readExistingIds(
  db: Db,
  mapped: MappedTable,
  ids: readonly string[],
  whileReading?: () => void,
  chunkSize = 50_000,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += chunkSize) {
    const { rows } = await overlap(
      db.executeQuery<{ id: unknown }>(buildSelectIds(mapped, ids.slice(i, i + chunkSize))),
      whileReading,
    );
    for (const row of rows) out.add(String(toReferenceValue(mapped, 'id', row.id)));
  }
  return out;
}

/** Awaits a sent read, first running `work` (if any) once the read has reached the connection. */
async function overlap<T>(read: Promise<T>, work: (() => void) | undefined): Promise<T> {
  if (work) {
    // Handled below; a failure while `work` runs must not count as an unhandled rejection.
    read.catch(() => {});
    await new Promise<void>((resolve) => setImmediate(resolve));
    work();
  }
  return read;
}
