import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { sha256 } from '@salvage/core';
import { type GenerateOptionsInput, generateIncident, type Manifest } from '@salvage/simulator';

/** Generates an incident into a fresh temporary directory. */
export async function generateInTemp(
  options: GenerateOptionsInput,
): Promise<{ dir: string; manifest: Manifest }> {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-sim-'));
  const manifest = await generateIncident(options, dir);
  return { dir, manifest };
}

/** Every file under `dir` (relative path) with the sha256 of its bytes. */
export function hashTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), sha256(readFileSync(p)));
    }
  };
  walk(dir);
  return out;
}

/** Every file under `dir` whose path matches `pattern`. */
export function filesUnder(dir: string, pattern: RegExp): string[] {
  return [...hashTree(dir).keys()].filter((p) => pattern.test(p)).map((p) => join(dir, p));
}

/** The messages of an mboxrd file, with the From_ line removed and `>From` quoting undone. */
export function splitMbox(text: string): { fromLine: string; raw: string }[] {
  const out: { fromLine: string; raw: string }[] = [];
  const parts = text.split(/^(?=From \S+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n)/m);
  for (const part of parts) {
    if (!part.startsWith('From ')) {
      if (part.trim()) throw new Error('text before the first From_ line');
      continue;
    }
    const nl = part.indexOf('\n');
    const body = part.slice(nl + 1).replace(/\n\n$/, '\n');
    out.push({ fromLine: part.slice(0, nl), raw: body.replace(/^>(>*From )/gm, '$1') });
  }
  return out;
}
