import { setMaxListeners } from 'node:events';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  ConnectorMessage,
  RawMaterial,
} from '@salvage/connector-kit';
import { type Evidence, SalvageError, type SourceRef, sha256 } from '@salvage/core';
import type Stripe from 'stripe';
import type { MapContext, StripeRaw } from './map-context.ts';
import { mapStripeObject } from './map-stripe-object.ts';
import { createChannel } from './message-channel.ts';
import { createRateBudget, type RateBudget } from './rate-budget.ts';
import { resumeSlices, type SliceState, type StreamCheckpoint } from './slices.ts';
import { parseStripeConfig, type StripeConnectorConfig } from './stripe-config.ts';
import { StripeRequestError } from './stripe-request-error.ts';
import { STRIPE_STREAMS, type StripeStream } from './stripe-streams.ts';
import {
  createStripeTransport,
  defaultMakeClient,
  type MakeStripeClient,
  type StripeTransport,
  type TransportStats,
} from './stripe-transport.ts';

/** Stable connector name, stored with checkpoints: never renamed. */
export const STRIPE_CONNECTOR_NAME = 'stripe';
const EVENT_RETENTION_S = 30 * 86_400;

/** Dependencies a test or the CLI injects. */
export interface StripeConnectorDeps {
  makeClient?: MakeStripeClient;
  /** Jitter source, [0, 1). */
  random?: () => number;
  /** Shared budget (several businesses on one account); by default one per read, from the config. */
  budget?: RateBudget;
  /** Hears transport counts when a read ends (benchmarks). */
  onStats?: (stats: TransportStats) => void;
}

type KeyKind =
  | 'restricted_live'
  | 'restricted_test'
  | 'secret_live'
  | 'secret_test'
  | 'publishable'
  | 'unknown';

/** What kind of key a string is, by Stripe's prefixes. Pure. */
export function matchKeyKind(key: string): KeyKind {
  if (key.startsWith('rk_live_')) return 'restricted_live';
  if (key.startsWith('rk_test_')) return 'restricted_test';
  if (key.startsWith('sk_live_')) return 'secret_live';
  if (key.startsWith('sk_test_')) return 'secret_test';
  if (key.startsWith('pk_')) return 'publishable';
  return 'unknown';
}

function who(config: StripeConnectorConfig): string {
  return `business "${config.businessName}" (${config.businessId})`;
}

/** Problems with the key itself, found without a request; null when it may be tried. */
function keyProblem(config: StripeConnectorConfig, key: string | undefined): CheckResult | null {
  if (!key)
    return {
      ok: false,
      kind: 'config',
      message: `${who(config)}: environment variable ${config.keyEnv} is not set; set it to a restricted read-only Stripe key (rk_live_...)`,
    };
  const kind = matchKeyKind(key);
  if (kind === 'publishable')
    return {
      ok: false,
      kind: 'config',
      message: `${who(config)}: ${config.keyEnv} holds a publishable key (pk_), which cannot read; use a restricted read-only key (rk_live_...)`,
    };
  if ((kind === 'secret_test' || kind === 'restricted_test') && !config.includeTestMode)
    return {
      ok: false,
      kind: 'config',
      message: `${who(config)}: ${config.keyEnv} holds a test-mode key, which reads only test-mode objects, and those are dropped; use a live restricted key, or set stripe.includeTestMode: true to pull test data on purpose`,
    };
  return null;
}

const SECRET_KEY_WARNING =
  'is a full secret key (sk_live_): it can create charges and refunds, and salvage needs only to read. Create a restricted key with read permissions only (Developers > API keys > Create restricted key) and use it instead';

function authMessage(config: StripeConnectorConfig): string {
  return `${who(config)}: Stripe rejected the key in ${config.keyEnv} (invalid or revoked). Put a valid restricted read-only key in ${config.keyEnv}`;
}

function accountMessage(config: StripeConnectorConfig): string {
  return `${who(config)}: the key in ${config.keyEnv} cannot reach Stripe account ${config.account ?? '(platform)'}; check stripe.account, or use a key of the platform that account is connected to`;
}

