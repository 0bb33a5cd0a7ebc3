import { sha256 } from '@salvage/core';
import { checkEvidence } from '@salvage/store';
import type { Connector, ConnectorContext, ConnectorMessage } from './connector.ts';

/** Every message a read gives, in order (a read that throws ends the list and sets `error`). */
export interface ReadLog {
  messages: ConnectorMessage[];
  error?: string;
}

/** Reads a connector to the end into memory. For conformance tests on small fixtures only. */
export async function readAll<C>(
  connector: Connector<C>,
  config: C,
  state: Readonly<Record<string, unknown>>,
  ctx: ConnectorContext,
): Promise<ReadLog> {
  const messages: ConnectorMessage[] = [];
  try {
    for await (const m of connector.read(config, state, ctx)) messages.push(m);
    return { messages };
  } catch (error) {
    return { messages, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The stream each evidence message belongs to: its own `stream`, else the stream of the next checkpoint or status
 * message (which is what covers it), else the last stream named before it.
 */
export function attributeStreams(messages: readonly ConnectorMessage[]): (string | null)[] {
  const out: (string | null)[] = new Array(messages.length).fill(null);
  let next: string | null = null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.kind === 'checkpoint' || m.kind === 'stream_status') next = m.stream;
    if (m.kind === 'evidence' || m.kind === 'raw') out[i] = m.stream ?? next;
  }
  let last: string | null = null;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.kind !== 'evidence' && m.kind !== 'raw') last = m.stream;
    else if (out[i] === null) out[i] = last;
  }
  return out;
}

/** Problems with provenance: a field missing or malformed, a business other than the run's, a raw ref not sent first. */
export function findProvenanceProblems(messages: readonly ConnectorMessage[], businessId: string): string[] {
  const problems: string[] = [];
  const rawSeen = new Set<string>();
  messages.forEach((m, i) => {
    if (m.kind === 'raw') {
      const body = m.raw.body;
      if (!m.raw.ref || sha256(body) !== m.raw.ref) {
        problems.push(`message ${i}: raw ref is not the sha256 of its body`);
      }
      if (!m.raw.mediaType) problems.push(`message ${i}: raw has no mediaType`);
      rawSeen.add(m.raw.ref);
    }
    if (m.kind !== 'evidence') return;
    const e = m.evidence;
    const problem = checkEvidence(e);
    if (problem) problems.push(`message ${i} (evidence ${e?.id ?? '?'}): ${problem}`);
    if (e && e.businessId !== businessId) {
      problems.push(`message ${i} (evidence ${e.id}): businessId is not the run's business`);
    }
    if (e && !e.source?.kind) problems.push(`message ${i} (evidence ${e.id}): source.kind is missing`);
    if (e?.rawRef && !rawSeen.has(e.rawRef)) {
      problems.push(`message ${i} (evidence ${e.id}): rawRef ${e.rawRef} was not sent as raw before it`);
    }
  });
  return problems;
}

/** Problems with stream names: a message naming a stream the connector does not declare (nor its family). */
export function findStreamProblems(
  messages: readonly ConnectorMessage[],
  declared: readonly string[],
): string[] {
  const known = new Set(declared);
  const problems = new Set<string>();
  for (const m of messages) {
    const name = m.stream;
    // A declared name also covers its instances, `family:instance` (one stream per configured mailbox or file).
    if (name !== undefined && !known.has(name) && !known.has(name.split(':')[0] ?? ''))
      problems.add(`stream '${name}' is not among the declared streams`);
  }
  return [...problems];
}

/** A point to resume from: the state after message `index`, and the evidence ids that state already covers. */
export interface ResumePoint {
  index: number;
  stream: string;
  state: Record<string, unknown>;
  covered: Set<string>;
}

/** The resume points of a full read: one per checkpoint (all of them, or `max` evenly spread, always the last). */
export function resumePoints(messages: readonly ConnectorMessage[], max = 25): ResumePoint[] {
  const streams = attributeStreams(messages);
  const count = messages.filter((m) => m.kind === 'checkpoint').length;
  const picked = new Set<number>();
  if (count <= max) for (let k = 0; k < count; k++) picked.add(k);
  else for (let k = 0; k < max; k++) picked.add(Math.round((k * (count - 1)) / (max - 1)));
  const points: ResumePoint[] = [];
  const state: Record<string, unknown> = {};
  // Evidence read since its stream's last checkpoint; a checkpoint of that stream covers it.
  const uncovered = new Map<string, string[]>();
  const covered = new Set<string>();
  let k = 0;
  messages.forEach((m, i) => {
    if (m.kind === 'evidence') {
      const s = streams[i] ?? '';
      const list = uncovered.get(s) ?? [];
      list.push(m.evidence.id);
      uncovered.set(s, list);
    }
    if (m.kind !== 'checkpoint') return;
    state[m.stream] = m.state;
    for (const id of uncovered.get(m.stream) ?? []) covered.add(id);
    uncovered.delete(m.stream);
    if (picked.has(k))
      points.push({ index: i, stream: m.stream, state: structuredClone(state), covered: new Set(covered) });
    k++;
  });
  return points;
}

/**
 * Resumes from each point and compares with the full read: evidence the point covers must not come again
 * (duplicates), and everything of the full read must be covered or come again (gaps).
 */
export async function findResumeProblems<C>(
  connector: Connector<C>,
  config: C,
  ctx: ConnectorContext,
  full: readonly ConnectorMessage[],
  max = 25,
): Promise<string[]> {
  const problems: string[] = [];
  const fullIds = new Set(full.flatMap((m) => (m.kind === 'evidence' ? [m.evidence.id] : [])));
  for (const point of resumePoints(full, max)) {
    const log = await readAll(connector, config, point.state, ctx);
    const label = `resuming after message ${point.index} (checkpoint of '${point.stream}')`;
    if (log.error) problems.push(`${label}: read threw: ${log.error}`);
    const again = new Set(log.messages.flatMap((m) => (m.kind === 'evidence' ? [m.evidence.id] : [])));
    const dup = [...again].filter((id) => point.covered.has(id));
    if (dup.length > 0)
      problems.push(`${label}: ${dup.length} evidence already covered came again (e.g. ${dup[0]})`);
    const gaps = [...fullIds].filter((id) => !point.covered.has(id) && !again.has(id));
    if (gaps.length > 0) problems.push(`${label}: ${gaps.length} evidence never came (e.g. ${gaps[0]})`);
  }
  return problems;
}
