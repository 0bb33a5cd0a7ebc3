import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AccountData,
  buildAccountData,
  type ListedKind,
  type StripeAccountInput,
} from './account-data.ts';
import { expandObject, expandPaths, lineItemsList, listPage, parseStripeQuery } from './list-query.ts';
import {
  accountAccessError,
  invalidKeyError,
  invalidParamError,
  methodNotAllowedError,
  missingError,
  permissionError,
  rateLimitError,
  type StripeErrorResponse,
  serverError,
  unknownRouteError,
} from './stripe-errors.ts';
import { createRefusingBucket, type RefusingBucket } from './token-bucket.ts';

/**
 * A local, read-only, Stripe-compatible API server on 127.0.0.1 for tests, benchmarks and the demo. The official
 * `stripe` SDK talks to it unchanged except for host, port and protocol. It lists and retrieves the objects it was
 * given, enforces keys, Connect accounts, restricted-key permissions and rate limits with Stripe's error bodies, and
 * can inject faults. Every request is recorded; anything but GET is answered 405.
 */

/** A key the server accepts: all permissions and accounts unless narrowed. */
export interface StripeKeyGrant {
  /** Restricted-key permissions such as `rak_charge_read`; omitted means every permission. */
  permissions?: string[];
  /** Accounts reachable through this key; omitted means all. */
  accounts?: string[];
}

/** What to do to the Nth request (1-based, counting every request the server received). */
export type StripeFault = 'malformed_json' | 'drop_connection' | 'server_error' | 'rate_limit';

export interface StripeServerOptions {
  accounts: Record<string, StripeAccountInput>;
  /** Keys that authenticate; a list grants everything. */
  apiKeys: string[] | Record<string, StripeKeyGrant>;
  /** The account used when a request has no Stripe-Account header (default: the first account). */
  defaultAccount?: string;
  /** Delay before every response, in ms (default 0). */
  latencyMs?: number;
  /** Requests per second, refused with 429 above them (default: no limit). */
  limits?: { perAccountPerSecond?: number; perEndpointPerSecond?: number };
  /** Sent as Retry-After (seconds) on rate-limit refusals; default none, as Stripe sends none. */
  retryAfterSeconds?: number;
  /** Called for each request; its answer, if any, replaces the normal response. */
  faults?: (request: StripeRecordedRequest) => StripeFault | null | undefined;
}

/** One request as the server saw it. */
export interface StripeRecordedRequest {
  n: number;
  method: string;
  path: string;
  account: string | null;
  status?: number;
  fault?: StripeFault;
}

export interface StripeServer {
  /** Starts listening on 127.0.0.1 (port 0: any free port) and resolves to the base URL. */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
  /** The base URL, once listening. */
  readonly url: string;
  /** host/port/protocol for `new Stripe(key, { ...server.sdkOptions })`. */
  readonly sdkOptions: { host: string; port: number; protocol: 'http' };
  /** Every request received, in order (method, path, account, status). */
  readonly requests: readonly StripeRecordedRequest[];
  /** Requests other than GET: a read-only client must leave this empty. */
  readonly nonGetRequests: readonly StripeRecordedRequest[];
  /** Counts by status code. */
  readonly statusCounts: Readonly<Record<number, number>>;
  /** Replaces the fault injector (null: none). */
  setFaults(faults: StripeServerOptions['faults'] | null): void;
  /** Stop recording each request (counts are kept); for long benchmarks. */
  setRecording(on: boolean): void;
}

interface Route {
  kind: ListedKind;
  label: string;
  permission: string;
  prefix: string;
}

