import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SalvageError, UsageError } from '@salvage/core';
import { redactUrl } from '@salvage/store';
import { type Command, Option } from 'commander';
import { sql } from 'kysely';
import { parse, stringify } from 'yaml';
import type { CliContext } from '../context.ts';
import { EXIT_OK } from '../exit-codes.ts';
import type { Output } from '../output.ts';
import { noiseOption } from './simulate.ts';

const DEMO_TARGET_ENV = 'SALVAGE_DEMO_TARGET_URL';

interface DemoOptions {
  dir?: string;
  scale: 'small' | 'medium' | 'large';
  seed: string;
  noise: string;
  target?: string;
}

/** What one pipeline step did, for the summary and for --json. */
interface StepResult {
  step: string;
  command: string;
  exitCode: number;
  seconds: number;
  result: unknown;
}

/**
 * `salvage demo`: the whole pipeline on a simulated incident, with an embedded database and local Stripe and Google
 * servers, running the same commands a user would run: simulate, pull, plan, apply (what the policy accepts), and the
 * accuracy score against the incident's known truth.
 */
export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'rebuild a simulated incident end to end (simulate, pull, plan, apply, score) with an embedded database',
    )
    .option(
      '--dir <dir>',
      'where to put the incident, workspace and target (default: a new temporary directory)',
    )
    .addOption(
      new Option('--scale <scale>', 'incident size: small (seconds), medium (~10k bookings), large')
        .choices(['small', 'medium', 'large'])
        .default('small'),
    )
    .option('--seed <n>', 'seed of the simulated incident', '1')
    .option(
      '--noise <spec>',
      "noise knobs: 'default', 'high', or knob=value pairs (see salvage simulate --help)",
      'default',
    )
    .option('--target <url>', 'rebuild into this empty PostgreSQL database instead of an embedded PGlite one')
    .addHelpText(
      'after',
      `
Nothing outside --dir is touched: the incident, the local servers' data, the workspace (.salvage) and the target
(an embedded PGlite database, loaded with the incident's restored.sql) all live there, and the servers listen on
127.0.0.1 only while the demo runs. Apply writes only what the plan's policy accepts (--only-decided): items for a
person to review or for a customer to confirm are left, and counted. The score compares the rebuilt target with the
truth the simulator kept (docs/accuracy.md says what each figure means).

Afterwards, the directory works like any salvage project:
  cd DIR && salvage status
  salvage why bookings <id>        # where a rebuilt value came from
  salvage revert <batch>           # undo the demo's apply

Examples:
  npx salvage demo
  salvage demo --scale medium --seed 7 --dir /tmp/demo-medium
  salvage demo --noise high                 # how accuracy degrades with more typos, gaps and duplicates
  salvage demo --target postgres://127.0.0.1/rebuilt --json`,
    )
    .action(async (opts: DemoOptions) => {
      const seed = Number(opts.seed);
      if (!/^\d+$/.test(opts.seed) || seed > 0xffffffff)
        throw new UsageError(`--seed must be a whole number from 0 to 4294967295, not ${opts.seed}`);
      const noise = noiseOption(opts.noise);
      const dir = opts.dir ? resolve(ctx.cwd, opts.dir) : mkdtempSync(join(tmpdir(), 'salvage-demo-'));
      if (existsSync(dir) && readdirSync(dir).length > 0)
        throw new UsageError(`--dir ${dir} is not empty: give a new or empty directory`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const out = ctx.out;
      const started = performance.now();
      const steps: StepResult[] = [];
      out.line(`salvage demo: rebuilding a simulated incident in ${dir}`);

      const incident = join(dir, 'incident');
      const { generateIncident, startSimulatedSources } = await import('@salvage/simulator');
      out.line('');
      const noiseFlag = opts.noise === 'default' ? '' : ` --noise ${opts.noise}`;
      out.line(`$ salvage simulate --scale ${opts.scale} --seed ${seed}${noiseFlag} --out ${incident}`);
      const simStarted = performance.now();
      const manifest = await generateIncident({ scale: opts.scale, seed, noise }, incident, {
        onProgress: (p) => out.note(`  [${p.step}/${p.steps}] ${p.phase}`),
      });
      const c = manifest.counts;
      out.line(
        `${manifest.businesses.length} businesses; the backup is from ${manifest.incident.backupTakenAt.slice(0, 10)}, the data was lost on ${manifest.incident.incidentAt.slice(0, 10)}`,
      );
      out.line(
        `truth ${c.truth.bookings} bookings, backup ${c.backup.bookings}, restored (live again) ${c.restored.bookings}; ${c.recoverability.recoverable} of the lost ones left evidence`,
      );
      steps.push({
        step: 'simulate',
        command: 'simulate',
        exitCode: EXIT_OK,
        seconds: seconds(simStarted),
        result: { counts: c },
      });

      const sources = await startSimulatedSources(incident);
      try {
        out.line(`local Stripe ${sources.stripeUrl} and Google ${sources.googleRootUrl} (read-only)`);
        const configFile = writeDemoConfig(dir, incident, sources, Boolean(opts.target));
        const env = {
          ...ctx.env,
          ...sources.env,
          ...(opts.target ? { [DEMO_TARGET_ENV]: opts.target } : {}),
        };
        const targetName = await loadRestoredTarget(dir, incident, opts.target);
        out.line(
          `target: ${opts.target ? redactUrl(opts.target) : join(dir, 'target')}, loaded from restored.sql`,
        );

        const run = async (step: string, args: string[]): Promise<StepResult> => {
          out.line('');
          out.line(`$ salvage ${args.join(' ')}`);
          const r = await runStep(ctx, dir, env, configFile, args);
          const done = { step, command: args.join(' '), ...r };
          steps.push(done);
          if (r.exitCode !== EXIT_OK)
            throw new SalvageError(
              'demo_step_failed',
              `the demo's ${step} step exited ${r.exitCode}; see above`,
            );
          return done;
        };
        await run('pull', ['pull']);
        // The simulated world's clock stops at the pull: plan as of then, as a rebuild made that day would.
        const plan = await run('plan', [
          'plan',
          '--out',
          'plan.json',
          '--allow-in-git',
          '--as-of',
          manifest.incident.pulledAt,
        ]);
        await run('apply', ['apply', '--only-decided', '--confirm-target', targetName]);
        const target = opts.target ? ['--target', opts.target] : ['--pglite', 'target'];
        await run('score', [
          'bench',
          'accuracy',
          '--truth',
          'incident',
          ...target,
          '--plan',
          'plan.json',
          '--out',
          'accuracy.json',
        ]);

        const sample = firstAutoBooking(join(dir, 'plan.json'));
        if (sample) await run('why', ['why', 'bookings', sample, 'starts_at']);

        const items = readPlanCounts(join(dir, 'plan.json'));
        const sourceWrites = sources.stripe.nonGetRequests.length + sources.google.rejected.length;
        out.line('');
        out.line(
          `done in ${seconds(started)} s. The plan held ${items.total} items: ${items.auto} auto-accepted (written), ${items.review} for an operator to review, ${items.ask} to confirm with customers (left unwritten).`,
        );
        out.line(`requests that would have changed a source: ${sourceWrites} (salvage only reads)`);
        out.line(
          `next: cd ${dir} && salvage status   (and salvage why, salvage revert: see salvage demo --help)`,
        );
        out.result({
          dir,
          seconds: seconds(started),
          sourceWrites,
          plan: { id: (plan.result as { planId?: string } | null)?.planId ?? null, ...items },
          steps,
        });
      } finally {
        await sources.close();
      }
    });
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

/** The incident's config, pointed at the running local servers, the demo's target and its workspace. */
function writeDemoConfig(
  dir: string,
  incident: string,
  sources: { stripeUrl: string; googleRootUrl: string },
  postgresTarget: boolean,
): string {
  const config = parse(readFileSync(join(incident, 'salvage.config.yaml'), 'utf8'));
  const rel = (p: string) => join('incident', p);
  for (const b of config.businesses) {
    if (b.stripe) b.stripe.apiBase = sources.stripeUrl;
    if (b.email) {
      b.email.mbox = (b.email.mbox ?? []).map(rel);
      b.email.maildir = (b.email.maildir ?? []).map(rel);
      for (const g of b.email.gmail ?? []) g.rootUrl = sources.googleRootUrl;
    }
    if (b.calendar) {
      for (const g of b.calendar.google ?? []) g.rootUrl = sources.googleRootUrl;
      b.calendar.ics = (b.calendar.ics ?? []).map((s: { path?: string }) =>
        s.path ? { ...s, path: rel(s.path) } : s,
      );
    }
  }
  config.target = postgresTarget ? { urlEnv: DEMO_TARGET_ENV } : { pglite: 'target' };
  config.workspace = { dir: '.salvage' };
  const file = join(dir, 'salvage.config.yaml');
  writeFileSync(
    file,
    `# Written by \`salvage demo\`: the simulated incident in ./incident, served by local servers that ran only while the
# demo did (start them again with \`salvage simulate serve incident\`, then fix the ports here).
${stringify(config, { lineWidth: 0 })}`,
    { mode: 0o600 },
  );
  return file;
}

/** Loads restored.sql into the demo's target (a new PGlite directory, or an empty PostgreSQL database); its name. */
async function loadRestoredTarget(dir: string, incident: string, url: string | undefined): Promise<string> {
  const { openDatabase, readTargetIdentity, runSqlScript } = await import('@salvage/store');
  const loc = url ? { url } : { pglite: join(dir, 'target') };
  if (url) {
    const handle = await openDatabase(loc);
    try {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`.execute(
        handle.db,
      );
      if (rows[0]!.n > 0)
        throw new UsageError(
          `--target ${redactUrl(url)} is not empty (${rows[0]!.n} tables): the demo loads the restored backup into an empty database`,
        );
    } finally {
      await handle.close();
    }
  }
  await runSqlScript(loc, readFileSync(join(incident, 'restored.sql'), 'utf8'));
  const handle = await openDatabase(loc);
  try {
    return (await readTargetIdentity(handle.db)).databaseName;
  } finally {
    await handle.close();
  }
}

/** Runs one salvage command in this process, as a user would type it, in the demo directory. */
async function runStep(
  ctx: CliContext,
  dir: string,
  env: CliContext['env'],
  configFile: string,
  args: string[],
): Promise<{ exitCode: number; seconds: number; result: unknown }> {
  const { createProgram } = await import('../main.ts');
  let exitCode = EXIT_OK;
  let result: unknown = null;
  const out: Output = {
    json: ctx.out.json,
    line: (text) => ctx.out.line(text),
    note: (text) => ctx.out.note(text),
    result: (value) => {
      result = value;
    },
    table: (rows, columns) => ctx.out.table(rows, columns),
  };
  const json = ctx.out.json;
  const stepCtx: CliContext = {
    cwd: dir,
    env,
    out,
    globals: () => ({ config: configFile, json, verbose: ctx.globals().verbose }),
    setExitCode: (code) => {
      exitCode = Math.max(exitCode, code);
    },
  };
  const started = performance.now();
  await createProgram(stepCtx).parseAsync(['node', 'salvage', '-c', configFile, ...args]);
  return { exitCode, seconds: seconds(started), result };
}

/** The id of a booking the plan inserts without review, to show its provenance. */
function firstAutoBooking(file: string): string | null {
  const plan = JSON.parse(readFileSync(file, 'utf8')) as {
    items: { table: string; kind: string; disposition: string; key: { id: string } }[];
  };
  const item = plan.items.find(
    (i) => i.table === 'bookings' && i.kind === 'insert' && i.disposition === 'auto',
  );
  return item?.key.id ?? null;
}

function readPlanCounts(file: string): { total: number; auto: number; review: number; ask: number } {
  const plan = JSON.parse(readFileSync(file, 'utf8')) as { items: { disposition: string }[] };
  const count = (d: string) => plan.items.filter((i) => i.disposition === d).length;
  return {
    total: plan.items.length,
    auto: count('auto'),
    review: count('review'),
    ask: count('ask_customer'),
  };
}
