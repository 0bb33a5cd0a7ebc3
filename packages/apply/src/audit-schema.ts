import { PREFER_LZ4_SQL } from '@salvage/store';
import { CompiledQuery } from 'kysely';
import type { PackedChunk } from './journal-chunk.ts';
import { toArrayLiteral, toUuidArrayParam } from './statements.ts';

/**
 * Schema `salvage` in the target: the only place salvage creates anything there. batches (who applied which plan,
 * when, counts), plan_ledger (a plan applies once), undo_chunks (the undo journal, one row per written chunk: row ids,
 * prior values, who approved each row and its per-field provenance, packed as journal-chunk.ts describes) and
 * field_provenance, a view with one row per written field, read by `salvage why` and the scorer. undo_journal (one row
 * per written row) is the journal of batches applied before undo_chunks; it is still read, never written.
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
  `create table if not exists "salvage"."undo_chunks" (
    "batch_id" text not null references "salvage"."batches" ("id"),
    "seq" integer not null,
    "table_name" text not null,
    "op" text not null check ("op" in ('insert', 'update')),
    "row_ids" uuid[] not null,
    "columns" text[] not null,
    "meta" json not null,
    "rows" json not null,
    primary key ("batch_id", "seq"))`,
  // Legacy provenance is {"e": evidence ids, "f": [[column, value, confidence, rule, (indexes into e)?], ...]}; a
  // chunk's is spread over meta and rows (journal-chunk.ts). Either way a field without indexes has all of the row's
  // evidence ids. ROWS FROM walks a chunk's row ids and entries side by side, in one pass. chunk_row_ids is for lookups
  // of one row: a filter on it reaches the chunks before their rows are expanded (null for legacy rows).
  `create or replace view "salvage"."field_provenance" as
    select j."batch_id", j."table_name", j."row_id",
           f."value" ->> 0 as "column_name",
           (f."value" -> 1)::jsonb as "value",
           (f."value" ->> 2)::double precision as "confidence",
           f."value" ->> 3 as "rule",
           case when json_array_length(f."value") > 4
             then array(select (j."provenance" -> 'e') ->> (i."value"::int) from json_array_elements_text(f."value" -> 4) as i)
             else array(select json_array_elements_text(j."provenance" -> 'e')) end as "evidence_ids",
           j."approved_by",
           null::uuid[] as "chunk_row_ids"
    from "salvage"."undo_journal" j cross join lateral json_array_elements(j."provenance" -> 'f') as f
    union all
    select c."batch_id", c."table_name", r."row_id",
           k."column_name",
           (r."entry" -> 1 -> (k."n"::int - 1))::jsonb as "value",
           (c."meta" -> 'm' -> x."m" ->> 0)::double precision as "confidence",
           c."meta" -> 'm' -> x."m" ->> 1 as "rule",
           case when x."subset"
             then array(select (r."entry" -> 2) ->> (i."value"::int) from json_array_elements_text(x."ref") with ordinality as i("value", "o") where i."o" > 1 order by i."o")
             else array(select json_array_elements_text(r."entry" -> 2)) end as "evidence_ids",
           c."meta" -> 'a' ->> (r."entry" ->> 0)::int as "approved_by",
           c."row_ids" as "chunk_row_ids"
    from "salvage"."undo_chunks" c
    cross join lateral rows from (unnest(c."row_ids"), json_array_elements(c."rows")) as r("row_id", "entry")
    cross join lateral unnest(c."columns") with ordinality as k("column_name", "n")
    cross join lateral (select r."entry" -> 3 -> (k."n"::int - 1) as "ref") as f
    cross join lateral (select f."ref" as "ref", json_typeof(f."ref") = 'array' as "subset",
           (case when json_typeof(f."ref") = 'array' then f."ref" ->> 0 else f."ref" #>> '{}' end)::int as "m") as x`,
];

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

/** Makes this transaction compress the undo chunks' JSON with lz4 where the server has it (store's PREFER_LZ4_SQL). */
export function buildPreferLz4(): CompiledQuery {
  return CompiledQuery.raw(PREFER_LZ4_SQL);
}

/** Inserts one packed undo chunk: one statement, four array or JSON parameters, whatever the chunk's size. */
export function buildInsertChunk(batchId: string, chunk: PackedChunk): CompiledQuery {
  return CompiledQuery.raw(
    `insert into "salvage"."undo_chunks" ("batch_id", "seq", "table_name", "op", "row_ids", "columns", "meta", "rows") values ($1, $2, $3, $4, $5::uuid[], $6::text[], $7::json, $8::json)`,
    [
      batchId,
      chunk.seq,
      chunk.table,
      chunk.op,
      toUuidArrayParam(chunk.rowIds),
      toArrayLiteral(chunk.columns),
      chunk.meta,
      chunk.rows,
    ],
  );
}

export function buildReadBatch(batchId: string): CompiledQuery {
  return CompiledQuery.raw(
    'select "id", "plan_id", "applied_by", "applied_at", "status", "counts", "target" from "salvage"."batches" where "id" = $1',
    [batchId],
  );
}

/** Reads a batch's legacy journal rows (batches applied before undo_chunks). */
export function buildReadLegacyJournal(batchId: string): CompiledQuery {
  return CompiledQuery.raw(
    'select "seq", "table_name", "row_id"::text as "row_id", "op", "prior", "written_hash" from "salvage"."undo_journal" where "batch_id" = $1 order by "seq" desc',
    [batchId],
  );
}

/** Reads a batch's undo chunks, newest first. */
export function buildReadChunks(batchId: string): CompiledQuery {
  return CompiledQuery.raw(
    'select "seq", "table_name", "op", "row_ids"::text[] as "row_ids", "columns", "meta", "rows" from "salvage"."undo_chunks" where "batch_id" = $1 order by "seq" desc',
    [batchId],
  );
}

export function buildMarkReverted(batchId: string, by: string, at: string, report: unknown): CompiledQuery {
  return CompiledQuery.raw(
    `update "salvage"."batches" set "status" = 'reverted', "reverted_at" = $2::timestamptz, "reverted_by" = $3, "revert_report" = $4::jsonb where "id" = $1`,
    [batchId, at, by, JSON.stringify(report)],
  );
}
