import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LISTED_KINDS, type StripeAccountInput } from './account-data.ts';

async function readLines(file: string): Promise<Record<string, unknown>[]> {
  try {
    await stat(file);
  } catch {
    return [];
  }
  const out: Record<string, unknown>[] = [];
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch (error) {
      throw new SyntaxError(`${file}:${n}: not a JSON object (${(error as Error).message})`);
    }
  }
  return out;
}

/**
 * Reads the simulator's Stripe output, DIR/stripe/<acct>/<kind>.jsonl, into server accounts by account id. A missing
 * kind file is an empty list; a malformed line throws naming the file and line.
 */
export async function loadStripeFixtures(dir: string): Promise<Record<string, StripeAccountInput>> {
  const root = join(dir, 'stripe');
  const accounts: Record<string, StripeAccountInput> = {};
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const acctDir = join(root, entry.name);
    const input: StripeAccountInput = {};
    for (const kind of LISTED_KINDS) input[kind] = await readLines(join(acctDir, `${kind}.jsonl`));
    const lineItems: Record<string, Record<string, unknown>[]> = {};
    for (const row of await readLines(join(acctDir, 'checkout_session_line_items.jsonl'))) {
      if (typeof row.session === 'string' && Array.isArray(row.data))
        lineItems[row.session] = row.data as Record<string, unknown>[];
    }
    input.checkout_session_line_items = lineItems;
    accounts[entry.name] = input;
  }
  return accounts;
}
