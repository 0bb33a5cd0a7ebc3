import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The engine is pure: no I/O, no clock, no randomness, no logger. Tests and builders may do as they please.
const FORBIDDEN_IMPORTS =
  /^(node:)?(fs|fs\/promises|net|http|https|http2|child_process|dgram|dns|tls|worker_threads|cluster|os|readline)$|^(pg|kysely|@electric-sql\/pglite|pino|stripe|googleapis|imapflow|nodemailer|@salvage\/store|@salvage\/apply|@salvage\/connector-kit)(\/|$)/;
const FORBIDDEN_CALLS =
  /\bDate\.now\(|new Date\(\)|Math\.random\(|console\.|process\.|performance\.now\(|setTimeout\(|crypto\.randomUUID/;

const dir = new URL('.', import.meta.url).pathname;
const engineFiles = readdirSync(dir).filter(
  (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'test-builders.ts',
);

describe('reconcile is pure', () => {
  it('has engine files to check', () => {
    expect(engineFiles.length).toBeGreaterThan(8);
  });

  it.each(engineFiles)('%s imports nothing that does I/O and reads no clock or randomness', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const imports = [
      ...text.matchAll(
        /(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g,
      ),
    ].map((m) => m[1] ?? m[2] ?? m[3]!);
    expect(imports.filter((i) => FORBIDDEN_IMPORTS.test(i))).toEqual([]);
    expect(text.match(FORBIDDEN_CALLS)?.[0] ?? null).toBeNull();
  });

  it('catches a forbidden import (the scan itself can fail)', () => {
    expect(FORBIDDEN_IMPORTS.test('node:fs')).toBe(true);
    expect(FORBIDDEN_IMPORTS.test('kysely')).toBe(true);
    expect(FORBIDDEN_IMPORTS.test('@salvage/core')).toBe(false);
    expect(FORBIDDEN_CALLS.test('const t = Date.now();')).toBe(true);
  });
});
