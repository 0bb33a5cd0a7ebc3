import { type Evidence, evidenceId, sha256 } from '@salvage/core';
import type { CheckResult, Connector, ConnectorContext, ConnectorMessage, ParseResult } from './connector.ts';

/** One record of an in-memory stream: becomes one raw item and one payment evidence. */
export interface MemoryRecord {
  id: string;
  amount: number;
}

/** Config of the in-memory test connector: its records per stream, the key it expects, and optional faults. */
export interface MemoryConnectorConfig {
  /** Must equal the value of env[keyEnv], else check fails with kind 'auth'. */
  keyEnv: string;
  expectedKey: string;
  streams: Record<string, MemoryRecord[]>;
  /** Checkpoint after this many records (default 2). */
  checkpointEvery?: number;
  /** This stream throws after this many records; the connector reports it failed and goes on. */
  failStream?: { stream: string; after: number };
  /** Deliberate bugs, so tests can show the conformance checks catch them. */
  bug?:
    | 'checkpoint_before_evidence'
    | 'skip_after_resume'
    | 'no_provenance'
    | 'raw_after_evidence'
    | 'throw_on_check';
}

/**
 * A small connector over in-memory records, for testing the runner, the conformance suite and the CLI without a
 * source. Records are read in order; a checkpoint `{ next }` says where the stream resumes.
 */
export function createMemoryConnector(name = 'memory'): Connector<MemoryConnectorConfig> {
  return {
    name,
    version: '1.0.0',
    streams: [
      { name: 'alpha', description: 'first test stream' },
      { name: 'beta', description: 'second test stream' },
    ],
    parseConfig(raw: unknown): ParseResult<MemoryConnectorConfig> {
      if (!raw || typeof raw !== 'object')
        return { ok: false, issues: [{ path: '', message: 'must be an object' }] };
      const c = raw as Partial<MemoryConnectorConfig>;
      const issues = [];
      if (typeof c.keyEnv !== 'string') issues.push({ path: 'keyEnv', message: 'is required' });
      if (typeof c.expectedKey !== 'string') issues.push({ path: 'expectedKey', message: 'is required' });
      if (!c.streams || typeof c.streams !== 'object')
        issues.push({ path: 'streams', message: 'is required' });
      return issues.length > 0 ? { ok: false, issues } : { ok: true, config: c as MemoryConnectorConfig };
    },
    async check(config, ctx): Promise<CheckResult> {
      if (config.bug === 'throw_on_check') throw new Error('check exploded');
      const key = ctx.env[config.keyEnv];
      if (!key)
        return { ok: false, kind: 'config', message: `environment variable ${config.keyEnv} is not set` };
      if (key !== config.expectedKey) return { ok: false, kind: 'auth', message: 'the key was refused' };
      return { ok: true };
    },
    async *read(config, state, ctx: ConnectorContext): AsyncIterable<ConnectorMessage> {
      const every = config.checkpointEvery ?? 2;
      for (const streamName of ['alpha', 'beta']) {
        const records = config.streams[streamName] ?? [];
        const saved = state[streamName] as { next: number } | undefined;
        let next = saved?.next ?? 0;
        if (config.bug === 'skip_after_resume' && saved) next += 1;
        try {
          for (let i = next; i < records.length; i++) {
            if (config.failStream?.stream === streamName && i >= config.failStream.after) {
              throw new Error(`source refused page ${i}`);
            }
            const rec = records[i]!;
            const body = JSON.stringify(rec);
            const source = {
              kind: 'stripe' as const,
              account: `${name}:${streamName}`,
              objectId: rec.id,
              version: '1',
            };
            const extractor = { name: `${name}-${streamName}`, version: '1' };
            const evidence: Evidence = {
              id: evidenceId(source, 'payment', extractor),
              businessId: ctx.business.id,
              source,
              entity: 'payment',
              fields: { amount: rec.amount, currency: 'usd' },
              observedAt: new Date(Date.UTC(2026, 7, 2) + i * 60_000).toISOString(),
              extractor,
              confidence: 0.99,
              rawRef: sha256(body),
            };
            if (config.bug === 'no_provenance') evidence.source = { ...source, objectId: '' };
            const raw: ConnectorMessage = {
              kind: 'raw',
              stream: streamName,
              raw: { ref: sha256(body), mediaType: 'application/json', body, source },
            };
            const atCheckpoint = (i + 1 - next) % every === 0 || i === records.length - 1;
            if (config.bug === 'checkpoint_before_evidence' && atCheckpoint) {
              yield { kind: 'checkpoint', stream: streamName, state: { next: i + 1 } };
            }
            if (config.bug !== 'raw_after_evidence') yield raw;
            yield { kind: 'evidence', stream: streamName, evidence };
            if (config.bug === 'raw_after_evidence') yield raw;
            yield {
              kind: 'progress',
              stream: streamName,
              done: i + 1,
              total: records.length,
              unit: 'records',
            };
            if (config.bug !== 'checkpoint_before_evidence' && atCheckpoint) {
              yield { kind: 'checkpoint', stream: streamName, state: { next: i + 1 } };
            }
          }
          yield { kind: 'stream_status', stream: streamName, status: 'succeeded' };
        } catch (error) {
          yield {
            kind: 'stream_status',
            stream: streamName,
            status: 'failed',
            message: (error as Error).message,
          };
        }
      }
    },
  };
}
