import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '@salvage/core';
import {
  generateIncident,
  type NoiseOptions,
  parseNoise,
  SCALE_BOOKINGS,
  SCALES,
  type Scale,
  SIMULATED_GOOGLE_PORT,
  SIMULATED_STRIPE_PORT,
} from '@salvage/simulator';
import { type Command, Option } from 'commander';
import type { CliContext } from '../context.ts';

/** `salvage simulate`: generates a realistic incident with known truth, for tests, benchmarks and the demo. */
export function registerSimulate(program: Command, ctx: CliContext): void {
  const simulate = program.command('simulate');
  registerServe(simulate, ctx);
  simulate
    .description(
      'generate a simulated incident (truth, stale backup, Stripe, mailboxes, calendars, config) into a directory',
    )
    .addOption(
      new Option(
        '--scale <scale>',
        `size: small (~${SCALE_BOOKINGS.small} bookings, seconds), medium (~10k), large (~1M evidence items)`,
      )
        .choices([...SCALES])
        .default('small'),
    )
    .option('--seed <n>', 'seed: the same seed gives byte-identical output', '1')
    .option('--bookings <n>', "bookings in the year before the incident (overrides the scale's count)")
    .option(
      '--noise <spec>',
      "noise knobs: 'default', 'high', or knob=value pairs such as typoRate=0.3,missing.email=0.4 (on top of 'high,' or the defaults)",
      'default',
    )
    .option('--out <dir>', 'output directory (must be empty unless --force); required')
    .option('--force', "replace what an earlier run wrote in --out (only the simulator's own entries)")
    .addHelpText(
      'after',
      `
Writes DIR/manifest.json, truth/*.jsonl, backup.sql, restored.sql, stripe/<acct>/*.jsonl, mail/<business>/{mbox,maildir},
calendar/<business>/{google,ics} and salvage.config.yaml.

Examples:
  salvage simulate --out ./incident
  salvage simulate --scale medium --seed 42 --out /tmp/incident --force --json
  salvage simulate --noise high --out /tmp/noisy
  salvage simulate --noise typoRate=0.3,missing.calendar=0.5 --out /tmp/few-calendars`,
    )
    .action(
      async (opts: {
        scale: Scale;
        seed: string;
        bookings?: string;
        noise: string;
        out?: string;
        force?: boolean;
      }) => {
        // Not a required option: commander would then demand it of `simulate serve` too.
        if (!opts.out)
          throw new UsageError('--out <dir> is required: the directory to write the incident into');
        const seed = Number(opts.seed);
        if (!/^\d+$/.test(opts.seed) || seed > 0xffffffff)
          throw new UsageError(`--seed must be a whole number from 0 to 4294967295, not ${opts.seed}`);
        const bookings = opts.bookings === undefined ? undefined : Number(opts.bookings);
        if (bookings !== undefined && (!/^\d+$/.test(opts.bookings!) || bookings < 10))
          throw new UsageError(`--bookings must be a whole number of at least 10, not ${opts.bookings}`);
        const noise = noiseOption(opts.noise);
        const out = resolve(ctx.cwd, opts.out);
        const started = performance.now();
        let manifest: Awaited<ReturnType<typeof generateIncident>>;
        try {
          manifest = await generateIncident({ scale: opts.scale, seed, bookings, noise }, out, {
            force: opts.force,
            onProgress: (p) =>
              ctx.out.note(`[${p.step}/${p.steps}] ${p.phase}${p.detail ? ` ${p.detail}` : ''}`),
          });
        } catch (error) {
          if (error instanceof Error && /is not empty/.test(error.message))
            throw new UsageError(error.message);
          throw error;
        }
        const seconds = Math.round((performance.now() - started) / 100) / 10;
        const c = manifest.counts;
        ctx.out.line(`wrote ${out} in ${seconds}s (seed ${seed}, scale ${opts.scale})`);
        ctx.out.line(
          `incident ${manifest.incident.incidentAt}, backup ${manifest.incident.backupTakenAt}, restored ${manifest.incident.restoredAt}, pulled ${manifest.incident.pulledAt}`,
        );
        ctx.out.table(
          manifest.businesses.map((b) => {
            const x = c.businesses[b.key]!;
            return {
              business: b.key,
              zone: b.timezone,
              bookings: x.bookings,
              stripe: Object.entries(x.stripe).reduce(
                (s, [k, n]) => s + (k === 'checkout_session_line_items' ? 0 : n),
                0,
              ),
              sent: x.mail.Sent,
              inbox: x.mail.INBOX,
              'google events': x.calendar.google,
              'ics events': x.calendar.ics,
            };
          }),
        );
        ctx.out.line(
          `truth: ${c.truth.customers} customers, ${c.truth.bookings} bookings, ${c.truth.payments} payments; backup: ${c.backup.bookings} bookings; restored: ${c.restored.bookings} bookings`,
        );
        ctx.out.line(
          `recoverable bookings: ${c.recoverability.recoverable} of ${c.recoverability.bookings} (${c.recoverability.unrecoverable} left no trace); evidence items: ${c.evidenceItems}`,
        );
        ctx.out.line(
          `next: salvage simulate serve ${out} (the local Stripe and Google servers), load ${out}/restored.sql into the target, then run salvage -c ${out}/salvage.config.yaml pull`,
        );
        ctx.out.result({ out, seconds, ...manifest });
      },
    );
}

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new UsageError(`${flag} must be a port number from 0 to 65535, not ${value}`);
  return n;
}

