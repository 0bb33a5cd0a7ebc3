import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CalendarData, CalendarStore, type EventsListParams } from './calendar-store.ts';
import { GmailStore, type MailboxInput } from './gmail-store.ts';
import { authError, type GoogleErrorReply, googleError, notFound, rateLimited } from './google-errors.ts';

/** Who a bearer token is: a Google account (its address) and the calendars it can read ('*' for all). */
export interface GoogleAccount {
  token: string;
  address: string;
  calendars: readonly string[] | '*';
}

/** What the local Google server serves. */
export interface GoogleServerOptions {
  accounts: readonly GoogleAccount[];
  calendars?: readonly CalendarData[];
  mailboxes?: readonly MailboxInput[];
  /** The server's clock (ms), for updatedMin's age limit and edit times; default Date.now. */
  now?: () => number;
  /** How far back updatedMin may reach before 410 updatedMinTooLongAgo; default 28 days. */
  updatedMinMaxAgeMs?: number;
  /** Delay before each answer, in ms; default 0. */
  latencyMs?: number;
}

/** One request the server saw, without its token. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  account: string | null;
  status: number;
}

/** A running local Google server. `rootUrl` goes to googleapis (`google.calendar({ rootUrl })`). */
export interface GoogleServer {
  url: string;
  rootUrl: string;
  port: number;
  calendar: CalendarStore;
  gmail: GmailStore;
  /** Every request, in order. */
  requests: RecordedRequest[];
  /** Non-GET requests, all answered 405: salvage must never write to a source. */
  rejected: RecordedRequest[];
  /** The next `times` requests whose path matches `path` (default all) answer a quota error. */
  injectQuotaErrors(times: number, status?: 403 | 429, path?: RegExp): void;
  close(): Promise<void>;
}

/**
 * Starts a Google-compatible server on 127.0.0.1 (port 0 unless given) for the real googleapis client: Calendar v3
 * events.list, calendarList and calendars.get; Gmail v1 messages.list/get, history.list and getProfile. Bearer tokens
 * map to accounts; a bad token answers 401 with Google's error JSON.
 */
export async function startGoogleServer(options: GoogleServerOptions, port = 0): Promise<GoogleServer> {
  const now = options.now ?? (() => Date.now());
  const calendar = new CalendarStore(now, options.updatedMinMaxAgeMs);
  for (const c of options.calendars ?? []) calendar.put(c);
  const gmail = new GmailStore();
  for (const m of options.mailboxes ?? []) gmail.put(m);
  const accounts = new Map(options.accounts.map((a) => [a.token, a]));
  const requests: RecordedRequest[] = [];
  const rejected: RecordedRequest[] = [];
  const faults: { times: number; status: 403 | 429; path: RegExp | undefined }[] = [];

  const route = (
    req: IncomingMessage,
    url: URL,
    account: GoogleAccount,
  ): { status: number; body: unknown; headers?: Record<string, string> } => {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const one = (name: string) => url.searchParams.get(name) ?? undefined;
    for (const f of faults) {
      if (f.times > 0 && (!f.path || f.path.test(url.pathname))) {
        f.times--;
        return rateLimited(f.status);
      }
    }
    if (parts[0] === 'calendar' && parts[1] === 'v3') {
      const canRead = (id: string) => account.calendars === '*' || account.calendars.includes(id);
      if (parts[2] === 'users' && parts[3] === 'me' && parts[4] === 'calendarList' && parts.length === 5) {
        const items = calendar
          .ids()
          .filter(canRead)
          .map((id) => ({ kind: 'calendar#calendarListEntry', id, accessRole: 'reader' }));
        return { status: 200, body: { kind: 'calendar#calendarList', items } };
      }
      if (parts[2] === 'calendars' && parts[3] !== undefined) {
        const id = parts[3];
        if (!canRead(id)) return notFound();
        if (parts.length === 4) {
          const page = calendar.list(id, { maxResults: '1' });
          if (!('kind' in page.body)) return page;
          const b = page.body;
          return {
            status: 200,
            body: { kind: 'calendar#calendar', etag: b.etag, id, summary: b.summary, timeZone: b.timeZone },
          };
        }
        if (parts[4] === 'events' && parts.length === 5) {
          const params: EventsListParams = {};
          for (const key of [
            'maxResults',
            'pageToken',
            'syncToken',
            'updatedMin',
            'timeMin',
            'timeMax',
            'showDeleted',
            'singleEvents',
            'orderBy',
            'iCalUID',
            'q',
          ] as const) {
            const v = one(key);
            if (v !== undefined) params[key] = v;
          }
          return calendar.list(id, params);
        }
      }
    }
    if (parts[0] === 'gmail' && parts[1] === 'v1' && parts[2] === 'users' && parts[3] !== undefined) {
      const user = parts[3];
      if (user !== 'me' && user.toLowerCase() !== account.address.toLowerCase())
        return googleError(403, 'forbidden', `Delegation denied for ${account.address}`);
      const address = account.address;
      if (parts[4] === 'profile' && parts.length === 5)
        return {
          status: 200,
          body: {
            emailAddress: address,
            messagesTotal: gmail.size(),
            threadsTotal: gmail.size(),
            historyId: gmail.currentHistoryId(),
          },
        };
      if (parts[4] === 'messages' && parts.length === 5) {
        const q: { q?: string; pageToken?: string; maxResults?: string; labelIds?: string[] } = {
          labelIds: url.searchParams.getAll('labelIds'),
        };
        for (const key of ['q', 'pageToken', 'maxResults'] as const) {
          const v = one(key);
          if (v !== undefined) q[key] = v;
        }
        return gmail.list(address, q);
      }
      if (parts[4] === 'messages' && parts[5] !== undefined && parts.length === 6)
        return gmail.get(address, parts[5], one('format') ?? 'full');
      if (parts[4] === 'history' && parts.length === 5) {
        const q: { startHistoryId?: string; pageToken?: string; maxResults?: string } = {};
        for (const key of ['startHistoryId', 'pageToken', 'maxResults'] as const) {
          const v = one(key);
          if (v !== undefined) q[key] = v;
        }
        return gmail.history(address, q);
      }
    }
    void req;
    return notFound();
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(key);
      query[key] = all.length === 1 ? all[0]! : all;
    }
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    const account = token ? accounts.get(token) : undefined;
    let reply: { status: number; body: unknown; headers?: Record<string, string> };
    if (req.method !== 'GET') {
      reply = googleError(
        405,
        'httpMethodNotAllowed',
        `Method ${req.method} is not allowed: this server is read-only.`,
      );
    } else if (!account) reply = authError() satisfies GoogleErrorReply;
    else reply = route(req, url, account);
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query,
      account: account?.address ?? null,
      status: reply.status,
    };
    requests.push(record);
    if (req.method !== 'GET') rejected.push(record);
    const send = () => {
      const text = JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'content-type': 'application/json; charset=UTF-8',
        'content-length': Buffer.byteLength(text),
        ...reply.headers,
      });
      res.end(text);
    };
    // Drain any request body first, so a POST gets its 405 instead of a reset connection.
    req.resume();
    req.on('end', () => (options.latencyMs ? setTimeout(send, options.latencyMs) : send()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${actualPort}`;
  return {
    url,
    rootUrl: `${url}/`,
    port: actualPort,
    calendar,
    gmail,
    requests,
    rejected,
    injectQuotaErrors(times, status = 403, path) {
      faults.push({ times, status, path });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
