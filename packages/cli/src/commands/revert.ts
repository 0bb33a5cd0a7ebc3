import { type RevertResult, resolveTargetMapping, revertBatch } from '@salvage/apply';
import { UsageError } from '@salvage/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { loadCliConfig, openCliTarget } from '../workspace.ts';
import { operatorName, promptTargetName, throwRefusals } from './apply.ts';

function printRevert(ctx: CliContext, r: Exclude<RevertResult, { kind: 'refused' }>, heading: string): void {
  ctx.out.line(`${heading} batch ${r.batchId} on ${r.target.databaseName}`);
  ctx.out.table(r.counts as unknown as Record<string, unknown>[], ['table', 'restored', 'removed']);
  if (r.changedSince.length > 0) {
    ctx.out.line(`${r.changedSince.length} row(s) changed since the apply are left as they are:`);
    for (const c of r.changedSince.slice(0, 20))
      ctx.out.line(`  ${c.table} ${c.rowId} (${c.op}, ${c.reason})`);
    if (r.changedSince.length > 20) ctx.out.line(`  ... (--json lists all)`);
  }
}

/** `salvage revert BATCH`: undoes an applied batch, leaving rows changed since as they are. */
export function registerRevert(program: Command, ctx: CliContext): void {
  program
    .command('revert')
    .description(
      'undo an applied batch: restore prior values, remove the rows it inserted (unless changed since)',
    )
    .argument('<batch>', "the batch id 'salvage apply' printed")
    .option('--confirm-target <name>', "the target's database name, to write without a prompt")
    .option('--dry-run', 'only show what would be restored and removed (exit 0)')
    .option('--wait', 'wait for another apply or revert on the target instead of refusing')
    .option('--operator <name>', 'who reverts, for the audit trail (default: $USER)')
    .addHelpText(
      'after',
      `
Guarded like apply: one transaction, the same lock, the target must be the one the batch was applied to. Rows
changed since the apply (or inserted rows that newer rows point at) are reported and left alone, never overwritten.

Examples:
  salvage revert 3f0c...               # dry run, then a prompt
  salvage revert 3f0c... --confirm-target restored --json`,
    )
    .action(
      async (
        batch: string,
        opts: { confirmTarget?: string; dryRun?: boolean; wait?: boolean; operator?: string },
      ) => {
        if (opts.dryRun && opts.confirmTarget)
          throw new UsageError('give --dry-run or --confirm-target, not both');
        const loaded = loadCliConfig(ctx);
        const mapping = resolveTargetMapping(loaded.config.targetMapping);
        const target = await openCliTarget(loaded, ctx.env);
        try {
          const base = { db: target.db, batchId: batch, mapping, wait: opts.wait ?? false };
          let confirm = opts.confirmTarget;
          if (confirm === undefined) {
            const dry = await revertBatch({ ...base, dryRun: true });
            if (dry.kind === 'refused') throwRefusals(dry.refusals);
            printRevert(ctx, dry, 'would revert');
            if (opts.dryRun) {
              ctx.out.result(dry);
              return;
            }
            const typed = await promptTargetName(ctx, 'revert this batch');
            if (typed === null)
              throw new UsageError(
                `dry run only: nothing was written; to revert, pass --confirm-target ${dry.target.databaseName}`,
              );
            if (typed === '') throw new UsageError('stopped: nothing was written');
            confirm = typed;
          }
          const result = await revertBatch({
            ...base,
            dryRun: false,
            confirmTarget: confirm,
            revertedBy: operatorName(ctx, opts.operator),
          });
          if (result.kind === 'refused') throwRefusals(result.refusals);
          printRevert(ctx, result, 'reverted');
          ctx.out.result(result);
        } finally {
          await target.close();
        }
      },
    );
}
