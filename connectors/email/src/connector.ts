import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  ConnectorMessage,
  ParseResult,
  StreamDescriptor,
} from '@salvage/connector-kit';
import {
  type EmailSourcesConfig,
  emailSourcesSchema,
  type GmailSourceConfig,
  type ImapSourceConfig,
  normalizeEmail,
  type SourceKind,
} from '@salvage/core';
import { type gmail_v1, google } from 'googleapis';
import { ImapFlow } from 'imapflow';
import { listEmlFiles } from './eml-reader.ts';
import { extractMessage, type MessageOrigin, messageKey } from './extract-message.ts';
import { fetchGmail, type GmailCheckpoint } from './gmail-transport.ts';
import { fetchImapMailbox, type ImapCheckpoint, wrapImapError } from './imap-transport.ts';
import { listMaildir, readMaildirFile } from './maildir-reader.ts';
import { readMbox } from './mbox-reader.ts';
import { createMessagePool, type ReadMessage } from './message-pool.ts';
import { type ParsedMessage, parseMessage } from './parse-message.ts';
import { createQuotaBudget } from './quota-budget.ts';

/** The connector's config: a business's `email` block (see @salvage/core's config schema). */
export type EmailConnectorConfig = EmailSourcesConfig;

/** What the connector is built from; every field has a production default, tests pass their own. */
export interface EmailConnectorDeps {
  /** A new, unconnected IMAP client for a source (called again after each dropped connection). */
  makeImapClient?: (source: ImapSourceConfig, password: string) => ImapFlow;
  /** A Gmail API client for a source and token. */
  makeGmail?: (source: GmailSourceConfig, token: string) => gmail_v1.Gmail;
  /** Gmail quota units per second this pull may spend (default 100 of the 250 Gmail allows per user). */
  gmailUnitsPerSecond?: number;
  /** UIDs per IMAP FETCH (default 250). */
  imapBatchSize?: number;
  /** Gmail list/history page size (default 500). */
  gmailPageSize?: number;
  /** The config this connector will read, when known: `streams` then lists its actual streams, not the families. */
  sources?: EmailSourcesConfig;
  /**
   * Worker threads that parse and extract messages while this thread reads the next ones (default 0: all in this
   * thread). The output is the same either way; 1 pays off on a machine with a core to spare.
   */
  messageWorkers?: number;
}

// Messages handed to the worker pool ahead of the one being yielded: enough to keep a worker busy across a fetch.
const READ_AHEAD = 500;

/** Per-stream counts, printed by `salvage pull` and kept in the stream's status message. */
export interface EmailStreamSummary {
  read: number;
  extracted: number;
  unparsed: number;
  /** Messages read with a problem that did not stop extraction (bad Date, broken base64 part...). */
  withProblems: number;
  duplicates: number;
  outsideWindow: number;
  byRule: Record<string, number>;
  problems: Record<string, number>;
}

export const EMAIL_CONNECTOR_NAME = 'email';
export const EMAIL_CONNECTOR_VERSION = '1.0.0';

/** Stream families; actual stream names add the account and mailbox, e.g. `imap:owner@127.0.0.1/INBOX`. */
export const EMAIL_STREAMS: readonly StreamDescriptor[] = [
  {
    name: 'imap',
    description: 'one stream per IMAP mailbox (EXAMINE, by UID, checkpoint UIDVALIDITY + last UID)',
  },
  { name: 'gmail', description: 'one stream per Gmail user (list with after:, then history.list)' },
  { name: 'mbox', description: 'one stream per mbox file (Google Takeout), checkpoint byte offset' },
  { name: 'maildir', description: 'one stream per Maildir root, checkpoint last file key' },
  { name: 'eml', description: 'one stream per .eml file or directory, checkpoint last path' },
];

/** A message read in this thread (extracted later, only if new) or in a worker (extracted there). */
type MessageRead = { parsed: ParsedMessage; extraction?: undefined } | ReadMessage;

type SourceItem =
  | { kind: 'message'; raw: Buffer; origin: MessageOrigin }
  | { kind: 'checkpoint'; state: unknown; done?: number; total?: number }
  | { kind: 'warning'; code: string; message: string };

