import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SalvageError, UsageError } from '@salvage/core';
import { reportFootnotes, reportRows, scoreTarget } from '@salvage/simulator';
import { type DatabaseLocation, openDatabase } from '@salvage/store';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

interface AccuracyOptions {
  truth: string;
  target?: string;
  pglite?: string;
  plan?: string;
  out?: string;
  examples?: number;
}

/** `salvage bench accuracy`: scores a rebuilt target against a simulated incident's truth; prints a table, writes JSON. */
export function registerBench(program: Command, ctx: CliContext): void {
  const bench = program.command('bench').description('measure salvage on a simulated incident');
  bench
    .command('accuracy')
    .description('score a rebuilt database against the truth of a `salvage simulate` directory')
    .requiredOption(
      '--truth <dir>',
      'directory written by `salvage simulate` (truth/*.jsonl, backup.sql, restored.sql)',
    )
    .option('--target <url>', 'the rebuilt target: a PostgreSQL URL')
    .option('--pglite <dir>', 'the rebuilt target: a PGlite directory (instead of --target)')
    .option(
      '--plan <file>',
      'the applied plan as JSON: review share from its dispositions instead of provenance',
    )
    .option('--out <file>', 'write the report as JSON to this file')
    .option(
      '--examples <n>',
      'keys kept per kind of mistake in the report (default 10; a large number lists every one)',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--examples ${v} is not a whole number`);
        return n;
      },
    )
    .addHelpText(
      'after',
      `
Records are matched by natural keys (booking reference, Stripe ids, email, phone), never by generated ids. Per entity
(customers, bookings, payments): recall of recoverable records, precision, field accuracy, duplicates created, wrong
values auto-accepted, share sent to review or to customers, and expected calibration error (from
salvage.field_provenance, when apply has written it). See docs/accuracy.md.

Examples:
  salvage simulate --scale medium --out /tmp/incident
  ... pull, plan, apply onto the target ...
  salvage bench accuracy --truth /tmp/incident --target postgres://localhost/rebuilt --out accuracy.json
  salvage bench accuracy --truth /tmp/incident --pglite ./target --json`,
    )
    .action(async (opts: AccuracyOptions) => {
      if (Boolean(opts.target) === Boolean(opts.pglite))
        throw new UsageError('give the rebuilt target as exactly one of --target URL or --pglite DIR');
      const truthDir = resolve(ctx.cwd, opts.truth);
      if (!existsSync(truthDir) || !statSync(truthDir).isDirectory())
        throw new UsageError(
          `--truth ${truthDir} is not a directory; generate one with \`salvage simulate --out DIR\``,
        );
      const planFile = opts.plan ? resolve(ctx.cwd, opts.plan) : undefined;
      if (planFile && !existsSync(planFile)) throw new UsageError(`--plan ${planFile} does not exist`);
      const location: DatabaseLocation = opts.target
        ? { url: opts.target }
        : { pglite: resolve(ctx.cwd, opts.pglite!) };
      if ('pglite' in location && !existsSync(location.pglite))
        throw new UsageError(`--pglite ${location.pglite} does not exist`);

      const started = performance.now();
      const handle = await openDatabase(location);
      let report: Awaited<ReturnType<typeof scoreTarget>>;
      try {
        report = await scoreTarget({
          truthDir,
          targetDb: handle.db,
          planFile,
          exampleLimit: opts.examples,
          onProgress: (phase) => ctx.out.note(`reading ${phase === 'score' ? 'done, scoring' : phase}`),
        });
      } catch (error) {
        if (error instanceof SalvageError) throw error;
        throw new SalvageError(
          'target_unreadable',
          `cannot score ${handle.label}: ${(error as Error).message}; is it a database in the reference schema?`,
          { cause: error },
        );
      } finally {
        await handle.close();
      }
      const seconds = Math.round((performance.now() - started) / 100) / 10;

      if (opts.out) {
        const out = resolve(ctx.cwd, opts.out);
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
        ctx.out.note(`wrote ${out}`);
      }
      ctx.out.line(`accuracy of ${handle.label} against ${truthDir} (${seconds}s)`);
      ctx.out.table(reportRows(report), [
        'entity',
        'recall',
        'precision',
        'field accuracy',
        'duplicates',
        'wrong auto-accepted',
        'review share',
        'ECE',
      ]);
      for (const line of reportFootnotes(report)) ctx.out.line(line);
      ctx.out.result(report);
    });
}
