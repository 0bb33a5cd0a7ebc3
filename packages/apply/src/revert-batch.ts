import {
  canonicalValue,
  hashRow,
  SalvageError,
  TABLES,
  type TableName,
  type TargetIdentity,
} from '@salvage/core';
import { readTargetIdentity } from '@salvage/store';
import type { ControlledTransaction, Kysely } from 'kysely';
import { describeDbError } from './apply-plan.ts';
import {
  buildLedgerExists,
  buildMarkReverted,
  buildReadBatch,
  buildReadChunks,
  buildReadLegacyJournal,
} from './audit-schema.ts';
import { guardDatabase } from './guard-database.ts';
import { compareIdentity, type Refusal, takeApplyLock } from './guards.ts';
import { type ChunkMeta, unpackEntry } from './journal-chunk.ts';
import {
  buildLegacyRevertDelete,
  buildReadReferenced,
  buildReadReferencingColumns,
  buildRevertDelete,
  buildUpdateRows,
} from './statements.ts';
import { readColumnTypes, readRowsById } from './target-io.ts';
import { resolveTargetMapping, type TargetMapping } from './target-mapping.ts';

/** A row the batch wrote that was changed (or removed) since: left as it is. */
export interface ChangedSince {
  table: TableName;
  rowId: string;
  op: 'insert' | 'update';
  /** changed: differs from what the batch wrote; gone: removed since; referenced: an inserted row others point at now. */
  reason: 'changed' | 'gone' | 'referenced';
}

export interface RevertCounts {
  table: TableName;
  restored: number;
  removed: number;
}

export type RevertResult =
  | {
      kind: 'dry_run' | 'reverted';
      batchId: string;
      target: TargetIdentity;
      counts: RevertCounts[];
      changedSince: ChangedSince[];
    }
  | { kind: 'refused'; batchId: string; refusals: Refusal[] };

export interface RevertOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the target's schema is not typed here.
  db: Kysely<any>;
  batchId: string;
  /** Who reverts: 'operator:alice'. */
  revertedBy?: string;
  /** The target's database name; required to write. */
  confirmTarget?: string;
  /** Default true: report what would be restored and removed, write nothing. */
  dryRun?: boolean;
  wait?: boolean;
  mapping?: TargetMapping;
  chunkSize?: number;
  now?: () => Date;
}

/** One row the batch wrote, from its undo chunk or (for batches applied before chunks) its legacy journal row. */
interface UndoEntry {
  table: TableName;
  rowId: string;
  op: 'insert' | 'update';
  /** Prior values of the columns an update changed. */
  prior: Record<string, unknown> | null;
  /**
   * How to tell the row is still as written: the hash of the whole row written (legacy journal rows), every value
   * written (inserts), or the values written plus the hash of the row before (updates; see journal-chunk.ts).
   */
  written:
    | { kind: 'hash'; hash: string }
    | { kind: 'values'; columns: readonly string[]; values: unknown[] }
    | { kind: 'base'; columns: readonly string[]; values: unknown[]; hash: string };
  /** The undo chunk that records it (its DELETE checks that chunk), or null for a legacy journal row. */
  chunkSeq: number | null;
}

interface ChunkRow {
  seq: number;
  table_name: TableName;
  op: 'insert' | 'update';
  row_ids: string[];
  columns: string[];
  meta: ChunkMeta | string;
  rows: unknown[] | string;
}

interface LegacyJournalRow {
  seq: number;
  table_name: TableName;
  row_id: string;
  op: 'insert' | 'update';
  prior: Record<string, unknown> | null;
  written_hash: string;
}

/** Reads a batch's undo entries, newest first, from its chunks and any legacy journal rows. */
async function readUndoEntries(trx: ControlledTransaction<unknown>, batchId: string): Promise<UndoEntry[]> {
  const entries: UndoEntry[] = [];
  const { rows: chunks } = await trx.executeQuery<ChunkRow>(buildReadChunks(batchId));
  for (const chunk of chunks) {
    // json columns arrive parsed from node-postgres and PGlite alike; parse only if a driver gives text.
    const meta = (typeof chunk.meta === 'string' ? JSON.parse(chunk.meta) : chunk.meta) as ChunkMeta;
    const rows = (typeof chunk.rows === 'string' ? JSON.parse(chunk.rows) : chunk.rows) as unknown[];
    const ids = parseTextArray(chunk.row_ids);
    const columns = parseTextArray(chunk.columns);
    for (let r = ids.length - 1; r >= 0; r--) {
      const e = unpackEntry(chunk.op, columns, meta, ids[r]!, rows[r]);
      entries.push({
        table: chunk.table_name,
        rowId: e.rowId,
        op: chunk.op,
        prior: e.prior,
        written:
          chunk.op === 'insert'
            ? { kind: 'values', columns, values: e.values }
            : { kind: 'base', columns, values: e.values, hash: e.baseHash ?? '' },
        chunkSeq: chunk.seq,
      });
    }
  }
  const { rows: legacy } = await trx.executeQuery<LegacyJournalRow>(buildReadLegacyJournal(batchId));
  for (const j of legacy)
    entries.push({
      table: j.table_name,
      rowId: j.row_id,
      op: j.op,
      prior: j.prior,
      written: { kind: 'hash', hash: j.written_hash },
      chunkSeq: null,
    });
  return entries;
}