interface StreamPlan {
  name: string;
  sourceKind: SourceKind;
  items: (state: unknown) => AsyncIterable<SourceItem>;
}

/** The stream names a config reads: `imap:<user>@<host>/<mailbox>`, `gmail:<user>`, `mbox:<path>`... Stable, stored. */
export function emailStreamNames(config: EmailSourcesConfig): string[] {
  return [
    ...config.imap.flatMap((s) => s.mailboxes.map((m) => `imap:${s.user}@${s.host}/${m}`)),
    ...config.gmail.map((s) => `gmail:${s.userId}`),
    ...config.mbox.map((p) => `mbox:${p}`),
    ...config.maildir.map((p) => `maildir:${p}`),
    ...config.eml.map((p) => `eml:${p}`),
  ];
}

/** The business's own addresses: `ownAddresses`, plus IMAP users and Gmail users that are addresses; lower case. */
export function ownAddressesOf(config: EmailSourcesConfig): Set<string> {
  const out = new Set<string>();
  for (const a of [
    ...config.ownAddresses,
    ...config.imap.map((s) => s.user),
    ...config.gmail.map((s) => s.userId),
  ]) {
    const e = normalizeEmail(a);
    if (e) out.add(e);
  }
  return out;
}

/** Renders a stream summary as one line: `read 120, extracted 80, unparsed 2; by rule: ics 30, generic 50`. */
export function formatEmailSummary(s: EmailStreamSummary): string {
  const rules = Object.entries(s.byRule)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const problems = Object.entries(s.problems)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `read ${s.read}, extracted ${s.extracted}, unparsed ${s.unparsed}, with problems ${s.withProblems}, ` +
    `duplicates ${s.duplicates}, outside window ${s.outsideWindow}` +
    (rules ? `; by rule: ${rules}` : '') +
    (problems ? `; problems: ${problems}` : '')
  );
}

/**
 * The email connector: IMAP mailboxes, Gmail, mbox files, Maildir folders and loose .eml files, read-only, each a
 * stream with its own checkpoint; messages become evidence through calendar parts, template rules and generic
 * signals. Bad messages become warnings with their raw bytes kept, never a stopped run.
 */
