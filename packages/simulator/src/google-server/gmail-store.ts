import { createHash } from 'node:crypto';
import { zonedTimeToUtc } from '@salvage/core';
import { type GoogleErrorReply, invalidParameter, notFound } from './google-errors.ts';

/** One stored Gmail message: its RFC 5322 bytes and the metadata users.messages.get returns beside them. */
export interface GmailMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  historyId: string;
  internalDate: string;
  raw: Buffer;
}

/** A mailbox to load: message bytes with a label (INBOX, SENT). */
export interface MailboxInput {
  address: string;
  messages: { raw: Buffer | string; labelIds: string[] }[];
}

/** Splits an mboxrd file (From_ lines, `>From ` quoting) into RFC 5322 messages. */
export function splitMbox(text: string): string[] {
  const out: string[] = [];
  const parts = text.split(/^From [^\n]*\n/m);
  for (const part of parts) {
    if (part.trim() === '') continue;
    const body = part.replace(/\n$/, '').replace(/^>(>*From )/gm, '$1');
    out.push(body);
  }
  return out;
}

function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(unfolded);
  return m?.[1]?.trim();
}

const hex16 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function decode<T>(token: string): T | null {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * Reads Gmail's date forms in `after:`/`before:`: epoch seconds, or YYYY/MM/DD at midnight Pacific time, as Gmail
 * does (https://developers.google.com/gmail/api/guides/filtering).
 */
function parseQueryDate(value: string): number | null {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(value);
  if (!m) return null;
  return zonedTimeToUtc(
    { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: 0, minute: 0, second: 0 },
    'America/Los_Angeles',
  ).getTime();
}

/**
 * Mailboxes served as Gmail v1: messages.list (q with after:/before:/in:/label:, paging, newest first),
 * messages.get (raw, minimal, metadata) and history.list from a startHistoryId. History older than
 * `oldestHistoryId` answers 404, as Gmail does for history it no longer keeps.
 */
export class GmailStore {
  private readonly boxes = new Map<string, { messages: GmailMessage[]; byId: Map<string, GmailMessage> }>();
  private nextHistoryId = 1000;
  /** History ids below this answer 404 in history.list. */
  oldestHistoryId = 0;

  /** Adds a mailbox's messages (ids from their content, history ids in order of arrival). */
  put(input: MailboxInput): void {
    const box = this.boxes.get(input.address.toLowerCase()) ?? {
      messages: [] as GmailMessage[],
      byId: new Map<string, GmailMessage>(),
    };
    const loaded = input.messages.map((m) => {
      const raw = Buffer.isBuffer(m.raw) ? m.raw : Buffer.from(m.raw, 'utf8');
      const text = raw.toString('utf8');
      const date = Date.parse(header(text, 'Date') ?? '');
      const refs = `${header(text, 'References') ?? ''} ${header(text, 'In-Reply-To') ?? ''}`.match(
        /<[^>]+>/,
      );
      const root = refs?.[0] ?? header(text, 'Message-ID') ?? text;
      return { raw, labelIds: m.labelIds, internal: Number.isNaN(date) ? 0 : date, threadId: hex16(root) };
    });
    loaded.sort((a, b) => a.internal - b.internal);
    for (const m of loaded) {
      const id = hex16(m.raw);
      if (box.byId.has(id)) continue;
      const message: GmailMessage = {
        id,
        threadId: m.threadId,
        labelIds: m.labelIds,
        historyId: String(this.nextHistoryId++),
        internalDate: String(m.internal),
        raw: m.raw,
      };
      box.messages.push(message);
      box.byId.set(id, message);
    }
    this.boxes.set(input.address.toLowerCase(), box);
  }

  /** Number of messages across mailboxes. */
  size(): number {
    let n = 0;
    for (const b of this.boxes.values()) n += b.messages.length;
    return n;
  }

  /** The current history id (the newest change). */
  currentHistoryId(): string {
    return String(this.nextHistoryId - 1);
  }

  /** users.messages.list. */
  list(
    address: string,
    p: { q?: string; pageToken?: string; maxResults?: string; labelIds?: string[] },
  ): { status: 200; body: Record<string, unknown> } | GoogleErrorReply {
    const box = this.boxes.get(address.toLowerCase());
    if (!box) return notFound('Requested entity was not found.');
    const maxResults = p.maxResults === undefined ? 100 : Number(p.maxResults);
    if (!Number.isInteger(maxResults) || maxResults < 1) return invalidParameter('maxResults');
    let after = Number.NEGATIVE_INFINITY;
    let before = Number.POSITIVE_INFINITY;
    const labels = new Set((p.labelIds ?? []).map((l) => l.toUpperCase()));
    for (const term of (p.q ?? '').split(/\s+/).filter(Boolean)) {
      const [name, value = ''] = term.split(/:(.*)/s);
      const lower = name?.toLowerCase();
      if (lower === 'after' || lower === 'before') {
        const ms = parseQueryDate(value);
        if (ms === null) return invalidParameter('q', `Invalid ${lower}: date`);
        if (lower === 'after') after = ms;
        else before = ms;
      } else if (lower === 'in' || lower === 'label') labels.add(value.toUpperCase());
    }
    const matched = box.messages
      .filter((m) => {
        const t = Number(m.internalDate);
        if (t <= after || t >= before) return false;
        for (const l of labels) if (!m.labelIds.includes(l)) return false;
        return true;
      })
      .sort((a, b) => Number(b.internalDate) - Number(a.internalDate) || (a.id < b.id ? -1 : 1));
    let offset = 0;
    if (p.pageToken !== undefined) {
      const t = decode<{ o: number }>(p.pageToken);
      if (!t || typeof t.o !== 'number') return invalidParameter('pageToken');
      offset = t.o;
    }
    const size = Math.min(maxResults, 500);
    const page = matched.slice(offset, offset + size);
    const body: Record<string, unknown> = {};
    if (page.length > 0) body.messages = page.map((m) => ({ id: m.id, threadId: m.threadId }));
    if (offset + size < matched.length) body.nextPageToken = encode({ o: offset + size });
    body.resultSizeEstimate = matched.length;
    return { status: 200, body };
  }

  /** users.messages.get in the raw, minimal, metadata or full format (full carries headers only, no parts). */
  get(
    address: string,
    id: string,
    format = 'full',
  ): { status: 200; body: Record<string, unknown> } | GoogleErrorReply {
    const m = this.boxes.get(address.toLowerCase())?.byId.get(id);
    if (!m) return notFound('Requested entity was not found.');
    const text = m.raw.toString('utf8');
    const body: Record<string, unknown> = {
      id: m.id,
      threadId: m.threadId,
      labelIds: m.labelIds,
      snippet: text
        .split(/\r?\n\r?\n/)
        .slice(1)
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 120),
      sizeEstimate: m.raw.length,
      historyId: m.historyId,
      internalDate: m.internalDate,
    };
    if (format === 'raw') body.raw = m.raw.toString('base64url');
    else if (format === 'metadata' || format === 'full') {
      const head = (text.split(/\r?\n\r?\n/, 1)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
      const headers = head
        .split(/\r?\n/)
        .map((l) => /^([^:]+):\s*(.*)$/.exec(l))
        .filter((x): x is RegExpExecArray => x !== null)
        .map((x) => ({ name: x[1]!, value: x[2]! }));
      body.payload = {
        partId: '',
        mimeType: header(text, 'Content-Type')?.split(';')[0] ?? 'text/plain',
        headers,
      };
    } else if (format !== 'minimal') return invalidParameter('format');
    return { status: 200, body };
  }

  /** users.history.list: messagesAdded records after startHistoryId; 404 when it is older than kept history. */
  history(
    address: string,
    p: { startHistoryId?: string; pageToken?: string; maxResults?: string },
  ): { status: 200; body: Record<string, unknown> } | GoogleErrorReply {
    const box = this.boxes.get(address.toLowerCase());
    if (!box) return notFound('Requested entity was not found.');
    if (p.startHistoryId === undefined || !/^\d+$/.test(p.startHistoryId))
      return invalidParameter('startHistoryId', 'Invalid startHistoryId');
    const start = Number(p.startHistoryId);
    if (start < this.oldestHistoryId) return notFound('Requested entity was not found.');
    const changed = box.messages.filter((m) => Number(m.historyId) > start);
    const offset = p.pageToken ? (decode<{ o: number }>(p.pageToken)?.o ?? 0) : 0;
    const size = Math.min(p.maxResults ? Number(p.maxResults) : 100, 500);
    const page = changed.slice(offset, offset + size);
    const body: Record<string, unknown> = {};
    if (page.length > 0)
      body.history = page.map((m) => ({
        id: m.historyId,
        messages: [{ id: m.id, threadId: m.threadId }],
        messagesAdded: [{ message: { id: m.id, threadId: m.threadId, labelIds: m.labelIds } }],
      }));
    if (offset + size < changed.length) body.nextPageToken = encode({ o: offset + size });
    body.historyId = this.currentHistoryId();
    return { status: 200, body };
  }
}
