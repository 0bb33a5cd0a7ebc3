import type { BusinessConfig } from '@salvage/core';
import { openWorkspace, type Workspace } from '@salvage/store';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ConnectorContext, type ConnectorMessage, silentLogger } from './connector.ts';
import { createMemoryConnector, type MemoryConnectorConfig, type MemoryRecord } from './memory-connector.ts';
import { type RunProgress, runConnector } from './runner.ts';

const business = { id: '00000000-0000-4000-8000-0000000000aa', name: 'Test' } as BusinessConfig;
const records = (prefix: string, n: number): MemoryRecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}_${i}`, amount: 100 + i }));

function ctx(scope: string, key = 'k1'): ConnectorContext & { scope: string } {
  return {
    business,
    window: { since: '2026-07-30T00:00:00Z', until: '2026-11-01T00:00:00Z' },
    now: () => new Date('2026-11-01T00:00:00Z'),
    logger: silentLogger,
    env: { MEM_KEY: key },
    scope,
  };
}

function config(over: Partial<MemoryConnectorConfig> = {}): MemoryConnectorConfig {
  return {
    keyEnv: 'MEM_KEY',
    expectedKey: 'k1',
    streams: { alpha: records('a', 5), beta: records('b', 3) },
    ...over,
  };
}

describe('runConnector', () => {
  let ws: Workspace;
  let n = 0;
  let scope: string;
  beforeAll(async () => {
    ws = await openWorkspace({ pglite: 'memory://' });
  });
  afterAll(async () => {
    await ws?.close();
  });
  beforeEach(() => {
    scope = `biz/${++n}`;
  });

  it('stores raw, evidence and checkpoints, and sums up each stream', async () => {
    const progress: RunProgress[] = [];
    const summary = await runConnector(createMemoryConnector(), config(), ctx(scope), ws, {
      onProgress: (p) => progress.push(p),
    });
    expect(summary.status).toBe('succeeded');
    expect(summary.check).toEqual({ ok: true });
    expect(summary.streams).toEqual([
      expect.objectContaining({
        stream: 'alpha',
        status: 'succeeded',
        evidence: 5,
        inserted: 5,
        raw: 5,
        checkpoints: 3,
      }),
      expect.objectContaining({
        stream: 'beta',
        status: 'succeeded',
        evidence: 3,
        inserted: 3,
        raw: 3,
        checkpoints: 2,
      }),
    ]);
    expect(summary.totals).toMatchObject({ evidence: 8, inserted: 8, duplicates: 0, warnings: 0 });
    expect(await ws.getCheckpoints('memory', scope)).toEqual({ alpha: { next: 5 }, beta: { next: 3 } });
    const stored = [];
    for await (const e of ws.readEvidence({ businessId: business.id })) stored.push(e);
    expect(stored.length).toBeGreaterThanOrEqual(8);
    for (const e of stored) expect(await ws.getRaw(e.rawRef!)).not.toBeNull();
    expect(
      progress.filter((p) => p.status === 'running').map((p) => `${p.stream}:${p.done}/${p.total}`),
    ).toContain('alpha:5/5');
    expect(progress.filter((p) => p.status === 'succeeded').map((p) => p.stream)).toEqual(['alpha', 'beta']);
    const runs = await ws.listRuns(1);
    expect(runs[0]).toMatchObject({ id: summary.runId, status: 'succeeded', source: 'memory' });
  });

  it('resumes from the checkpoints: a second run reads nothing again', async () => {
    await runConnector(createMemoryConnector(), config(), ctx(scope), ws);
    const again = await runConnector(createMemoryConnector(), config(), ctx(scope), ws);
    expect(again.totals.evidence).toBe(0);
    const more = config({ streams: { alpha: records('a', 7), beta: records('b', 3) } });
    const grown = await runConnector(createMemoryConnector(), more, ctx(scope), ws);
    expect(grown.streams.find((s) => s.stream === 'alpha')).toMatchObject({ evidence: 2, inserted: 2 });
  });

  it('keeps going when one stream fails, and reports the run partial', async () => {
    const summary = await runConnector(
      createMemoryConnector(),
      config({ failStream: { stream: 'alpha', after: 3 } }),
      ctx(scope),
      ws,
    );
    expect(summary.status).toBe('partial');
    const alpha = summary.streams.find((s) => s.stream === 'alpha')!;
    expect(alpha).toMatchObject({ status: 'failed', evidence: 3, message: 'source refused page 3' });
    expect(summary.streams.find((s) => s.stream === 'beta')).toMatchObject({
      status: 'succeeded',
      evidence: 3,
    });
    // Only the checkpoint written before the failure: the next run resumes at record 2, not past the failure.
    expect((await ws.getCheckpoints('memory', scope)).alpha).toEqual({ next: 2 });
    const warnings = await ws.listWarnings({ runId: summary.runId });
    expect(warnings.map((w) => [w.stream, w.code])).toEqual([['alpha', 'stream_failed']]);
  });

  it('reports bad credentials without reading, as a failed run', async () => {
    const summary = await runConnector(createMemoryConnector(), config(), ctx(scope, 'wrong'), ws);
    expect(summary.status).toBe('failed');
    expect(summary.check).toEqual({ ok: false, kind: 'auth', message: 'the key was refused' });
    expect(summary.totals.evidence).toBe(0);
    expect(
      summary.streams.every((s) => s.status === 'failed' && /check failed \(auth\)/.test(s.message!)),
    ).toBe(true);
    expect(await ws.countWarnings(summary.runId)).toBe(1);
    expect((await ws.listRuns(1))[0]).toMatchObject({ status: 'failed' });
  });

  it('turns a throwing check into a failed check, not a crash', async () => {
    const summary = await runConnector(
      createMemoryConnector(),
      config({ bug: 'throw_on_check' }),
      ctx(scope),
      ws,
    );
    expect(summary.check).toEqual({ ok: false, kind: 'unknown', message: 'check exploded' });
    expect(summary.status).toBe('failed');
  });

  it('records malformed evidence as a warning and stores the rest', async () => {
    const summary = await runConnector(
      createMemoryConnector(),
      config({ bug: 'no_provenance' }),
      ctx(scope),
      ws,
    );
    expect(summary.totals).toMatchObject({ evidence: 0, invalid: 8, warnings: 8 });
    const warnings = await ws.listWarnings({ runId: summary.runId });
    expect(warnings[0]).toMatchObject({ code: 'invalid_evidence', stream: 'alpha' });
    expect(warnings[0]!.message).toMatch(/source\.objectId is missing/);
  });

  it('fails the unfinished streams when read throws, keeping what it read and the checkpoints it got', async () => {
    const base = createMemoryConnector('thrower');
    const connector = {
      ...base,
      async *read(c: MemoryConnectorConfig, s: Readonly<Record<string, unknown>>, x: ConnectorContext) {
        let i = 0;
        for await (const m of base.read(c, s, x) as AsyncIterable<ConnectorMessage>) {
          yield m;
          if (m.kind === 'checkpoint' && ++i === 2) throw new Error('connection reset');
        }
      },
    };
    const summary = await runConnector(connector, config(), ctx(scope), ws);
    expect(summary.status).toBe('failed');
    expect(summary.streams.map((s) => [s.stream, s.status, s.message])).toEqual([
      ['alpha', 'failed', 'connection reset'],
      ['beta', 'failed', 'connection reset'],
    ]);
    expect(await ws.getCheckpoints('thrower', scope)).toEqual({ alpha: { next: 4 } });
    expect(summary.streams[0]).toMatchObject({ evidence: 4, inserted: 4 });
  });

  it('writes a checkpoint only together with the evidence it covers', async () => {
    // A workspace whose evidence writes fail: the checkpoint of that batch must not land either.
    const failing: Workspace = {
      ...ws,
      transaction: (fn) =>
        ws.transaction((tx) =>
          fn({
            ...tx,
            putRaw: (r) => tx.putRaw(r),
            putCheckpoint: (...a) => tx.putCheckpoint(...a),
            putWarning: (w) => tx.putWarning(w),
            putEvidence: async () => {
              throw new Error('disk full');
            },
          }),
        ),
      startRun: (i) => ws.startRun(i),
      finishRun: (id, o) => ws.finishRun(id, o),
      getCheckpoints: (c, s) => ws.getCheckpoints(c, s),
    };
    const error = await runConnector(createMemoryConnector(), config(), ctx(scope), failing).catch((e) => e);
    expect(error).toMatchObject({
      code: 'workspace_write_failed',
      message: expect.stringMatching(/disk full/),
    });
    expect(await ws.getCheckpoints('memory', scope)).toEqual({});
  });

  it('stops at an abort and marks unfinished streams skipped, resumable', async () => {
    const controller = new AbortController();
    const c = { ...ctx(scope), signal: controller.signal };
    const summary = await runConnector(createMemoryConnector(), config(), c, ws, {
      onProgress: (p) => {
        if (p.stream === 'alpha' && p.done === 3) controller.abort();
      },
    });
    expect(summary.streams.map((s) => s.status)).toEqual(['skipped', 'skipped']);
    expect(summary.status).toBe('succeeded');
    expect((await ws.getCheckpoints('memory', scope)).alpha).toEqual({ next: 2 });
  });
});
