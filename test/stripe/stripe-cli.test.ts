import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createStripeServer, type StripeServer } from '@salvage/simulator';
import { openWorkspace } from '@salvage/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { smallIncident, TEST_KEY } from './stripe-fixture.ts';

const BIN = resolve(import.meta.dirname, '../../packages/cli/bin/salvage.js');

let server: StripeServer;
let dir: string;

/** The simulator's config with every business's Stripe pointed at the local server, and only Stripe kept. */
function writeConfig(into: string, url: string): string {
  const config = parse(readFileSync(join(dir, 'salvage.config.yaml'), 'utf8'));
  for (const b of config.businesses) {
    b.stripe = { ...b.stripe, apiBase: url, includeTestMode: true, requestShare: 1 };
    delete b.email;
    delete b.calendar;
  }
  config.workspace = { dir: join(into, 'ws') };
  const file = join(into, 'salvage.config.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

function salvage(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, STRIPE_API_KEY: TEST_KEY, SALVAGE_TARGET_URL: 'postgres://127.0.0.1/unused' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((res) =>
    child.on('close', (code) => res({ code, stdout, stderr })),
  );
  return { child, done };
}

async function evidenceIds(config: string): Promise<Set<string>> {
  const ws = await openWorkspace({ pglite: join(config, '..', 'ws', 'db') });
  try {
    const ids = new Set<string>();
    for await (const e of ws.readEvidence({ sourceKind: 'stripe' })) ids.add(e.id);
    return ids;
  } finally {
    await ws.close();
  }
}

beforeAll(async () => {
  const incident = await smallIncident();
  dir = incident.dir;
  server = createStripeServer({ accounts: incident.accounts, apiKeys: [TEST_KEY], latencyMs: 15 });
  await server.listen();
});
afterAll(() => server.close());

describe('salvage pull --source stripe', () => {
  it('pulls every business, GET only, and a run killed mid-way resumes to the same evidence', async () => {
    const fullConfig = writeConfig(mkdtempSync(join(tmpdir(), 'salvage-stripe-cli-')), server.url);
    const full = await salvage(['pull', '--source', 'stripe', '-c', fullConfig, '--json']).done;
    expect(full.stderr).not.toMatch(/error/i);
    expect(full.code).toBe(0);
    const result = JSON.parse(full.stdout);
    expect(JSON.stringify(result)).toContain('succeeded');
    const fullIds = await evidenceIds(fullConfig);
    expect(fullIds.size).toBeGreaterThan(500);

    const config = writeConfig(mkdtempSync(join(tmpdir(), 'salvage-stripe-cli-')), server.url);
    const before = server.requests.length;
    const killed = salvage(['pull', '--source', 'stripe', '-c', config, '--json']);
    while (server.requests.length < before + 40) await new Promise((r) => setTimeout(r, 20));
    killed.child.kill('SIGKILL');
    const k = await killed.done;
    expect(k.code).toBeNull();
    const partial = await evidenceIds(config);
    expect(partial.size).toBeLessThan(fullIds.size);
    const resumed = await salvage(['pull', '--source', 'stripe', '-c', config, '--json']).done;
    expect(resumed.code).toBe(0);
    expect(await evidenceIds(config)).toEqual(fullIds);
    expect(server.nonGetRequests).toEqual([]);
    // Three CLI processes (each loads the CLI through tsx, then opens its PGlite workspace).
  }, 480_000);
});
