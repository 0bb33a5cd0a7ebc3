import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { describeTarget, loadCliConfig, openCliWorkspace } from '../workspace.ts';

/** `salvage status`: what the workspace holds: runs, evidence per source and business, warnings, the latest plan. */
export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description(
      'summarize the workspace: recent runs, evidence per business and source, warnings, the latest plan',
    )
    .option('--runs <n>', 'how many recent runs to list', '10')
    .addHelpText(
      'after',
      `
Reads only the workspace (never the target or a source). Works right after 'salvage init'.

Examples:
  salvage status
  salvage status --json | jq .evidence`,
    )
    .action(async (opts: { runs: string }) => {
      const limit = Number(opts.runs);
      const loaded = loadCliConfig(ctx);
      const ws = await openCliWorkspace(loaded, ctx.env);
      try {
        const names = new Map(loaded.config.businesses.map((b) => [b.id, b.name]));
        const runs = await ws.listRuns(Number.isInteger(limit) && limit > 0 ? limit : 10);
        const evidence = await ws.countEvidence();
        const warnings = await ws.countWarnings();
        const plan = await ws.latestPlan();
        let planState: null | {
          id: string;
          asOf: string;
          items: number;
          byDisposition: Record<string, number>;
          decided: number;
          byDecision: Record<string, number>;
        } = null;
        if (plan) {
          const byDisposition: Record<string, number> = {};
          for (const item of plan.items)
            byDisposition[item.disposition] = (byDisposition[item.disposition] ?? 0) + 1;
          const decisions = await ws.listDecisions(plan.id);
          const latestPerItem = new Map(decisions.map((d) => [d.itemId, d.kind]));
          const byDecision: Record<string, number> = {};
          for (const kind of latestPerItem.values()) byDecision[kind] = (byDecision[kind] ?? 0) + 1;
          planState = {
            id: plan.id,
            asOf: plan.asOf,
            items: plan.items.length,
            byDisposition,
            decided: latestPerItem.size,
            byDecision,
          };
        }
        const runRows = runs.map((r) => {
          const summary = r.summary as {
            totals?: { evidence?: number; inserted?: number; warnings?: number };
          } | null;
          return {
            started: r.startedAt.replace('T', ' ').slice(0, 19),
            command: r.command,
            source: r.source ?? '',
            business: r.businessId ? (names.get(r.businessId) ?? r.businessId) : '',
            status: r.status,
            evidence: summary?.totals?.evidence ?? '',
            new: summary?.totals?.inserted ?? '',
            warnings: summary?.totals?.warnings ?? '',
          };
        });
        ctx.out.line(`workspace: ${ws.label} (${ws.kind})`);
        ctx.out.line(`target:    ${describeTarget(loaded, ctx.env)}`);
        ctx.out.line(`config:    ${loaded.file}`);
        ctx.out.line();
        if (runs.length === 0) ctx.out.line("runs: none yet (run 'salvage pull' to read the sources)");
        else {
          ctx.out.line(`runs (latest ${runs.length}):`);
          ctx.out.table(runRows);
        }
        ctx.out.line();
        const total = evidence.reduce((s, e) => s + e.count, 0);
        if (total === 0) ctx.out.line('evidence: none');
        else {
          ctx.out.line(`evidence: ${total}`);
          ctx.out.table(
            evidence.map((e) => ({
              business: names.get(e.businessId) ?? e.businessId,
              source: e.sourceKind,
              entity: e.entity,
              count: e.count,
            })),
          );
        }
        ctx.out.line();
        ctx.out.line(
          `warnings: ${warnings}${warnings > 0 ? ' (see the runs above; details in the workspace)' : ''}`,
        );
        if (!planState) ctx.out.line("plan: none yet (run 'salvage plan')");
        else {
          const disp = Object.entries(planState.byDisposition)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ');
          const dec = Object.entries(planState.byDecision)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ');
          ctx.out.line(
            `plan: ${planState.id.slice(0, 12)} as of ${planState.asOf}: ${planState.items} items (${disp || 'none'}); decided ${planState.decided}${dec ? ` (${dec})` : ''}`,
          );
        }
        ctx.out.result({
          workspace: { kind: ws.kind, label: ws.label },
          config: loaded.file,
          runs,
          evidence: evidence.map((e) => ({ ...e, businessName: names.get(e.businessId) ?? null })),
          evidenceTotal: total,
          warnings,
          plan: planState,
        });
      } finally {
        await ws.close();
      }
    });
}
