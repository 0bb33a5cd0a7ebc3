/**
 * One Stripe account's objects, held the way the list endpoints read them: each kind sorted newest first (created
 * descending, id descending to break ties, as Stripe's lists are), with an id index for cursors and retrieval.
 */

export type StripeObject = Record<string, unknown> & { id: string };

/** The object kinds the server lists, by the file/fixture name the simulator writes. */
export const LISTED_KINDS = [
  'customers',
  'payment_intents',
  'charges',
  'refunds',
  'checkout_sessions',
  'invoices',
  'disputes',
  'events',
] as const;
export type ListedKind = (typeof LISTED_KINDS)[number];

/** One account's input: objects by kind (any order), and checkout line items by session id. */
export interface StripeAccountInput {
  customers?: Record<string, unknown>[];
  payment_intents?: Record<string, unknown>[];
  charges?: Record<string, unknown>[];
  refunds?: Record<string, unknown>[];
  checkout_sessions?: Record<string, unknown>[];
  invoices?: Record<string, unknown>[];
  disputes?: Record<string, unknown>[];
  events?: Record<string, unknown>[];
  /** Session id -> its line items, as GET /v1/checkout/sessions/:id/line_items lists them. */
  checkout_session_line_items?: Record<string, Record<string, unknown>[]>;
}

export interface KindTable {
  /** Newest first. */
  items: StripeObject[];
  /** id -> position in `items`. */
  positions: Map<string, number>;
}

export interface AccountData {
  kinds: Record<ListedKind, KindTable>;
  lineItems: Map<string, Record<string, unknown>[]>;
}

const createdOf = (o: Record<string, unknown>): number => (typeof o.created === 'number' ? o.created : 0);

/** Sorts and indexes an account's objects; objects without a string id are refused with the kind named. */
export function buildAccountData(account: string, input: StripeAccountInput): AccountData {
  const kinds = {} as Record<ListedKind, KindTable>;
  for (const kind of LISTED_KINDS) {
    const raw = input[kind] ?? [];
    const items = raw.map((o, i) => {
      if (typeof o.id !== 'string')
        throw new TypeError(`stripe account ${account}: ${kind}[${i}] has no string id`);
      return o as StripeObject;
    });
    items.sort((a, b) => createdOf(b) - createdOf(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    kinds[kind] = { items, positions: new Map(items.map((o, i) => [o.id, i])) };
  }
  return { kinds, lineItems: new Map(Object.entries(input.checkout_session_line_items ?? {})) };
}

/** Finds an object of any listed kind by id, for `expand[]`. */
export function findById(data: AccountData, id: string): StripeObject | undefined {
  for (const kind of LISTED_KINDS) {
    const table = data.kinds[kind];
    const at = table.positions.get(id);
    if (at !== undefined) return table.items[at];
  }
  return undefined;
}