function permissionMessage(
  stream: StripeStream,
  error: StripeRequestError,
  config: StripeConnectorConfig,
): string {
  const permission = error.permission ?? stream.permission;
  return `${who(config)}: the restricted key in ${config.keyEnv} lacks the '${permission}' permission needed for ${stream.name} (${stream.path}); add it (read only) to the key in the Stripe dashboard and pull again`;
}

type WorkerItem =
  | {
      kind: 'page';
      stream: StripeStream;
      slice: number;
      messages: ConnectorMessage[];
      after: string | undefined;
      done: boolean;
      objects: number;
      dropped: number;
    }
  | { kind: 'end'; stream: StripeStream; slice: number; error?: unknown };

interface ReadEnv {
  config: StripeConnectorConfig;
  ctx: ConnectorContext;
  client: Stripe;
  transport: StripeTransport;
  account: string;
  windowGte: number;
  untilMs: number;
  warnedTypes: Set<string>;
}

function rawOf(
  object: StripeRaw,
  env: ReadEnv,
  version: (ref: string) => string,
): { raw: RawMaterial; ref: string; version: string } {
  // One serialization per object: its sha256 is both the raw ref and the content part of the version.
  const body = JSON.stringify(object);
  const ref = sha256(body);
  const v = version(ref);
  const source: SourceRef = {
    kind: 'stripe',
    account: env.account,
    objectId: String(object.id ?? ''),
    version: v,
  };
  return { raw: { ref, mediaType: 'application/json', body, source }, ref, version: v };
}

function mapContext(
  env: ReadEnv,
  version: string,
  rawRef: string,
  rank: number,
  observedAt?: string,
): MapContext {
  return {
    businessId: env.config.businessId,
    account: env.account,
    config: env.config,
    version,
    versionRank: rank,
    rawRef,
    ...(observedAt ? { observedAt } : {}),
  };
}

/** Messages for one object (and for what it carries): raw first, then its evidence, or a warning for a shape not known. */
function objectMessages(
  stream: StripeStream,
  object: StripeRaw,
  env: ReadEnv,
  out: ConnectorMessage[],
): void {
  const name = stream.name;
  const push = (target: StripeRaw, versionOf: (ref: string) => string, rank: number, observedAt?: string) => {
    const { raw, ref, version } = rawOf(target, env, versionOf);
    out.push({ kind: 'raw', raw, stream: name });
    const result = mapStripeObject(target, mapContext(env, version, ref, rank, observedAt));
    if (result.known) {
      for (const evidence of result.evidence)
        out.push({ kind: 'evidence', evidence: evidence as Evidence, stream: name });
      return;
    }
    const type = typeof target.object === 'string' ? target.object : '(none)';
    if (env.warnedTypes.has(`${name}:${type}`)) return;
    env.warnedTypes.add(`${name}:${type}`);
    out.push({
      kind: 'warning',
      stream: name,
      code: 'unknown_object_shape',
      message: `${name}: ${result.reason}; kept raw (ref ${ref}) without evidence. Later ones of this type are kept raw without another warning`,
      objectId: String(target.id ?? ''),
      rawRef: ref,
    });
  };
  if (stream.name === 'events') {
    const data = object.data && typeof object.data === 'object' ? (object.data as StripeRaw) : undefined;
    const inner = data?.object && typeof data.object === 'object' ? (data.object as StripeRaw) : undefined;
    const created = typeof object.created === 'number' ? object.created : 0;
    const { raw, ref } = rawOf(object, env, () => String(object.id));
    out.push({ kind: 'raw', raw, stream: name });
    if (!inner || typeof object.id !== 'string') {
      out.push({
        kind: 'warning',
        stream: name,
        code: 'unknown_object_shape',
        message: `events: event ${String(object.id ?? '(no id)')} has no data.object; kept raw (ref ${ref})`,
        rawRef: ref,
      });
      return;
    }
    // An event's snapshot is that object's version at the event: keyed by the event id, ranked by its time.
    const result = mapStripeObject(
      inner,
      mapContext(env, `${object.id}`, ref, created * 1000, new Date(created * 1000).toISOString()),
    );
    if (result.known) {
      for (const evidence of result.evidence) out.push({ kind: 'evidence', evidence, stream: name });
    } else {
      const type = typeof inner.object === 'string' ? inner.object : '(none)';
      if (!env.warnedTypes.has(`events:${type}`)) {
        env.warnedTypes.add(`events:${type}`);
        out.push({
          kind: 'warning',
          stream: name,
          code: 'unknown_object_shape',
          message: `events: ${result.reason} (event ${object.id}, ${String(object.type)}); kept raw (ref ${ref}). Later events of this type are kept raw without another warning`,
          objectId: String(object.id),
          rawRef: ref,
        });
      }
    }
    return;
  }
  push(object, (ref) => `c${String(object.created)}-${ref.slice(0, 16)}`, env.untilMs);
  // A refund or dispute carries its charge (expanded). A charge older than the window is not listed by the charges
  // stream, so this is how a change to it since the backup is seen; the version names the carrier, so each carrier
  // gives its own evidence and resuming never repeats another stream's.
  if (stream.name === 'refunds' || stream.name === 'disputes') {
    const charge =
      object.charge && typeof object.charge === 'object' ? (object.charge as StripeRaw) : undefined;
    if (charge && typeof charge.created === 'number' && charge.created < env.windowGte) {
      // The charge is read as it stands now, which is at least as late as the refund or dispute that carried it:
      // observed then, not when it was created, so it supersedes a target row written before that change.
      const carriedAt =
        typeof object.created === 'number' ? new Date(object.created * 1000).toISOString() : undefined;
      push(
        charge,
        (ref) => `c${String(charge.created)}-${ref.slice(0, 16)}@${String(object.id)}`,
        env.untilMs,
        carriedAt,
      );
    }
  }
}