/** A text[] as drivers return it: an array already, or (when the driver leaves it) the literal '{a,b}'. */
function parseTextArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.slice(1, -1);
  return inner === '' ? [] : inner.split(',').map((v) => v.replace(/^"|"$/g, ''));
}

/** Whether a row is still exactly as the batch wrote it. */
function isAsWritten(table: TableName, row: Record<string, unknown>, e: UndoEntry): boolean {
  if (e.written.kind === 'hash') return hashRow(table, row) === e.written.hash;
  const { columns, values } = e.written;
  for (let c = 0; c < columns.length; c++)
    if (canonicalValue(columns[c]!, row[columns[c]!]) !== (values[c] ?? null)) return false;
  // An update also left its other columns alone: with the prior values back, the row is the one the plan checked.
  return e.written.kind === 'values' || hashRow(table, { ...row, ...e.prior }) === e.written.hash;
}

/**
 * Undoes one applied batch in one transaction, under the same guards as apply (lock, target identity, confirmed name):
 * restores the prior values of rows it updated and removes rows it inserted, but only rows still exactly as the batch
 * wrote them; the others are reported in `changedSince` and left alone. Marks the batch reverted. A database error
 * rolls back and throws SalvageError 'revert_failed'. Inserted rows that rows written since point at are kept and reported.
 */