// Stripe's restricted-key permission names (https://docs.stripe.com/keys/restricted-api-keys).
const ROUTES: Route[] = [
  { kind: 'customers', label: 'customer', permission: 'rak_customer_read', prefix: '/v1/customers' },
  {
    kind: 'payment_intents',
    label: 'payment_intent',
    permission: 'rak_payment_intent_read',
    prefix: '/v1/payment_intents',
  },
  { kind: 'charges', label: 'charge', permission: 'rak_charge_read', prefix: '/v1/charges' },
  { kind: 'refunds', label: 'refund', permission: 'rak_refund_read', prefix: '/v1/refunds' },
  {
    kind: 'checkout_sessions',
    label: 'checkout.session',
    permission: 'rak_checkout_session_read',
    prefix: '/v1/checkout/sessions',
  },
  { kind: 'invoices', label: 'invoice', permission: 'rak_invoice_read', prefix: '/v1/invoices' },
  { kind: 'disputes', label: 'dispute', permission: 'rak_dispute_read', prefix: '/v1/disputes' },
  { kind: 'events', label: 'event', permission: 'rak_event_read', prefix: '/v1/events' },
];

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(.+)$/i.exec(h);
  if (m) return m[1]!.trim();
  const basic = /^Basic\s+(.+)$/i.exec(h);
  if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8').replace(/:$/, '');
  return null;
}

