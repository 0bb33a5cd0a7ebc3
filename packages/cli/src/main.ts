import { ConfigError, SalvageError, UsageError } from '@salvage/core';
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.ts';
import type { CliContext, GlobalOptions } from './context.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { createOutput } from './output.ts';

/** Builds the `salvage` program. The CLI is the composition root: the only place that reads argv, env and secrets. */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('salvage')
    .description(
      'Rebuild lost booking data from Stripe, email and calendars onto a restored backup: pull, plan, review, confirm, apply.',
    )
    .option('-c, --config <file>', 'config file (default: salvage.config.yaml in the current directory)')
    .option('--json', 'print one JSON document on stdout, for scripts', false)
    .option('--verbose', 'show stack traces on errors', false)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program, ctx);
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and returns the exit code. One top-level catch maps errors to codes. */
export async function main(
  argv: string[],
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const json = argv.includes('--json');
  let program: Command | undefined;
  let exitCode = EXIT_OK;
  const ctx: CliContext = {
    cwd,
    env,
    out: createOutput(json),
    globals: () => (program?.opts() ?? { json }) as GlobalOptions,
    setExitCode: (code) => {
      exitCode = Math.max(exitCode, code);
    },
  };
  program = createProgram(ctx);
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return reportError(error, ctx, argv.includes('--verbose'));
  }
}

function reportError(error: unknown, ctx: CliContext, verbose: boolean): number {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.help' ||
      error.code === 'commander.version'
    )
      return EXIT_OK;
    return EXIT_USAGE;
  }
  const code = error instanceof UsageError || error instanceof ConfigError ? EXIT_USAGE : EXIT_FAILURE;
  const message = error instanceof Error ? error.message : String(error);
  const label = error instanceof SalvageError ? error.code : 'error';
  if (ctx.out.json) process.stdout.write(`${JSON.stringify({ error: { code: label, message } })}\n`);
  ctx.out.note(`salvage: ${message}`);
  if (verbose && error instanceof Error && error.stack) ctx.out.note(error.stack);
  return code;
}
