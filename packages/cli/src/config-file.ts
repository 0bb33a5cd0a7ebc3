import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
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
  return resolveSourcePaths(result.config, dirname(file));
}

/**
 * The config with every source file path (mbox, Maildir, .eml, .ics, an IMAP CA file) made absolute against `dir`,
 * the config file's directory: a relative path means the same files whatever directory salvage is run from.
 */
export function resolveSourcePaths(config: Config, dir: string): Config {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  return {
    ...config,
    businesses: config.businesses.map((b) => ({
      ...b,
      ...(b.email
        ? {
            email: {
              ...b.email,
              mbox: b.email.mbox.map(abs),
              maildir: b.email.maildir.map(abs),
              eml: b.email.eml.map(abs),
              imap: b.email.imap.map((i) => (i.caFile ? { ...i, caFile: abs(i.caFile) } : i)),
            },
          }
        : {}),
      ...(b.calendar
        ? {
            calendar: {
              ...b.calendar,
              ics: b.calendar.ics.map((s) => (s.path ? { ...s, path: abs(s.path) } : s)),
            },
          }
        : {}),
    })),
  };
}