async function completeLineItems(env: ReadEnv, session: StripeRaw, signal: AbortSignal): Promise<void> {
  const list = session.line_items as { data?: unknown[]; has_more?: boolean } | undefined;
  if (!list?.has_more || !Array.isArray(list.data)) return;
  const data = [...list.data] as StripeRaw[];
  let more = true;
  while (more) {
    const page = await env.transport.get(
      '/v1/checkout/sessions',
      (options) =>
        env.client.checkout.sessions.listLineItems(
          String(session.id),
          { limit: 100, starting_after: String(data.at(-1)?.id) },
          options,
        ),
      signal,
    );
    data.push(...(page.data as unknown as StripeRaw[]));
    more = page.has_more && page.data.length > 0;
  }
  session.line_items = { ...list, data, has_more: false };
}

async function runSlice(
  env: ReadEnv,
  stream: StripeStream,
  index: number,
  slice: SliceState,
  put: (item: WorkerItem) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let after = slice.after;
  for (;;) {
    const params: Record<string, unknown> = {
      limit: env.config.pageSize,
      created: { gte: slice.gte, lt: slice.lt },
      ...(after ? { starting_after: after } : {}),
      ...(stream.expand.length ? { expand: stream.expand } : {}),
    };
    const page = await env.transport.get(
      stream.path,
      (options) => stream.list(env.client, params, options),
      signal,
    );
    const messages: ConnectorMessage[] = [];
    let dropped = 0;
    for (const item of page.data as StripeRaw[]) {
      if (item.livemode === false && !env.config.includeTestMode) {
        dropped++;
        continue;
      }
      if (stream.name === 'checkout_sessions') await completeLineItems(env, item, signal);
      objectMessages(stream, item, env, messages);
    }
    const last = page.data.at(-1) as StripeRaw | undefined;
    if (last && typeof last.id === 'string') after = last.id;
    const done = !page.has_more || page.data.length === 0;
    await put({
      kind: 'page',
      stream,
      slice: index,
      messages,
      after,
      done,
      objects: page.data.length,
      dropped,
    });
    if (done) return;
  }
}

/**
 * The Stripe connector: reads customers, payment intents, charges, refunds (with their charges), checkout sessions
 * (with line items), invoices, disputes and the last 30 days of events for one business's account, with GET
 * requests only. Each stream's created window is cut into slices paged concurrently within a token-bucket budget
 * (`requestShare` of the account's and of each endpoint's limit); a checkpoint after every page records each slice's
 * cursor, so a killed run resumes without duplicates or gaps.
 */
