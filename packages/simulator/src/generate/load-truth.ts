import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { emptySnapshot, TABLES, type TargetSnapshot } from '@salvage/core';
import type { RecoverabilityRow } from './manifest.ts';

async function* readJsonl<T>(file: string): AsyncIterable<T> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    try {
      yield JSON.parse(line) as T;
    } catch (error) {
      throw new Error(`${file}:${n} is not a JSON line`, { cause: error });
    }
  }
}

/** Reads the truth of a generated incident: the database at the incident, and each booking's recoverability. */
export async function loadTruth(
  dir: string,
): Promise<{ snapshot: TargetSnapshot; recoverability: RecoverabilityRow[] }> {
  const snapshot = emptySnapshot();
  for (const table of TABLES) {
    const rows = snapshot[table] as unknown[];
    for await (const row of readJsonl(join(dir, 'truth', `${table}.jsonl`))) rows.push(row);
  }
  const recoverability: RecoverabilityRow[] = [];
  for await (const row of readJsonl<RecoverabilityRow>(join(dir, 'truth', 'recoverability.jsonl')))
    recoverability.push(row);
  return { snapshot, recoverability };
}

/** Lines of a JSONL file, parsed one at a time (for the large scale's Stripe files). */
export const readJsonLines = readJsonl;
