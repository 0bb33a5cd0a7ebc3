import { SalvageError } from '@salvage/core';
import type { gmail_v1 } from 'googleapis';
import type { QuotaBudget } from './quota-budget.ts';

/** One Gmail message in raw form, with its id, historyId and internalDate. */
export interface GmailMessage {
  id: string;
  historyId: string | null;
  raw: Buffer;
  internalDate: string | null;
}

/**
 * Where a Gmail read got to. A first run lists (phase 'list', resumable by page token); once it has finished, later
 * runs ask history.list for what changed since `historyId`.
 */
export interface GmailCheckpoint {
  phase: 'list' | 'history';
  historyId: string | null;
  pageToken?: string;
}

export type GmailEvent =
  | { kind: 'batch'; messages: GmailMessage[]; checkpoint: GmailCheckpoint; done: number }
  /** The stored historyId is older than Gmail keeps (about a week): listing again instead. */
  | { kind: 'history_expired'; historyId: string };

export interface FetchGmailOptions {
  gmail: gmail_v1.Gmail;
  userId: string;
  since: Date;
  until: Date;
  checkpoint: GmailCheckpoint | null;
  budget: QuotaBudget;
  /** Results per list/history page (default 500, Gmail's maximum). */
  pageSize?: number;
  /** messages.get calls in flight at once (default 8). */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Quota units per method, from https://developers.google.com/gmail/api/reference/quota */
export const GMAIL_UNITS = { list: 5, get: 5, history: 2 } as const;
const DAY_MS = 86_400_000;

/**
 * Reads a Gmail mailbox, read-only: a first run lists with an `after:` query (a day early; then filtered on
 * internalDate) page by page and gets each message with format=raw within the quota budget; later runs page through
 * history.list from the stored historyId, and fall back to a list when Gmail answers 404 for it.
 */
export async function* fetchGmail(options: FetchGmailOptions): AsyncGenerator<GmailEvent> {
  const { gmail, userId, budget } = options;
  let cp = options.checkpoint;
  let done = 0;
  if (cp?.phase === 'history' && cp.historyId) {
    let pageToken: string | undefined;
    let latest = cp.historyId;
    let expired = false;
    for (;;) {
      options.signal?.throwIfAborted();
      await budget.take(GMAIL_UNITS.history);
      let res: gmail_v1.Schema$ListHistoryResponse;
      try {
        res = (
          await gmail.users.history.list({
            userId,
            startHistoryId: cp.historyId,
            historyTypes: ['messageAdded'],
            maxResults: options.pageSize ?? 500,
            ...(pageToken ? { pageToken } : {}),
          })
        ).data;
      } catch (error) {
        if (statusOf(error) === 404) {
          expired = true;
          break;
        }
        throw wrapGmailError(error, 'users.history.list');
      }
      const ids = new Set<string>();
      for (const h of res.history ?? [])
        for (const added of h.messagesAdded ?? []) if (added.message?.id) ids.add(added.message.id);
      const messages = await getAll(options, [...ids]);
      if (res.historyId) latest = maxHistoryId(latest, res.historyId);
      for (const m of messages) if (m.historyId) latest = maxHistoryId(latest, m.historyId);
      done += messages.length;
      pageToken = res.nextPageToken ?? undefined;
      // Only the last page's historyId covers everything; mid-way, keep the start so a resume re-reads the rest.
      const checkpoint: GmailCheckpoint = pageToken ? cp : { phase: 'history', historyId: latest };
      yield { kind: 'batch', messages: inWindow(messages, options), checkpoint, done };
      if (!pageToken) return;
    }
    if (expired) {
      yield { kind: 'history_expired', historyId: cp.historyId };
      cp = null;
    }
  }
  let pageToken = cp?.phase === 'list' ? cp.pageToken : undefined;
  let latest = cp?.phase === 'list' ? cp.historyId : null;
  const after = Math.floor((options.since.getTime() - DAY_MS) / 1000);
  const before = Math.floor((options.until.getTime() + DAY_MS) / 1000);
  for (;;) {
    options.signal?.throwIfAborted();
    await budget.take(GMAIL_UNITS.list);
    let res: gmail_v1.Schema$ListMessagesResponse;
    try {
      res = (
        await gmail.users.messages.list({
          userId,
          q: `after:${after} before:${before}`,
          maxResults: options.pageSize ?? 500,
          ...(pageToken ? { pageToken } : {}),
        })
      ).data;
    } catch (error) {
      throw wrapGmailError(error, 'users.messages.list');
    }
    const messages = await getAll(
      options,
      (res.messages ?? []).map((m) => m.id).filter((id): id is string => Boolean(id)),
    );
    for (const m of messages) if (m.historyId) latest = maxHistoryId(latest, m.historyId);
    done += messages.length;
    pageToken = res.nextPageToken ?? undefined;
    const checkpoint: GmailCheckpoint = pageToken
      ? { phase: 'list', historyId: latest, pageToken }
      : { phase: 'history', historyId: latest };
    yield { kind: 'batch', messages: inWindow(messages, options), checkpoint, done };
    if (!pageToken) return;
  }
}

function inWindow(messages: GmailMessage[], options: FetchGmailOptions): GmailMessage[] {
  return messages.filter((m) => {
    if (!m.internalDate) return true;
    const t = Date.parse(m.internalDate);
    return t >= options.since.getTime() && t < options.until.getTime();
  });
}

async function getAll(options: FetchGmailOptions, ids: string[]): Promise<GmailMessage[]> {
  const out: (GmailMessage | null)[] = new Array(ids.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      const id = ids[i] as string;
      await options.budget.take(GMAIL_UNITS.get);
      try {
        const { data } = await options.gmail.users.messages.get({
          userId: options.userId,
          id,
          format: 'raw',
        });
        if (!data.raw) continue;
        const ms = Number(data.internalDate);
        out[i] = {
          id,
          historyId: data.historyId ?? null,
          raw: Buffer.from(data.raw, 'base64url'),
          internalDate: Number.isFinite(ms) && data.internalDate ? new Date(ms).toISOString() : null,
        };
      } catch (error) {
        // A message deleted between list and get is gone, not a failure of the run.
        if (statusOf(error) === 404) continue;
        throw wrapGmailError(error, 'users.messages.get');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, ids.length) }, worker));
  return out.filter((m): m is GmailMessage => m !== null);
}

function maxHistoryId(a: string | null, b: string): string {
  if (!a) return b;
  return BigInt(b) > BigInt(a) ? b : a;
}

function statusOf(error: unknown): number | undefined {
  const e = error as { status?: number; code?: number | string; response?: { status?: number } };
  const s = e?.response?.status ?? e?.status ?? (typeof e?.code === 'number' ? e.code : Number(e?.code));
  return Number.isFinite(s) ? Number(s) : undefined;
}

/** Wraps a googleapis error once: method and status kept, token and body dropped. */
export function wrapGmailError(error: unknown, method: string): SalvageError {
  const status = statusOf(error);
  const code =
    status === 401
      ? 'gmail_auth'
      : status === 403
        ? 'gmail_permission'
        : status === 429
          ? 'gmail_rate_limited'
          : 'gmail_failed';
  const what =
    status === 401
      ? 'the token was refused: get a fresh token with the gmail.readonly scope'
      : status === 403
        ? 'the token lacks the gmail.readonly scope or the quota is exhausted'
        : `failed${status ? ` with HTTP ${status}` : ''}`;
  return new SalvageError(code, `Gmail ${method} ${what}`, { cause: error });
}
