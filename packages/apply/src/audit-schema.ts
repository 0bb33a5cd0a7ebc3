import { CompiledQuery } from 'kysely';
import { toArrayLiteral } from './statements.ts';

/**
 * Schema `salvage` in the target: the only place salvage creates anything there. batches (who applied which plan,
 * when, counts), plan_ledger (a plan applies once), undo_journal (one row per written row: prior values, the hash of
 * what was written, who approved it and its per-field provenance) and field_provenance, a view with one row per
 * written field, read by `salvage why` and the scorer. Keeping provenance on the journal row keeps an apply of
 * hundreds of thousands of rows to two statements per chunk.
 */
export const AUDIT_DDL: readonly string[] = [
  'create schema if not exists "salvage"',
  `create table if not exists "salvage"."batches" (
    "id" text primary key,
    "plan_id" text not null,
    "applied_by" text not null,
    "applied_at" timestamptz not null,
    "status" text not null check ("status" in ('applied', 'reverted')),
    "counts" jsonb not null,
    "target" jsonb not null,
    "reverted_at" timestamptz,
    "reverted_by" text,
    "revert_report" jsonb)`,
  `create table if not exists "salvage"."plan_ledger" (
    "plan_id" text primary key,
    "consumed_at" timestamptz not null,
    "batch_id" text not null references "salvage"."batches" ("id"))`,
  `create table if not exists "salvage"."undo_journal" (
    "batch_id" text not null references "salvage"."batches" ("id"),
    "seq" integer not null,
    "table_name" text not null,
    "row_id" uuid not null,
    "op" text not null check ("op" in ('insert', 'update')),
    "prior" jsonb,
    "written_hash" text not null,
    "approved_by" text not null,
    "provenance" json not null,
    primary key ("batch_id", "seq"))`,
  'create index if not exists "undo_journal_row" on "salvage"."undo_journal" ("table_name", "row_id")',
  // provenance is {"e": evidence ids, "f": [[column, value, confidence, rule, (indexes into e)?], ...]}: a field
  // without indexes has all of e, as most do, so an id is stored once a row rather than once a field.
  `create or replace view "salvage"."field_provenance" as
    select j."batch_id", j."table_name", j."row_id",
           f."value" ->> 0 as "column_name",
           (f."value" -> 1)::jsonb as "value",
           (f."value" ->> 2)::double precision as "confidence",
           f."value" ->> 3 as "rule",
           case when json_array_length(f."value") > 4
             then array(select (j."provenance" -> 'e') ->> (i."value"::int) from json_array_elements_text(f."value" -> 4) as i)
             else array(select json_array_elements_text(j."provenance" -> 'e')) end as "evidence_ids",
           j."approved_by"
    from "salvage"."undo_journal" j cross join lateral json_array_elements(j."provenance" -> 'f') as f`,
];

/** One written field's provenance, as the journal stores it. */
export type FieldProvenanceTuple = [
  column: string,
  value: unknown,
  confidence: number,
  rule: string,
  evidenceIds: string[],
];

/** Packs a row's field provenance: evidence ids once, fields pointing into them only when they use a subset. */
export function packProvenance(fields: readonly FieldProvenanceTuple[]): string {
  const e: string[] = [];
  const index = new Map<string, number>();
  for (const f of fields)
    for (const id of f[4])
      if (!index.has(id)) {
        index.set(id, e.length);
        e.push(id);
      }
  const f = fields.map(([column, value, confidence, rule, ids]) =>
    ids.length === e.length
      ? [column, value, confidence, rule]
      : [column, value, confidence, rule, ids.map((id) => index.get(id)!)],
  );
  return JSON.stringify({ e, f });
}

/** One undo journal row before it is written. */
export interface JournalEntry {
  seq: number;
  table: string;
  rowId: string;
  op: 'insert' | 'update';
  prior: Record<string, unknown> | null;
  writtenHash: string;
  approvedBy: string;
  provenance: FieldProvenanceTuple[];
}

export function buildAuditDdl(): CompiledQuery[] {
  return AUDIT_DDL.map((text) => CompiledQuery.raw(text.replace(/\s+/g, ' ')));
}

/** Whether schema salvage has a ledger yet (a dry run must not create it). */
export function buildLedgerExists(): CompiledQuery {
  return CompiledQuery.raw(`select to_regclass('"salvage"."plan_ledger"') is not null as "exists"`);
}

export function buildReadLedger(planId: string): CompiledQuery {
  return CompiledQuery.raw(
    'select "plan_id", "consumed_at", "batch_id" from "salvage"."plan_ledger" where "plan_id" = $1',
    [planId],
  );
}

export function buildInsertBatch(batch: {
  id: string;
  planId: string;
  appliedBy: string;
  appliedAt: string;
  counts: unknown;
  target: unknown;
}): CompiledQuery {
  return CompiledQuery.raw(
    `insert into "salvage"."batches" ("id", "plan_id", "applied_by", "applied_at", "status", "counts", "target") values ($1, $2, $3, $4::timestamptz, 'applied', $5::jsonb, $6::jsonb)`,
    [
      batch.id,
      batch.planId,
      batch.appliedBy,
      batch.appliedAt,
      JSON.stringify(batch.counts),
      JSON.stringify(batch.target),
    ],
  );
}

export function buildInsertLedger(planId: string, batchId: string, at: string): CompiledQuery {
  return CompiledQuery.raw(
    `insert into "salvage"."plan_ledger" ("plan_id", "consumed_at", "batch_id") values ($1, $2::timestamptz, $3)`,
    [planId, at, batchId],
  );
}

export function buildInsertJournal(batchId: string, entries: readonly JournalEntry[]): CompiledQuery {
  return CompiledQuery.raw(
    `insert into "salvage"."undo_journal" ("batch_id", "seq", "table_name", "row_id", "op", "prior", "written_hash", "approved_by", "provenance") select $1::text, * from unnest($2::integer[], $3::text[], $4::uuid[], $5::text[], $6::jsonb[], $7::text[], $8::text[], $9::json[])`,
    [
      batchId,
      toArrayLiteral(entries.map((e) => e.seq)),
      toArrayLiteral(entries.map((e) => e.table)),
      toArrayLiteral(entries.map((e) => e.rowId)),
      toArrayLiteral(entries.map((e) => e.op)),
      toArrayLiteral(entries.map((e) => (e.prior === null ? null : JSON.stringify(e.prior)))),
      toArrayLiteral(entries.map((e) => e.writtenHash)),
      toArrayLiteral(entries.map((e) => e.approvedBy)),
      toArrayLiteral(entries.map((e) => packProvenance(e.provenance))),
    ],
  );
}

export function buildReadBatch(batchId: string): CompiledQuery {
  return CompiledQuery.raw(
    'select "id", "plan_id", "applied_by", "applied_at", "status", "counts", "target" from "salvage"."batches" where "id" = $1',
    [batchId],
  );
}

export function buildReadJournal(batchId: string): CompiledQuery {
  return CompiledQuery.raw(
    'select "seq", "table_name", "row_id"::text as "row_id", "op", "prior", "written_hash" from "salvage"."undo_journal" where "batch_id" = $1 order by "seq" desc',
    [batchId],
  );
}

export function buildMarkReverted(batchId: string, by: string, at: string, report: unknown): CompiledQuery {
  return CompiledQuery.raw(
    `update "salvage"."batches" set "status" = 'reverted', "reverted_at" = $2::timestamptz, "reverted_by" = $3, "revert_report" = $4::jsonb where "id" = $1`,
    [batchId, at, by, JSON.stringify(report)],
  );
}
