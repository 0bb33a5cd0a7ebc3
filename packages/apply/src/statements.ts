import { CompiledQuery } from 'kysely';
import { binaryElementType, encodeBinaryArray } from './binary-array.ts';
import { type MappedTable, REFERENCE_COLUMNS, toTargetValue } from './target-mapping.ts';

/**
 * Builders for every statement apply and revert send, as kysely CompiledQuery values. Pure: no connection, so tests
 * read the SQL. Bulk writes pass one array parameter per column through unnest(): one statement per chunk of
 * thousands of rows, parsed once, with no parameter-count limit. Arrays of uuids and timestamptz values go in binary
 * format where they can (binary-array.ts), the rest as text literals.
 */

/** Quotes an identifier for PostgreSQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The target table, schema-qualified and quoted. */
export function qualifiedName(mapped: MappedTable): string {
  return `${quoteIdent(mapped.schema)}.${quoteIdent(mapped.name)}`;
}

/** A PostgreSQL array literal ('{"a",NULL,"b"}') of scalar values, for one `$n::type[]` parameter. */
export function toArrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'boolean') out += v ? 't' : 'f';
    else if (typeof v === 'number' || typeof v === 'bigint') out += String(v);
    else {
      const s = typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : JSON.stringify(v);
      // Most values have neither a quote nor a backslash: test once instead of two replaces per value.
      out += NEEDS_ESCAPE.test(s) ? `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${s}"`;
    }
  }
  const literal = `${out}}`;
  // Built by appending, the literal is a rope of two or three pieces per value until something flattens it. Flatten it
  // now (measuring its bytes does), while the pieces are young: held until the statement is sent, they survived
  // garbage collections, which copied them, and were a large part of an apply's GC time.
  Buffer.byteLength(literal);
  return literal;
}

