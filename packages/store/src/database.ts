import { chmodSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { SalvageError } from '@salvage/core';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import { acquireDirectoryLock, type DirectoryLock } from './pglite-lock.ts';

/** Where a database lives: a PostgreSQL server by URL, or an embedded PGlite directory ('memory://' for none). */
export type DatabaseLocation = { url: string } | { pglite: string };

/** An open database: kysely over it, which engine it is, and how to close it (and release a PGlite lock). */
export interface DatabaseHandle<DB> {
  db: Kysely<DB>;
  kind: 'postgres' | 'pglite';
  /** Where it is, for people: the URL without its password, or the PGlite directory. */
  label: string;
  close(): Promise<void>;
}

/** A database URL with any password replaced by ***, safe for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/**
 * Opens a database through kysely: PostgreSQL through a pg Pool, or PGlite 0.5 through salvage's own dialect. A PGlite
 * directory is created (mode 0700) when missing and locked to this process; a directory another process holds throws
 * SalvageError 'workspace_locked', saying to use a Postgres workspace. An unreachable server throws
 * 'database_unreachable'.
 */
// biome-ignore lint/suspicious/noExplicitAny: the caller names its schema; untyped access is the default.
export async function openDatabase<DB = any>(loc: DatabaseLocation): Promise<DatabaseHandle<DB>> {
  if ('url' in loc) return openPostgres<DB>(loc.url);
  return openPGlite<DB>(loc.pglite);
}

async function openPostgres<DB>(url: string): Promise<DatabaseHandle<DB>> {
  const label = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 10_000 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // Nor may a checked-out client losing its server (pg_terminate_backend): its query rejects, which is what callers see.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new SalvageError(
      'database_unreachable',
      `cannot connect to ${label}: ${(error as Error).message}; check the URL and that the server is running`,
      { cause: error },
    );
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', label, close: () => db.destroy() };
}

async function openPGlite<DB>(dir: string): Promise<DatabaseHandle<DB>> {
  const memory = dir.startsWith('memory://');
  const path = memory ? dir : resolve(dir);
  let lock: DirectoryLock | null = null;
  if (!memory) {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    chmodSync(path, 0o700);
    lock = acquireDirectoryLock(path);
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(path);
  } catch (error) {
    lock?.release();
    throw new SalvageError(
      'database_open_failed',
      `cannot open the embedded database in ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    label: path,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}

/**
 * Runs a plain SQL script (several statements, no parameters, such as a pg_dump in plain format or the simulator's
 * backup.sql) against a database, in one implicit transaction on PostgreSQL. Used to load a demo or test target; never
 * called on a target a user named for a rebuild.
 */
export async function runSqlScript(loc: DatabaseLocation, script: string): Promise<void> {
  if ('url' in loc) {
    const client = new pg.Client({ connectionString: loc.url });
    try {
      await client.connect();
    } catch (error) {
      throw new SalvageError(
        'database_unreachable',
        `cannot connect to ${redactUrl(loc.url)}: ${(error as Error).message}; check the URL and that the server is running`,
        { cause: error },
      );
    }
    try {
      // The simple query protocol (no parameters) runs every statement of the script.
      await client.query(script);
    } finally {
      await client.end();
    }
    return;
  }
  const path = loc.pglite.startsWith('memory://') ? loc.pglite : resolve(loc.pglite);
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const lock = path.startsWith('memory://') ? null : acquireDirectoryLock(path);
  try {
    const pglite = await PGlite.create(path);
    try {
      await pglite.exec(script);
    } finally {
      await pglite.close();
    }
  } finally {
    lock?.release();
  }
}
