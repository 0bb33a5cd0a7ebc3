import { resolve } from 'node:path';
import { UsageError } from '@salvage/core';
import { generateIncident, SCALE_BOOKINGS, SCALES, type Scale } from '@salvage/simulator';
import { type Command, Option } from 'commander';
import type { CliContext } from '../context.ts';

/** `salvage simulate`: generates a realistic incident with known truth, for tests, benchmarks and the demo. */
export function registerSimulate(program: Command, ctx: CliContext): void {
  program
    .command('simulate')
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
    .requiredOption('--out <dir>', 'output directory (must be empty unless --force)')
    .option('--force', "replace what an earlier run wrote in --out (only the simulator's own entries)")
    .addHelpText(
      'after',
      `
Writes DIR/manifest.json, truth/*.jsonl, backup.sql, restored.sql, stripe/<acct>/*.jsonl, mail/<business>/{mbox,maildir},
calendar/<business>/{google,ics} and salvage.config.yaml.

Examples:
  salvage simulate --out ./incident
  salvage simulate --scale medium --seed 42 --out /tmp/incident --force --json`,
    )
    .action(async (opts: { scale: Scale; seed: string; bookings?: string; out: string; force?: boolean }) => {
      const seed = Number(opts.seed);
      if (!/^\d+$/.test(opts.seed) || seed > 0xffffffff)
        throw new UsageError(`--seed must be a whole number from 0 to 4294967295, not ${opts.seed}`);
      const bookings = opts.bookings === undefined ? undefined : Number(opts.bookings);
      if (bookings !== undefined && (!/^\d+$/.test(opts.bookings!) || bookings < 10))
        throw new UsageError(`--bookings must be a whole number of at least 10, not ${opts.bookings}`);
      const out = resolve(ctx.cwd, opts.out);
      const started = performance.now();
      let manifest: Awaited<ReturnType<typeof generateIncident>>;
      try {
        manifest = await generateIncident({ scale: opts.scale, seed, bookings }, out, {
          force: opts.force,
          onProgress: (p) =>
            ctx.out.note(`[${p.step}/${p.steps}] ${p.phase}${p.detail ? ` ${p.detail}` : ''}`),
        });
      } catch (error) {
        if (error instanceof Error && /is not empty/.test(error.message)) throw new UsageError(error.message);
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
        `next: load ${out}/restored.sql into the target, then run salvage with ${out}/salvage.config.yaml`,
      );
      ctx.out.result({ out, seconds, ...manifest });
    });
}
