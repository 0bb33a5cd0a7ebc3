import { type AccountData, findById, type KindTable, type StripeObject } from './account-data.ts';

/**
 * Stripe's list semantics, pure: newest first, `limit` 1..100 (default 10), `starting_after` / `ending_before`
 * cursors, `created` as a number or `{gt, gte, lt, lte}`, simple equality filters, and `expand[]` up to four levels.
 * https://docs.stripe.com/api/pagination, https://docs.stripe.com/api/expanding_objects
 */

/** Query parameters as Stripe's form encoding nests them: `created[gte]=1`, `expand[0]=data.customer`. */
export type QueryValue = string | string[] | { [key: string]: string };
export type Query = Record<string, QueryValue>;

/** Reads `a=1&created[gte]=2&expand[]=x&expand[1]=y` into `{ a: '1', created: { gte: '2' }, expand: ['x','y'] }`. */
export function parseStripeQuery(search: URLSearchParams): Query {
  const out: Query = {};
  for (const [key, value] of search) {
    const m = /^([^[]+)\[([^\]]*)\]$/.exec(key);
    if (!m) {
      out[key] = value;
      continue;
    }
    const name = m[1]!;
    const sub = m[2]!;
    if (sub === '' || /^\d+$/.test(sub)) {
      const prev = out[name];
      out[name] = Array.isArray(prev) ? [...prev, value] : [value];
    } else {
      const prev = out[name];
      out[name] = { ...(prev && typeof prev === 'object' && !Array.isArray(prev) ? prev : {}), [sub]: value };
    }
  }
  return out;
}

export interface ListPage {
  data: StripeObject[];
  has_more: boolean;
}

export type ListResult = { ok: true; page: ListPage } | { ok: false; param: string; message: string };

const createdOf = (o: Record<string, unknown>): number => (typeof o.created === 'number' ? o.created : 0);

