import { why } from '@salvage/apply';
import { SalvageError, UsageError } from '@salvage/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { loadCliConfig, openCliTarget } from '../workspace.ts';

/** `salvage why TABLE ID [FIELD]`: where a value salvage wrote came from. */
export function registerWhy(program: Command, ctx: CliContext): void {
  program
    .command('why')
    .description(
      'show where the values salvage wrote to a row came from: evidence, rule, confidence, approval',
    )
    .argument('<table>', 'businesses, resources, customers, bookings or payments')
    .argument('<id>', 'the row id (uuid)')
    .argument('[field]', 'one column only')
    .addHelpText(
      'after',
      `
Reads schema salvage in the target (read-only). approved_by is policy:auto-accept, operator:<name> or
customer:<reference>.

Examples:
  salvage why bookings 6f1c2d3e-... status
  salvage why customers 0b5de872-... --json`,
    )
    .action(async (table: string, id: string, field: string | undefined) => {
      const loaded = loadCliConfig(ctx);
      const target = await openCliTarget(loaded, ctx.env);
      try {
        let rows: Awaited<ReturnType<typeof why>>;
        try {
          rows = await why(target.db, table, id, field);
        } catch (error) {
          if (error instanceof SalvageError && error.code === 'usage') throw new UsageError(error.message);
          throw error;
        }
        if (rows.length === 0)
          ctx.out.line(
            `salvage wrote nothing to ${table} ${id}${field ? ` ${field}` : ''} (or it was never applied here)`,
          );
        ctx.out.table(
          rows.map((r) => ({
            column: r.column,
            value: JSON.stringify(r.value),
            confidence: Number(r.confidence.toFixed(3)),
            rule: r.rule,
            approved_by: r.approvedBy,
            batch: `${r.batchId.slice(0, 8)}${r.batchStatus === 'reverted' ? ' (reverted)' : ''}`,
            applied_at: r.appliedAt,
            evidence:
              r.evidenceIds.length > 2
                ? `${r.evidenceIds.slice(0, 2).join(', ')} +${r.evidenceIds.length - 2}`
                : r.evidenceIds.join(', '),
          })),
        );
        ctx.out.result({ table, id, field: field ?? null, provenance: rows });
      } finally {
        await target.close();
      }
    });
}
