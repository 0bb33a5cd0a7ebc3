import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type Decision,
  type EntityKind,
  type Evidence,
  type Plan,
  type PlanItem,
  SalvageError,
  type SourceKind,
  type SourceRef,
} from '@salvage/core';
import { type Kysely, sql, type Transaction } from 'kysely';
import { type DatabaseHandle, type DatabaseLocation, openDatabase } from './database.ts';
import { migrateWorkspace, WORKSPACE_SCHEMA } from './workspace-migrations.ts';
import { toJson, type WorkspaceDb } from './workspace-schema.ts';

/** Raw bytes an observation was read from (same shape as connector-kit's RawMaterial; `ref` is their sha256). */
export interface RawMaterialInput {
  ref: string;
  mediaType: string;
  body: Uint8Array | string;
  source: SourceRef;
}

/** A run's state: running until finishRun records its outcome. */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'partial';

/** One row of the run log, as `salvage status` shows it. */
export interface RunRecord {
  id: string;
  command: string;
  source: string | null;
  businessId: string | null;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  summary: unknown;
}

/** A recorded warning, as listWarnings returns it. */
export interface WarningRecord {
  runId: string;
  stream: string;
  code: string;
  message: string;
  objectId?: string;
  rawRef?: string;
  at: string;
}

/** Which evidence readEvidence streams; all of it when empty. */
export interface EvidenceFilter {
  businessId?: string;
  sourceKind?: SourceKind;
  entity?: EntityKind;
}

/**
 * salvage's own state: runs, raw material, evidence, checkpoints, warnings, plans, decisions, confirmations. The only
 * code that reads or writes the workspace. Every write is idempotent on its natural key, so re-running a step is safe.
 */
export interface Workspace {
  db: Kysely<WorkspaceDb>;
  kind: 'postgres' | 'pglite';
  /** Where the workspace is, for people (URL without password, or directory). */
  label: string;
  close(): Promise<void>;
  /** Runs `fn` in one transaction: everything it writes through the given workspace lands together or not at all. */
  transaction<T>(fn: (ws: Workspace) => Promise<T>): Promise<T>;
  startRun(input: { command: string; source?: string; businessId?: string }): Promise<string>;
  finishRun(
    runId: string,
    outcome: { status: 'succeeded' | 'failed' | 'partial'; summary: unknown },
  ): Promise<void>;
  /** Newest first; `limit` defaults to 20. */
  listRuns(limit?: number): Promise<RunRecord[]>;
  /** Idempotent on ref. String bodies are stored as UTF-8. */
  putRaw(raw: RawMaterialInput[]): Promise<void>;
  getRaw(ref: string): Promise<{ mediaType: string; body: Uint8Array } | null>;
  /** Idempotent on id: an id already stored counts as a duplicate and is left as it was. */
  putEvidence(items: Evidence[], runId: string): Promise<{ inserted: number; duplicates: number }>;
  /** Streams evidence in id order, one page (default 1000 rows) at a time; never loads all of it at once. */
  readEvidence(filter?: EvidenceFilter, options?: { pageSize?: number }): AsyncIterable<Evidence>;
  countEvidence(): Promise<{ businessId: string; sourceKind: string; entity: string; count: number }[]>;
  /** The last checkpoint of each stream of one connector in one scope, by stream name; `{}` on a first run. */
  getCheckpoints(connector: string, scope: string): Promise<Record<string, unknown>>;
  putCheckpoint(connector: string, scope: string, stream: string, state: unknown): Promise<void>;
  putWarning(w: {
    runId: string;
    stream: string;
    code: string;
    message: string;
    objectId?: string;
    rawRef?: string;
  }): Promise<void>;
  /** Warnings of one run, or of all runs, oldest first; `limit` defaults to 1000. */
  listWarnings(filter?: { runId?: string; limit?: number }): Promise<WarningRecord[]>;
  countWarnings(runId?: string): Promise<number>;
  /** Idempotent on plan.id. */
  savePlan(plan: Plan): Promise<void>;
  getPlan(id: string): Promise<Plan | null>;
  /** The plan saved last, or null. */
  latestPlan(): Promise<Plan | null>;
  /** Appends decisions; a later decision by the same `by` on the same item supersedes the earlier one. */
  putDecisions(planId: string, decisions: Decision[]): Promise<void>;
  /** The standing decisions of a plan: the latest per item and decider, in the order they were made. */
  listDecisions(planId: string): Promise<Decision[]>;
}

