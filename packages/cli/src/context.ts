import type { Output } from './output.ts';

/** What every command gets from the composition root: where it runs, how it prints, the environment. */
export interface CliContext {
  cwd: string;
  out: Output;
  env: Readonly<Record<string, string | undefined>>;
  /** Global options, resolved after parsing. */
  globals(): GlobalOptions;
  /** Exits with this code (the highest asked wins) after a command that printed its result but did not fully succeed. */
  setExitCode?(code: number): void;
}

export interface GlobalOptions {
  config?: string;
  json: boolean;
  verbose: boolean;
}