/** Makes a server; call `listen()` to start it. */
export function createStripeServer(options: StripeServerOptions): StripeServer {
  const data = new Map<string, AccountData>();
  for (const [acct, input] of Object.entries(options.accounts)) data.set(acct, buildAccountData(acct, input));
  const defaultAccount = options.defaultAccount ?? Object.keys(options.accounts)[0] ?? null;
  const grants: Record<string, StripeKeyGrant> = Array.isArray(options.apiKeys)
    ? Object.fromEntries(options.apiKeys.map((k) => [k, {}]))
    : options.apiKeys;
  const latencyMs = options.latencyMs ?? 0;
  const accountBuckets = new Map<string, RefusingBucket>();
  const endpointBuckets = new Map<string, RefusingBucket>();
  const requests: StripeRecordedRequest[] = [];
  const nonGet: StripeRecordedRequest[] = [];
  const statusCounts: Record<number, number> = {};
  let faults = options.faults ?? null;
  let recording = true;
  let n = 0;
  let server: Server | null = null;
  let url = '';
  let port = 0;

  const overLimit = (account: string, endpoint: string, nowMs: number): boolean => {
    const { perAccountPerSecond, perEndpointPerSecond } = options.limits ?? {};
    // Both buckets are charged only when both have room, so a refused request costs nothing.
    let a: RefusingBucket | undefined;
    let e: RefusingBucket | undefined;
    if (perAccountPerSecond) {
      a = accountBuckets.get(account) ?? createRefusingBucket(perAccountPerSecond);
      accountBuckets.set(account, a);
    }
    if (perEndpointPerSecond) {
      const key = `${account} ${endpoint}`;
      e = endpointBuckets.get(key) ?? createRefusingBucket(perEndpointPerSecond);
      endpointBuckets.set(key, e);
    }
    if (e && !e.tryTake(nowMs)) return true;
    if (a && !a.tryTake(nowMs)) return true;
    return false;
  };

  const handle = (
    req: IncomingMessage,
  ): { response: StripeErrorResponse | { status: 200; body: unknown }; record: StripeRecordedRequest } => {
    const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const headerAccount = req.headers['stripe-account'];
    const account = (Array.isArray(headerAccount) ? headerAccount[0] : headerAccount) ?? defaultAccount;
    const record: StripeRecordedRequest = { n: ++n, method, path: parsed.pathname, account };
    if (method !== 'GET') {
      nonGet.push(record);
      return { response: methodNotAllowedError(method, parsed.pathname), record };
    }
    const key = bearer(req);
    const grant = key ? grants[key] : undefined;
    if (!key || !grant) return { response: invalidKeyError(key), record };
    if (!account || !data.has(account) || (grant.accounts && !grant.accounts.includes(account)))
      return { response: accountAccessError(key, account ?? '(none)'), record };
    const route = ROUTES.find(
      (r) => parsed.pathname === r.prefix || parsed.pathname.startsWith(`${r.prefix}/`),
    );
    if (!route) return { response: unknownRouteError(method, parsed.pathname), record };
    if (overLimit(account, route.prefix, Date.now()))
      return { response: rateLimitError(options.retryAfterSeconds ?? null), record };
    if (grant.permissions && !grant.permissions.includes(route.permission))
      return { response: permissionError(key, account, route.permission), record };
    const acct = data.get(account)!;
    const table = acct.kinds[route.kind];
    const query = parseStripeQuery(parsed.searchParams);
    const expand = expandPaths(query);
    const rest = parsed.pathname
      .slice(route.prefix.length)
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    if (rest.length === 0) {
      const result = listPage(table, query);
      if (!result.ok) return { response: invalidParamError(result.param, result.message), record };
      const items = result.page.data.map((o) =>
        expand.reduce<Record<string, unknown>>(
          (obj, p) => (p.startsWith('data.') ? expandObject(acct, obj, p.split('.').slice(1, 5)) : obj),
          o,
        ),
      );
      return {
        response: {
          status: 200,
          body: { object: 'list', data: items, has_more: result.page.has_more, url: route.prefix },
        },
        record,
      };
    }
    const id = rest[0]!;
    const at = table.positions.get(id);
    if (at === undefined) return { response: missingError(route.label, id), record };
    const object = table.items[at]!;
    if (rest.length === 1) {
      const body = expand.reduce<Record<string, unknown>>(
        (obj, p) => expandObject(acct, obj, p.split('.').slice(0, 4)),
        object,
      );
      return { response: { status: 200, body }, record };
    }
    if (route.kind === 'checkout_sessions' && rest.length === 2 && rest[1] === 'line_items') {
      const all = lineItemsList(acct, id, Number.MAX_SAFE_INTEGER).data as Record<string, unknown>[];
      const items = all.map((o, i) => ({ ...o, id: String(o.id ?? `li_${i}`), created: all.length - i }));
      const lineTable = { items: items as never, positions: new Map(items.map((o, i) => [o.id, i])) };
      const result = listPage(lineTable, { ...query, created: undefined as never });
      if (!result.ok) return { response: invalidParamError(result.param, result.message), record };
      const strip = (o: Record<string, unknown>) => {
        const { created: _c, ...restOf } = o;
        return restOf;
      };
      return {
        response: {
          status: 200,
          body: {
            object: 'list',
            data: result.page.data.map(strip),
            has_more: result.page.has_more,
            url: `${route.prefix}/${id}/line_items`,
          },
        },
        record,
      };
    }
    return { response: unknownRouteError(method, parsed.pathname), record };
  };

  const respond = (req: IncomingMessage, res: ServerResponse): void => {
    const { response, record } = handle(req);
    const fault = faults?.(record) ?? null;
    if (fault) record.fault = fault;
    const send = () => {
      if (fault === 'drop_connection') {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      let status = response.status;
      let text: string;
      let headers: Record<string, string> = 'headers' in response && response.headers ? response.headers : {};
      if (fault === 'server_error') {
        const e = serverError();
        status = e.status;
        text = JSON.stringify(e.body);
      } else if (fault === 'rate_limit') {
        const e = rateLimitError(options.retryAfterSeconds ?? null);
        status = e.status;
        headers = e.headers ?? {};
        text = JSON.stringify(e.body);
      } else {
        text = JSON.stringify(response.body);
        if (fault === 'malformed_json') text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      }
      record.status = status;
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        'request-id': `req_local${record.n}`,
        'stripe-version': '2026-10-28.endive',
        ...headers,
      });
      res.end(text);
    };
    if (recording || record.method !== 'GET') requests.push(record);
    // Drain any body so keep-alive sockets stay usable after a refused POST.
    req.resume();
    if (latencyMs > 0) setTimeout(send, latencyMs);
    else send();
  };

  return {
    async listen(p = 0) {
      server = createServer(respond);
      server.keepAliveTimeout = 30_000;
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(p, '127.0.0.1', () => resolve());
      });
      port = (server.address() as AddressInfo).port;
      url = `http://127.0.0.1:${port}`;
      return url;
    },
    async close() {
      if (!server) return;
      const s = server;
      server = null;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    get url() {
      return url;
    },
    get sdkOptions() {
      return { host: '127.0.0.1', port, protocol: 'http' as const };
    },
    requests,
    nonGetRequests: nonGet,
    statusCounts,
    setFaults(f) {
      faults = f ?? null;
    },
    setRecording(on) {
      recording = on;
    },
  };
}