/**
 * Opens the workspace (PGlite directory or Postgres URL) and brings it to the latest migration. A PGlite directory in
 * use by another process throws SalvageError 'workspace_locked'.
 */
export async function openWorkspace(loc: DatabaseLocation): Promise<Workspace> {
  const handle = await openDatabase<WorkspaceDb>(loc);
  try {
    await migrateWorkspace(handle.db);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return new StoreWorkspace(handle, handle.db.withSchema(WORKSPACE_SCHEMA), false);
}

/**
 * Makes the current transaction compress large values with lz4 where the server has it (pglz costs most of the time
 * of writing large JSON); a no-op elsewhere (PGlite, servers built without lz4). Lasts until the transaction ends;
 * readers decompress either method transparently.
 */
export const PREFER_LZ4_SQL = `select set_config('default_toast_compression', 'lz4', true) as "setting" where exists (select from pg_catalog.pg_settings where "name" = 'default_toast_compression' and 'lz4' = any("enumvals"))`;

const PAGE_SIZE = 1000;
const INSERT_CHUNK = 500;
/** Plan items per insert statement (a few MB of JSON). */
const PLAN_ITEMS_CHUNK = 1000;

class StoreWorkspace implements Workspace {
  readonly #handle: DatabaseHandle<WorkspaceDb>;
  readonly #inTransaction: boolean;
  readonly db: Kysely<WorkspaceDb>;

  constructor(handle: DatabaseHandle<WorkspaceDb>, db: Kysely<WorkspaceDb>, inTransaction: boolean) {
    this.#handle = handle;
    this.db = db;
    this.#inTransaction = inTransaction;
  }

  get kind() {
    return this.#handle.kind;
  }

  get label() {
    return this.#handle.label;
  }

  async close(): Promise<void> {
    if (this.#inTransaction) return;
    await this.#handle.close();
  }

  async transaction<T>(fn: (ws: Workspace) => Promise<T>): Promise<T> {
    if (this.#inTransaction) return fn(this);
    return this.db
      .transaction()
      .execute((trx: Transaction<WorkspaceDb>) =>
        fn(new StoreWorkspace(this.#handle, trx.withSchema(WORKSPACE_SCHEMA), true)),
      );
  }

  async startRun(input: { command: string; source?: string; businessId?: string }): Promise<string> {
    const id = randomUUID();
    await this.db
      .insertInto('runs')
      .values({
        id,
        command: input.command,
        source: input.source ?? null,
        business_id: input.businessId ?? null,
        status: 'running',
        pid: process.pid,
        host: hostname(),
      })
      .execute();
    return id;
  }

  async finishRun(
    runId: string,
    outcome: { status: 'succeeded' | 'failed' | 'partial'; summary: unknown },
  ): Promise<void> {
    const res = await this.db
      .updateTable('runs')
      .set({ status: outcome.status, summary: toJson(outcome.summary), finished_at: new Date() })
      .where('id', '=', runId)
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n)
      throw new SalvageError('run_not_found', `no run ${runId} in the workspace`);
  }

  async listRuns(limit = 20): Promise<RunRecord[]> {
    const rows = await this.db
      .selectFrom('runs')
      .selectAll()
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      command: r.command,
      source: r.source,
      businessId: r.business_id,
      status: r.status,
      startedAt: r.started_at.toISOString(),
      finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
      summary: r.summary,
    }));
  }

  async putRaw(raw: RawMaterialInput[]): Promise<void> {
    const seen = new Set<string>();
    const rows = [];
    for (const r of raw) {
      if (seen.has(r.ref)) continue;
      seen.add(r.ref);
      const body = typeof r.body === 'string' ? new TextEncoder().encode(r.body) : r.body;
      rows.push({
        ref: r.ref,
        media_type: r.mediaType,
        body,
        size: body.byteLength,
        source_kind: r.source.kind,
        source_account: r.source.account,
        object_id: r.source.objectId,
      });
    }
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await this.db
        .insertInto('raw_material')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) => oc.column('ref').doNothing())
        .execute();
    }
  }

  async getRaw(ref: string): Promise<{ mediaType: string; body: Uint8Array } | null> {
    const row = await this.db
      .selectFrom('raw_material')
      .select(['media_type', 'body'])
      .where('ref', '=', ref)
      .executeTakeFirst();
    if (!row) return null;
    return { mediaType: row.media_type, body: new Uint8Array(row.body) };
  }

  async putEvidence(items: Evidence[], runId: string): Promise<{ inserted: number; duplicates: number }> {
    const unique = new Map<string, Evidence>();
    for (const e of items) {
      const problem = checkEvidence(e);
      if (problem) throw new SalvageError('evidence_invalid', `evidence ${e?.id ?? '(no id)'}: ${problem}`);
      if (!unique.has(e.id)) unique.set(e.id, e);
    }
    const rows = [...unique.values()].map((e) => evidenceRow(e, runId));
    let inserted = 0;
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const res = await this.db
        .insertInto('evidence')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute();
      inserted += res.length;
    }
    return { inserted, duplicates: items.length - inserted };
  }

  async *readEvidence(
    filter: EvidenceFilter = {},
    options: { pageSize?: number } = {},
  ): AsyncIterable<Evidence> {
    const pageSize = options.pageSize ?? PAGE_SIZE;
    let after: string | null = null;
    for (;;) {
      let q = this.db.selectFrom('evidence').selectAll();
      if (filter.businessId) q = q.where('business_id', '=', filter.businessId);
      if (filter.sourceKind) q = q.where('source_kind', '=', filter.sourceKind);
      if (filter.entity) q = q.where('entity', '=', filter.entity);
      if (after !== null) q = q.where('id', '>', after);
      // Keyset paging on the primary key: each page is one short query, so the connection is free in between.
      const rows = await q.orderBy('id').limit(pageSize).execute();
      for (const row of rows) yield rowToEvidence(row);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async countEvidence(): Promise<
    { businessId: string; sourceKind: string; entity: string; count: number }[]
  > {
    const rows = await this.db
      .selectFrom('evidence')
      .select((eb) => ['business_id', 'source_kind', 'entity', eb.fn.countAll<string>().as('count')])
      .groupBy(['business_id', 'source_kind', 'entity'])
      .orderBy('business_id')
      .orderBy('source_kind')
      .orderBy('entity')
      .execute();
    return rows.map((r) => ({
      businessId: r.business_id,
      sourceKind: r.source_kind,
      entity: r.entity,
      count: Number(r.count),
    }));
  }

  async getCheckpoints(connector: string, scope: string): Promise<Record<string, unknown>> {
    const rows = await this.db
      .selectFrom('checkpoints')
      .select(['stream', 'state'])
      .where('connector', '=', connector)
      .where('scope', '=', scope)
      .execute();
    return Object.fromEntries(rows.map((r) => [r.stream, r.state]));
  }

  async putCheckpoint(connector: string, scope: string, stream: string, state: unknown): Promise<void> {
    const json = toJson(state);
    await this.db
      .insertInto('checkpoints')
      .values({ connector, scope, stream, state: json })
      .onConflict((oc) =>
        oc.columns(['connector', 'scope', 'stream']).doUpdateSet({ state: json, updated_at: new Date() }),
      )
      .execute();
  }

  async putWarning(w: {
    runId: string;
    stream: string;
    code: string;
    message: string;
    objectId?: string;
    rawRef?: string;
  }): Promise<void> {
    await this.db
      .insertInto('warnings')
      .values({
        run_id: w.runId,
        stream: w.stream,
        code: w.code,
        message: w.message,
        object_id: w.objectId ?? null,
        raw_ref: w.rawRef ?? null,
      })
      .execute();
  }

  async listWarnings(filter: { runId?: string; limit?: number } = {}): Promise<WarningRecord[]> {
    let q = this.db.selectFrom('warnings').selectAll();
    if (filter.runId) q = q.where('run_id', '=', filter.runId);
    const rows = await q
      .orderBy('id')
      .limit(filter.limit ?? 1000)
      .execute();
    return rows.map((r) => ({
      runId: r.run_id,
      stream: r.stream,
      code: r.code,
      message: r.message,
      ...(r.object_id === null ? {} : { objectId: r.object_id }),
      ...(r.raw_ref === null ? {} : { rawRef: r.raw_ref }),
      at: r.created_at.toISOString(),
    }));
  }

  async countWarnings(runId?: string): Promise<number> {
    let q = this.db.selectFrom('warnings').select((eb) => eb.fn.countAll<string>().as('n'));
    if (runId) q = q.where('run_id', '=', runId);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async savePlan(plan: Plan): Promise<void> {
    await this.transaction(async (ws) => {
      const db = ws.db;
      const header = await db
        .insertInto('plans')
        .values({
          id: plan.id,
          as_of: plan.asOf,
          item_count: plan.items.length,
          plan: toJson({ ...plan, items: [] }),
          items_apart: true,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      // Saved before (the same id is the same plan): its items are there.
      if (!header) return;
      // lz4 instead of pglz for the items' TOAST: a third less time to save a large plan on PostgreSQL 15.
      await sql.raw(PREFER_LZ4_SQL).execute(db);
      // One JSON array per statement, unpacked by the server: one parameter instead of three per item.
      for (let from = 0; from < plan.items.length; from += PLAN_ITEMS_CHUNK) {
        const chunk = plan.items.slice(from, from + PLAN_ITEMS_CHUNK);
        const json = JSON.stringify(chunk);
        await sql`insert into ${sql.table(`${WORKSPACE_SCHEMA}.plan_items`)} (plan_id, ord, item_id, item)
          select ${plan.id}, ${from}::integer + t.ord::integer - 1, t.item->>'id', t.item
          from jsonb_array_elements(${json}::jsonb) with ordinality as t(item, ord)`.execute(db);
      }
    });
  }

  async getPlan(id: string): Promise<Plan | null> {
    const row = await this.db
      .selectFrom('plans')
      .select(['id', 'plan', 'items_apart'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? this.#withItems(row) : null;
  }

  async latestPlan(): Promise<Plan | null> {
    const row = await this.db
      .selectFrom('plans')
      .select(['id', 'plan', 'items_apart'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? this.#withItems(row) : null;
  }

  /** A plan's header with its items, read a page at a time in the plan's order. */
  async #withItems(row: { id: string; plan: unknown; items_apart: boolean }): Promise<Plan> {
    const plan = row.plan as Plan;
    if (!row.items_apart) return plan;
    const items: PlanItem[] = [];
    for (;;) {
      const page = await this.db
        .selectFrom('plan_items')
        .select('item')
        .where('plan_id', '=', row.id)
        .where('ord', '>=', items.length)
        .orderBy('ord')
        .limit(PAGE_SIZE)
        .execute();
      for (const r of page) items.push(r.item as PlanItem);
      if (page.length < PAGE_SIZE) break;
    }
    return { ...plan, items };
  }

  async putDecisions(planId: string, decisions: Decision[]): Promise<void> {
    if (decisions.length === 0) return;
    const plan = await this.db.selectFrom('plans').select('id').where('id', '=', planId).executeTakeFirst();
    if (!plan) {
      throw new SalvageError(
        'plan_not_found',
        `no plan ${planId} in the workspace; save the plan before deciding on it`,
      );
    }
    const rows = decisions.map((d) => ({
      plan_id: planId,
      item_id: d.itemId,
      kind: d.kind,
      decided_by: d.by,
      decided_at: d.at,
      decision: toJson(d),
    }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await this.db
        .insertInto('decisions')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  }

  async listDecisions(planId: string): Promise<Decision[]> {
    const rows = await this.db
      .selectFrom('decisions')
      .select(['item_id', 'decided_by', 'decision', 'seq'])
      .where('plan_id', '=', planId)
      .orderBy('seq')
      .execute();
    const latest = new Map<string, { seq: number; decision: Decision }>();
    for (const r of rows) {
      latest.set(JSON.stringify([r.item_id, r.decided_by]), {
        seq: Number(r.seq),
        decision: r.decision as Decision,
      });
    }
    return [...latest.values()].sort((a, b) => a.seq - b.seq).map((x) => x.decision);
  }
}

/** Why a value cannot be stored as evidence, or null when it can. Names the field; never echoes its value. */
export function checkEvidence(e: Evidence): string | null {
  if (!e || typeof e !== 'object') return 'is not an object';
  if (typeof e.id !== 'string' || e.id.length === 0) return 'id is missing';
  if (typeof e.businessId !== 'string' || e.businessId.length === 0) return 'businessId is missing';
  if (!e.source || typeof e.source !== 'object') return 'source is missing';
  for (const key of ['kind', 'account', 'objectId', 'version'] as const) {
    if (typeof e.source[key] !== 'string' || e.source[key].length === 0) return `source.${key} is missing`;
  }
  if (!['customer', 'booking', 'payment'].includes(e.entity))
    return 'entity must be customer, booking or payment';
  if (!e.fields || typeof e.fields !== 'object' || Array.isArray(e.fields)) return 'fields must be an object';
  if (typeof e.observedAt !== 'string' || Number.isNaN(Date.parse(e.observedAt))) {
    return 'observedAt must be an ISO 8601 instant';
  }
  if (!e.extractor || typeof e.extractor.name !== 'string' || typeof e.extractor.version !== 'string') {
    return 'extractor needs a name and a version';
  }
  if (typeof e.confidence !== 'number' || !(e.confidence >= 0 && e.confidence <= 1)) {
    return 'confidence must be a number in [0, 1]';
  }
  if (e.rawRef !== null && typeof e.rawRef !== 'string') return 'rawRef must be a string or null';
  return null;
}

const EVIDENCE_KEYS = new Set([
  'id',
  'businessId',
  'source',
  'entity',
  'fields',
  'extractor',
  'confidence',
  'rawRef',
]);
const SOURCE_KEYS = new Set(['kind', 'account', 'objectId', 'version']);

function evidenceRow(e: Evidence, runId: string) {
  // Everything not in a column goes to `extra`, so optional fields added to Evidence later survive a round trip.
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!EVIDENCE_KEYS.has(k) && v !== undefined) extra[k] = v;
  const sourceExtra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e.source))
    if (!SOURCE_KEYS.has(k) && v !== undefined) sourceExtra[k] = v;
  if (Object.keys(sourceExtra).length > 0) extra.source = sourceExtra;
  return {
    id: e.id,
    business_id: e.businessId,
    source_kind: e.source.kind,
    source_account: e.source.account,
    object_id: e.source.objectId,
    object_version: e.source.version,
    entity: e.entity,
    fields: toJson(e.fields),
    observed_at: e.observedAt,
    extractor_name: e.extractor.name,
    extractor_version: e.extractor.version,
    confidence: e.confidence,
    raw_ref: e.rawRef,
    extra: toJson(extra),
    run_id: runId,
  };
}

function rowToEvidence(row: {
  id: string;
  business_id: string;
  source_kind: string;
  source_account: string;
  object_id: string;
  object_version: string;
  entity: string;
  fields: Record<string, unknown>;
  observed_at: Date;
  extractor_name: string;
  extractor_version: string;
  confidence: number;
  raw_ref: string | null;
  extra: Record<string, unknown>;
}): Evidence {
  const {
    source: sourceExtra,
    observedAt,
    ...rest
  } = row.extra as {
    source?: Record<string, unknown>;
    observedAt?: string;
  } & Record<string, unknown>;
  return {
    ...rest,
    id: row.id,
    businessId: row.business_id,
    source: {
      ...(sourceExtra ?? {}),
      kind: row.source_kind as SourceKind,
      account: row.source_account,
      objectId: row.object_id,
      version: row.object_version,
    },
    entity: row.entity as EntityKind,
    fields: row.fields,
    observedAt: observedAt ?? row.observed_at.toISOString(),
    extractor: { name: row.extractor_name, version: row.extractor_version },
    confidence: row.confidence,
    rawRef: row.raw_ref,
  } as Evidence;
}
