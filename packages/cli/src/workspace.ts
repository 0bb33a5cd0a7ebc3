import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Config, UsageError } from '@salvage/core';
import { type DatabaseLocation, openDatabase, openWorkspace, type Workspace } from '@salvage/store';
import pino, { type Logger } from 'pino';
import { findConfigFile, loadConfig } from './config-file.ts';
import type { CliContext } from './context.ts';

/** The loaded config, its file, and the directory relative paths in it are resolved against. */
export interface LoadedConfig {
  config: Config;
  file: string;
  dir: string;
}

/** Finds and loads the config (--config, else salvage.config.yaml in cwd); UsageError saying to run init when none. */
export function loadCliConfig(ctx: CliContext): LoadedConfig {
  const file = findConfigFile(ctx.cwd, ctx.globals().config);
  if (!file) {
    throw new UsageError(
      `no salvage.config.yaml in ${ctx.cwd}: run 'salvage init' to write one, or pass --config <file>`,
    );
  }
  return { config: loadConfig(file), file, dir: dirname(file) };
}

/** The workspace's directory (`workspace.dir`, default `.salvage`, relative to the config file): logs, embedded db. */
export function workspaceDir(loaded: LoadedConfig): string {
  return resolve(loaded.dir, loaded.config.workspace.dir ?? '.salvage');
}

function fromEnv(name: string, field: string, env: CliContext['env']): string {
  const value = env[name];
  if (!value) {
    throw new UsageError(
      `${field} names the environment variable ${name}, which is not set: set it to the database URL`,
    );
  }
  return value;
}

/** Where the workspace lives: workspace.url, the URL in workspace.urlEnv, else PGlite in `<workspace dir>/db`. */
export function workspaceLocation(loaded: LoadedConfig, env: CliContext['env']): DatabaseLocation {
  const w = loaded.config.workspace;
  if (w.url) return { url: w.url };
  if (w.urlEnv) return { url: fromEnv(w.urlEnv, 'workspace.urlEnv', env) };
  return { pglite: join(workspaceDir(loaded), 'db') };
}

/** Where the target lives: target.url, the URL in target.urlEnv, or the PGlite directory (relative to the config). */
export function targetLocation(loaded: LoadedConfig, env: CliContext['env']): DatabaseLocation {
  const t = loaded.config.target;
  if (t.url) return { url: t.url };
  if (t.urlEnv) return { url: fromEnv(t.urlEnv, 'target.urlEnv', env) };
  if (t.pglite) return { pglite: resolve(loaded.dir, t.pglite) };
  throw new UsageError('target: give url, urlEnv or pglite');
}

/** How the target is configured, for people, without opening it or showing a secret. */
export function describeTarget(loaded: LoadedConfig, env: CliContext['env']): string {
  const t = loaded.config.target;
  if (t.urlEnv) return `$${t.urlEnv}${env[t.urlEnv] ? '' : ' (not set)'}`;
  if (t.pglite) return resolve(loaded.dir, t.pglite);
  return 'url in the config';
}

/** Creates the workspace directory private to the user (0700): it holds customer data. */
export function ensureWorkspaceDir(loaded: LoadedConfig): string {
  const dir = workspaceDir(loaded);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/**
 * A pino logger writing JSON lines to `<workspace dir>/logs/salvage.log` (0600). Log ids, counts and codes only:
 * never customer data (names, emails, amounts, message text).
 */
export function createFileLogger(loaded: LoadedConfig, command: string): Logger {
  const logs = join(ensureWorkspaceDir(loaded), 'logs');
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  const file = join(logs, 'salvage.log');
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  return pino(
    { base: { pid: process.pid, command }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: file, sync: true }),
  );
}

/** The workspace of this config, opened (and migrated); the PGlite directory is created private when missing. */
export async function openCliWorkspace(loaded: LoadedConfig, env: CliContext['env']): Promise<Workspace> {
  const loc = workspaceLocation(loaded, env);
  if ('pglite' in loc) ensureWorkspaceDir(loaded);
  return openWorkspace(loc);
}

/** The target database of this config, opened through kysely. */
export function openCliTarget(loaded: LoadedConfig, env: CliContext['env']) {
  return openDatabase(targetLocation(loaded, env));
}
