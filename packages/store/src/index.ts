export * from './database.ts';
export * from './pglite-dialect.ts';
export * from './pglite-lock.ts';
export * from './target.ts';
export * from './workspace.ts';
export * from './workspace-migrations.ts';
export * from './workspace-schema.ts';
