import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeServer, type StripeServer } from './create-stripe-server.ts';

const ACCT = 'acct_1TestAAAAAAAAAAA';
const OTHER = 'acct_1OtherBBBBBBBBBB';
const KEY = 'sk_test_localserverkey0001';
const RESTRICTED = 'rk_test_restrictedkey0001';

function customer(i: number): Record<string, unknown> {
  return {
    id: `cus_${String(i).padStart(6, '0')}`,
    object: 'customer',
    created: 1_700_000_000 + i,
    email: `c${i}@x.test`,
  };
}
function charge(i: number): Record<string, unknown> {
  return {
    id: `ch_${String(i).padStart(6, '0')}`,
    object: 'charge',
    created: 1_700_000_000 + Math.floor(i / 3),
    customer: `cus_${String(i % 5).padStart(6, '0')}`,
    amount: 1000 + i,
  };
}

let server: StripeServer;
let sdk: Stripe;

beforeAll(async () => {
  server = createStripeServer({
    accounts: {
      [ACCT]: {
        customers: Array.from({ length: 57 }, (_, i) => customer(i)),
        charges: Array.from({ length: 250 }, (_, i) => charge(i)),
        checkout_sessions: [{ id: 'cs_test_1', object: 'checkout.session', created: 1_700_000_100 }],
        checkout_session_line_items: {
          cs_test_1: Array.from({ length: 12 }, (_, i) => ({
            id: `li_${i}`,
            object: 'item',
            amount_total: i,
          })),
        },
      },
      [OTHER]: { customers: [customer(999)] },
    },
    apiKeys: { [KEY]: {}, [RESTRICTED]: { permissions: ['rak_customer_read'] } },
  });
  await server.listen();
  sdk = new Stripe(KEY, { ...server.sdkOptions, maxNetworkRetries: 0 });
});
afterAll(() => server.close());

describe('local Stripe server, through the real stripe SDK', () => {
  it('reads every object back with autoPagingEach, newest first', async () => {
    const seen: string[] = [];
    await sdk.charges.list({ limit: 100 }).autoPagingEach((c) => {
      seen.push(c.id);
    });
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    const created = seen.map((id) => 1_700_000_000 + Math.floor(Number(id.slice(3)) / 3));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
  });

  it('filters by created and pages backwards with ending_before', async () => {
    const page = await sdk.customers.list({ limit: 100, created: { gte: 1_700_000_010, lt: 1_700_000_020 } });
    expect(page.data.map((c) => c.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `cus_${String(19 - i).padStart(6, '0')}`),
    );
    expect(page.has_more).toBe(false);
    const first = await sdk.customers.list({ limit: 5 });
    expect(first.has_more).toBe(true);
    const second = await sdk.customers.list({ limit: 5, starting_after: first.data.at(-1)!.id });
    const back = await sdk.customers.list({ limit: 5, ending_before: second.data[0]!.id });
    expect(back.data.map((c) => c.id)).toEqual(first.data.map((c) => c.id));
    expect(back.has_more).toBe(false);
  });

  it('expands ids on lists and retrieves, and lists checkout line items', async () => {
    const page = await sdk.charges.list({ limit: 3, expand: ['data.customer'] });
    for (const c of page.data) expect(typeof c.customer === 'object' && c.customer?.object).toBe('customer');
    const one = await sdk.charges.retrieve('ch_000007', { expand: ['customer'] });
    expect((one.customer as Stripe.Customer).id).toBe('cus_000002');
    const session = await sdk.checkout.sessions.retrieve('cs_test_1', { expand: ['line_items'] });
    expect(session.line_items?.data).toHaveLength(10);
    expect(session.line_items?.has_more).toBe(true);
    const items: string[] = [];
    await sdk.checkout.sessions.listLineItems('cs_test_1', { limit: 5 }).autoPagingEach((li) => {
      items.push(li.id);
    });
    expect(items).toEqual(Array.from({ length: 12 }, (_, i) => `li_${i}`));
  });

  it('serves the connected account named by Stripe-Account', async () => {
    const page = await sdk.customers.list({ limit: 100 }, { stripeAccount: OTHER });
    expect(page.data.map((c) => c.id)).toEqual(['cus_000999']);
    await expect(sdk.customers.list({}, { stripeAccount: 'acct_1NopeNopeNope' })).rejects.toBeInstanceOf(
      Stripe.errors.StripePermissionError,
    );
  });

  it('refuses a bad key with 401 and a restricted key without the permission with 403', async () => {
    const bad = new Stripe('sk_test_wrongwrongwrong', { ...server.sdkOptions, maxNetworkRetries: 0 });
    const err = await bad.customers.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((err as Stripe.errors.StripeError).message).toMatch(/^Invalid API Key provided: sk_test_\*+rong$/);
    const rk = new Stripe(RESTRICTED, { ...server.sdkOptions, maxNetworkRetries: 0 });
    expect((await rk.customers.list({ limit: 1 })).data).toHaveLength(1);
    const denied = await rk.charges.list().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect((denied as Error).message).toContain("'rak_charge_read'");
  });

  it('answers 404 for an unknown id', async () => {
    const err = await sdk.customers.retrieve('cus_nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((err as Stripe.errors.StripeError).code).toBe('resource_missing');
  });

  it('answers anything but GET with 405 and records it', async () => {
    const before = server.nonGetRequests.length;
    await expect(sdk.customers.create({ email: 'x@y.test' })).rejects.toThrow(/read-only/);
    expect(server.nonGetRequests.length).toBe(before + 1);
    expect(server.nonGetRequests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/customers' });
  });

  it('injects malformed JSON, a 500 and a dropped connection', async () => {
    const start = server.requests.length;
    // The SDK retries a reset connection once even with retries off, so the drop is injected twice.
    const plan = ['malformed_json', 'server_error', 'drop_connection', 'drop_connection'] as const;
    server.setFaults((r) => (r.n > start && r.n <= start + 4 ? plan[r.n - start - 1] : null));
    try {
      await expect(sdk.customers.list()).rejects.toThrow(/Invalid JSON/);
      await expect(sdk.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
      await expect(sdk.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    } finally {
      server.setFaults(null);
    }
  });
});

describe('rate limits and latency', () => {
  it("refuses over the per-endpoint limit with Stripe's 429 body, and delays responses", async () => {
    const limited = createStripeServer({
      accounts: { [ACCT]: { customers: [customer(1)], charges: [charge(1)] } },
      apiKeys: [KEY],
      latencyMs: 30,
      limits: { perAccountPerSecond: 100, perEndpointPerSecond: 5 },
      retryAfterSeconds: 1,
    });
    await limited.listen();
    try {
      const s = new Stripe(KEY, { ...limited.sdkOptions, maxNetworkRetries: 0 });
      const t0 = Date.now();
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => s.customers.list()));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
      const refused = results.filter((r) => r.status === 'rejected');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      const e = (refused[0] as PromiseRejectedResult).reason as Stripe.errors.StripeError;
      expect(e).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect(e.code).toBe('rate_limit');
      expect(e.headers?.['retry-after']).toBe('1');
      // Another endpoint has its own budget.
      await expect(s.charges.list()).resolves.toMatchObject({ object: 'list' });
    } finally {
      await limited.close();
    }
  });
});
