import { chmodSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Evidence, type Plan, SalvageError, type TargetSnapshot, UsageError } from '@salvage/core';
import { planReconciliation } from '@salvage/reconcile';
import { readTargetIdentity, readTargetSnapshot } from '@salvage/store';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { writePlanFile } from '../plan-file.ts';
import { loadCliConfig, openCliTarget, openCliWorkspace } from '../workspace.ts';

/** One line of the plan summary: per business and table, what the plan would do. */
export interface PlanSummaryRow {
  business: string;
  entity: string;
  new: number;
  changed: number;
  unchanged: number;
  review: number;
  confirm: number;
}

const ENTITIES = ['customers', 'bookings', 'payments'] as const;

/** Counts per business and entity: inserts, updates, target rows left as they are, items for review and for customers. */
export function summarizePlan(
  plan: Plan,
  snapshot: TargetSnapshot,
  names: Map<string, string>,
): PlanSummaryRow[] {
  const rows: PlanSummaryRow[] = [];
  const businessIds = [
    ...new Set([...snapshot.businesses.map((b) => b.id), ...plan.items.map((i) => i.businessId)]),
  ].sort();
  for (const businessId of businessIds) {
    for (const entity of ENTITIES) {
      const items = plan.items.filter((i) => i.businessId === businessId && i.table === entity);
      const existing = (snapshot[entity] as { business_id: string }[]).filter(
        (r) => r.business_id === businessId,
      ).length;
      const changed = items.filter((i) => i.kind === 'update').length;
      rows.push({
        business: names.get(businessId) ?? businessId,
        entity,
        new: items.filter((i) => i.kind === 'insert').length,
        changed,
        unchanged: existing - changed,
        review: items.filter((i) => i.disposition === 'review').length,
        confirm: items.filter((i) => i.disposition === 'ask_customer').length,
      });
    }
  }
  return rows;
}

/** The git work tree a path is inside, or null: plans hold personal data and must not end up in a repository. */
export function findGitWorkTree(path: string): string | null {
  let dir = resolve(path);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** `salvage plan`: reconciles the workspace's evidence with the target into a plan, stores it, prints a summary. */
export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description(
      'reconcile the evidence with the restored target into a plan of inserts and updates, and store it',
    )
    .option('--out <file>', 'also write the plan as JSON to this file (mode 0600)')
    .option('--allow-in-git', "allow --out inside a git work tree (the plan holds customers' personal data)")
    .option('--as-of <instant>', 'the instant the plan is made for (ISO 8601); default now')
    .addHelpText(
      'after',
      `
Reads the workspace (evidence, the previous plan and its decisions) and the target (read-only); writes only the
workspace. Decisions already taken on items that did not change carry over to the new plan.

Columns: new (inserts), changed (updates), unchanged (target rows the plan leaves as they are), review (items for an
operator), confirm (items to ask the customer about).

Examples:
  salvage plan
  salvage plan --out /secure/plan.json
  salvage plan --json | jq '.summary'`,
    )
    .action(async (opts: { out?: string; allowInGit?: boolean; asOf?: string }) => {
      const loaded = loadCliConfig(ctx);
      const asOf = opts.asOf ?? new Date().toISOString();
      if (Number.isNaN(Date.parse(asOf)))
        throw new UsageError(`--as-of ${opts.asOf} is not an instant such as 2026-08-01T12:00:00Z`);
      const out = opts.out ? resolve(ctx.cwd, opts.out) : null;
      if (out && !opts.allowInGit) {
        const tree = findGitWorkTree(dirname(out));
        if (tree) {
          throw new UsageError(
            `--out ${out} is inside the git work tree ${tree}; a plan holds customers' personal data: write it elsewhere, or pass --allow-in-git`,
          );
        }
      }
      const ws = await openCliWorkspace(loaded, ctx.env);
      try {
        const target = await openCliTarget(loaded, ctx.env);
        let snapshot: TargetSnapshot;
        let identity: Awaited<ReturnType<typeof readTargetIdentity>>;
        try {
          snapshot = await readTargetSnapshot(target.db);
          identity = await readTargetIdentity(target.db);
        } finally {
          await target.close();
        }
        const runId = await ws.startRun({ command: 'plan' });
        try {
          const evidence: Evidence[] = [];
          for await (const e of ws.readEvidence()) {
            evidence.push(e);
            if (evidence.length % 100_000 === 0) ctx.out.note(`read ${evidence.length} evidence items`);
          }
          const previousPlan = await ws.latestPlan();
          const previous = previousPlan
            ? { plan: previousPlan, decisions: await ws.listDecisions(previousPlan.id) }
            : undefined;
          const started = performance.now();
          const plan = planReconciliation({
            snapshot,
            evidence,
            config: loaded.config,
            asOf,
            target: identity,
            previous,
          });
          const seconds = (performance.now() - started) / 1000;
          await ws.savePlan(plan);
          if (plan.decisions && plan.decisions.length > 0) await ws.putDecisions(plan.id, plan.decisions);
          if (out) {
            writePlanFile(out, plan);
            chmodSync(out, 0o600);
          }
          const names = new Map(loaded.config.businesses.map((b) => [b.id, b.name]));
          const summary = summarizePlan(plan, snapshot, names);
          const problems = plan.diagnostics.filter((d) => d.level !== 'info');
          await ws.finishRun(runId, {
            status: 'succeeded',
            summary: {
              planId: plan.id,
              items: plan.items.length,
              evidence: evidence.length,
              diagnostics: problems.length,
            },
          });
          ctx.out.line(
            `plan ${plan.id}: ${plan.items.length} item(s) from ${evidence.length} evidence item(s) in ${seconds.toFixed(1)} s`,
          );
          ctx.out.table(summary as unknown as Record<string, unknown>[], [
            'business',
            'entity',
            'new',
            'changed',
            'unchanged',
            'review',
            'confirm',
          ]);
          if (previous)
            ctx.out.line(
              `${plan.decisions?.length ?? 0} decision(s) carried over from plan ${previous.plan.id}`,
            );
          const byCode = new Map<string, number>();
          for (const d of problems) byCode.set(d.code, (byCode.get(d.code) ?? 0) + 1);
          for (const [code, n] of [...byCode].sort())
            ctx.out.line(`warning: ${n} × ${code} (salvage status, or the plan's diagnostics, for details)`);
          if (out) ctx.out.line(`wrote ${out} (mode 0600)`);
          ctx.out.line(
            'next: salvage apply (a dry run first; items for review or confirmation are written once decided, or left out with --only-decided)',
          );
          ctx.out.result({
            planId: plan.id,
            asOf,
            items: plan.items.length,
            evidence: evidence.length,
            carriedDecisions: plan.decisions?.length ?? 0,
            summary,
            diagnostics: Object.fromEntries(byCode),
            out,
          });
        } catch (error) {
          await ws.finishRun(runId, { status: 'failed', summary: { error: (error as Error).message } });
          throw error instanceof SalvageError
            ? error
            : new SalvageError('plan_failed', `planning failed: ${(error as Error).message}`, {
                cause: error,
              });
        }
      } finally {
        await ws.close();
      }
    });
}
