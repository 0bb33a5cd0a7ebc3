import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage, parseSimpleMessage, scanMime } from '@salvage/connector-email';
import { describe, expect, it } from 'vitest';
import { generateInTemp } from '../simulator/generate-fixture.ts';
import { makeBookingMessage } from './make-messages.ts';

// The fast path (connectors/email/src/fast-parse.ts) must read every message exactly as mailparser does, or decline
// it: the same ParsedMessage means the same extraction and the same evidence.
const FIXTURES = join(import.meta.dirname, '..', '..', 'connectors', 'email', 'fixtures');

async function crossCheck(raw: Buffer): Promise<void> {
  const fast = await parseMessage(raw);
  const slow = await parseMessage(raw, { mailparserOnly: true });
  expect(fast).toEqual(slow);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

describe('fast path agrees with mailparser', () => {
  it('on every connector fixture', async () => {
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.eml'))) {
      await crossCheck(readFileSync(join(FIXTURES, file)));
    }
  });

  it('on the benchmark booking mails, and takes the fast path for them', async () => {
    const base = Date.parse('2026-05-03T08:00:00Z');
    for (let i = 0; i < 200; i++) {
      const raw = Buffer.from(makeBookingMessage(i, new Date(base + i * 60_000)));
      await crossCheck(raw);
    }
    let simple = 0;
    for (let i = 0; i < 35; i++)
      if (parseSimpleMessage(scanMime(Buffer.from(makeBookingMessage(i, new Date(base)))))) simple++;
    expect(simple).toBe(35);
  });

  it("on the simulator's mailboxes", { timeout: 120_000 }, async () => {
    const { dir } = await generateInTemp({ scale: 'small', seed: 7 });
    const files = filesUnder(join(dir, 'mail')).filter((p) => /\/(cur|new)\//.test(p));
    expect(files.length).toBeGreaterThan(0);
    let simple = 0;
    for (const file of files) {
      const raw = readFileSync(file);
      if (parseSimpleMessage(scanMime(raw))) simple++;
      await crossCheck(raw);
    }
    // Most simulated mail is simple; the rest (forwards, odd charsets, broken MIME) is mailparser's.
    expect(simple).toBeGreaterThan(files.length / 2);
  });
});
