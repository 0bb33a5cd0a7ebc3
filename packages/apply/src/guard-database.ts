import { SalvageError } from '@salvage/core';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { checkStatement } from './statement-guard.ts';

/** A statement refused by the guard: a bug in salvage, never sent. */
export class StatementRefusedError extends SalvageError {
  readonly sql: string;
  constructor(sql: string, reason: string) {
    super(
      'statement_refused',
      `salvage refused to send a statement to the target (${reason}); nothing was written. This is a bug: report it`,
    );
    this.name = 'StatementRefusedError';
    this.sql = sql;
  }
}

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    readonly release: () => void,
  ) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const verdict = checkStatement(compiledQuery.sql);
    if (!verdict.ok) return Promise.reject(new StatementRefusedError(compiledQuery.sql, verdict.reason));
    return this.inner.executeQuery<R>(compiledQuery);
  }

  // biome-ignore lint/correctness/useYield: streaming is refused, never used by apply.
  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    throw new StatementRefusedError(compiledQuery.sql, 'streaming is not used by apply');
  }
}

class GuardedDriver implements Driver {
  // biome-ignore lint/suspicious/noExplicitAny: any schema.
  constructor(readonly outer: Kysely<any>) {}
  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    // kysely hands out a connection only inside a callback; hold the callback open until releaseConnection.
    return new Promise((resolve, reject) => {
      let acquired = false;
      this.outer
        .getExecutor()
        .provideConnection(
          (inner) =>
            new Promise<void>((release) => {
              acquired = true;
              resolve(new GuardedConnection(inner, release));
            }),
        )
        .catch((error) => {
          if (!acquired) reject(error);
        });
    });
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let text = 'begin';
    if (settings.isolationLevel) text += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) text += ` ${settings.accessMode}`;
    await connection.executeQuery(CompiledQuery.raw(text));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as GuardedConnection).release();
  }
  async destroy(): Promise<void> {}
}

class GuardedDialect implements Dialect {
  // biome-ignore lint/suspicious/noExplicitAny: any schema.
  constructor(readonly outer: Kysely<any>) {}
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new GuardedDriver(this.outer);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  // biome-ignore lint/suspicious/noExplicitAny: kysely's own dialects take Kysely<any> here.
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

/**
 * The single choke point: a kysely over the same connections as `db` whose every statement (reads, writes,
 * transaction control, and those of helpers such as readTargetIdentity) passes checkStatement or is refused before it
 * is sent. Apply and revert talk to the target only through it. Destroying it leaves `db` open.
 */
// biome-ignore lint/suspicious/noExplicitAny: any schema.
export function guardDatabase(db: Kysely<any>): Kysely<any> {
  return new Kysely({ dialect: new GuardedDialect(db) });
}
