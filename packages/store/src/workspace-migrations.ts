import { SalvageError } from '@salvage/core';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

/** The PostgreSQL schema holding the workspace's tables, so a workspace never mixes with application tables. */
export const WORKSPACE_SCHEMA = 'salvage_workspace';

const S = WORKSPACE_SCHEMA;

function statements(...list: string[]): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
    async up(db: Kysely<any>) {
      for (const text of list) await sql.raw(text).execute(db);
    },
  };
}

/**
 * The workspace's migrations, applied in name order. Names and released migrations never change: add a new one.
 * Customer data (raw bytes, evidence fields, plans) lives only here, never in logs.
 */
export const workspaceMigrations: Record<string, Migration> = {
  '0001_workspace': statements(
    `CREATE TABLE ${S}.runs (
      id text PRIMARY KEY,
      command text NOT NULL,
      source text,
      business_id text,
      status text NOT NULL CHECK (status IN ('running','succeeded','failed','partial')),
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      summary jsonb,
      pid integer,
      host text)`,
    `CREATE TABLE ${S}.raw_material (
      ref text PRIMARY KEY,
      media_type text NOT NULL,
      body bytea NOT NULL,
      size integer NOT NULL,
      source_kind text,
      source_account text,
      object_id text,
      created_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE ${S}.evidence (
      id text PRIMARY KEY,
      business_id text NOT NULL,
      source_kind text NOT NULL,
      source_account text NOT NULL,
      object_id text NOT NULL,
      object_version text NOT NULL,
      entity text NOT NULL,
      fields jsonb NOT NULL,
      observed_at timestamptz NOT NULL,
      extractor_name text NOT NULL,
      extractor_version text NOT NULL,
      confidence double precision NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
      raw_ref text,
      extra jsonb NOT NULL DEFAULT '{}',
      run_id text,
      created_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX evidence_business_source_entity ON ${S}.evidence (business_id, source_kind, entity, id)`,
    `CREATE INDEX evidence_object ON ${S}.evidence (source_kind, source_account, object_id)`,
    `CREATE TABLE ${S}.checkpoints (
      connector text NOT NULL,
      scope text NOT NULL,
      stream text NOT NULL,
      state jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connector, scope, stream))`,
    `CREATE TABLE ${S}.warnings (
      id bigserial PRIMARY KEY,
      run_id text NOT NULL,
      stream text NOT NULL,
      code text NOT NULL,
      message text NOT NULL,
      object_id text,
      raw_ref text,
      created_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX warnings_run ON ${S}.warnings (run_id)`,
    `CREATE TABLE ${S}.plans (
      id text PRIMARY KEY,
      seq bigserial UNIQUE,
      as_of timestamptz NOT NULL,
      item_count integer NOT NULL,
      plan jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE ${S}.decisions (
      seq bigserial PRIMARY KEY,
      plan_id text NOT NULL REFERENCES ${S}.plans(id),
      item_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('approve','reject','edit')),
      decided_by text NOT NULL,
      decided_at text NOT NULL,
      decision jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX decisions_plan_item ON ${S}.decisions (plan_id, item_id, decided_by, seq)`,
    `CREATE TABLE ${S}.confirmations (
      id text PRIMARY KEY,
      plan_id text NOT NULL REFERENCES ${S}.plans(id),
      business_id text NOT NULL,
      item_ids jsonb NOT NULL,
      recipient text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','answered','expired','failed')),
      sent_at timestamptz,
      expires_at timestamptz,
      answered_at timestamptz,
      answer jsonb,
      created_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX confirmations_plan ON ${S}.confirmations (plan_id, status)`,
  ),
  // A plan's items, one row each, beside its header in plans.plan: a whole plan in one jsonb value stops at
  // PostgreSQL's 256 MB jsonb limit (about 80,000 items), and its JSON text at V8's 512 MB string limit. Plans saved
  // before this migration keep their items inline (items_apart false) and read as before.
  '0002_plan_items': statements(
    `ALTER TABLE ${S}.plans ADD COLUMN items_apart boolean NOT NULL DEFAULT false`,
    `CREATE TABLE ${S}.plan_items (
      plan_id text NOT NULL REFERENCES ${S}.plans(id),
      ord integer NOT NULL,
      item_id text NOT NULL,
      item jsonb NOT NULL,
      PRIMARY KEY (plan_id, ord))`,
  ),
};

class StaticProvider implements MigrationProvider {
  readonly #migrations: Record<string, Migration>;
  constructor(migrations: Record<string, Migration>) {
    this.#migrations = migrations;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.#migrations;
  }
}

/**
 * Brings a workspace database to the latest migration (creating schema salvage_workspace when missing). Throws
 * SalvageError 'workspace_migration_failed' naming the migration; a workspace newer than this salvage is refused too.
 */
// biome-ignore lint/suspicious/noExplicitAny: runs before the typed schema exists.
export async function migrateWorkspace(db: Kysely<any>): Promise<void> {
  await sql
    .raw(`CREATE SCHEMA IF NOT EXISTS ${S}`)
    .execute(db)
    .catch(async (error) => {
      // Two processes creating the schema at once: the loser sees a unique violation; the schema is there.
      const exists = await sql`select 1 from pg_namespace where nspname = ${S}`.execute(db);
      if (exists.rows.length === 0) throw error;
    });
  const migrator = new Migrator({
    db,
    provider: new StaticProvider(workspaceMigrations),
    migrationTableSchema: S,
    migrationTableName: 'schema_migration',
    migrationLockTableName: 'schema_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : String(error);
    throw new SalvageError(
      'workspace_migration_failed',
      failed
        ? `workspace migration ${failed} failed: ${message}`
        : `the workspace could not be migrated: ${message} (was it written by a newer salvage?)`,
      { cause: error },
    );
  }
}