const NEEDS_ESCAPE = /["\\]/;

/** A `$n::uuid[]` parameter: binary, or the text literal when an id is not a plain hex uuid. */
export function toUuidArrayParam(ids: readonly unknown[]): Buffer | string {
  return encodeBinaryArray('uuid', ids) ?? toArrayLiteral(ids);
}

/** An array parameter of a column's values: binary for uuid and timestamptz columns where it can be, else text. */
function toColumnArrayParam(type: string | undefined, values: readonly unknown[]): Buffer | string {
  const binary = binaryElementType(type);
  return (binary && encodeBinaryArray(binary, values)) ?? toArrayLiteral(values);
}

/** Target column name -> its SQL type as format_type() prints it. */
export type ColumnTypes = Record<string, string>;

const SAFE_TYPE = /^[A-Za-z0-9_ ."(),]+$/;

function arrayCast(types: ColumnTypes, mapped: MappedTable, column: string): string {
  const target = mapped.columns[column]!;
  const type = types[target];
  if (!type || !SAFE_TYPE.test(type)) throw new Error(`no usable type for ${mapped.name}.${target}`);
  return `${type}[]`;
}

/** Reads the target's column types of one table (empty when the table does not exist). */
export function buildReadColumnTypes(mapped: MappedTable): CompiledQuery {
  return CompiledQuery.raw(
    `select a."attname" as "name", format_type(a."atttypid", a."atttypmod") as "type" from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c."oid" = a."attrelid" join pg_catalog.pg_namespace n on n."oid" = c."relnamespace" where n."nspname" = $1 and c."relname" = $2 and a."attnum" > 0 and not a."attisdropped"`,
    [mapped.schema, mapped.name],
  );
}

/**
 * Reads rows by id, every reference column under its reference name (`select "client_name" as "full_name"`); with
 * `forUpdate`, locks them until the transaction ends so nothing changes them between the check and the write.
 */
export function buildSelectRows(
  mapped: MappedTable,
  ids: readonly string[],
  forUpdate: boolean,
): CompiledQuery {
  const columns = REFERENCE_COLUMNS[mapped.table]
    .map((c) => `${quoteIdent(mapped.columns[c]!)} as ${quoteIdent(c)}`)
    .join(', ');
  return CompiledQuery.raw(
    `select ${columns} from ${qualifiedName(mapped)} where ${quoteIdent(mapped.columns.id!)} = any($1::uuid[])${forUpdate ? ' for update' : ''}`,
    [toUuidArrayParam(ids)],
  );
}

/**
 * Reads which of the ids exist, as `id` only and unlocked: for planned inserts, where a missing row cannot be locked
 * and an existing one refuses the apply anyway (ON CONFLICT catches one inserted after the check).
 */
export function buildSelectIds(mapped: MappedTable, ids: readonly string[]): CompiledQuery {
  const id = quoteIdent(mapped.columns.id!);
  return CompiledQuery.raw(
    `select ${id} as "id" from ${qualifiedName(mapped)} where ${id} = any($1::uuid[])`,
    [toUuidArrayParam(ids)],
  );
}

/**
 * Inserts rows (reference column names, every column) in one statement. ON CONFLICT on the id does nothing, so a row
 * that appeared since the check is never overwritten: the caller compares the affected count and aborts.
 */
export function buildInsertRows(
  mapped: MappedTable,
  types: ColumnTypes,
  rows: readonly Record<string, unknown>[],
): CompiledQuery {
  return buildInsertColumns(
    mapped,
    types,
    REFERENCE_COLUMNS[mapped.table].map((c) => rows.map((r) => r[c] ?? null)),
  );
}

/**
 * The same statement from the values column by column (one array per reference column, in REFERENCE_COLUMNS order,
 * one value per row), as apply builds them, without an object per row.
 */
export function buildInsertColumns(
  mapped: MappedTable,
  types: ColumnTypes,
  values: readonly (readonly unknown[])[],
): CompiledQuery {
  const columns = REFERENCE_COLUMNS[mapped.table];
  const params = columns.map((c, i) =>
    toColumnArrayParam(
      types[mapped.columns[c]!],
      values[i]!.map((v) => toTargetValue(mapped, c, v)),
    ),
  );
  const casts = columns.map((c, i) => `$${i + 1}::${arrayCast(types, mapped, c)}`).join(', ');
  return CompiledQuery.raw(
    `insert into ${qualifiedName(mapped)} (${columns.map((c) => quoteIdent(mapped.columns[c]!)).join(', ')}) select * from unnest(${casts}) on conflict (${quoteIdent(mapped.columns.id!)}) do nothing`,
    params,
  );
}

/** Sets `columns` (reference names) of the rows with the given ids, in one statement: UPDATE ... FROM unnest(...). */
export function buildUpdateRows(
  mapped: MappedTable,
  types: ColumnTypes,
  columns: readonly string[],
  rows: readonly { id: string; values: Record<string, unknown> }[],
): CompiledQuery {
  const id = quoteIdent(mapped.columns.id!);
  const params = [
    toUuidArrayParam(rows.map((r) => r.id)),
    ...columns.map((c) =>
      toColumnArrayParam(
        types[mapped.columns[c]!],
        rows.map((r) => toTargetValue(mapped, c, r.values[c] ?? null)),
      ),
    ),
  ];
  const casts = ['$1::uuid[]', ...columns.map((c, i) => `$${i + 2}::${arrayCast(types, mapped, c)}`)].join(
    ', ',
  );
  const names = ['"k"', ...columns.map((_, i) => `"c${i}"`)].join(', ');
  const sets = columns.map((c, i) => `${quoteIdent(mapped.columns[c]!)} = "v"."c${i}"`).join(', ');
  return CompiledQuery.raw(
    `update ${qualifiedName(mapped)} as "t" set ${sets} from unnest(${casts}) as "v"(${names}) where "t".${id} = "v"."k"`,
    params,
  );
}

/**
 * The DELETE salvage sends: rows of `ids` that undo chunk `seq` of `batchId` records as inserted. The statement itself
 * checks the journal, so even a wrong id list cannot remove anything else. checkStatement knows this shape.
 */
export function buildRevertDelete(
  mapped: MappedTable,
  batchId: string,
  seq: number,
  ids: readonly string[],
): CompiledQuery {
  const id = quoteIdent(mapped.columns.id!);
  return CompiledQuery.raw(
    `delete from ${qualifiedName(mapped)} where ${id} = any($1::uuid[]) and ${id} in (select unnest("row_ids") from "salvage"."undo_chunks" where "batch_id" = $2 and "table_name" = $3 and "op" = 'insert' and "seq" = $4)`,
    [toUuidArrayParam(ids), batchId, mapped.table, seq],
  );
}

/**
 * The same for a batch applied before undo_chunks: rows of `ids` that its per-row journal records as inserted.
 * checkStatement knows this shape too.
 */
export function buildLegacyRevertDelete(
  mapped: MappedTable,
  batchId: string,
  ids: readonly string[],
): CompiledQuery {
  const id = quoteIdent(mapped.columns.id!);
  return CompiledQuery.raw(
    `delete from ${qualifiedName(mapped)} where ${id} = any($1::uuid[]) and ${id} in (select "row_id" from "salvage"."undo_journal" where "batch_id" = $2 and "table_name" = $3 and "op" = 'insert')`,
    [toUuidArrayParam(ids), batchId, mapped.table],
  );
}

/** Single-column foreign keys that point at a table: the referencing schema, table and column. */
export function buildReadReferencingColumns(mapped: MappedTable): CompiledQuery {
  return CompiledQuery.raw(
    `select n."nspname" as "schema", r."relname" as "table", a."attname" as "column" from pg_catalog.pg_constraint c join pg_catalog.pg_class r on r."oid" = c."conrelid" join pg_catalog.pg_namespace n on n."oid" = r."relnamespace" join pg_catalog.pg_attribute a on a."attrelid" = c."conrelid" and a."attnum" = c."conkey"[1] join pg_catalog.pg_class p on p."oid" = c."confrelid" join pg_catalog.pg_namespace pn on pn."oid" = p."relnamespace" where c."contype" = 'f' and cardinality(c."conkey") = 1 and pn."nspname" = $1 and p."relname" = $2`,
    [mapped.schema, mapped.name],
  );
}

/** Which of `ids` a referencing column still points at. */
export function buildReadReferenced(
  ref: { schema: string; table: string; column: string },
  ids: readonly string[],
): CompiledQuery {
  const column = quoteIdent(ref.column);
  return CompiledQuery.raw(
    `select distinct ${column}::text as "id" from ${quoteIdent(ref.schema)}.${quoteIdent(ref.table)} where ${column} = any($1::uuid[])`,
    [toUuidArrayParam(ids)],
  );
}

/** The fixed key of salvage's advisory lock: one apply or revert at a time per target database. */
export const APPLY_LOCK_KEY = '7351060951';

export function buildTryLock(): CompiledQuery {
  return CompiledQuery.raw('select pg_try_advisory_xact_lock($1::bigint) as "locked"', [APPLY_LOCK_KEY]);
}

export function buildWaitLock(): CompiledQuery {
  return CompiledQuery.raw('select pg_advisory_xact_lock($1::bigint) as "locked"', [APPLY_LOCK_KEY]);
}
