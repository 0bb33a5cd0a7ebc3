import { resolve } from 'node:path';
import { UsageError } from '@salvage/core';
import { createReferenceSchema, type DatabaseLocation, openDatabase, readPublicTables } from '@salvage/store';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { loadCliConfig, targetLocation } from '../workspace.ts';

/** `salvage db`: the target database. `db init` creates the reference schema in an empty database. */
export function registerDb(program: Command, ctx: CliContext): void {
  const db = program
    .command('db')
    .description('work with the target database (the restored platform database)');
  db.command('init')
    .description(
      'create the reference schema (businesses, resources, customers, bookings, payments) in an empty database',
    )
    .option('--target <url>', 'PostgreSQL URL of the target (default: target in salvage.config.yaml)')
    .option('--pglite <dir>', 'an embedded PGlite directory as the target instead')
    .addHelpText(
      'after',
      `
Refuses a database that already has tables in its public schema: salvage never builds over existing data.

Examples:
  salvage db init --target postgres://postgres@127.0.0.1:5432/restored
  salvage db init --pglite ./restored-db
  salvage db init            # the target from salvage.config.yaml`,
    )
    .action(async (opts: { target?: string; pglite?: string }) => {
      if (opts.target && opts.pglite) throw new UsageError('give --target or --pglite, not both');
      let loc: DatabaseLocation;
      if (opts.target) loc = { url: opts.target };
      else if (opts.pglite) loc = { pglite: resolve(ctx.cwd, opts.pglite) };
      else loc = targetLocation(loadCliConfig(ctx), ctx.env);
      const handle = await openDatabase(loc);
      try {
        await createReferenceSchema(handle.db);
        const tables = await readPublicTables(handle.db);
        ctx.out.line(`created the reference schema in ${handle.label}: ${tables.join(', ')}`);
        ctx.out.result({ created: true, target: handle.label, kind: handle.kind, tables });
      } finally {
        await handle.close();
      }
    });
}
