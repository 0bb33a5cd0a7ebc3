import { type RunProgress, type RunSummary, runConnector } from '@salvage/connector-kit';
import type { BusinessConfig } from '@salvage/core';
import { UsageError } from '@salvage/core';
import cliProgress from 'cli-progress';
import { type Command, Option } from 'commander';
import type { ConnectorInstance, PullSource } from '../connectors.ts';
import type { CliContext } from '../context.ts';
import { EXIT_FAILURE } from '../exit-codes.ts';
import { createFileLogger, loadCliConfig, openCliWorkspace } from '../workspace.ts';

// Same as connectors.ts's PULL_SOURCES: repeated so registering the command does not load every connector (and its
// SDKs) for `salvage --help` and every other command; the registry is imported when pull runs.
const SOURCES: readonly PullSource[] = ['stripe', 'email', 'calendar'];

interface PullRow {
  business: string;
  businessId: string;
  source: PullSource;
  connector: string;
  scope: string | null;
  summary: RunSummary | null;
  /** Set when the connector could not start (bad config, factory error). */
  error: string | null;
}

/** Draws one line per stream: bars on a terminal, plain lines (throttled) otherwise. */
function createProgressView(ctx: CliContext) {
  const tty = Boolean(process.stderr.isTTY);
  const multi = tty
    ? new cliProgress.MultiBar(
        {
          stream: process.stderr,
          format: '{label} |{bar}| {value}/{total} {unit} · {evidence} evidence · {status}',
          hideCursor: true,
          clearOnComplete: false,
          autopadding: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const bars = new Map<string, cliProgress.SingleBar>();
  const lastLine = new Map<string, number>();
  return {
    update(label: string, p: RunProgress) {
      const payload = { label, unit: p.unit ?? '', evidence: p.evidence, status: p.status };
      if (multi) {
        let bar = bars.get(label);
        if (!bar) {
          bar = multi.create(p.total ?? p.done, p.done, payload);
          bars.set(label, bar);
        }
        bar.setTotal(p.total ?? Math.max(p.done, 1));
        bar.update(p.done, payload);
        return;
      }
      const now = Date.now();
      const done = p.status !== 'running';
      // Plain lines: when a stream ends, and at most every 5 s while it runs (not at its very start).
      if (!lastLine.has(label)) lastLine.set(label, now);
      if (!done && now - lastLine.get(label)! < 5000) return;
      lastLine.set(label, now);
      const of = p.total === undefined ? '' : `/${p.total}`;
      const count =
        p.done > 0 || p.total !== undefined ? `, ${p.done}${of}${p.unit ? ` ${p.unit}` : ''}` : '';
      ctx.out.note(`${label}: ${p.status}${count}, ${p.evidence} evidence`);
    },
    stop() {
      multi?.stop();
    },
  };
}

/** `salvage pull`: reads the configured sources, read-only, into the workspace; resumes from the last checkpoints. */
export function registerPull(program: Command, ctx: CliContext): void {
  program
    .command('pull')
    .description(
      'read evidence from Stripe, mailboxes and calendars (read-only) into the workspace; resumable',
    )
    .addOption(new Option('--source <source>', 'only this source family').choices([...SOURCES]))
    .option('--business <id>', 'only this business (its id from salvage.config.yaml)')
    .addHelpText(
      'after',
      `
Never writes to a source. Each stream resumes from its last checkpoint, so running pull again only reads what is new;
Ctrl-C stops after the current batch and keeps everything read so far.
Exits 1 when a stream failed (the others still ran); the summary says which and why.

Examples:
  salvage pull
  salvage pull --source stripe --business 00000000-0000-4000-8000-000000000001
  salvage pull --json > pull-summary.json`,
    )
    .action(async (opts: { source?: PullSource; business?: string }) => {
      const loaded = loadCliConfig(ctx);
      const { config } = loaded;
      let businesses: BusinessConfig[] = config.businesses;
      if (opts.business) {
        businesses = businesses.filter((b) => b.id === opts.business);
        if (businesses.length === 0) {
          throw new UsageError(
            `--business ${opts.business} is not in ${loaded.file}; businesses there: ${config.businesses.map((b) => `${b.id} (${b.name})`).join(', ')}`,
          );
        }
      }
      const sources = opts.source ? [opts.source] : [...SOURCES];
      const { connectorsBySource } = await import('../connectors.ts');
      const plan: {
        business: BusinessConfig;
        source: PullSource;
        instance: ConnectorInstance | null;
        error: string | null;
      }[] = [];
      for (const business of businesses) {
        for (const source of sources) {
          for (const factory of connectorsBySource[source]) {
            try {
              const made = factory.make(business, ctx.env);
              const list = made === null ? [] : Array.isArray(made) ? made : [made];
              for (const instance of list) plan.push({ business, source, instance, error: null });
            } catch (error) {
              plan.push({ business, source, instance: null, error: (error as Error).message });
            }
          }
        }
      }
      if (plan.length === 0) {
        const installed = sources.filter((s) => connectorsBySource[s].length > 0);
        ctx.out.line(
          installed.length === 0
            ? `nothing to pull: no ${sources.join('/')} connector is installed in this build`
            : `nothing to pull: no business in ${loaded.file} configures ${sources.join(', ')} sources`,
        );
        ctx.out.result({ status: 'succeeded', runs: [] });
        return;
      }

      const logger = createFileLogger(loaded, 'pull');
      const ws = await openCliWorkspace(loaded, ctx.env);
      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts > 1) process.exit(130);
        ctx.out.note('stopping after the current batch (Ctrl-C again to quit at once; checkpoints are kept)');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      const view = createProgressView(ctx);
      const rows: PullRow[] = [];
      const since = new Date(
        Date.parse(config.incident.backupTakenAt) - config.incident.overlap,
      ).toISOString();
      logger.info(
        { event: 'pull_start', connectors: plan.length, source: opts.source ?? 'all' },
        'pull started',
      );
      try {
        for (const { business, source, instance, error } of plan) {
          if (controller.signal.aborted) break;
          if (!instance) {
            rows.push({
              business: business.name,
              businessId: business.id,
              source,
              connector: source,
              scope: null,
              summary: null,
              error: `could not set up the ${source} connector: ${error}`,
            });
            continue;
          }
          const { connector } = instance;
          const parsed = connector.parseConfig(instance.config);
          if (!parsed.ok) {
            rows.push({
              business: business.name,
              businessId: business.id,
              source,
              connector: connector.name,
              scope: instance.scope,
              summary: null,
              error: `config: ${parsed.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
            });
            logger.warn({
              event: 'connector_config_invalid',
              connector: connector.name,
              businessId: business.id,
            });
            continue;
          }
          const child = logger.child({ connector: connector.name, businessId: business.id });
          const summary = await runConnector(
            connector,
            parsed.config,
            {
              business,
              window: { since, until: new Date().toISOString() },
              now: () => new Date(),
              logger: child,
              env: ctx.env,
              signal: controller.signal,
              scope: instance.scope,
            },
            ws,
            { onProgress: (p) => view.update(`${business.name} ${connector.name}/${p.stream}`, p) },
          );
          child.info(
            { event: 'connector_done', runId: summary.runId, status: summary.status, totals: summary.totals },
            'connector finished',
          );
          rows.push({
            business: business.name,
            businessId: business.id,
            source,
            connector: connector.name,
            scope: instance.scope,
            summary,
            error: null,
          });
        }
      } finally {
        view.stop();
        process.off('SIGINT', onSigint);
        await ws.close();
      }

      const table = rows.flatMap((r) =>
        r.summary
          ? r.summary.streams.map((s) => ({
              business: r.business,
              connector: r.connector,
              stream: s.stream,
              status: s.status,
              evidence: s.evidence,
              new: s.inserted,
              warnings: s.warnings,
              note: s.message ?? '',
            }))
          : [
              {
                business: r.business,
                connector: r.connector,
                stream: '*',
                status: 'failed',
                evidence: 0,
                new: 0,
                warnings: 0,
                note: r.error ?? '',
              },
            ],
      );
      const failed = table.filter((t) => t.status === 'failed').length;
      const status = failed === 0 ? 'succeeded' : failed === table.length ? 'failed' : 'partial';
      logger.info({ event: 'pull_done', status, streams: table.length, failed }, 'pull finished');
      ctx.out.table(table);
      const totalNew = table.reduce((s, t) => s + t.new, 0);
      ctx.out.line(
        `${status}: ${table.length} streams, ${totalNew} new evidence${failed > 0 ? `, ${failed} failed (see note; run 'salvage pull' again to resume)` : ''}${controller.signal.aborted ? '; interrupted' : ''}`,
      );
      ctx.out.result({ status, interrupted: controller.signal.aborted, runs: rows });
      if (failed > 0) ctx.setExitCode?.(EXIT_FAILURE);
    });
}
