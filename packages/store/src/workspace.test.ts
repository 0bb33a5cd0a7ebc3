import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Decision, type Evidence, evidenceId, type Plan, sha256 } from '@salvage/core';
import { createTestDatabase, type TestDatabase } from '@salvage/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseLocation } from './database.ts';
import { openWorkspace, type Workspace } from './workspace.ts';

const BIZ_A = '00000000-0000-4000-8000-00000000000a';
const BIZ_B = '00000000-0000-4000-8000-00000000000b';

function evidence(n: number, over: Partial<Evidence> = {}): Evidence {
  const source = { kind: 'stripe' as const, account: 'acct_1', objectId: `ch_${n}`, version: '1' };
  const extractor = { name: 'stripe-charge', version: '1' };
  return {
    id: evidenceId(source, 'payment', extractor),
    businessId: BIZ_A,
    source,
    entity: 'payment',
    fields: { amount: 1000 + n, currency: 'usd', stripeChargeId: `ch_${n}` },
    observedAt: '2026-08-02T10:00:00Z',
    extractor,
    confidence: 0.99,
    rawRef: null,
    ...over,
  } as Evidence;
}

function plan(id: string, asOf: string): Plan {
  return {
    formatVersion: 1,
    id,
    asOf,
    target: { systemIdentifier: '1', databaseName: 'db', schemaFingerprint: 'f' },
    items: [
      {
        kind: 'insert',
        id: `item-${id}`,
        table: 'customers',
        key: { id: BIZ_B },
        businessId: BIZ_A,
        confidence: 0.9,
        disposition: 'review',
        fields: [],
        evidenceIds: ['e1'],
        conflicts: [],
        dependsOn: [],
        summary: 'new customer',
        row: { id: BIZ_B, full_name: 'Ana Lima' },
      },
    ],
    diagnostics: [],
  };
}

