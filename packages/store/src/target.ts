import {
  canonicalRow,
  hashValue,
  SalvageError,
  TABLES,
  type TargetIdentity,
  type TargetRows,
  type TargetSnapshot,
} from '@salvage/core';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

/**
 * The lost platform's database (the reference schema), exactly as the platform defined it. One statement an entry, so
 * both PostgreSQL and PGlite run them through the extended protocol alike.
 */
export const REFERENCE_SCHEMA_SQL: readonly string[] = [
  `CREATE TABLE businesses (
  id uuid PRIMARY KEY, name text NOT NULL,
  timezone text NOT NULL,
  currency char(3) NOT NULL,
  stripe_account_id text UNIQUE,
  created_at timestamptz NOT NULL)`,
  `CREATE TABLE resources (
  id uuid PRIMARY KEY, business_id uuid NOT NULL REFERENCES businesses(id),
  name text NOT NULL,
  calendar_id text,
  created_at timestamptz NOT NULL, UNIQUE (business_id, name))`,
  `CREATE TABLE customers (
  id uuid PRIMARY KEY, business_id uuid NOT NULL REFERENCES businesses(id),
  full_name text NOT NULL, email text, phone text,
  stripe_customer_id text,
  created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`,
  `CREATE TABLE bookings (
  id uuid PRIMARY KEY, business_id uuid NOT NULL REFERENCES businesses(id),
  reference text NOT NULL,
  customer_id uuid NOT NULL REFERENCES customers(id),
  resource_id uuid NOT NULL REFERENCES resources(id),
  starts_at timestamptz NOT NULL, ends_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending','confirmed','cancelled','completed')),
  total_amount bigint NOT NULL, currency char(3) NOT NULL,
  notes text, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
  UNIQUE (business_id, reference), CHECK (ends_at > starts_at))`,
  `CREATE TABLE payments (
  id uuid PRIMARY KEY, business_id uuid NOT NULL REFERENCES businesses(id),
  booking_id uuid REFERENCES bookings(id), customer_id uuid REFERENCES customers(id),
  amount bigint NOT NULL, amount_refunded bigint NOT NULL DEFAULT 0, currency char(3) NOT NULL,
  status text NOT NULL CHECK (status IN ('pending','succeeded','partially_refunded','refunded','failed')),
  method text NOT NULL CHECK (method IN ('card','cash','bank_transfer','other')),
  stripe_payment_intent_id text UNIQUE, stripe_charge_id text,
  paid_at timestamptz, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`,
];

/** The reference schema as kysely migrations, by name (applied in name order). Names are stored: never rename one. */
export const referenceSchemaMigrations: Record<string, Migration> = {
  '0001_reference_schema': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run before any typed schema exists.
    async up(db: Kysely<any>) {
      for (const statement of REFERENCE_SCHEMA_SQL) await sql.raw(statement).execute(db);
    },
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    async down(db: Kysely<any>) {
      for (const table of [...TABLES].reverse()) await db.schema.dropTable(table).execute();
    },
  },
};

/** Where the target's migration bookkeeping lives: salvage's own schema, never public. */
export const TARGET_MIGRATION_SCHEMA = 'salvage';
/** Kysely's migration bookkeeping table for the target, inside TARGET_MIGRATION_SCHEMA. */
export const TARGET_MIGRATION_TABLE = 'schema_migration';

class StaticProvider implements MigrationProvider {
  readonly #migrations: Record<string, Migration>;
  constructor(migrations: Record<string, Migration>) {
    this.#migrations = migrations;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.#migrations;
  }
}

/** Names of the tables in the public schema (ordinary and partitioned tables, views excluded). */
// biome-ignore lint/suspicious/noExplicitAny: works on any database.
export async function readPublicTables(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'
    order by table_name`.execute(db);
  return rows.map((r) => r.table_name);
}

/**
 * Creates the reference schema in an empty database, through kysely's migrator (bookkeeping in schema `salvage`).
 * Refuses, with SalvageError 'target_not_empty', a database with any table in public: salvage never builds over data.
 */
// biome-ignore lint/suspicious/noExplicitAny: works on any database.
export async function createReferenceSchema(db: Kysely<any>): Promise<void> {
  const existing = await readPublicTables(db);
  if (existing.length > 0) {
    const shown = existing.slice(0, 5).join(', ') + (existing.length > 5 ? `, ... (${existing.length})` : '');
    throw new SalvageError(
      'target_not_empty',
      `the target database is not empty (public has tables: ${shown}); create the reference schema only in a new, empty database, or point the target at the restored backup as it is`,
    );
  }
  const migrator = new Migrator({
    db,
    provider: new StaticProvider(referenceSchemaMigrations),
    migrationTableSchema: TARGET_MIGRATION_SCHEMA,
    migrationTableName: TARGET_MIGRATION_TABLE,
    migrationLockTableName: `${TARGET_MIGRATION_TABLE}_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new SalvageError(
      'target_migration_failed',
      `creating the reference schema failed in migration ${failed}: ${(error as Error).message ?? error}`,
      { cause: error },
    );
  }
}