export function createEmailConnector(deps: EmailConnectorDeps = {}): Connector<EmailConnectorConfig> {
  const makeImapClient = deps.makeImapClient ?? defaultImapClient;
  const makeGmail = deps.makeGmail ?? defaultGmail;

  const plans = (config: EmailConnectorConfig, ctx: ConnectorContext): StreamPlan[] => {
    const since = new Date(ctx.window.since);
    const until = new Date(ctx.window.until);
    const out: StreamPlan[] = [];
    for (const src of config.imap) {
      const account = `${src.user}@${src.host}`;
      for (const mailbox of src.mailboxes) {
        out.push({
          name: `imap:${account}/${mailbox}`,
          sourceKind: 'imap',
          items: (state) =>
            imapItems(
              src,
              mailbox,
              account,
              state as ImapCheckpoint | null,
              since,
              until,
              ctx,
              makeImapClient,
              deps,
            ),
        });
      }
    }
    for (const src of config.gmail) {
      out.push({
        name: `gmail:${src.userId}`,
        sourceKind: 'gmail',
        items: (state) =>
          gmailItems(src, state as GmailCheckpoint | null, since, until, ctx, makeGmail, deps),
      });
    }
    for (const path of config.mbox)
      out.push({
        name: `mbox:${path}`,
        sourceKind: 'mbox',
        items: (s) => mboxItems(path, s as MboxState | null),
      });
    for (const path of config.maildir)
      out.push({
        name: `maildir:${path}`,
        sourceKind: 'maildir',
        items: (s) => maildirItems(path, s as { afterKey: string } | null),
      });
    for (const path of config.eml)
      out.push({
        name: `eml:${path}`,
        sourceKind: 'eml',
        items: (s) => emlItems(path, s as { afterPath: string } | null),
      });
    return out;
  };

  const checkImap = async (src: ImapSourceConfig, ctx: ConnectorContext): Promise<CheckResult> => {
    const password = ctx.env[src.passwordEnv];
    if (!password)
      return { ok: false, kind: 'config', message: `environment variable ${src.passwordEnv} is not set` };
    const client = makeImapClient(src, password);
    client.on('error', () => {});
    try {
      await client.connect();
      for (const mailbox of src.mailboxes) {
        const status = await client.status(mailbox, { uidValidity: true }).catch(() => null);
        if (!status)
          return {
            ok: false,
            kind: 'config',
            message: `IMAP mailbox ${mailbox} does not exist on ${src.host}`,
          };
      }
      await client.logout();
      return { ok: true };
    } catch (error) {
      const e = error as { authenticationFailed?: boolean; code?: string };
      if (e.authenticationFailed)
        return { ok: false, kind: 'auth', message: `IMAP login as ${src.user} on ${src.host} was refused` };
      return {
        ok: false,
        kind: 'network',
        message: `cannot reach IMAP ${src.host}:${src.port}: ${e.code ?? (error as Error).message}`,
      };
    } finally {
      client.close();
    }
  };

  const checkGmail = async (src: GmailSourceConfig, ctx: ConnectorContext): Promise<CheckResult> => {
    const token = ctx.env[src.tokenEnv];
    if (!token)
      return { ok: false, kind: 'config', message: `environment variable ${src.tokenEnv} is not set` };
    try {
      await makeGmail(src, token).users.messages.list({ userId: src.userId, maxResults: 1 });
      return { ok: true };
    } catch (error) {
      const status = (error as { response?: { status?: number } }).response?.status;
      if (status === 401) return { ok: false, kind: 'auth', message: 'Gmail refused the token' };
      if (status === 403)
        return { ok: false, kind: 'permission', message: 'the Gmail token lacks the gmail.readonly scope' };
      return { ok: false, kind: 'network', message: `Gmail is unreachable: ${(error as Error).message}` };
    }
  };

  const checkEach = async (config: EmailConnectorConfig, ctx: ConnectorContext): Promise<CheckResult[]> => {
    const out: CheckResult[] = [];
    for (const src of config.imap) out.push(await checkImap(src, ctx));
    for (const src of config.gmail) out.push(await checkGmail(src, ctx));
    for (const path of [...config.mbox, ...config.maildir, ...config.eml])
      out.push(
        existsSync(path) ? { ok: true } : { ok: false, kind: 'config', message: `${path} does not exist` },
      );
    return out;
  };

  return {
    name: EMAIL_CONNECTOR_NAME,
    version: EMAIL_CONNECTOR_VERSION,
    streams: deps.sources
      ? emailStreamNames(deps.sources).map((name) => ({
          name,
          description: EMAIL_STREAMS.find((f) => name.startsWith(`${f.name}:`))?.description ?? name,
        }))
      : EMAIL_STREAMS,

    parseConfig(raw: unknown): ParseResult<EmailConnectorConfig> {
      const r = emailSourcesSchema.safeParse(raw);
      if (r.success) return { ok: true, config: r.data };
      return {
        ok: false,
        issues: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      };
    },

    async check(config, ctx): Promise<CheckResult> {
      // One unusable source must not stop the others (their streams report it): fail only when none is usable.
      const failures: Extract<CheckResult, { ok: false }>[] = [];
      let usable = 0;
      for (const r of await checkEach(config, ctx)) {
        if (r.ok) usable++;
        else failures.push(r);
      }
      if (usable === 0 && failures[0]) return failures[0];
      return failures.length === 0
        ? { ok: true }
        : { ok: true, detail: failures.map((f) => `${f.kind}: ${f.message}`).join('; ') };
    },

    async *read(config, state, ctx): AsyncIterable<ConnectorMessage> {
      const seen = new Set<string>();
      const ownAddresses = ownAddressesOf(config);
      const since = Date.parse(ctx.window.since);
      const until = Date.parse(ctx.window.until);
      const extractContext = { business: ctx.business, rules: config.rules, ownAddresses };
      const pool = deps.messageWorkers ? createMessagePool(deps.messageWorkers, extractContext) : null;
      try {
        for (const plan of plans(config, ctx)) {
          const summary: EmailStreamSummary = {
            read: 0,
            extracted: 0,
            unparsed: 0,
            withProblems: 0,
            duplicates: 0,
            outsideWindow: 0,
            byRule: {},
            problems: {},
          };
          // Synchronous, and given the message already read: an async generator per message cost a promise per
          // yielded item on top of the one `read` pays anyway.
          const handle = (item: SourceItem, read?: MessageRead): ConnectorMessage[] => {
            if (item.kind === 'checkpoint')
              return [
                { kind: 'checkpoint', stream: plan.name, state: item.state },
                {
                  kind: 'progress',
                  stream: plan.name,
                  done: item.done ?? summary.read,
                  ...(item.total !== undefined ? { total: item.total } : {}),
                  unit: 'messages',
                },
              ];
            if (item.kind === 'warning')
              return [{ kind: 'warning', stream: plan.name, code: item.code, message: item.message }];
            summary.read++;
            const parsed = (read as MessageRead).parsed;
            const key = messageKey(parsed);
            if (seen.has(key)) {
              summary.duplicates++;
              return [];
            }
            // A copy, not the key itself: its Message-ID can be a V8 slice of the whole message's latin1 text, which
            // the set would then keep alive for the run (2.3 KB a message, unbounded RSS at 100k messages).
            seen.add(Buffer.from(key, 'utf8').toString('utf8'));
            const when = Date.parse(parsed.date ?? item.origin.receivedAt ?? '');
            // IMAP and Gmail already filtered on the server's time; exports are filtered here, on the message date.
            if (
              plan.sourceKind !== 'imap' &&
              plan.sourceKind !== 'gmail' &&
              Number.isFinite(when) &&
              (when < since || when >= until)
            ) {
              summary.outsideWindow++;
              return [];
            }
            const result =
              (read as MessageRead).extraction ??
              extractMessage(parsed as ParsedMessage, item.origin, extractContext);
            const problems =
              result.problems.length > 0 ? [...parsed.problems, ...result.problems] : parsed.problems;
            if (parsed.unreadable) summary.unparsed++;
            else if (problems.length > 0) summary.withProblems++;
            for (const p of problems) summary.problems[p.code] = (summary.problems[p.code] ?? 0) + 1;
            for (const rule in result.byRule)
              summary.byRule[rule] = (summary.byRule[rule] ?? 0) + (result.byRule[rule] as number);
            if (result.evidence.length > 0) summary.extracted++;
            const out: ConnectorMessage[] = [];
            if (result.evidence.length > 0 || problems.length > 0) {
              const source = result.evidence[0]?.source ?? {
                kind: item.origin.kind,
                account: item.origin.account,
                objectId: parsed.messageId ? `<${parsed.messageId}>` : `body:${parsed.bodyHash.slice(0, 32)}`,
                version: parsed.bodyHash.slice(0, 32),
              };
              out.push({
                kind: 'raw',
                raw: { ref: parsed.rawHash, mediaType: 'message/rfc822', body: item.raw, source },
              });
            }
            if (problems.length > 0) {
              out.push({
                kind: 'warning',
                stream: plan.name,
                code: parsed.unreadable ? 'unparseable_message' : 'message_problem',
                message: `${item.origin.location}: ${problems.map((p) => `${p.code} (${p.detail})`).join('; ')}; the raw message is kept under ${parsed.rawHash.slice(0, 12)}`,
                objectId: item.origin.location,
                rawRef: parsed.rawHash,
              });
            }
            for (const evidence of result.evidence) out.push({ kind: 'evidence', evidence });
            return out;
          };
          // Names the stream before its first evidence, so everything until its next checkpoint is counted to it.
          yield { kind: 'progress', stream: plan.name, done: 0, unit: 'messages' };
          try {
            // With a pool, messages go to the workers as they arrive and are handled here in arrival order, so
            // checkpoints still follow the evidence they cover.
            const ahead: { item: SourceItem; inWorker?: Promise<ReadMessage> }[] = [];
            for await (const item of plan.items(state[plan.name] ?? null)) {
              ctx.signal?.throwIfAborted();
              if (!pool) {
                // In this thread the message is extracted only once it is known to be new and in the window.
                const read = item.kind === 'message' ? { parsed: await parseMessage(item.raw) } : undefined;
                for (const m of handle(item, read)) yield m;
                continue;
              }
              const inWorker = item.kind === 'message' ? pool.read(item.raw, item.origin) : undefined;
              // Awaited in order below; until then a failure must not count as unhandled.
              inWorker?.catch(() => {});
              ahead.push(inWorker ? { item, inWorker } : { item });
              while (ahead.length > READ_AHEAD) {
                const next = ahead.shift() as (typeof ahead)[number];
                const read = next.inWorker ? await next.inWorker : undefined;
                for (const m of handle(next.item, read)) yield m;
              }
            }
            for (const next of ahead.splice(0)) {
              ctx.signal?.throwIfAborted();
              const read = next.inWorker ? await next.inWorker : undefined;
              for (const m of handle(next.item, read)) yield m;
            }
            yield {
              kind: 'stream_status',
              stream: plan.name,
              status: 'succeeded',
              message: formatEmailSummary(summary),
            };
          } catch (error) {
            if (ctx.signal?.aborted) throw error;
            ctx.logger.error(
              { stream: plan.name, code: (error as { code?: string }).code },
              'email stream failed',
            );
            yield {
              kind: 'stream_status',
              stream: plan.name,
              status: 'failed',
              message: `${(error as Error).message}; ${formatEmailSummary(summary)}`,
            };
          }
        }
      } finally {
        await pool?.close();
      }
    },
  };
}

