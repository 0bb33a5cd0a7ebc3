import { SalvageError } from '@salvage/core';
import type { ImapFlow } from 'imapflow';

/** One message as the server holds it: its UID, raw bytes and INTERNALDATE. */
export interface ImapMessage {
  uid: number;
  source: Buffer;
  internalDate: string | null;
}

/** Where a mailbox read got to: UIDs are only meaningful within one UIDVALIDITY. */
export interface ImapCheckpoint {
  uidValidity: string;
  lastUid: number;
}

export type ImapEvent =
  | { kind: 'batch'; messages: ImapMessage[]; checkpoint: ImapCheckpoint; done: number; total: number }
  /** The server renumbered the mailbox: everything is read again from UID 1. */
  | { kind: 'uidvalidity_changed'; previous: string; current: string }
  | { kind: 'reconnect'; attempt: number; reason: string };

export interface FetchMailboxOptions {
  /** Makes a new, unconnected client. Called again after a dropped connection: an ImapFlow client is single-use. */
  makeClient: () => ImapFlow;
  mailbox: string;
  /** Read messages the server received in [since, until). */
  since: Date;
  until: Date;
  checkpoint: ImapCheckpoint | null;
  /** UIDs per FETCH (default 250). */
  batchSize?: number;
  /** Reconnects in a row without progress before giving up (default 5). */
  maxReconnects?: number;
  signal?: AbortSignal;
}

const DAY_MS = 86_400_000;

/**
 * Reads one mailbox, read-only: EXAMINE (never SELECT), UID SEARCH SINCE a day early (SINCE has day granularity) and
 * then filters on INTERNALDATE, FETCH BODY.PEEK[] by UID in batches, a checkpoint after each batch. A UIDVALIDITY
 * different from the checkpoint's forces a clean re-read. A dropped connection is retried with a new client from the
 * last checkpoint. No other command ever runs while a FETCH is streaming (imapflow deadlocks on that).
 */
export async function* fetchImapMailbox(options: FetchMailboxOptions): AsyncGenerator<ImapEvent> {
  const batchSize = options.batchSize ?? 250;
  const maxReconnects = options.maxReconnects ?? 5;
  let state = options.checkpoint;
  let failures = 0;
  let done = 0;
  for (;;) {
    const client = options.makeClient();
    // A dropped socket is reported both as an 'error' event and as a rejected command; the command is what we act on.
    client.on('error', () => {});
    try {
      await client.connect();
      const opened = await client.mailboxOpen(options.mailbox, { readOnly: true });
      const uidValidity = String(opened.uidValidity);
      if (state && state.uidValidity !== uidValidity) {
        yield { kind: 'uidvalidity_changed', previous: state.uidValidity, current: uidValidity };
        state = null;
        done = 0;
      }
      const lastUid = state?.lastUid ?? 0;
      const sinceDay = new Date(options.since.getTime() - DAY_MS);
      const found = await client.search(
        { since: sinceDay, before: new Date(options.until.getTime() + DAY_MS), uid: `${lastUid + 1}:*` },
        { uid: true },
      );
      // `n:*` always names the highest UID, even when it is below n: filter.
      const uids = (found || []).filter((u) => u > lastUid).sort((a, b) => a - b);
      const batches: number[][] = [];
      for (let i = 0; i < uids.length; i += batchSize) batches.push(uids.slice(i, i + batchSize));
      const total = done + uids.length;
      const collect = async (batch: number[]): Promise<ImapMessage[]> => {
        const out: ImapMessage[] = [];
        // Nothing but collecting happens inside this loop: any other command here would deadlock imapflow.
        for await (const m of client.fetch(
          batch.join(','),
          { uid: true, source: true, internalDate: true },
          { uid: true },
        )) {
          if (!m.source) continue;
          const internal = m.internalDate ? new Date(m.internalDate) : null;
          out.push({
            uid: m.uid,
            source: m.source,
            internalDate: internal && !Number.isNaN(internal.getTime()) ? internal.toISOString() : null,
          });
        }
        return out;
      };
      // Fetch the next batch while the caller parses this one: one FETCH in flight, never two commands at once.
      let pending: Promise<ImapMessage[]> | null = batches[0] ? collect(batches[0]) : null;
      for (let i = 0; i < batches.length; i++) {
        options.signal?.throwIfAborted();
        const batch = batches[i] as number[];
        const fetched = await (pending as Promise<ImapMessage[]>);
        pending = batches[i + 1] ? collect(batches[i + 1] as number[]) : null;
        pending?.catch(() => {});
        const inWindow = fetched.filter((m) => {
          if (!m.internalDate) return true;
          const t = Date.parse(m.internalDate);
          return t >= options.since.getTime() && t < options.until.getTime();
        });
        state = { uidValidity, lastUid: batch[batch.length - 1] as number };
        done += batch.length;
        failures = 0;
        yield { kind: 'batch', messages: inWindow, checkpoint: state, done, total };
      }
      if (!state) state = { uidValidity, lastUid };
      if (uids.length === 0) yield { kind: 'batch', messages: [], checkpoint: state, done, total };
      await client.logout().catch(() => {});
      return;
    } catch (error) {
      if (!isConnectionError(error)) throw wrapImapError(error, options.mailbox);
      failures++;
      if (failures > maxReconnects) throw wrapImapError(error, options.mailbox);
      yield { kind: 'reconnect', attempt: failures, reason: (error as Error).message };
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** failures, 5000)));
    } finally {
      client.close();
    }
  }
}

/** True for failures a new connection may cure (socket closed, reset, timeout), false for auth and server refusals. */
export function isConnectionError(error: unknown): boolean {
  const e = error as {
    authenticationFailed?: boolean;
    responseStatus?: string;
    code?: string;
    message?: string;
  };
  if (e?.authenticationFailed) return false;
  if (e?.responseStatus === 'NO' || e?.responseStatus === 'BAD') return false;
  if (
    e?.code &&
    ['ECONNREFUSED', 'ENOTFOUND', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT'].includes(e.code)
  )
    return false;
  return true;
}

/** Wraps an imapflow error once, keeping the server's response code and dropping anything else. */
export function wrapImapError(error: unknown, mailbox: string): SalvageError {
  const e = error as {
    authenticationFailed?: boolean;
    serverResponseCode?: string;
    responseText?: string;
    code?: string;
    message?: string;
  };
  if (e?.authenticationFailed)
    return new SalvageError('imap_auth', 'IMAP login failed: check the user and the password variable', {
      cause: error,
    });
  const detail = [e?.code, e?.serverResponseCode, e?.responseText ?? e?.message].filter(Boolean).join(' ');
  return new SalvageError('imap_failed', `IMAP mailbox ${mailbox}: ${detail.slice(0, 200)}`, {
    cause: error,
  });
}
