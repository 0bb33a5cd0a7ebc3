import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryConnector, type MemoryConnectorConfig } from '@salvage/connector-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ConnectorFactory, connectorsBySource, type PullSource } from '../connectors.ts';
import { main } from '../main.ts';

const BIZ = '00000000-0000-4000-8000-000000000001';

const CONFIG = `
incident:
  backupTakenAt: 2026-08-01T03:00:00Z
  incidentAt: 2026-10-30T14:00:00Z
target:
  pglite: ./restored
businesses:
  - id: ${BIZ}
    name: Harbor
    timezone: America/New_York
    currency: usd
    stripe:
      keyEnv: MEM_KEY
`;

let memoryConfig: Partial<MemoryConnectorConfig> = {};
const records = (p: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `${p}_${i}`, amount: 100 + i }));
const memoryFactory: ConnectorFactory = {
  source: 'stripe',
  make: (business) =>
    business.stripe
      ? {
          connector: createMemoryConnector(),
          config: {
            keyEnv: 'MEM_KEY',
            expectedKey: 'k1',
            streams: { alpha: records('rec', 5), beta: records('other', 3) },
            ...memoryConfig,
          },
          scope: `${business.id}/memory`,
        }
      : null,
};

async function run(args: string[], cwd: string, env: Record<string, string> = { MEM_KEY: 'k1' }) {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out.push(String(s));
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err.push(String(s));
    return true;
  });
  try {
    const code = await main(['node', 'salvage', ...args], cwd, env);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('salvage pull', { timeout: 240_000 }, () => {
  let dir: string;
  const saved = { ...connectorsBySource };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'salvage-pull-'));
    writeFileSync(join(dir, 'salvage.config.yaml'), CONFIG);
    for (const k of Object.keys(connectorsBySource) as PullSource[]) connectorsBySource[k] = [];
    connectorsBySource.stripe = [memoryFactory];
  });
  afterAll(() => {
    Object.assign(connectorsBySource, saved);
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    memoryConfig = {};
  });

  it('reads every stream into the workspace, prints a summary, and logs without customer data', async () => {
    const res = await run(['pull', '--json'], dir);
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc.status).toBe('succeeded');
    expect(doc.runs).toHaveLength(1);
    expect(
      doc.runs[0].summary.streams.map((s: { stream: string; inserted: number }) => [s.stream, s.inserted]),
    ).toEqual([
      ['alpha', 5],
      ['beta', 3],
    ]);
    // Not a TTY here: plain progress lines on stderr, one per finished stream at least.
    expect(res.stderr).toMatch(/Harbor memory\/alpha: succeeded, 5\/5 records, 5 evidence/);
    const log = join(dir, '.salvage', 'logs', 'salvage.log');
    expect(statSync(log).mode & 0o777).toBe(0o600);
    const text = readFileSync(log, 'utf8');
    expect(text).toMatch(/"event":"pull_done"/);
    expect(text).not.toMatch(/rec_0|other_0/);

    const status = await run(['status', '--json'], dir);
    expect(status.code).toBe(0);
    const st = JSON.parse(status.stdout);
    expect(st.evidenceTotal).toBe(8);
    expect(st.evidence).toEqual([
      { businessId: BIZ, businessName: 'Harbor', sourceKind: 'stripe', entity: 'payment', count: 8 },
    ]);
    expect(st.runs[0]).toMatchObject({ command: 'pull', source: 'memory', status: 'succeeded' });
  });

  it('resumes: a second pull reads nothing again', async () => {
    const res = await run(['pull'], dir);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/succeeded: 2 streams, 0 new evidence/);
  });

  it('reports a failed stream in the table and exits 1, having pulled the others', async () => {
    memoryConfig = {
      streams: { alpha: records('rec', 9), beta: records('other', 6) },
      failStream: { stream: 'alpha', after: 7 },
    };
    const res = await run(['pull'], dir);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/alpha +failed +2 +2 +1 +source refused page 7/);
    expect(res.stdout).toMatch(/beta +succeeded +3 +3/);
    expect(res.stdout).toMatch(/partial: 2 streams, 5 new evidence, 1 failed/);
  });

  it('reports bad credentials as a failed check, not a crash', async () => {
    const res = await run(['pull', '--json'], dir, { MEM_KEY: 'wrong' });
    expect(res.code).toBe(1);
    const doc = JSON.parse(res.stdout);
    expect(doc.status).toBe('failed');
    expect(doc.runs[0].summary.check).toEqual({ ok: false, kind: 'auth', message: 'the key was refused' });
  });

  it('reports a connector config problem with its path, and goes on', async () => {
    memoryConfig = { keyEnv: undefined as unknown as string };
    const res = await run(['pull'], dir);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/config: keyEnv: is required/);
  });

  it('refuses an unknown business with exit code 2, listing the known ones', async () => {
    const res = await run(['pull', '--business', 'nope'], dir);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /--business nope is not in .*salvage\.config\.yaml; businesses there: .*\(Harbor\)/,
    );
  });

  it('has nothing to pull for a source no business configures', async () => {
    const res = await run(['pull', '--source', 'calendar'], dir);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/nothing to pull/);
  });
});