const backends = [
  {
    name: 'postgres',
    async open(): Promise<{ loc: DatabaseLocation; cleanup(): Promise<void> }> {
      const t: TestDatabase = await createTestDatabase('salvage_ws');
      return { loc: { url: t.url }, cleanup: () => t.drop() };
    },
  },
  {
    name: 'pglite',
    async open(): Promise<{ loc: DatabaseLocation; cleanup(): Promise<void> }> {
      const dir = mkdtempSync(join(tmpdir(), 'salvage-ws-'));
      return {
        loc: { pglite: join(dir, 'ws') },
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];

describe.each(backends)('workspace on $name', (backend) => {
  let ws: Workspace;
  let loc: DatabaseLocation;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await backend.open();
    loc = opened.loc;
    cleanup = opened.cleanup;
    ws = await openWorkspace(loc);
  });
  afterAll(async () => {
    await ws?.close();
    await cleanup?.();
  });

  it('records runs and their outcome', async () => {
    const runId = await ws.startRun({ command: 'pull', source: 'stripe', businessId: BIZ_A });
    let runs = await ws.listRuns();
    expect(runs[0]).toMatchObject({ id: runId, status: 'running', command: 'pull', source: 'stripe' });
    await ws.finishRun(runId, {
      status: 'partial',
      summary: { streams: [{ name: 'charges', status: 'failed' }] },
    });
    runs = await ws.listRuns();
    expect(runs[0]).toMatchObject({
      id: runId,
      status: 'partial',
      summary: { streams: [{ name: 'charges', status: 'failed' }] },
    });
    expect(runs[0]!.finishedAt).not.toBeNull();
    await expect(ws.finishRun('nope', { status: 'failed', summary: null })).rejects.toMatchObject({
      code: 'run_not_found',
    });
  });

  it('keeps raw material by ref, idempotently, byte for byte', async () => {
    const bytes = new Uint8Array([0, 255, 1, 128, 10]);
    const source = { kind: 'imap' as const, account: 'a@b', objectId: 'INBOX/1/2', version: 'x' };
    await ws.putRaw([
      { ref: sha256(bytes), mediaType: 'message/rfc822', body: bytes, source },
      { ref: sha256('héllo'), mediaType: 'text/plain', body: 'héllo', source },
    ]);
    await ws.putRaw([{ ref: sha256(bytes), mediaType: 'message/rfc822', body: bytes, source }]);
    const got = await ws.getRaw(sha256(bytes));
    expect(got?.mediaType).toBe('message/rfc822');
    expect([...got!.body]).toEqual([...bytes]);
    const text = await ws.getRaw(sha256('héllo'));
    expect(new TextDecoder().decode(text!.body)).toBe('héllo');
    expect(await ws.getRaw('missing')).toBeNull();
  });

  it('stores evidence idempotently and gives it back exactly', async () => {
    const runId = await ws.startRun({ command: 'pull' });
    const items = [
      evidence(1),
      evidence(2, { note: 'rule x', observedAt: '2026-08-02T06:00:00-04:00' } as Partial<Evidence>),
      evidence(3, {
        source: { kind: 'ics', account: 'cal.ics', objectId: 'uid-3', version: '2', versionRank: 2 },
        entity: 'booking',
        businessId: BIZ_B,
        fields: { reference: 'BK-7F3K2Q', allDay: true },
      } as Partial<Evidence>),
    ];
    expect(await ws.putEvidence(items, runId)).toEqual({ inserted: 3, duplicates: 0 });
    expect(await ws.putEvidence([...items, items[0]!], runId)).toEqual({ inserted: 0, duplicates: 4 });
    const back: Evidence[] = [];
    for await (const e of ws.readEvidence()) back.push(e);
    const byId = (a: Evidence, b: Evidence) => a.id.localeCompare(b.id);
    expect(back).toEqual([...items].sort(byId));
  });

  it('refuses malformed evidence, naming the field', async () => {
    const runId = await ws.startRun({ command: 'pull' });
    await expect(ws.putEvidence([evidence(9, { confidence: 1.5 })], runId)).rejects.toMatchObject({
      code: 'evidence_invalid',
      message: expect.stringMatching(/confidence/),
    });
    await expect(ws.putEvidence([evidence(9, { observedAt: 'yesterday' })], runId)).rejects.toThrow(
      /observedAt/,
    );
  });

  it('streams evidence page by page, filtered, and counts it', async () => {
    const runId = await ws.startRun({ command: 'pull' });
    const many = Array.from({ length: 250 }, (_, i) => evidence(100 + i));
    await ws.putEvidence(many, runId);
    let pages = 0;
    const seen = new Set<string>();
    const iter = ws.readEvidence(
      { businessId: BIZ_A, sourceKind: 'stripe', entity: 'payment' },
      { pageSize: 40 },
    );
    for await (const e of iter) {
      expect(seen.has(e.id)).toBe(false);
      seen.add(e.id);
      if (seen.size % 40 === 1) pages++;
    }
    expect(seen.size).toBe(252);
    expect(pages).toBe(7);
    const onlyB: Evidence[] = [];
    for await (const e of ws.readEvidence({ businessId: BIZ_B })) onlyB.push(e);
    expect(onlyB.map((e) => e.entity)).toEqual(['booking']);
    expect(await ws.countEvidence()).toEqual([
      { businessId: BIZ_A, sourceKind: 'stripe', entity: 'payment', count: 252 },
      { businessId: BIZ_B, sourceKind: 'ics', entity: 'booking', count: 1 },
    ]);
  });

  it('keeps the last checkpoint per connector, scope and stream', async () => {
    expect(await ws.getCheckpoints('stripe', 'biz-a/acct_1')).toEqual({});
    await ws.putCheckpoint('stripe', 'biz-a/acct_1', 'charges', { after: 'ch_1' });
    await ws.putCheckpoint('stripe', 'biz-a/acct_1', 'charges', { after: 'ch_2' });
    await ws.putCheckpoint('stripe', 'biz-a/acct_1', 'refunds', ['re_1']);
    await ws.putCheckpoint('stripe', 'biz-b/acct_2', 'charges', { after: 'ch_9' });
    expect(await ws.getCheckpoints('stripe', 'biz-a/acct_1')).toEqual({
      charges: { after: 'ch_2' },
      refunds: ['re_1'],
    });
  });

  it('writes nothing of a transaction that fails', async () => {
    const runId = await ws.startRun({ command: 'pull' });
    await expect(
      ws.transaction(async (tx) => {
        await tx.putEvidence([evidence(999)], runId);
        await tx.putCheckpoint('stripe', 'tx', 'charges', { after: 'ch_999' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await ws.getCheckpoints('stripe', 'tx')).toEqual({});
    await ws.transaction(async (tx) => {
      await tx.putEvidence([evidence(999)], runId);
      await tx.putCheckpoint('stripe', 'tx', 'charges', { after: 'ch_999' });
    });
    expect(await ws.getCheckpoints('stripe', 'tx')).toEqual({ charges: { after: 'ch_999' } });
  });

  it('records warnings per run', async () => {
    const runId = await ws.startRun({ command: 'pull' });
    await ws.putWarning({
      runId,
      stream: 'messages',
      code: 'unparseable_message',
      message: 'm1',
      objectId: 'o1',
    });
    await ws.putWarning({ runId, stream: 'messages', code: 'ics_bad_line', message: 'm2' });
    expect(await ws.countWarnings(runId)).toBe(2);
    const list = await ws.listWarnings({ runId });
    expect(list.map((w) => [w.code, w.objectId])).toEqual([
      ['unparseable_message', 'o1'],
      ['ics_bad_line', undefined],
    ]);
    expect(await ws.countWarnings()).toBeGreaterThanOrEqual(2);
  });

  it('saves plans idempotently and finds the latest', async () => {
    expect(await ws.latestPlan()).toBeNull();
    const p1 = plan('p1', '2026-11-01T00:00:00.000Z');
    const p2 = plan('p2', '2026-10-01T00:00:00.000Z');
    await ws.savePlan(p1);
    await ws.savePlan(p2);
    await ws.savePlan(p1);
    expect(await ws.getPlan('p1')).toEqual(p1);
    expect(await ws.getPlan('nope')).toBeNull();
    expect((await ws.latestPlan())?.id).toBe('p2');
  });

  it('stores a plan item by item and reads it back in order, page by page', async () => {
    // More items than a read page (1000) and a write statement (1000), so both loop.
    const many = plan('p-many', '2026-09-01T00:00:00.000Z');
    const one = many.items[0]!;
    many.items = Array.from({ length: 2345 }, (_, i) => ({
      ...one,
      id: `item-${i}`,
      summary: `new customer ${i}`,
    }));
    many.diagnostics = [{ level: 'info', code: 'note', message: 'a diagnostic stays with the header' }];
    await ws.savePlan(many);
    await ws.savePlan(many);
    const rows = await ws.db
      .selectFrom('plan_items')
      .select(['ord', 'item_id'])
      .where('plan_id', '=', 'p-many')
      .orderBy('ord')
      .execute();
    expect(rows).toHaveLength(2345);
    expect(rows[2344]).toEqual({ ord: 2344, item_id: 'item-2344' });
    const header = await ws.db
      .selectFrom('plans')
      .select(['plan', 'item_count', 'items_apart'])
      .where('id', '=', 'p-many')
      .executeTakeFirstOrThrow();
    expect(header).toMatchObject({ item_count: 2345, items_apart: true, plan: { items: [] } });
    const back = await ws.getPlan('p-many');
    expect(back?.items.map((i) => i.id)).toEqual(many.items.map((i) => i.id));
    expect(back).toEqual(many);
  });

  it('reads a plan saved before items were stored apart', async () => {
    const old = plan('p-inline', '2026-08-01T00:00:00.000Z');
    await ws.db
      .insertInto('plans')
      .values({ id: old.id, as_of: old.asOf, item_count: 1, plan: JSON.stringify(old) })
      .execute();
    expect(await ws.getPlan('p-inline')).toEqual(old);
  });

  it('keeps the standing decision per item and decider', async () => {
    const d = (itemId: string, kind: Decision['kind'], by: string, at: string): Decision => ({
      itemId,
      kind,
      by,
      at,
    });
    await ws.putDecisions('p1', [
      d('i1', 'approve', 'operator:alice', '2026-11-02T10:00:00Z'),
      d('i2', 'reject', 'operator:alice', '2026-11-02T10:01:00Z'),
    ]);
    await ws.putDecisions('p1', [
      { ...d('i1', 'edit', 'operator:alice', '2026-11-02T10:05:00Z'), values: { full_name: 'Ana L.' } },
      d('i1', 'approve', 'customer:BK-7F3K2Q', '2026-11-03T08:00:00Z'),
    ]);
    expect(await ws.listDecisions('p1')).toEqual([
      d('i2', 'reject', 'operator:alice', '2026-11-02T10:01:00Z'),
      { ...d('i1', 'edit', 'operator:alice', '2026-11-02T10:05:00Z'), values: { full_name: 'Ana L.' } },
      d('i1', 'approve', 'customer:BK-7F3K2Q', '2026-11-03T08:00:00Z'),
    ]);
    expect(await ws.listDecisions('p2')).toEqual([]);
    await expect(ws.putDecisions('nope', [d('i', 'approve', 'x', 'y')])).rejects.toMatchObject({
      code: 'plan_not_found',
    });
  });

  it('reopens with its data and migrations in place', async () => {
    await ws.close();
    ws = await openWorkspace(loc);
    expect((await ws.getPlan('p2'))?.asOf).toBe('2026-10-01T00:00:00.000Z');
    expect((await ws.countEvidence()).length).toBe(2);
  });
});
