import { randomUUID } from 'node:crypto';
import {
  canonicalValue,
  type Decision,
  hashRow,
  type Plan,
  type PlanItem,
  SalvageError,
  TABLES,
  type TableName,
  type TargetIdentity,
  type Value,
} from '@salvage/core';
import { readTargetIdentity } from '@salvage/store';
import type { CompiledQuery, ControlledTransaction, Kysely } from 'kysely';
import {
  buildAuditDdl,
  buildInsertBatch,
  buildInsertChunk,
  buildInsertLedger,
  buildLedgerExists,
  buildPreferLz4,
  buildReadLedger,
} from './audit-schema.ts';
import { guardDatabase } from './guard-database.ts';
import { compareIdentity, type Refusal, takeApplyLock } from './guards.ts';
import { type ChunkRow, type FieldSource, packChunk } from './journal-chunk.ts';
import { type ExcludedItem, type SelectedItem, selectItems } from './select-items.ts';
import { buildInsertColumns, buildUpdateRows, type ColumnTypes } from './statements.ts';
import { missingColumns, readColumnTypes, readExistingIds, readRowsById } from './target-io.ts';
import { REFERENCE_COLUMNS, resolveTargetMapping, type TargetMapping } from './target-mapping.ts';

/** Per table: what an apply writes, or would. */
export interface TableChange {
  table: TableName;
  inserts: number;
  updates: number;
  /** Up to `sampleSize` item summaries, inserts first. */
  samples: string[];
}

/** What a plan plus its decisions would change, and what is left out. */
export interface ApplyPreview {
  planId: string;
  /** The target as it is now (its name is what --confirm-target must repeat). */
  target: TargetIdentity;
  tables: TableChange[];
  totals: { inserts: number; updates: number };
  excluded: { rejected: number; undecided: number; dependencyNotWritten: number };
}

/** The outcome of applyPlan; refusals are values, each with a message saying what to do. */
export type ApplyResult =
  | { kind: 'dry_run'; preview: ApplyPreview /** What would refuse a write now. */; refusals: Refusal[] }
  | { kind: 'refused'; preview: ApplyPreview; refusals: Refusal[] }
  | { kind: 'applied'; preview: ApplyPreview; batchId: string; appliedAt: string };

export interface ApplyProgress {
  phase: 'check' | 'insert' | 'update';
  table?: TableName;
  done: number;
  total: number;
}

export interface ApplyOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the target's schema is not typed here.
  db: Kysely<any>;
  plan: Plan;
  decisions?: readonly Decision[];
  /** Who runs the apply, for the batch record: 'operator:alice'. */
  approvedBy: string;
  /** The target's database name, typed by the operator; required to write. */
  confirmTarget?: string;
  /** Write only auto and decided (approved or edited) items, leaving undecided ones for later. */
  onlyDecided?: boolean;
  /** Default true: check everything and report, write nothing. */
  dryRun?: boolean;
  /** Wait for another apply or revert holding the lock, instead of refusing. */
  wait?: boolean;
  /** Default: the reference schema. */
  mapping?: TargetMapping;
  /** Rows per statement (default 5000). */
  chunkSize?: number;
  sampleSize?: number;
  onProgress?: (p: ApplyProgress) => void;
  /** For tests: the clock. */
  now?: () => Date;
}

class StaleDuringWrite extends Error {}

/**
 * Applies the approved items of a plan to the target in one transaction, or (by default) only reports what it would
 * change. Refuses, as a value: another target, an unconfirmed target name, undecided items (unless onlyDecided), a
 * stale plan (a base row changed, or an inserted key exists), a plan already applied, a running apply (unless wait).
 * Writes an audit batch, the ledger entry and an undo journal with per-field provenance (one packed row per chunk) in
 * schema `salvage`. A failure
 * while writing rolls everything back and throws SalvageError 'apply_failed'; the target is then as it was.
 */