/**
 * Reads every row of the five reference tables, in id order, canonicalized with canonicalRow (ISO UTC instants,
 * numbers for money, char padding trimmed), so rows from pg, PGlite and plans compare equal.
 */
// biome-ignore lint/suspicious/noExplicitAny: the target's schema is the reference schema, typed by the result.
export async function readTargetSnapshot(db: Kysely<any>): Promise<TargetSnapshot> {
  const snapshot = {} as { [T in keyof TargetRows]: TargetRows[T][] };
  for (const table of TABLES) {
    const rows = await db.selectFrom(table).selectAll().orderBy('id').execute();
    (snapshot as Record<string, unknown[]>)[table] = rows.map((row) => canonicalRow(table, row));
  }
  return snapshot;
}

/**
 * Which database this is: the cluster's system identifier (pg_control_system()), the database name, and a hash of the
 * public schema's tables, columns, types and constraints. A plan made for one target is refused by any other.
 */
// biome-ignore lint/suspicious/noExplicitAny: works on any database.
export async function readTargetIdentity(db: Kysely<any>): Promise<TargetIdentity> {
  const system = await sql<{
    system_identifier: string;
    database_name: string;
  }>`select system_identifier::text as system_identifier, current_database() as database_name from pg_control_system()`.execute(
    db,
  );
  const columns = await sql<Record<string, unknown>>`
    select table_name, column_name, ordinal_position, data_type, udt_name, is_nullable,
           character_maximum_length, numeric_precision, column_default
    from information_schema.columns where table_schema = 'public'
    order by table_name, ordinal_position`.execute(db);
  const constraints = await sql<Record<string, unknown>>`
    select tc.table_name, tc.constraint_name, tc.constraint_type,
           coalesce((select string_agg(k.column_name, ',' order by k.ordinal_position)
                     from information_schema.key_column_usage k
                     where k.constraint_schema = tc.constraint_schema and k.constraint_name = tc.constraint_name
                       and k.table_name = tc.table_name), '') as columns,
           coalesce((select c.check_clause from information_schema.check_constraints c
                     where c.constraint_schema = tc.constraint_schema and c.constraint_name = tc.constraint_name), '')
             as check_clause
    from information_schema.table_constraints tc
    where tc.table_schema = 'public'
      -- NOT NULL shows as a CHECK named after table oids; is_nullable already covers it, oids would not be stable.
      and not (tc.constraint_type = 'CHECK' and tc.constraint_name like '%_not_null')
    order by tc.table_name, tc.constraint_name`.execute(db);
  const tables = await readPublicTables(db);
  const head = system.rows[0];
  if (!head) throw new SalvageError('target_identity_unavailable', 'pg_control_system() returned no row');
  return {
    systemIdentifier: String(head.system_identifier),
    databaseName: head.database_name,
    schemaFingerprint: hashValue({
      tables,
      columns: columns.rows.map(normalizeCatalogRow),
      constraints: constraints.rows.map((row) => {
        const out = normalizeCatalogRow(row);
        out.check_clause = stripOuterParens(out.check_clause ?? '');
        return out;
      }),
    }),
  };
}

// information_schema numbers come back as strings from one driver and numbers from another; compare as text.
function normalizeCatalogRow(row: Record<string, unknown>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v === null || v === undefined ? null : String(v);
  return out;
}

// PostgreSQL 15 wraps check clauses in one more pair of parentheses than 17 (PGlite) does.
function stripOuterParens(text: string): string {
  let t = text.trim();
  while (t.startsWith('(') && t.endsWith(')')) {
    let depth = 0;
    let wrapsAll = true;
    for (let i = 0; i < t.length - 1; i++) {
      if (t[i] === '(') depth++;
      else if (t[i] === ')') depth--;
      if (depth === 0) {
        wrapsAll = false;
        break;
      }
    }
    if (!wrapsAll) break;
    t = t.slice(1, -1).trim();
  }
  return t;
}