export function createStripeConnector(deps: StripeConnectorDeps = {}): Connector<StripeConnectorConfig> {
  const makeClient = deps.makeClient ?? defaultMakeClient;
  const random = deps.random ?? Math.random;
  const transportFor = (config: StripeConnectorConfig, budget: RateBudget, ctx: ConnectorContext) =>
    createStripeTransport({
      account: config.account,
      budget,
      policy: { ...config.retry, random },
      onRetry: (error, attempt, delayMs) =>
        ctx.logger.debug({ kind: error.kind, path: error.path, attempt, delayMs }, 'stripe request retried'),
    });
  const budgetFor = (config: StripeConnectorConfig) =>
    deps.budget ??
    createRateBudget(
      config.accountRateLimit * config.requestShare,
      Math.min(config.endpointRateLimit, config.accountRateLimit) * config.requestShare,
    );

  return {
    name: STRIPE_CONNECTOR_NAME,
    version: '1.0.0',
    streams: STRIPE_STREAMS.map((s) => ({ name: s.name, description: s.description })),
    parseConfig: parseStripeConfig,

    async check(config, ctx) {
      const key = ctx.env[config.keyEnv];
      const problem = keyProblem(config, key);
      if (problem) return problem;
      const transport = transportFor(
        { ...config, retry: { ...config.retry, maxAttempts: 3 } },
        budgetFor(config),
        ctx,
      );
      const client = makeClient(key!, config);
      try {
        await transport.get('/v1/customers', (o) => client.customers.list({ limit: 1 }, o), ctx.signal);
      } catch (error) {
        const e = error as StripeRequestError;
        if (e.kind === 'auth') return { ok: false, kind: 'auth', message: authMessage(config) };
        if (e.kind === 'account') return { ok: false, kind: 'permission', message: accountMessage(config) };
        if (e.kind === 'permission')
          return {
            ok: true,
            detail: `the key is valid but lacks ${e.permission ?? 'rak_customer_read'}: the customers stream will fail until it is added`,
          };
        if (e.kind === 'rate_limit')
          return { ok: false, kind: 'rate_limit', message: `${who(config)}: ${e.message}` };
        if (e.kind === 'network' || e.kind === 'malformed' || e.kind === 'server')
          return { ok: false, kind: 'network', message: `${who(config)}: ${e.message}` };
        return { ok: false, kind: 'unknown', message: `${who(config)}: ${e.message}` };
      }
      return matchKeyKind(key!) === 'secret_live'
        ? { ok: true, detail: `${config.keyEnv} ${SECRET_KEY_WARNING}` }
        : { ok: true };
    },

    async *read(config, state, ctx) {
      const key = ctx.env[config.keyEnv];
      const problem = keyProblem(config, key);
      if (problem && !problem.ok) throw new SalvageError(`stripe_${problem.kind}`, problem.message);
      if (matchKeyKind(key!) === 'secret_live')
        yield {
          kind: 'warning',
          stream: STRIPE_STREAMS[0]!.name,
          code: 'full_secret_key',
          message: `${who(config)}: ${config.keyEnv} ${SECRET_KEY_WARNING}`,
        };
      const stop = new AbortController();
      const onAbort = () => stop.abort(ctx.signal?.reason);
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
      const budget = budgetFor(config);
      const transport = transportFor(config, budget, ctx);
      const sinceS = Math.floor(Date.parse(ctx.window.since) / 1000);
      const untilMs = Date.parse(ctx.window.until);
      const untilS = Math.ceil(untilMs / 1000);
      const env: ReadEnv = {
        config,
        ctx,
        client: makeClient(key!, config),
        transport,
        account: config.account ?? 'platform',
        windowGte: sinceS,
        untilMs,
        warnedTypes: new Set(),
      };
      // Enough room for every worker's page plus slack, and no more: memory stays flat.
      const channel = createChannel<WorkerItem>(Math.max(16, STRIPE_STREAMS.length * 2));
      const slicesByStream = new Map<string, SliceState[]>();
      const streamStops = new Map<string, AbortController>();
      const counts = new Map<string, { objects: number; dropped: number; pages: number }>();
      const failed = new Set<string>();
      // Streams with pages yielded since their last checkpoint, and when each last had one (wall clock).
      const dirty = new Set<string>();
      const lastCheckpointMs = new Map<string, number>();
      let workers = 0;
      const pending: StripeStream[] = [];
      for (const stream of STRIPE_STREAMS) {
        const gte = stream.recentOnly
          ? Math.max(sinceS, Math.floor(ctx.now().getTime() / 1000) - EVENT_RETENTION_S)
          : sinceS;
        const slices = resumeSlices(state[stream.name], gte, untilS, config.slicesPerStream);
        slicesByStream.set(stream.name, slices);
        counts.set(stream.name, { objects: 0, dropped: 0, pages: 0 });
        const streamStop = new AbortController();
        streamStops.set(stream.name, streamStop);
        const signal = AbortSignal.any([stop.signal, streamStop.signal]);
        // Every waiting request of every slice listens on it.
        setMaxListeners(0, signal);
        let started = 0;
        slices.forEach((slice, index) => {
          if (slice.done) return;
          started++;
          workers++;
          runSlice(env, stream, index, slice, (item) => channel.put(item), signal).then(
            () => channel.put({ kind: 'end', stream, slice: index }).catch(() => {}),
            (error: unknown) => channel.put({ kind: 'end', stream, slice: index, error }).catch(() => {}),
          );
        });
        if (started === 0) pending.push(stream);
      }
      const checkpoint = (stream: StripeStream): ConnectorMessage => ({
        kind: 'checkpoint',
        stream: stream.name,
        state: {
          v: 1,
          slices: slicesByStream.get(stream.name)!.map((s) => ({ ...s })),
        } satisfies StreamCheckpoint,
      });
      const finish = (stream: StripeStream): ConnectorMessage[] => {
        const c = counts.get(stream.name)!;
        const out: ConnectorMessage[] = [];
        if (c.dropped > 0)
          out.push({
            kind: 'warning',
            stream: stream.name,
            code: 'test_mode_dropped',
            message: `${stream.name}: dropped ${c.dropped} test-mode objects (livemode false); set stripe.includeTestMode: true to keep them`,
          });
        out.push({ kind: 'stream_status', stream: stream.name, status: 'succeeded' });
        return out;
      };
      try {
        for (const stream of pending) yield* finish(stream);
        while (workers > 0) {
          const item = await channel.take();
          const slices = slicesByStream.get(item.stream.name)!;
          if (item.kind === 'page') {
            if (failed.has(item.stream.name)) continue;
            yield* item.messages;
            const slice = slices[item.slice]!;
            if (item.after !== undefined) slice.after = item.after;
            slice.done = item.done;
            const c = counts.get(item.stream.name)!;
            c.objects += item.objects;
            c.dropped += item.dropped;
            c.pages++;
            const nowMs = Date.now();
            const last = lastCheckpointMs.get(item.stream.name) ?? 0;
            if (nowMs - last >= config.checkpointIntervalMs || slices.every((s) => s.done)) {
              lastCheckpointMs.set(item.stream.name, nowMs);
              dirty.delete(item.stream.name);
              yield checkpoint(item.stream);
            } else dirty.add(item.stream.name);
            yield { kind: 'progress', stream: item.stream.name, done: c.objects, unit: 'objects' };
            continue;
          }
          workers--;
          if (failed.has(item.stream.name)) continue;
          if (item.error !== undefined) {
            if (stop.signal.aborted) continue;
            const e = item.error instanceof StripeRequestError ? item.error : null;
            if (e?.kind === 'auth') throw new SalvageError('stripe_auth', authMessage(config), { cause: e });
            if (e?.kind === 'account')
              throw new SalvageError('stripe_account', accountMessage(config), { cause: e });
            failed.add(item.stream.name);
            streamStops.get(item.stream.name)!.abort();
            const message =
              e?.kind === 'permission'
                ? permissionMessage(item.stream, e, config)
                : `${who(config)}: ${item.stream.name} stopped: ${e ? e.message : String(item.error)}; pull again to resume from the last checkpoint`;
            // Keep what was read before the failure, so the next pull resumes after it.
            if (dirty.delete(item.stream.name)) yield checkpoint(item.stream);
            yield { kind: 'stream_status', stream: item.stream.name, status: 'failed', message };
            continue;
          }
          if (slices.every((s) => s.done)) {
            if (dirty.delete(item.stream.name)) yield checkpoint(item.stream);
            yield* finish(item.stream);
          }
        }
      } finally {
        stop.abort();
        channel.close(new Error('read ended'));
        ctx.signal?.removeEventListener('abort', onAbort);
        deps.onStats?.(transport.stats);
      }
    },
  };
}