/** First position (newest first order) whose created is <= `value`. */
function firstAtOrBelow(items: StripeObject[], value: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (createdOf(items[mid]!) > value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function createdBounds(table: KindTable, created: QueryValue | undefined): [number, number] | string {
  const n = table.items.length;
  if (created === undefined) return [0, n];
  if (typeof created === 'string') {
    const v = Number(created);
    if (!Number.isInteger(v)) return 'created';
    return [firstAtOrBelow(table.items, v), firstAtOrBelow(table.items, v - 1)];
  }
  if (Array.isArray(created)) return 'created';
  let upper = Number.POSITIVE_INFINITY; // inclusive
  let lower = Number.NEGATIVE_INFINITY; // inclusive
  for (const [op, raw] of Object.entries(created)) {
    const v = Number(raw);
    if (!Number.isInteger(v)) return `created[${op}]`;
    if (op === 'lt') upper = Math.min(upper, v - 1);
    else if (op === 'lte') upper = Math.min(upper, v);
    else if (op === 'gt') lower = Math.max(lower, v + 1);
    else if (op === 'gte') lower = Math.max(lower, v);
    else return `created[${op}]`;
  }
  const start = upper === Number.POSITIVE_INFINITY ? 0 : firstAtOrBelow(table.items, upper);
  const end = lower === Number.NEGATIVE_INFINITY ? n : firstAtOrBelow(table.items, lower - 1);
  return [start, Math.max(start, end)];
}

/** Equality filters the list endpoints accept (customer, payment_intent, charge, status, type, types[]). */
const FILTER_KEYS = ['customer', 'payment_intent', 'charge', 'status', 'type', 'email', 'payment_link'];

function matchesFilters(o: StripeObject, query: Query): boolean {
  for (const key of FILTER_KEYS) {
    const want = query[key];
    if (typeof want !== 'string') continue;
    if (key === 'type') {
      if (!matchesEventType(String(o.type), want)) return false;
      continue;
    }
    const have = o[key];
    const haveId = have && typeof have === 'object' ? (have as { id?: unknown }).id : have;
    if (haveId !== want) return false;
  }
  const types = query.types;
  if (Array.isArray(types) && !types.some((t) => matchesEventType(String(o.type), t))) return false;
  return true;
}

// Event type filters accept a trailing wildcard: `charge.*`.
function matchesEventType(type: string, pattern: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}

/** One page of a kind, as GET /v1/<kind> returns it. */
export function listPage(table: KindTable, query: Query): ListResult {
  const limitRaw = query.limit;
  let limit = 10;
  if (limitRaw !== undefined) {
    limit = Number(limitRaw);
    if (typeof limitRaw !== 'string' || !Number.isInteger(limit) || limit < 1 || limit > 100)
      return { ok: false, param: 'limit', message: 'Invalid integer: limit must be between 1 and 100' };
  }
  const bounds = createdBounds(table, query.created);
  if (typeof bounds === 'string') return { ok: false, param: bounds, message: `Invalid ${bounds}` };
  const [start, end] = bounds;
  const after = query.starting_after;
  const before = query.ending_before;
  if (after !== undefined && before !== undefined)
    return {
      ok: false,
      param: 'starting_after',
      message: 'You may only specify one of these parameters: starting_after, ending_before.',
    };
  const filtered = FILTER_KEYS.some((k) => typeof query[k] === 'string') || Array.isArray(query.types);
  for (const [param, cursor] of [
    ['starting_after', after],
    ['ending_before', before],
  ] as const) {
    if (cursor !== undefined && (typeof cursor !== 'string' || !table.positions.has(cursor)))
      return { ok: false, param, message: `No such object: '${String(cursor)}'` };
  }
  const items = table.items;
  const out: StripeObject[] = [];
  if (before !== undefined) {
    // The page just newer than the cursor, still newest first.
    const at = table.positions.get(before as string)!;
    let i = Math.min(at, end) - 1;
    while (i >= start && out.length < limit) {
      const o = items[i]!;
      if (!filtered || matchesFilters(o, query)) out.unshift(o);
      i--;
    }
    let more = false;
    for (; i >= start && !more; i--) more = !filtered || matchesFilters(items[i]!, query);
    return { ok: true, page: { data: out, has_more: more } };
  }
  let i = after === undefined ? start : Math.max(start, table.positions.get(after as string)! + 1);
  while (i < end && out.length < limit) {
    const o = items[i]!;
    if (!filtered || matchesFilters(o, query)) out.push(o);
    i++;
  }
  let more = false;
  for (; i < end && !more; i++) more = !filtered || matchesFilters(items[i]!, query);
  return { ok: true, page: { data: out, has_more: more } };
}

/** The `expand` list of a query, whether written `expand[]=`, `expand[0]=` or `expand=`. */
export function expandPaths(query: Query): string[] {
  const e = query.expand;
  if (e === undefined) return [];
  if (typeof e === 'string') return [e];
  if (Array.isArray(e)) return e;
  return Object.values(e);
}

/** Line items as an embedded list, the way `expand[]=line_items` shows them on a session. */
export function lineItemsList(data: AccountData, sessionId: string, limit = 10): Record<string, unknown> {
  const items = data.lineItems.get(sessionId) ?? [];
  return {
    object: 'list',
    data: items.slice(0, limit),
    has_more: items.length > limit,
    url: `/v1/checkout/sessions/${sessionId}/line_items`,
  };
}

/**
 * A copy of `object` with `path` (dotted, at most 4 levels) expanded: ids become the objects they name; a session's
 * `line_items` becomes its list. The stored object is never changed. Unknown paths are left as they are.
 */
export function expandObject(
  data: AccountData,
  object: Record<string, unknown>,
  path: string[],
): Record<string, unknown> {
  if (path.length === 0) return object;
  const [head, ...rest] = path as [string, ...string[]];
  let value: unknown = object[head];
  if (head === 'line_items' && object.object === 'checkout.session')
    value = lineItemsList(data, String(object.id));
  else if (typeof value === 'string') value = findById(data, value) ?? value;
  if (rest.length > 0) {
    if (Array.isArray(value))
      value = value.map((v) =>
        v && typeof v === 'object' ? expandObject(data, v as Record<string, unknown>, rest) : v,
      );
    else if (value && typeof value === 'object')
      value = expandObject(data, value as Record<string, unknown>, rest);
  }
  if (value === object[head]) return object;
  return { ...object, [head]: value };
}
