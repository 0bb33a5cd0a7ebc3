// Workspace evidence throughput: write N evidence in runner-sized transactions, then stream it all back.
// npm run bench:store -- [--n 100000] [--backend pglite|postgres|both]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Evidence, evidenceId } from '@salvage/core';
import { createTestDatabase } from '@salvage/test-support';
import { openWorkspace } from '../src/index.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
};
const n = Number(arg('n', '100000'));
const backend = arg('backend', 'both');
const batch = 500;

function evidence(i: number): Evidence {
  const source = {
    kind: 'stripe' as const,
    account: 'acct_bench',
    objectId: `ch_${i}`,
    version: String(i % 7),
  };
  const extractor = { name: 'bench', version: '1' };
  return {
    id: evidenceId(source, 'payment', extractor),
    businessId: `00000000-0000-4000-8000-00000000000${i % 3}`,
    source,
    entity: 'payment',
    fields: {
      stripeChargeId: `ch_${i}`,
      amount: 1000 + (i % 5000),
      currency: 'usd',
      status: 'succeeded',
      bookingReference: `BK-${String(i).padStart(6, '0')}`,
      customerEmail: `c${i}@example.com`,
      paidAt: new Date(Date.UTC(2026, 7, 1) + i * 1000).toISOString(),
    },
    observedAt: new Date(Date.UTC(2026, 7, 1) + i * 1000).toISOString(),
    extractor,
    confidence: 0.99,
    rawRef: null,
  };
}

async function bench(name: string, loc: Parameters<typeof openWorkspace>[0]) {
  const ws = await openWorkspace(loc);
  const runId = await ws.startRun({ command: 'bench' });
  let t = performance.now();
  for (let i = 0; i < n; i += batch) {
    const items = Array.from({ length: Math.min(batch, n - i) }, (_, k) => evidence(i + k));
    await ws.transaction(async (tx) => {
      await tx.putEvidence(items, runId);
      await tx.putCheckpoint('bench', 'scope', 'charges', { next: i + items.length });
    });
  }
  const writeS = (performance.now() - t) / 1000;
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = heapBefore;
  let count = 0;
  t = performance.now();
  for await (const _e of ws.readEvidence()) {
    count++;
    if (count % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const readS = (performance.now() - t) / 1000;
  await ws.close();
  if (count !== n) throw new Error(`read ${count} of ${n}`);
  console.log(
    `${name}: write ${n} evidence in ${writeS.toFixed(1)}s (${Math.round(n / writeS)}/s), stream back in ${readS.toFixed(1)}s (${Math.round(n / readS)}/s), heap growth while streaming ${((peak - heapBefore) / 1e6).toFixed(0)} MB`,
  );
}

if (backend === 'pglite' || backend === 'both') {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-bench-'));
  try {
    await bench('pglite', { pglite: join(dir, 'ws') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (backend === 'postgres' || backend === 'both') {
  const db = await createTestDatabase('salvage_bench');
  try {
    await bench('postgres', { url: db.url });
  } finally {
    await db.drop();
  }
}