/**
 * `salvage simulate serve DIR`: the local Stripe- and Google-compatible servers over a simulated incident, on
 * 127.0.0.1, until interrupted. They answer reads only; the config `simulate` wrote points at their default ports.
 */
function registerServe(simulate: Command, ctx: CliContext): void {
  simulate
    .command('serve')
    .description(
      "serve a simulated incident's Stripe and Google data on 127.0.0.1 for salvage pull, until Ctrl-C",
    )
    .argument('<dir>', 'directory written by `salvage simulate`')
    .option('--stripe-port <n>', 'port of the Stripe-compatible server', String(SIMULATED_STRIPE_PORT))
    .option(
      '--google-port <n>',
      'port of the Google-compatible server (Gmail, Calendar)',
      String(SIMULATED_GOOGLE_PORT),
    )
    .option('--latency <ms>', 'delay before every answer, in ms', '0')
    .addHelpText(
      'after',
      `
Prints the environment variables the incident's salvage.config.yaml names (STRIPE_API_KEY, GOOGLE_TOKEN_*), with the
values these servers accept; with --json, one JSON document with the URLs and variables. Non-GET requests are refused.

Examples:
  salvage simulate serve /tmp/incident
  eval "$(salvage simulate serve /tmp/incident --stripe-port 0 --json | jq -r '.env | to_entries[] | "export \\(.key)=\\(.value)"')"`,
    )
    .action(async (dirArg: string, opts: { stripePort: string; googlePort: string; latency: string }) => {
      const dir = resolve(ctx.cwd, dirArg);
      if (!existsSync(resolve(dir, 'manifest.json')))
        throw new UsageError(
          `${dir} holds no manifest.json: generate an incident with \`salvage simulate --out ${dirArg}\``,
        );
      const latencyMs = Number(opts.latency);
      if (!Number.isFinite(latencyMs) || latencyMs < 0)
        throw new UsageError(`--latency must be a number of ms, not ${opts.latency}`);
      const { startSimulatedSources } = await import('@salvage/simulator');
      let sources: Awaited<ReturnType<typeof startSimulatedSources>>;
      try {
        sources = await startSimulatedSources(dir, {
          stripePort: port(opts.stripePort, '--stripe-port'),
          googlePort: port(opts.googlePort, '--google-port'),
          latencyMs,
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new UsageError(
            `a port is in use (${(error as Error).message}): pass --stripe-port/--google-port, or 0 for any free port`,
          );
        throw error;
      }
      ctx.out.line(`Stripe: ${sources.stripeUrl}`);
      ctx.out.line(`Google: ${sources.googleRootUrl}`);
      ctx.out.line('set these for salvage (the keys the local servers accept):');
      for (const [k, v] of Object.entries(sources.env)) ctx.out.line(`  export ${k}=${v}`);
      ctx.out.result({
        stripeUrl: sources.stripeUrl,
        googleRootUrl: sources.googleRootUrl,
        env: sources.env,
      });
      ctx.out.note('serving until Ctrl-C');
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          done();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await sources.close();
      const refused = sources.stripe.nonGetRequests.length + sources.google.rejected.length;
      ctx.out.note(`stopped; ${refused} non-GET request(s) were refused`);
    });
}

/** The --noise option as the generator takes it; a bad knob is a usage error naming it. */
export function noiseOption(spec: string): NoiseOptions {
  try {
    return parseNoise(spec);
  } catch (error) {
    if (error instanceof RangeError)
      throw new UsageError(`--noise: ${error.message.replace(/^noise: /, '')}`);
    throw error;
  }
}
