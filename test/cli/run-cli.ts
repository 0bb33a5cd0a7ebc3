import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The real `salvage` binary, as `npx salvage` runs it. */
export const SALVAGE_BIN = resolve(import.meta.dirname, '../../node_modules/.bin/salvage');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real binary in `cwd` and collects its output; `env` adds to (or, as undefined, removes from) process.env. */
export function runCli(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(SALVAGE_BIN, args, {
      cwd,
      env: { ...process.env, ...env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
