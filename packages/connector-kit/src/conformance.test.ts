import type { BusinessConfig } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { describeConnectorConformance } from './conformance.ts';
import {
  attributeStreams,
  findProvenanceProblems,
  findResumeProblems,
  findStreamProblems,
  readAll,
  resumePoints,
} from './conformance-checks.ts';
import { type ConnectorContext, silentLogger } from './connector.ts';
import { describeConnectorConformance as fromIndex } from './index.ts';
import { createMemoryConnector, type MemoryConnectorConfig, type MemoryRecord } from './memory-connector.ts';

const business = { id: '00000000-0000-4000-8000-0000000000bb', name: 'Test' } as BusinessConfig;
const records = (prefix: string, n: number): MemoryRecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}_${i}`, amount: 100 + i }));
const ctx = (key = 'k1'): ConnectorContext => ({
  business,
  window: { since: '2026-07-30T00:00:00Z', until: '2026-11-01T00:00:00Z' },
  now: () => new Date('2026-11-01T00:00:00Z'),
  logger: silentLogger,
  env: { MEM_KEY: key },
});
const config = (over: Partial<MemoryConnectorConfig> = {}): MemoryConnectorConfig => ({
  keyEnv: 'MEM_KEY',
  expectedKey: 'k1',
  streams: { alpha: records('a', 7), beta: records('b', 4) },
  checkpointEvery: 2,
  ...over,
});

// The suite itself, on a correct connector.
describeConnectorConformance('memory', async () => ({
  connector: createMemoryConnector(),
  config: config(),
  rawConfig: config(),
  ctx: ctx(),
  badCredentials: { config: config(), ctx: ctx('wrong') },
}));

// And through the package entry, which loads the suite only under vitest.
fromIndex('memory via index', async () => ({
  connector: createMemoryConnector(),
  config: config({ checkpointEvery: 3 }),
  ctx: ctx(),
  badCredentials: 'none',
}));

describe('conformance checks catch broken connectors', () => {
  const c = createMemoryConnector();

  it('a checkpoint written before its evidence shows up as a gap on resume', async () => {
    const bad = config({ bug: 'checkpoint_before_evidence' });
    const full = await readAll(c, bad, {}, ctx());
    const problems = await findResumeProblems(c, bad, ctx(), full.messages);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/evidence never came/);
  });

  it('a resume that skips a record shows up as a gap', async () => {
    const bad = config({ bug: 'skip_after_resume' });
    const full = await readAll(c, bad, {}, ctx());
    const problems = await findResumeProblems(c, bad, ctx(), full.messages);
    expect(problems.some((p) => /never came/.test(p))).toBe(true);
  });

  it('a resume that reads covered evidence again shows up as duplicates', async () => {
    const good = config();
    const full = await readAll(c, good, {}, ctx());
    // Resume from a state that forgets the checkpoints: everything comes again.
    const forgetful = {
      ...c,
      read: (cfg: MemoryConnectorConfig, _s: Readonly<Record<string, unknown>>, x: ConnectorContext) =>
        c.read(cfg, {}, x),
    };
    const problems = await findResumeProblems(forgetful, good, ctx(), full.messages);
    expect(problems.some((p) => /already covered came again/.test(p))).toBe(true);
  });

  it('missing provenance and raw sent after its evidence are reported', async () => {
    const noProv = await readAll(c, config({ bug: 'no_provenance' }), {}, ctx());
    expect(findProvenanceProblems(noProv.messages, business.id)[0]).toMatch(/source\.objectId is missing/);
    const late = await readAll(c, config({ bug: 'raw_after_evidence' }), {}, ctx());
    expect(findProvenanceProblems(late.messages, business.id)[0]).toMatch(/was not sent as raw before it/);
    const good = await readAll(c, config(), {}, ctx());
    expect(findProvenanceProblems(good.messages, 'another-business')[0]).toMatch(/not the run's business/);
  });

  it('undeclared stream names are reported', async () => {
    const good = await readAll(c, config(), {}, ctx());
    expect(findStreamProblems(good.messages, ['alpha'])).toEqual([
      "stream 'beta' is not among the declared streams",
    ]);
  });

  it('attributes evidence without a stream to the checkpoint after it, else the stream last named', () => {
    const ev = (id: string) => ({ kind: 'evidence', evidence: { id } }) as never;
    const streams = attributeStreams([
      ev('1'),
      { kind: 'checkpoint', stream: 's1', state: 1 },
      ev('2'),
      { kind: 'progress', stream: 's2', done: 1 },
      ev('3'),
    ]);
    expect(streams).toEqual(['s1', null, 's1', null, 's2']);
  });

  it('spreads resume points over many checkpoints, always keeping the last', async () => {
    const big = config({ streams: { alpha: records('a', 100), beta: [] }, checkpointEvery: 1 });
    const full = await readAll(c, big, {}, ctx());
    const points = resumePoints(full.messages, 5);
    expect(points).toHaveLength(5);
    expect(points[4]!.state).toEqual({ alpha: { next: 100 } });
    expect(points[4]!.covered.size).toBe(100);
    expect(points[0]!.covered.size).toBe(1);
  });
});
