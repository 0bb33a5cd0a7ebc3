import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configTemplate, UsageError } from '@salvage/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('write a commented salvage.config.yaml skeleton in the current directory')
    .option('--force', 'overwrite an existing salvage.config.yaml')
    .action((opts: { force?: boolean }) => {
      const file = resolve(ctx.cwd, 'salvage.config.yaml');
      if (existsSync(file) && !opts.force) {
        throw new UsageError(`${file} exists already; edit it, or pass --force to overwrite it`);
      }
      writeFileSync(file, configTemplate(), { mode: 0o600 });
      ctx.out.line(`wrote ${file}`);
      ctx.out.line('next: fill in the incident, target and businesses, then run `salvage status`');
      ctx.out.result({ file });
    });
}
