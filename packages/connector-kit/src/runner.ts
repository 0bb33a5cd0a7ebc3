import { type Evidence, SalvageError } from '@salvage/core';
import { checkEvidence, type Workspace } from '@salvage/store';
import type { CheckResult, Connector, ConnectorContext, ConnectorMessage, RawMaterial } from './connector.ts';

/** How a stream ended in a run; skipped when it did not run to the end (interrupted, or never started). */
export type StreamOutcome = 'succeeded' | 'failed' | 'skipped';

/** What one stream did in one run. Counts are messages seen; `inserted` is what was new to the workspace. */
export interface StreamSummary {
  stream: string;
  status: StreamOutcome;
  /** Why it failed or was skipped; no customer data. */
  message?: string;
  evidence: number;
  inserted: number;
  duplicates: number;
  /** Evidence refused as malformed (recorded as 'invalid_evidence' warnings, never stored). */
  invalid: number;
  raw: number;
  warnings: number;
  checkpoints: number;
}

/** The outcome of runConnector: the run's status, the check result, and one summary per stream. */
export interface RunSummary {
  runId: string;
  connector: string;
  scope: string;
  /** succeeded: every stream succeeded or was skipped; failed: none succeeded; partial: some did. */
  status: 'succeeded' | 'failed' | 'partial';
  check: CheckResult | null;
  streams: StreamSummary[];
  totals: Omit<StreamSummary, 'stream' | 'status' | 'message'>;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** A progress report for a live display: how far a stream is, and how much evidence it has given so far. */
export interface RunProgress {
  stream: string;
  status: 'running' | StreamOutcome;
  done: number;
  total?: number;
  unit?: string;
  evidence: number;
}

/** Options for runConnector: progress callback, an outer run id, check skipping, batch size. */
export interface RunHooks {
  onProgress?(progress: RunProgress): void;
  /** Record into this run (the caller started it and will finish it); by default runConnector starts and finishes its own. */
  runId?: string;
  /** Skip `connector.check` before reading (default: check first, and read nothing when it fails). */
  skipCheck?: boolean;
  /** Write buffered evidence without waiting for a checkpoint once this many items wait (default 500). */
  flushEvery?: number;
}

const DEFAULT_STREAM = 'default';

interface Pending {
  raw: RawMaterial[];
  rawBytes: number;
  evidence: { stream: string; evidence: Evidence }[];
  warnings: { stream: string; code: string; message: string; objectId?: string; rawRef?: string }[];
}

/**
 * Runs a connector into the workspace. Raw material is written before the evidence that points at it, and evidence
 * before the checkpoint that covers it, in one transaction per checkpoint, so a crash never leaves a checkpoint ahead
 * of its data. Malformed evidence and connector warnings are recorded as warnings; a stream the connector reports as
 * failed does not stop the others; a connector that throws fails only the streams that had not finished. Expected
 * failures are in the summary; only workspace errors throw (SalvageError 'workspace_write_failed').
 */
export async function runConnector<C>(
  connector: Connector<C>,
  config: C,
  ctx: ConnectorContext & { scope: string },
  ws: Workspace,
  hooks: RunHooks = {},
): Promise<RunSummary> {
  const started = Date.now();
  const ownRun = !hooks.runId;
  const runId =
    hooks.runId ??
    (await ws.startRun({ command: 'pull', source: connector.name, businessId: ctx.business.id }));
  const flushEvery = hooks.flushEvery ?? 500;
  const streams = new Map<string, StreamSummary & { done: number; total?: number; unit?: string }>();
  const stream = (name: string) => {
    let s = streams.get(name);
    if (!s) {
      s = {
        stream: name,
        status: 'skipped',
        evidence: 0,
        inserted: 0,
        duplicates: 0,
        invalid: 0,
        raw: 0,
        warnings: 0,
        checkpoints: 0,
        done: 0,
      };
      streams.set(name, s);
    }
    return s;
  };
  for (const d of connector.streams) stream(d.name);
  const reported = new Set<string>();
  const report = (name: string, status: RunProgress['status']) => {
    const s = stream(name);
    hooks.onProgress?.({
      stream: name,
      status,
      done: s.done,
      ...(s.total === undefined ? {} : { total: s.total }),
      ...(s.unit === undefined ? {} : { unit: s.unit }),
      evidence: s.evidence,
    });
  };

  let pending: Pending = { raw: [], rawBytes: 0, evidence: [], warnings: [] };
  const flush = async (checkpoint?: { stream: string; state: unknown }) => {
    const batch = pending;
    pending = { raw: [], rawBytes: 0, evidence: [], warnings: [] };
    if (!checkpoint && batch.raw.length + batch.evidence.length + batch.warnings.length === 0) return;
    await ws
      .transaction(async (tx) => {
        if (batch.raw.length > 0) await tx.putRaw(batch.raw);
        const byStream = new Map<string, Evidence[]>();
        for (const { stream: name, evidence } of batch.evidence) {
          const list = byStream.get(name) ?? [];
          list.push(evidence);
          byStream.set(name, list);
        }
        for (const [name, items] of byStream) {
          const res = await tx.putEvidence(items, runId);
          stream(name).inserted += res.inserted;
          stream(name).duplicates += res.duplicates;
        }
        for (const w of batch.warnings) await tx.putWarning({ runId, ...w });
        if (checkpoint)
          await tx.putCheckpoint(connector.name, ctx.scope, checkpoint.stream, checkpoint.state);
      })
      .catch((error: unknown) => {
        throw new WorkspaceWriteError(error);
      });
  };
  const warn = (w: Pending['warnings'][number]) => {
    pending.warnings.push(w);
    stream(w.stream).warnings++;
  };

  let check: CheckResult | null = null;
  if (!hooks.skipCheck) {
    try {
      check = await connector.check(config, ctx);
    } catch (error) {
      // The contract says check returns failures; a throw is a connector bug, reported the same way.
      check = { ok: false, kind: 'unknown', message: errorText(error) };
    }
  }

  if (check && !check.ok) {
    for (const s of streams.values()) {
      s.status = 'failed';
      s.message = `check failed (${check.kind}): ${check.message}`;
    }
    // Not tied to one stream: counted once, in the totals.
    pending.warnings.push({ stream: '*', code: `check_${check.kind}`, message: check.message });
    await flush();
  } else {
    let current = connector.streams[0]?.name ?? DEFAULT_STREAM;
    const finished = new Set<string>();
    try {
      const state = await ws.getCheckpoints(connector.name, ctx.scope);
      for await (const msg of connector.read(config, state, ctx) as AsyncIterable<ConnectorMessage>) {
        if (ctx.signal?.aborted) break;
        switch (msg.kind) {
          case 'raw': {
            const name = msg.stream ?? current;
            pending.raw.push(msg.raw);
            pending.rawBytes +=
              typeof msg.raw.body === 'string' ? msg.raw.body.length : msg.raw.body.byteLength;
            stream(name).raw++;
            break;
          }
          case 'evidence': {
            const name = msg.stream ?? current;
            const s = stream(name);
            const problem = checkEvidence(msg.evidence);
            if (problem) {
              s.invalid++;
              warn({
                stream: name,
                code: 'invalid_evidence',
                message: `${connector.name} gave malformed evidence: ${problem}; it was not stored (a connector bug: report it)`,
                ...(msg.evidence?.source?.objectId ? { objectId: msg.evidence.source.objectId } : {}),
                ...(msg.evidence?.rawRef ? { rawRef: msg.evidence.rawRef } : {}),
              });
              break;
            }
            s.evidence++;
            pending.evidence.push({ stream: name, evidence: msg.evidence });
            break;
          }
          case 'checkpoint': {
            current = msg.stream;
            stream(msg.stream).checkpoints++;
            await flush({ stream: msg.stream, state: msg.state });
            break;
          }
          case 'warning': {
            current = msg.stream;
            warn({
              stream: msg.stream,
              code: msg.code,
              message: msg.message,
              ...(msg.objectId ? { objectId: msg.objectId } : {}),
              ...(msg.rawRef ? { rawRef: msg.rawRef } : {}),
            });
            break;
          }
          case 'progress': {
            current = msg.stream;
            const s = stream(msg.stream);
            s.done = msg.done;
            if (msg.total !== undefined) s.total = msg.total;
            if (msg.unit !== undefined) s.unit = msg.unit;
            report(msg.stream, 'running');
            break;
          }
          case 'stream_status': {
            const s = stream(msg.stream);
            s.status = msg.status;
            if (msg.message) s.message = msg.message;
            finished.add(msg.stream);
            if (msg.status === 'failed') {
              warn({
                stream: msg.stream,
                code: 'stream_failed',
                message: msg.message ?? 'the stream failed',
              });
            }
            report(msg.stream, msg.status);
            reported.add(msg.stream);
            break;
          }
        }
        if (
          pending.evidence.length + pending.raw.length >= flushEvery ||
          pending.rawBytes > 32 * 1024 * 1024
        ) {
          await flush();
        }
      }
      await flush();
      const aborted = ctx.signal?.aborted === true;
      for (const s of streams.values()) {
        if (finished.has(s.stream)) continue;
        if (aborted) {
          s.status = 'skipped';
          s.message = 'stopped before the stream finished (interrupted); run pull again to resume';
        } else {
          s.status = 'succeeded';
        }
      }
    } catch (error) {
      if (error instanceof WorkspaceWriteError) {
        if (ownRun)
          await ws.finishRun(runId, { status: 'failed', summary: { error: error.message } }).catch(() => {});
        throw error;
      }
      // Keep what was read: evidence is idempotent, and no checkpoint is written past what was received.
      await flush().catch(() => {});
      for (const s of streams.values()) {
        if (finished.has(s.stream)) continue;
        s.status = 'failed';
        s.message = errorText(error);
        warn({ stream: s.stream, code: 'stream_failed', message: s.message });
      }
      await flush();
    }
  }
  for (const s of streams.values()) if (!reported.has(s.stream)) report(s.stream, s.status);

  const list: StreamSummary[] = [...streams.values()].map(({ done: _d, total: _t, unit: _u, ...s }) => s);
  const succeeded = list.filter((s) => s.status === 'succeeded').length;
  const failed = list.filter((s) => s.status === 'failed').length;
  const status: RunSummary['status'] = failed === 0 ? 'succeeded' : succeeded === 0 ? 'failed' : 'partial';
  const totals = { evidence: 0, inserted: 0, duplicates: 0, invalid: 0, raw: 0, warnings: 0, checkpoints: 0 };
  for (const s of list) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += s[k];
  if (check && !check.ok) totals.warnings += 1;
  const finishedAt = Date.now();
  const summary: RunSummary = {
    runId,
    connector: connector.name,
    scope: ctx.scope,
    status,
    check,
    streams: list,
    totals,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: finishedAt - started,
  };
  if (ownRun) await ws.finishRun(runId, { status, summary });
  return summary;
}

/** The workspace refused a write: not the source's fault, so the run stops and the error propagates. */
class WorkspaceWriteError extends SalvageError {
  constructor(cause: unknown) {
    super('workspace_write_failed', `writing to the workspace failed: ${errorText(cause)}`, { cause });
  }
}

/** An error's message, one line, for summaries and warnings (connectors' transports already strip secrets). */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 500);
}