export async function revertBatch(options: RevertOptions): Promise<RevertResult> {
  const dryRun = options.dryRun ?? true;
  const mapping = options.mapping ?? resolveTargetMapping();
  const chunkSize = options.chunkSize ?? 5000;
  const { batchId } = options;
  const guarded = guardDatabase(options.db);
  let trx: ControlledTransaction<unknown> | undefined;
  try {
    trx = await guarded.startTransaction().execute();
    const refuse = async (refusals: Refusal[]): Promise<RevertResult> => {
      await trx!.rollback().execute();
      trx = undefined;
      return { kind: 'refused', batchId, refusals };
    };
    if (!dryRun) {
      const lock = await takeApplyLock(trx, options.wait ?? false);
      if (lock) return refuse([lock]);
    }
    const exists = await trx.executeQuery<{ exists: boolean }>(buildLedgerExists());
    const batch = exists.rows[0]?.exists
      ? (await trx.executeQuery<{ status: string; target: TargetIdentity }>(buildReadBatch(batchId))).rows[0]
      : undefined;
    if (!batch)
      return refuse([
        {
          code: 'batch_not_found',
          message: `no batch ${batchId} in this target; list batches with 'salvage why' or check the target`,
        },
      ]);
    if (batch.status === 'reverted')
      return refuse([
        { code: 'batch_reverted', message: `batch ${batchId} is reverted already; nothing to do` },
      ]);
    const target = await readTargetIdentity(trx);
    const refusals: Refusal[] = [];
    const wrong = compareIdentity(batch.target, target, 'batch');
    if (wrong) refusals.push(wrong);
    if (!dryRun && options.confirmTarget !== target.databaseName)
      refusals.push({
        code: options.confirmTarget === undefined ? 'confirm_target_missing' : 'confirm_target_mismatch',
        message: `reverting needs the target's database name: type it at the prompt, or pass --confirm-target ${target.databaseName}`,
      });
    if (refusals.length > 0) return refuse(refusals);

    const journal = await readUndoEntries(trx, batchId);
    const changedSince: ChangedSince[] = [];
    const counts: RevertCounts[] = [];
    const restores = new Map<TableName, UndoEntry[]>();
    const removals = new Map<TableName, UndoEntry[]>();
    for (const table of TABLES) {
      const entries = journal.filter((j) => j.table === table);
      if (entries.length === 0) continue;
      const rows = await readRowsById(
        trx,
        mapping.tables[table],
        entries.map((e) => e.rowId),
        !dryRun,
      );
      for (const e of entries) {
        const row = rows.get(e.rowId);
        if (!row) changedSince.push({ table, rowId: e.rowId, op: e.op, reason: 'gone' });
        else if (!isAsWritten(table, row, e))
          changedSince.push({ table, rowId: e.rowId, op: e.op, reason: 'changed' });
        else if (e.op === 'insert') push(removals, table, e);
        else push(restores, table, e);
      }
      counts.push({
        table,
        restored: restores.get(table)?.length ?? 0,
        removed: removals.get(table)?.length ?? 0,
      });
    }
    if (dryRun) {
      await trx.rollback().execute();
      trx = undefined;
      return { kind: 'dry_run', batchId, target, counts, changedSince };
    }
    // Restore first (an updated row may point at an inserted one), then remove children before parents.
    for (const table of TABLES) {
      const entries = restores.get(table) ?? [];
      if (entries.length === 0) continue;
      const mapped = mapping.tables[table];
      const types = await readColumnTypes(trx, mapped);
      const groups = new Map<string, UndoEntry[]>();
      for (const e of entries) {
        const key = Object.keys(e.prior ?? {})
          .sort()
          .join(',');
        push(groups, key, e);
      }
      for (const [key, group] of groups) {
        if (key === '') continue;
        const columns = key.split(',');
        for (let i = 0; i < group.length; i += chunkSize) {
          const chunk = group.slice(i, i + chunkSize).map((e) => ({ id: e.rowId, values: e.prior ?? {} }));
          await trx.executeQuery(buildUpdateRows(mapped, types, columns, chunk));
        }
      }
    }
    for (const table of [...TABLES].reverse()) {
      let removed = removals.get(table) ?? [];
      if (removed.length === 0) continue;
      // A row written since may point at a row the batch inserted: removing that row would break it, so it stays.
      const mapped = mapping.tables[table];
      const { rows: refs } = await trx.executeQuery<{ schema: string; table: string; column: string }>(
        buildReadReferencingColumns(mapped),
      );
      const ids = removed.map((e) => e.rowId);
      const referenced = new Set<string>();
      for (const ref of refs) {
        for (let i = 0; i < ids.length; i += chunkSize) {
          const { rows } = await trx.executeQuery<{ id: string }>(
            buildReadReferenced(ref, ids.slice(i, i + chunkSize)),
          );
          for (const r of rows) referenced.add(r.id);
        }
      }
      if (referenced.size > 0) {
        removed = removed.filter((e) => !referenced.has(e.rowId));
        for (const id of referenced)
          changedSince.push({ table, rowId: id, op: 'insert', reason: 'referenced' });
        const c = counts.find((x) => x.table === table);
        if (c) c.removed = removed.length;
      }
      // Each DELETE names the undo chunk that records its rows, so the database checks them against that chunk only.
      const byChunk = new Map<number | null, string[]>();
      for (const e of removed) push(byChunk, e.chunkSeq, e.rowId);
      for (const [seq, chunkIds] of byChunk) {
        for (let i = 0; i < chunkIds.length; i += chunkSize) {
          const part = chunkIds.slice(i, i + chunkSize);
          const statement =
            seq === null
              ? buildLegacyRevertDelete(mapped, batchId, part)
              : buildRevertDelete(mapped, batchId, seq, part);
          const result = await trx.executeQuery(statement);
          if (Number(result.numAffectedRows ?? 0) !== part.length)
            throw new SalvageError(
              'revert_failed',
              `revert removed fewer ${table} rows than its journal lists; rolled back`,
            );
        }
      }
    }
    const at = (options.now ?? (() => new Date()))().toISOString();
    await trx.executeQuery(
      buildMarkReverted(batchId, options.revertedBy ?? 'operator:unknown', at, {
        counts,
        changedSince: changedSince.length,
      }),
    );
    await trx.commit().execute();
    trx = undefined;
    return { kind: 'reverted', batchId, target, counts, changedSince };
  } catch (error) {
    if (trx)
      await trx
        .rollback()
        .execute()
        .catch(() => {});
    if (error instanceof SalvageError) throw error;
    throw new SalvageError(
      'revert_failed',
      `revert failed and was rolled back, the target is as it was: ${describeDbError(error)}`,
      { cause: error },
    );
  } finally {
    await guarded.destroy();
  }
}

/** Appends to a list in a map of lists (in place: copying would make grouping quadratic). */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