function defaultImapClient(source: ImapSourceConfig, password: string): ImapFlow {
  const ca = source.caFile ? [readFileSync(source.caFile, 'utf8')] : undefined;
  return new ImapFlow({
    host: source.host,
    port: source.port,
    secure: source.secure,
    auth: { user: source.user, pass: password },
    logger: false,
    // Without this imapflow upgrades a plain connection with STARTTLS whenever the server offers it.
    doSTARTTLS: source.secure ? undefined : source.rejectUnauthorized ? undefined : false,
    tls: { rejectUnauthorized: source.rejectUnauthorized, ...(ca ? { ca } : {}) },
    disableAutoIdle: true,
  });
}

function defaultGmail(source: GmailSourceConfig, token: string): gmail_v1.Gmail {
  const auth = new google.auth.OAuth2();
  auth.setCredentials({ access_token: token });
  return google.gmail({ version: 'v1', auth, ...(source.rootUrl ? { rootUrl: source.rootUrl } : {}) });
}

async function* imapItems(
  src: ImapSourceConfig,
  mailbox: string,
  account: string,
  checkpoint: ImapCheckpoint | null,
  since: Date,
  until: Date,
  ctx: ConnectorContext,
  makeClient: (source: ImapSourceConfig, password: string) => ImapFlow,
  deps: EmailConnectorDeps,
): AsyncIterable<SourceItem> {
  const password = ctx.env[src.passwordEnv];
  if (!password)
    throw wrapImapError(new Error(`environment variable ${src.passwordEnv} is not set`), mailbox);
  const outbound = /sent/i.test(mailbox);
  for await (const ev of fetchImapMailbox({
    makeClient: () => makeClient(src, password),
    mailbox,
    since,
    until,
    checkpoint,
    ...(deps.imapBatchSize ? { batchSize: deps.imapBatchSize } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })) {
    if (ev.kind === 'uidvalidity_changed') {
      yield {
        kind: 'warning',
        code: 'uidvalidity_changed',
        message: `IMAP mailbox ${mailbox}: UIDVALIDITY changed from ${ev.previous} to ${ev.current}; reading it again from the start (evidence ids do not change)`,
      };
    } else if (ev.kind === 'reconnect') {
      ctx.logger.warn(
        { mailbox, attempt: ev.attempt },
        'IMAP connection dropped; reconnecting with a new client',
      );
    } else {
      for (const m of ev.messages) {
        yield {
          kind: 'message',
          raw: m.source,
          origin: {
            kind: 'imap',
            account,
            location: `${mailbox}/${ev.checkpoint.uidValidity}/${m.uid}`,
            receivedAt: m.internalDate,
            outbound,
          },
        };
      }
      yield { kind: 'checkpoint', state: ev.checkpoint, done: ev.done, total: ev.total };
    }
  }
}

async function* gmailItems(
  src: GmailSourceConfig,
  checkpoint: GmailCheckpoint | null,
  since: Date,
  until: Date,
  ctx: ConnectorContext,
  makeGmail: (source: GmailSourceConfig, token: string) => gmail_v1.Gmail,
  deps: EmailConnectorDeps,
): AsyncIterable<SourceItem> {
  const token = ctx.env[src.tokenEnv];
  if (!token) throw new Error(`environment variable ${src.tokenEnv} is not set`);
  for await (const ev of fetchGmail({
    gmail: makeGmail(src, token),
    userId: src.userId,
    since,
    until,
    checkpoint,
    budget: createQuotaBudget(deps.gmailUnitsPerSecond ?? 100),
    ...(deps.gmailPageSize ? { pageSize: deps.gmailPageSize } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })) {
    if (ev.kind === 'history_expired') {
      yield {
        kind: 'warning',
        code: 'gmail_history_expired',
        message: `Gmail no longer has history from ${ev.historyId} (it keeps about a week); listing the mailbox again`,
      };
      continue;
    }
    for (const m of ev.messages) {
      yield {
        kind: 'message',
        raw: m.raw,
        origin: {
          kind: 'gmail',
          account: src.userId,
          location: `gmail/${m.id}`,
          receivedAt: m.internalDate,
          outbound: false,
        },
      };
    }
    yield { kind: 'checkpoint', state: ev.checkpoint, done: ev.done };
  }
}

interface MboxState {
  offset: number;
  size: number;
}

async function* mboxItems(path: string, state: MboxState | null): AsyncIterable<SourceItem> {
  const size = (await stat(path)).size;
  // A file shorter than where we stopped was replaced: read it all again (evidence ids dedupe the overlap).
  const start = state && state.size <= size ? state.offset : 0;
  const outbound = /sent/i.test(basename(path));
  let n = 0;
  for await (const m of readMbox(path, start)) {
    yield {
      kind: 'message',
      raw: m.raw,
      origin: {
        kind: 'mbox',
        account: path,
        location: `${basename(path)}@${m.offset}`,
        receivedAt: m.storedAt,
        outbound,
      },
    };
    if (++n % 200 === 0) yield { kind: 'checkpoint', state: { offset: m.nextOffset, size }, done: n };
  }
  yield { kind: 'checkpoint', state: { offset: size, size }, done: n };
}

async function* maildirItems(root: string, state: { afterKey: string } | null): AsyncIterable<SourceItem> {
  const files = await listMaildir(root, state?.afterKey);
  let n = 0;
  for (const f of files) {
    const { raw, deliveredAt } = await readMaildirFile(f);
    yield {
      kind: 'message',
      raw,
      origin: {
        kind: 'maildir',
        account: root,
        location: f.key,
        receivedAt: deliveredAt,
        outbound: /sent/i.test(f.folder),
      },
    };
    if (++n % 200 === 0 || n === files.length)
      yield { kind: 'checkpoint', state: { afterKey: f.key }, done: n, total: files.length };
  }
}

async function* emlItems(path: string, state: { afterPath: string } | null): AsyncIterable<SourceItem> {
  const files = await listEmlFiles(path, state?.afterPath);
  let n = 0;
  for (const file of files) {
    const raw = await readFile(file);
    const mtime = (await stat(file)).mtime.toISOString();
    yield {
      kind: 'message',
      raw,
      origin: { kind: 'eml', account: path, location: basename(file), receivedAt: mtime, outbound: false },
    };
    if (++n % 200 === 0 || n === files.length)
      yield { kind: 'checkpoint', state: { afterPath: file }, done: n, total: files.length };
  }
}
