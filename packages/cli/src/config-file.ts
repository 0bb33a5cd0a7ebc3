import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Config, ConfigError, parseConfig, UsageError } from '@salvage/core';

export const DEFAULT_CONFIG_FILES = ['salvage.config.yaml', 'salvage.config.yml', 'salvage.config.json'];

/** Finds the config: the --config path, else the first default name in `cwd`. Null when there is none. */
export function findConfigFile(cwd: string, explicit?: string): string | null {
  if (explicit) return resolve(cwd, explicit);
  for (const name of DEFAULT_CONFIG_FILES) {
    const p = resolve(cwd, name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** Reads and validates a config file; throws ConfigError with one line per problem, each naming the path. */
export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read config ${file}: ${(error as NodeJS.ErrnoException).code ?? error}; run 'salvage init' to write one`,
      { cause: error },
    );
  }
  const result = parseConfig(text);
  if (!result.ok) throw new ConfigError(file, result.issues);
  return result.config;
}
