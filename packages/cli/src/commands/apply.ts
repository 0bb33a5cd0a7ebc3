import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import {
  type ApplyPreview,
  type ApplyResult,
  applyPlan,
  type Refusal,
  resolveTargetMapping,
} from '@salvage/apply';
import { type Decision, type Plan, SalvageError, UsageError } from '@salvage/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { readPlanFile } from '../plan-file.ts';
import { loadCliConfig, openCliTarget, openCliWorkspace } from '../workspace.ts';

/** The operator running a command, as provenance names them: --operator, else $USER. */
export function operatorName(ctx: CliContext, explicit?: string): string {
  const name = explicit ?? ctx.env.SALVAGE_OPERATOR ?? ctx.env.USER ?? 'unknown';
  return name.includes(':') ? name : `operator:${name}`;
}

/**
 * Asks at the terminal for the target's database name; returns what was typed, or null when stdin is not a terminal
 * (or under --json), where only --confirm-target may confirm.
 */
export async function promptTargetName(ctx: CliContext, action: string): Promise<string | null> {
  if (!process.stdin.isTTY || ctx.out.json) return null;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`To ${action}, type the target database name (Enter to stop): `)).trim();
  } finally {
    rl.close();
  }
}

/** Throws the refusals as one error: the first one's code, every message on its own line. */
export function throwRefusals(refusals: Refusal[]): never {
  throw new SalvageError(refusals[0]?.code ?? 'refused', refusals.map((r) => r.message).join('\n'));
}

function printPreview(ctx: CliContext, preview: ApplyPreview, heading: string): void {
  ctx.out.line(`${heading} plan ${preview.planId} on ${preview.target.databaseName}`);
  ctx.out.table(
    preview.tables.map((t) => ({ table: t.table, inserts: t.inserts, updates: t.updates })),
    ['table', 'inserts', 'updates'],
  );
  for (const t of preview.tables) for (const s of t.samples) ctx.out.line(`  ${s}`);
  const e = preview.excluded;
  if (e.rejected + e.undecided + e.dependencyNotWritten > 0)
    ctx.out.line(
      `left out: ${e.rejected} rejected, ${e.undecided} undecided, ${e.dependencyNotWritten} needing an item left out`,
    );
}

async function loadPlan(
  ctx: CliContext,
  ref: string | undefined,
  ws: Awaited<ReturnType<typeof openCliWorkspace>>,
): Promise<{ plan: Plan; decisions: Decision[] }> {
  let plan: Plan | null;
  const file = ref ? resolve(ctx.cwd, ref) : null;
  if (file && existsSync(file)) {
    try {
      plan = (await readPlanFile(file)) as Plan;
    } catch (error) {
      throw new UsageError(`--plan ${ref}: not a plan JSON file (${(error as Error).message})`);
    }
    if (plan?.formatVersion !== 1 || !Array.isArray(plan.items) || !plan.target)
      throw new UsageError(`--plan ${ref}: not a salvage plan (formatVersion 1 with target and items)`);
  } else if (ref) {
    plan = await ws.getPlan(ref);
    if (!plan) throw new UsageError(`--plan ${ref}: no such file, and no plan with that id in the workspace`);
  } else {
    plan = await ws.latestPlan();
    if (!plan) throw new UsageError("the workspace has no plan yet: run 'salvage plan' first");
  }
  const decisions = [...(plan.decisions ?? []), ...(await ws.listDecisions(plan.id))];
  return { plan, decisions };
}

/** `salvage apply`: the approved items of a plan, to the target, guarded; a dry run unless the target is confirmed. */
export function registerApply(program: Command, ctx: CliContext): void {
  program
    .command('apply')
    .description('write the approved items of a plan to the target, in one guarded, reversible transaction')
    .option(
      '--plan <id|file>',
      'the plan: an id in the workspace, or a plan JSON file (default: the latest plan)',
    )
    .option('--confirm-target <name>', "the target's database name, to write without a prompt")
    .option('--only-decided', 'write auto and decided items, leave undecided ones for a later plan')
    .option('--dry-run', 'only show what would change (exit 0)')
    .option('--wait', 'wait for another apply or revert on the target instead of refusing')
    .option('--operator <name>', 'who applies, for the audit trail (default: $USER)')
    .addHelpText(
      'after',
      `
Checks before writing: the target is the database the plan was made for (server, name, schema), no planned row
changed since (else re-plan), the plan was not applied before, no other apply is running, and every item that needs a
decision has one (or --only-decided). Everything is written in one transaction with an audit batch, per-field
provenance and an undo journal in schema salvage; undo with 'salvage revert BATCH'.

Without --confirm-target, a terminal asks for the target's name; without a terminal it is a dry run and exits 2.

Examples:
  salvage apply                                   # dry run, then a prompt
  salvage apply --dry-run --json
  salvage apply --confirm-target restored --only-decided
  salvage apply --plan ./plan.json --confirm-target restored --wait`,
    )
    .action(
      async (opts: {
        plan?: string;
        confirmTarget?: string;
        onlyDecided?: boolean;
        dryRun?: boolean;
        wait?: boolean;
        operator?: string;
      }) => {
        if (opts.dryRun && opts.confirmTarget)
          throw new UsageError('give --dry-run or --confirm-target, not both');
        const loaded = loadCliConfig(ctx);
        const mapping = resolveTargetMapping(loaded.config.targetMapping);
        const ws = await openCliWorkspace(loaded, ctx.env);
        let plan: Plan;
        let decisions: Decision[];
        try {
          ({ plan, decisions } = await loadPlan(ctx, opts.plan, ws));
        } finally {
          await ws.close();
        }
        const target = await openCliTarget(loaded, ctx.env);
        try {
          const base = {
            db: target.db,
            plan,
            decisions,
            mapping,
            approvedBy: operatorName(ctx, opts.operator),
            onlyDecided: opts.onlyDecided ?? false,
            wait: opts.wait ?? false,
          };
          let confirm = opts.confirmTarget;
          let result: ApplyResult;
          if (confirm === undefined) {
            result = await applyPlan({ ...base, dryRun: true });
            printPreview(ctx, result.preview, 'would apply');
            if (result.kind !== 'applied' && result.refusals.length > 0) {
              for (const r of result.refusals) ctx.out.line(`refused: ${r.message}`);
              if (!opts.dryRun) throwRefusals(result.refusals);
            }
            if (opts.dryRun) {
              ctx.out.result({ ...result, wrote: false });
              return;
            }
            const typed = await promptTargetName(
              ctx,
              `write ${result.preview.totals.inserts + result.preview.totals.updates} row(s)`,
            );
            if (typed === null)
              throw new UsageError(
                `dry run only: nothing was written; to write, pass --confirm-target ${result.preview.target.databaseName}`,
              );
            if (typed === '') throw new UsageError('stopped: nothing was written');
            confirm = typed;
          }
          let lastNote = 0;
          result = await applyPlan({
            ...base,
            dryRun: false,
            confirmTarget: confirm,
            onProgress: (p) => {
              if (p.phase !== 'check' && Date.now() - lastNote > 2000) {
                lastNote = Date.now();
                ctx.out.note(`${p.phase} ${p.table}: ${p.done}/${p.total} item(s)`);
              }
            },
          });
          if (result.kind !== 'applied') {
            printPreview(ctx, result.preview, 'refused to apply');
            throwRefusals(result.refusals);
          }
          printPreview(ctx, result.preview, `applied (batch ${result.batchId})`);
          ctx.out.line(`undo with: salvage revert ${result.batchId}`);
          ctx.out.result({ ...result, wrote: true });
        } finally {
          await target.close();
        }
      },
    );
}
