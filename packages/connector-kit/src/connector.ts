import type { BusinessConfig, ConfigIssue, Evidence, SourceRef } from '@salvage/core';

/**
 * The connector contract, after Singer and Airbyte: a connector describes its streams, validates its config, checks
 * it can reach its source, and reads, as an async iterable of messages. It never writes to its source. A checkpoint
 * is opaque to all but its connector and follows the evidence it covers, so resuming neither duplicates nor skips.
 */

/** pino-compatible subset: structured fields first, message second. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface ConnectorContext {
  business: BusinessConfig;
  /** Read what happened in [since, until): backupTakenAt minus overlap, to now (or incidentAt plus the live period). */
  window: { since: string; until: string };
  /** Injected clock, so tests control time. */
  now: () => Date;
  logger: Logger;
  /** Environment variables, for the secrets the config names. Only the CLI reads process.env. */
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
}

export type CheckFailureKind = 'auth' | 'permission' | 'network' | 'config' | 'rate_limit' | 'unknown';
export type CheckResult =
  | { ok: true; detail?: string }
  | { ok: false; kind: CheckFailureKind; message: string };

/** The raw bytes an observation was read from, kept in the workspace under `ref` (sha256 of `body`). */
export interface RawMaterial {
  ref: string;
  mediaType: string;
  body: Uint8Array | string;
  source: SourceRef;
}

export type ConnectorMessage =
  /** `stream` (optional) names the stream the message belongs to, for per-stream counts in the run summary. */
  | { kind: 'raw'; raw: RawMaterial; stream?: string }
  | { kind: 'evidence'; evidence: Evidence; stream?: string }
  | { kind: 'checkpoint'; stream: string; state: unknown }
  | {
      kind: 'warning';
      stream: string;
      /** Stable code: 'unparseable_message', 'unknown_object_shape', 'ics_bad_line'. */
      code: string;
      /** Says what happened and what to do; names the file, record or field. No customer data. */
      message: string;
      objectId?: string;
      rawRef?: string;
    }
  | { kind: 'progress'; stream: string; done: number; total?: number; unit?: string }
  | { kind: 'stream_status'; stream: string; status: 'succeeded' | 'failed' | 'skipped'; message?: string };

export interface StreamDescriptor {
  name: string;
  description: string;
}

export type ParseResult<C> = { ok: true; config: C } | { ok: false; issues: ConfigIssue[] };

export interface Connector<C> {
  /** Stable, stored: never renamed once released. */
  name: string;
  version: string;
  streams: readonly StreamDescriptor[];
  parseConfig(raw: unknown): ParseResult<C>;
  check(config: C, ctx: ConnectorContext): Promise<CheckResult>;
  /** `state` holds the last checkpoint of each stream, by stream name (empty on a first run). */
  read(
    config: C,
    state: Readonly<Record<string, unknown>>,
    ctx: ConnectorContext,
  ): AsyncIterable<ConnectorMessage>;
}