export async function applyPlan(options: ApplyOptions): Promise<ApplyResult> {
  const dryRun = options.dryRun ?? true;
  const mapping = options.mapping ?? resolveTargetMapping();
  const chunkSize = options.chunkSize ?? 5000;
  const now = options.now ?? (() => new Date());
  const { plan } = options;
  const selection = selectItems(plan.items, options.decisions ?? []);
  const write = assignIds(selection.write, mapping);

  const guarded = guardDatabase(options.db);
  let trx: ControlledTransaction<unknown> | undefined;
  try {
    trx = await guarded.startTransaction().execute();
    const refusals: Refusal[] = [];
    if (!dryRun) {
      const lock = await takeApplyLock(trx, options.wait ?? false);
      if (lock) refusals.push(lock);
    }
    const target = await readTargetIdentity(trx);
    const preview = previewOf(plan.id, target, write, selection.excluded, options.sampleSize ?? 5);
    if (refusals.length > 0) {
      await trx.rollback().execute();
      return { kind: 'refused', preview, refusals };
    }
    const wrong = compareIdentity(plan.target, target, 'plan');
    if (wrong) refusals.push(wrong);
    if (!dryRun) {
      if (options.confirmTarget === undefined)
        refusals.push({
          code: 'confirm_target_missing',
          message: `writing needs the target's database name: type it at the prompt, or pass --confirm-target ${target.databaseName}`,
        });
      else if (options.confirmTarget !== target.databaseName)
        refusals.push({
          code: 'confirm_target_mismatch',
          message: `you confirmed '${options.confirmTarget}' but the target is '${target.databaseName}'; check the target in salvage.config.yaml and confirm its name`,
        });
    }
    const ledger = await readLedgerEntry(trx, plan.id);
    if (ledger)
      refusals.push({
        code: 'plan_consumed',
        message: `plan ${plan.id} was applied already (batch ${ledger.batchId}, ${ledger.consumedAt}); a plan applies once: run 'salvage plan' for a new plan, or 'salvage revert ${ledger.batchId}' to undo it`,
      });
    if (selection.invalid.length > 0)
      refusals.push({
        code: 'invalid_decision',
        message: `${selection.invalid.length} decision(s) cannot be applied (${selection.invalid[0]!.reason}, item ${selection.invalid[0]!.itemId}); fix them in review`,
        items: selection.invalid.map((i) => ({ itemId: i.itemId, reason: i.reason })),
      });
    const undecided = selection.excluded.filter((e) => e.reason === 'undecided');
    if (undecided.length > 0 && !options.onlyDecided)
      refusals.push({
        code: 'undecided_items',
        message: `${undecided.length} item(s) still need a decision (review or customer confirmation); decide them with 'salvage review', or pass --only-decided to write only the decided ones`,
        items: undecided.map((e) => ({ itemId: e.item.id, table: e.item.table, reason: e.item.disposition })),
      });
    const types = new Map<TableName, ColumnTypes>();
    for (const table of TABLES) {
      const mapped = mapping.tables[table];
      const t = await readColumnTypes(trx, mapped);
      const missing = missingColumns(mapped, t);
      if (missing.length > 0 && write.some((s) => s.item.table === table))
        refusals.push({
          code: 'mapping_mismatch',
          message: `the target has no ${mapped.schema}.${mapped.name}(${missing.join(', ')}); fix targetMapping in salvage.config.yaml`,
        });
      types.set(table, t);
    }
    if (refusals.some((r) => r.code === 'wrong_target' || r.code === 'mapping_mismatch')) {
      await trx.rollback().execute();
      return { kind: dryRun ? 'dry_run' : 'refused', preview, refusals };
    }
    options.onProgress?.({ phase: 'check', done: 0, total: write.length });
    const batchId = randomUUID();
    const current = new Map<string, Record<string, unknown>>();
    const byTable = groupByTable(write);
    // Writing: the first insert chunks are built while the stale check waits for its reads.
    const chunks = dryRun
      ? undefined
      : new ChunkQueue(buildChunkWrites(batchId, byTable, current, mapping, types, chunkSize), 2);
    const stale = await checkStale(trx, byTable, mapping, !dryRun, current, chunks);
    if (stale.length > 0)
      refusals.push({
        code: 'stale_plan',
        message: `${stale.length} item(s) no longer match the target (rows changed or written since planning, e.g. ${stale[0]!.table} ${stale[0]!.key}: ${stale[0]!.reason}); nothing was written: run 'salvage plan' again, it links to the rows written since`,
        items: stale.map((s) => ({ itemId: s.itemId, table: s.table, key: s.key, reason: s.reason })),
      });
    if (dryRun || refusals.length > 0) {
      await trx.rollback().execute();
      return { kind: dryRun ? 'dry_run' : 'refused', preview, refusals };
    }

    const appliedAt = now().toISOString();
    for (const statement of buildAuditDdl()) await trx.executeQuery(statement);
    await trx.executeQuery(
      buildInsertBatch({
        id: batchId,
        planId: plan.id,
        appliedBy: options.approvedBy,
        appliedAt,
        counts: Object.fromEntries(
          preview.tables.map((t) => [t.table, { inserts: t.inserts, updates: t.updates }]),
        ),
        target,
      }),
    );
    await trx.executeQuery(buildInsertLedger(plan.id, batchId, appliedAt));
    await trx.executeQuery(buildPreferLz4());
    await writeItems(trx, write.length, chunks!, options.onProgress);
    await trx.commit().execute();
    trx = undefined;
    return { kind: 'applied', preview, batchId, appliedAt };
  } catch (error) {
    if (trx)
      await trx
        .rollback()
        .execute()
        .catch(() => {});
    if (error instanceof StaleDuringWrite) {
      const preview = previewOf(plan.id, plan.target, write, selection.excluded, options.sampleSize ?? 5);
      return {
        kind: 'refused',
        preview,
        refusals: [
          { code: 'stale_plan', message: `${error.message}; nothing was written: run 'salvage plan' again` },
        ],
      };
    }
    if (error instanceof SalvageError) throw error;
    throw new SalvageError(
      'apply_failed',
      `apply failed and was rolled back, the target is as it was: ${describeDbError(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    await guarded.destroy();
  }
}

/** A database error in one line without row values: message, constraint and table. */
export function describeDbError(error: unknown): string {
  const e = error as { message?: string; constraint?: string; table?: string; code?: string };
  const parts = [e.message ?? String(error)];
  if (e.constraint && !(e.message ?? '').includes(e.constraint)) parts.push(`constraint ${e.constraint}`);
  if (e.table) parts.push(`table ${e.table}`);
  return parts.join('; ');
}

async function readLedgerEntry(
  trx: ControlledTransaction<unknown>,
  planId: string,
): Promise<{ batchId: string; consumedAt: string } | null> {
  const exists = await trx.executeQuery<{ exists: boolean }>(buildLedgerExists());
  if (!exists.rows[0]?.exists) return null;
  const { rows } = await trx.executeQuery<{ batch_id: string; consumed_at: Date | string }>(
    buildReadLedger(planId),
  );
  const row = rows[0];
  if (!row) return null;
  return { batchId: row.batch_id, consumedAt: new Date(row.consumed_at).toISOString() };
}

/** Gives inserted rows of 'random' id tables a fresh uuid and rewrites every reference to them. */
function assignIds(write: SelectedItem[], mapping: TargetMapping): SelectedItem[] {
  const remap = new Map<string, string>();
  for (const s of write) {
    if (s.item.kind === 'insert' && mapping.tables[s.item.table].idGeneration === 'random')
      remap.set(s.item.key.id.toLowerCase(), randomUUID());
  }
  if (remap.size === 0) return write;
  const swap = (v: Value): Value => (typeof v === 'string' ? (remap.get(v.toLowerCase()) ?? v) : v);
  return write.map((s) => {
    const item = s.item;
    const key = { id: swap(item.key.id) as string };
    const fields = item.fields.map((f) => ({ ...f, value: swap(f.value) }));
    if (item.kind === 'insert') {
      const row = Object.fromEntries(Object.entries(item.row).map(([k, v]) => [k, swap(v)]));
      return { ...s, item: { ...item, key, fields, row: { ...row, id: key.id } } };
    }
    return {
      ...s,
      item: { ...item, key, fields, changes: item.changes.map((c) => ({ ...c, to: swap(c.to) })) },
    };
  });
}

function previewOf(
  planId: string,
  target: TargetIdentity,
  write: SelectedItem[],
  excluded: ExcludedItem[],
  sampleSize: number,
): ApplyPreview {
  // One pass over the items (a plan may have hundreds of thousands): counts per table, and its first inserts and
  // updates, of which the samples are the first sampleSize, inserts first.
  const byTable = new Map<TableName, { inserts: number; updates: number; first: PlanItem[][] }>();
  for (const { item } of write) {
    let t = byTable.get(item.table);
    if (!t) {
      t = { inserts: 0, updates: 0, first: [[], []] };
      byTable.set(item.table, t);
    }
    const k = item.kind === 'insert' ? 0 : 1;
    if (k === 0) t.inserts++;
    else t.updates++;
    if (t.first[k]!.length < sampleSize) t.first[k]!.push(item);
  }
  const tables: TableChange[] = [];
  for (const table of TABLES) {
    const t = byTable.get(table);
    if (!t) continue;
    tables.push({
      table,
      inserts: t.inserts,
      updates: t.updates,
      samples: [...t.first[0]!, ...t.first[1]!].slice(0, sampleSize).map((i) => `${i.kind} ${i.summary}`),
    });
  }
  return {
    planId,
    target,
    tables,
    totals: {
      inserts: tables.reduce((n, t) => n + t.inserts, 0),
      updates: tables.reduce((n, t) => n + t.updates, 0),
    },
    excluded: {
      rejected: excluded.filter((e) => e.reason === 'rejected').length,
      undecided: excluded.filter((e) => e.reason === 'undecided').length,
      dependencyNotWritten: excluded.filter((e) => e.reason === 'dependency_not_written').length,
    },
  };
}

/** One table's items to write, in plan order: all of them, and the inserts and the updates among them. */
interface TableItems {
  all: SelectedItem[];
  inserts: SelectedItem[];
  updates: SelectedItem[];
}

/**
 * The items by table, in one pass: the stale check and the builder each filtered the whole list per table and kind,
 * ten passes over hundreds of thousands of items of several shapes, which cost seconds at 600,000 items.
 */
function groupByTable(write: readonly SelectedItem[]): Map<TableName, TableItems> {
  const out = new Map<TableName, TableItems>();
  for (const s of write) {
    let t = out.get(s.item.table);
    if (!t) {
      t = { all: [], inserts: [], updates: [] };
      out.set(s.item.table, t);
    }
    t.all.push(s);
    (s.item.kind === 'insert' ? t.inserts : t.updates).push(s);
  }
  return out;
}

interface StaleItem {
  itemId: string;
  table: TableName;
  key: string;
  reason: string;
}

/**
 * Lists the items whose precondition no longer holds, and puts the rows of the others that updates change in
 * `current`. Updates read their rows (locked when writing, so nothing changes them before the write); inserts read only
 * whether their id exists, unlocked, since a missing row cannot be locked. While each read runs, `chunks` builds ahead.
 */
async function checkStale(
  trx: ControlledTransaction<unknown>,
  byTable: Map<TableName, TableItems>,
  mapping: TargetMapping,
  lock: boolean,
  current: Map<string, Record<string, unknown>>,
  chunks: ChunkQueue | undefined,
): Promise<StaleItem[]> {
  const stale: StaleItem[] = [];
  const whileReading = chunks ? () => chunks.buildAhead() : undefined;
  for (const table of TABLES) {
    const group = byTable.get(table);
    if (!group) continue;
    const inserts = group.inserts.map((s) => s.item);
    const updates = group.updates.map((s) => s.item);
    const existing =
      inserts.length > 0
        ? await readExistingIds(
            trx,
            mapping.tables[table],
            inserts.map((i) => i.key.id.toLowerCase()),
            whileReading,
          )
        : new Set<string>();
    const rows =
      updates.length > 0
        ? await readRowsById(
            trx,
            mapping.tables[table],
            updates.map((i) => i.key.id.toLowerCase()),
            lock,
            whileReading,
          )
        : new Map<string, Record<string, unknown>>();
    for (const { item } of group.all) {
      const id = item.key.id.toLowerCase();
      if (item.kind === 'insert') {
        if (existing.has(id))
          stale.push({ itemId: item.id, table, key: id, reason: 'a row with this id exists now' });
        continue;
      }
      const row = rows.get(id);
      if (!row) {
        stale.push({ itemId: item.id, table, key: id, reason: 'the row is gone' });
      } else if (hashRow(table, row) !== item.baseRowHash) {
        stale.push({ itemId: item.id, table, key: id, reason: 'the row changed since planning' });
      } else {
        current.set(`${table}:${id}`, row);
      }
    }
  }
  return stale;
}

/**
 * Where each of `columns` came from: the item's field for it (the last one, should there be two), else the item as a
 * whole. Runs once a written row, so no map per item: the fields themselves when they are the columns in order, as
 * they nearly always are, else a scan from the end.
 */
function sourcesOf(item: PlanItem, columns: readonly string[]): readonly FieldSource[] {
  const fields = item.fields;
  let aligned = fields.length === columns.length;
  for (let c = 0; aligned && c < columns.length; c++) aligned = fields[c]!.column === columns[c];
  if (aligned) return fields;
  const out: FieldSource[] = new Array(columns.length);
  const whole: FieldSource = {
    confidence: item.confidence,
    rule: 'plan_item',
    evidenceIds: item.evidenceIds,
  };
  for (let c = 0; c < columns.length; c++) {
    let source: FieldSource = whole;
    for (let f = fields.length - 1; f >= 0; f--)
      if (fields[f]!.column === columns[c]) {
        source = fields[f]!;
        break;
      }
    out[c] = source;
  }
  return out;
}

/** One chunk's statements, built and ready to send: the data write and its undo chunk. */
interface ChunkWrite {
  phase: 'insert' | 'update';
  table: TableName;
  data: CompiledQuery;
  journal: CompiledQuery;
  rows: number;
  /** Why the write is stale when it affected fewer rows than it has. */
  shortfall: (affected: number) => string;
}

/** A build step: a chunk's statements, a pause (undefined), or NEEDS_ROWS before the first update chunk of a table. */
type BuildStep = ChunkWrite | undefined | typeof NEEDS_ROWS;

/** Yielded before a table's update chunks: from there on, building reads the rows the stale check put in `current`. */
const NEEDS_ROWS = Symbol('needs rows');

/** Rows built between pauses: how often building lets the previous chunk's statements move on. */
const ROWS_PER_PAUSE = 1000;

/**
 * Builds each chunk's statements when asked for the next one, so building overlaps the previous chunk's writes. Yields
 * undefined every ROWS_PER_PAUSE rows and between a chunk's bulk steps: a pause, at which the caller lets I/O run, so a
 * statement that finished while this chunk is built is followed by the next (its journal, say) at once instead of the
 * database waiting for the whole chunk. Update chunks read `current`, so they come after NEEDS_ROWS.
 */
function* buildChunkWrites(
  batchId: string,
  byTable: Map<TableName, TableItems>,
  current: Map<string, Record<string, unknown>>,
  mapping: TargetMapping,
  types: Map<TableName, ColumnTypes>,
  chunkSize: number,
): Generator<BuildStep> {
  let seq = 0;
  for (const table of TABLES) {
    const mapped = mapping.tables[table];
    const columnTypes = types.get(table)!;
    const columns = REFERENCE_COLUMNS[table];
    const inserts = byTable.get(table)?.inserts ?? [];
    for (let i = 0; i < inserts.length; i += chunkSize) {
      const chunk = inserts.slice(i, i + chunkSize);
      // The values column by column, as the statement sends them: no object per row.
      const byColumn: unknown[][] = columns.map(() => new Array(chunk.length));
      const journal: ChunkRow[] = new Array(chunk.length);
      for (let r = 0; r < chunk.length; r++) {
        if (r > 0 && r % ROWS_PER_PAUSE === 0) yield undefined;
        const s = chunk[r]!;
        const item = s.item as Extract<PlanItem, { kind: 'insert' }>;
        const rowId = item.key.id.toLowerCase();
        const values: unknown[] = new Array(columns.length);
        for (let c = 0; c < columns.length; c++) {
          const column = columns[c]!;
          const value = column === 'id' ? rowId : (item.row[column] ?? null);
          byColumn[c]![r] = value;
          values[c] = canonicalValue(column, value);
        }
        // No hash: the journal keeps every written value, which revert compares with the row as it is then.
        journal[r] = { rowId, approvedBy: s.approvedBy, values, sources: sourcesOf(item, columns) };
      }
      const rows = chunk.length;
      yield undefined;
      const data = buildInsertColumns(mapped, columnTypes, byColumn);
      yield undefined;
      yield {
        phase: 'insert',
        table,
        data,
        journal: buildInsertChunk(batchId, packChunk(++seq, table, 'insert', columns, journal)),
        rows,
        shortfall: (affected) =>
          `${rows - affected} ${table} row(s) appeared with a planned id while applying`,
      };
    }
    const updates = byTable.get(table)?.updates ?? [];
    if (updates.length > 0) yield NEEDS_ROWS;
    const groups = new Map<string, SelectedItem[]>();
    for (const s of updates) {
      const item = s.item as Extract<PlanItem, { kind: 'update' }>;
      const key = item.changes
        .map((c) => c.column)
        .sort()
        .join(',');
      push(groups, key, s);
    }
    for (const [key, group] of groups) {
      if (key === '') continue;
      const changed = key.split(',');
      for (let i = 0; i < group.length; i += chunkSize) {
        const chunk = group.slice(i, i + chunkSize);
        const rows: { id: string; values: Record<string, unknown> }[] = [];
        const journal: ChunkRow[] = [];
        for (let r = 0; r < chunk.length; r++) {
          if (r > 0 && r % ROWS_PER_PAUSE === 0) yield undefined;
          const s = chunk[r]!;
          const item = s.item as Extract<PlanItem, { kind: 'update' }>;
          const id = item.key.id.toLowerCase();
          const before = current.get(`${table}:${id}`)!;
          const values: Record<string, unknown> = {};
          for (const c of item.changes) values[c.column] = c.to;
          rows.push({ id, values });
          journal.push({
            rowId: id,
            approvedBy: s.approvedBy,
            values: changed.map((c) => canonicalValue(c, values[c])),
            sources: sourcesOf(item, changed),
            prior: changed.map((c) => canonicalValue(c, before[c])),
            baseHash: item.baseRowHash,
          });
        }
        yield undefined;
        const data = buildUpdateRows(mapped, columnTypes, changed, rows);
        yield undefined;
        yield {
          phase: 'update',
          table,
          data,
          journal: buildInsertChunk(batchId, packChunk(++seq, table, 'update', changed, journal)),
          rows: rows.length,
          shortfall: () => `${table} rows vanished while applying`,
        };
      }
    }
  }
}

/**
 * The chunks to write, in order, some of them built ahead: while the stale check waits for the database, buildAhead
 * builds up to `limit` chunks that need only the plan (it stops at NEEDS_ROWS). A failure while building ahead is kept
 * and thrown where the chunk would have been built, after the chunks before it, as without building ahead.
 */
class ChunkQueue {
  private readonly ahead: ChunkWrite[] = [];
  private failure: { error: unknown } | undefined;
  private stopped = false;

  constructor(
    private readonly steps: Generator<BuildStep>,
    private readonly limit: number,
  ) {}

  /** Builds the next chunk now, unless `limit` wait already or the next one needs the stale check's rows. */
  buildAhead(): void {
    if (this.stopped || this.ahead.length >= this.limit) return;
    try {
      for (;;) {
        const step = this.steps.next();
        if (step.done || step.value === NEEDS_ROWS) {
          this.stopped = true;
          return;
        }
        if (step.value !== undefined) {
          this.ahead.push(step.value);
          return;
        }
      }
    } catch (error) {
      this.failure = { error };
      this.stopped = true;
    }
  }

  /** Every chunk in order, with the builder's pauses: those built ahead, then the rest as they are built. */
  *drain(): Generator<ChunkWrite | undefined> {
    this.stopped = true;
    yield* this.ahead.splice(0);
    if (this.failure) throw this.failure.error;
    for (const step of this.steps) if (step !== NEEDS_ROWS) yield step;
  }
}

/**
 * Writes the chunks one at a time, its statements on the transaction's connection, while the next chunk is built: the
 * database and Node work side by side instead of taking turns. The build pauses often, so the chunk in flight sends its
 * journal as soon as its data is written rather than when the next chunk is ready.
 */
async function writeItems(
  trx: ControlledTransaction<unknown>,
  total: number,
  chunks: ChunkQueue,
  onProgress: ApplyOptions['onProgress'],
): Promise<void> {
  let done = 0;
  const send = async (w: ChunkWrite): Promise<void> => {
    const result = await trx.executeQuery(w.data);
    const affected = Number(result.numAffectedRows ?? 0);
    if (affected !== w.rows) throw new StaleDuringWrite(w.shortfall(affected));
    await trx.executeQuery(w.journal);
    done += w.rows;
    onProgress?.({ phase: w.phase, table: w.table, done, total });
  };
  let pending: Promise<void> | undefined;
  for (const w of chunks.drain()) {
    if (w === undefined) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      continue;
    }
    if (pending) await pending;
    pending = send(w);
    // Handled when awaited; without this, a failure while the next chunk is built would be an unhandled rejection.
    pending.catch(() => {});
    // Let the statement reach the connection before building the next chunk blocks the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (pending) await pending;
}

/** Appends to a list in a map of lists (in place: copying would make grouping quadratic). */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
