import { type ConnectorMessage, readAll, runConnector } from '@salvage/connector-kit';
import { createStripeConnector } from '@salvage/connector-stripe';
import { openWorkspace, type Workspace } from '@salvage/store';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_ENV, type StripeCase, startStripeCase } from './stripe-fixture.ts';

const cases: StripeCase[] = [];
const workspaces: Workspace[] = [];
afterEach(async () => {
  for (const ws of workspaces.splice(0)) await ws.close();
  for (const c of cases.splice(0)) await c.close();
});

async function start(options: Parameters<typeof startStripeCase>[0] = {}): Promise<StripeCase> {
  const c = await startStripeCase(options);
  cases.push(c);
  return c;
}
async function workspace(): Promise<Workspace> {
  const ws = await openWorkspace({ pglite: 'memory://' });
  workspaces.push(ws);
  return ws;
}
async function evidenceIds(ws: Workspace): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const e of ws.readEvidence()) ids.add(e.id);
  return ids;
}
const ALL_TIME = '2000-01-01T00:00:00Z';

/** Object ids a pull must have read: every listed object of the account, and every event. */
function expectedObjectIds(c: StripeCase, sinceMs: number): Set<string> {
  const input = c.accounts[c.account]!;
  const ids = new Set<string>();
  for (const kind of [
    'customers',
    'payment_intents',
    'charges',
    'refunds',
    'checkout_sessions',
    'invoices',
    'disputes',
  ] as const)
    for (const o of input[kind] ?? []) if ((o.created as number) * 1000 >= sinceMs) ids.add(String(o.id));
  for (const e of input.events ?? []) ids.add(String(e.id));
  return ids;
}

describe('stripe connector against the local Stripe server (real SDK)', () => {
  it('pulls every object into the workspace, with raw material, using GET only', async () => {
    const c = await start({ since: ALL_TIME });
    const ws = await workspace();
    const connector = createStripeConnector();
    const summary = await runConnector(connector, c.config, c.ctx, ws);
    expect(summary.status).toBe('succeeded');
    expect(summary.streams.every((s) => s.status === 'succeeded')).toBe(true);
    const rawIds = new Set<string>();
    const log = await readAll(connector, c.config, {}, c.ctx);
    for (const m of log.messages) if (m.kind === 'raw') rawIds.add(m.raw.source.objectId);
    const expected = expectedObjectIds(c, 0);
    expect([...expected].filter((id) => !rawIds.has(id))).toEqual([]);
    // Every charge and payment intent of the account is there as payment evidence.
    const paymentObjects = new Set<string>();
    const customers = new Set<string>();
    for await (const e of ws.readEvidence({ entity: 'payment' })) paymentObjects.add(e.source.objectId);
    for await (const e of ws.readEvidence({ entity: 'customer' })) customers.add(e.source.objectId);
    const input = c.accounts[c.account]!;
    for (const o of [...(input.charges ?? []), ...(input.payment_intents ?? [])])
      expect(paymentObjects.has(String(o.id))).toBe(true);
    for (const o of input.customers ?? []) expect(customers.has(String(o.id))).toBe(true);
    for await (const e of ws.readEvidence()) {
      expect(e.rawRef).not.toBeNull();
      expect(await ws.getRaw(e.rawRef!)).not.toBeNull();
    }
    expect(c.server.requests.length).toBeGreaterThan(0);
    expect(c.server.nonGetRequests).toEqual([]);
    expect(c.server.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('reads the window only, and finds older charges changed since the backup through refunds and disputes', async () => {
    const oldChangedCharges = (c: StripeCase) => {
      const sinceMs = Date.parse(c.ctx.window.since);
      const input = c.accounts[c.account]!;
      const charges = new Map((input.charges ?? []).map((o) => [String(o.id), o]));
      return [...(input.refunds ?? []), ...(input.disputes ?? [])]
        .filter((r) => (r.created as number) * 1000 >= sinceMs)
        .map((r) => charges.get(String(r.charge))!)
        .filter((ch) => (ch.created as number) * 1000 < sinceMs);
    };
    // The business whose account has a refund or dispute of a charge older than the window.
    let c = await start();
    for (let i = 1; oldChangedCharges(c).length === 0 && i < c.manifest.businesses.length; i++)
      c = await start({ business: i });
    const ws = await workspace();
    const summary = await runConnector(createStripeConnector(), c.config, c.ctx, ws);
    expect(summary.status).toBe('succeeded');
    const sinceMs = Date.parse(c.ctx.window.since);
    const input = c.accounts[c.account]!;
    const oldChanged = oldChangedCharges(c);
    const seen = new Map<string, number>();
    const observed = new Map<string, string[]>();
    for await (const e of ws.readEvidence({ entity: 'payment' }))
      if (e.entity === 'payment' && e.fields.amountRefunded !== undefined) {
        seen.set(e.source.objectId, e.fields.amountRefunded);
        observed.set(e.source.objectId, [...(observed.get(e.source.objectId) ?? []), e.observedAt]);
      }
    expect(oldChanged.length).toBeGreaterThan(0);
    for (const ch of oldChanged) {
      expect(seen.get(String(ch.id))).toBe(ch.amount_refunded);
      // Observed when the refund or dispute that carried it happened, not when the charge was made: so it is newer
      // than a target row written from the backup.
      const carriers = [...(input.refunds ?? []), ...(input.disputes ?? [])].filter(
        (r) => r.charge === ch.id,
      );
      expect(observed.get(String(ch.id))!.sort()).toEqual(
        carriers.map((r) => new Date((r.created as number) * 1000).toISOString()).sort(),
      );
    }
    // Objects created before the window are not listed directly.
    const oldCustomers = (input.customers ?? []).filter((o) => (o.created as number) * 1000 < sinceMs);
    const direct = new Set<string>();
    for await (const e of ws.readEvidence({ entity: 'customer' }))
      if (!e.source.version.startsWith('evt_')) direct.add(e.source.objectId);
    for (const o of oldCustomers) expect(direct.has(String(o.id))).toBe(false);
  });

  it('resumes after being stopped mid-run and ends with the same evidence set, adding nothing on a rerun', async () => {
    const c = await start({ since: ALL_TIME, server: { latencyMs: 5 } });
    const connector = createStripeConnector();
    const full = await workspace();
    await runConnector(connector, c.config, c.ctx, full);
    const fullIds = await evidenceIds(full);

    const ws = await workspace();
    const abort = new AbortController();
    const seen = new Map<string, number>();
    const first = await runConnector(connector, c.config, { ...c.ctx, signal: abort.signal }, ws, {
      onProgress: (p) => {
        seen.set(p.stream, p.evidence);
        if ([...seen.values()].reduce((a, b) => a + b, 0) > 300) abort.abort(new Error('killed'));
      },
    });
    expect(first.streams.some((s) => s.status === 'skipped')).toBe(true);
    const partial = await evidenceIds(ws);
    expect(partial.size).toBeGreaterThan(0);
    expect(partial.size).toBeLessThan(fullIds.size);
    const requestsBefore = c.server.requests.length;
    const second = await runConnector(connector, c.config, c.ctx, ws);
    expect(second.status).toBe('succeeded');
    expect(await evidenceIds(ws)).toEqual(fullIds);
    // The resumed run did not start over: fewer requests than the full pull took.
    expect(c.server.requests.length - requestsBefore).toBeLessThan(requestsBefore);
    const third = await runConnector(connector, c.config, c.ctx, ws);
    expect(third.totals.inserted).toBe(0);
  });

  it('survives a 429 storm, honouring Retry-After, without a request refused in the end', async () => {
    const c = await start({ since: ALL_TIME, server: { retryAfterSeconds: 0 } });
    const base = await workspace();
    await runConnector(createStripeConnector(), c.config, c.ctx, base);
    const ws = await workspace();
    const start0 = c.server.requests.length;
    c.server.setFaults((r) => (r.n > start0 + 3 && r.n <= start0 + 40 ? 'rate_limit' : null));
    let stats = { requests: 0, retries: 0, rateLimited: 0 };
    const summary = await runConnector(
      createStripeConnector({ onStats: (s) => (stats = { ...s }) }),
      { ...c.config, retry: { maxAttempts: 30, baseDelayMs: 5, maxDelayMs: 50 } },
      c.ctx,
      ws,
    );
    expect(summary.status).toBe('succeeded');
    expect(stats.rateLimited).toBe(37);
    expect(await evidenceIds(ws)).toEqual(await evidenceIds(base));
  });

  it('retries malformed JSON, a dropped connection and a 500, and loses nothing', async () => {
    const c = await start({ since: ALL_TIME });
    const base = await workspace();
    await runConnector(createStripeConnector(), c.config, c.ctx, base);
    const ws = await workspace();
    const n0 = c.server.requests.length;
    const plan: Record<number, 'malformed_json' | 'drop_connection' | 'server_error'> = {
      [n0 + 4]: 'malformed_json',
      [n0 + 9]: 'drop_connection',
      [n0 + 10]: 'drop_connection',
      [n0 + 15]: 'server_error',
    };
    c.server.setFaults((r) => plan[r.n] ?? null);
    const summary = await runConnector(createStripeConnector(), c.config, c.ctx, ws);
    expect(summary.status).toBe('succeeded');
    expect(c.server.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual([
      'malformed_json',
      'drop_connection',
      'drop_connection',
      'server_error',
    ]);
    expect(await evidenceIds(ws)).toEqual(await evidenceIds(base));
  });

  it('fails fast on a bad key, naming the business and the env var', async () => {
    const c = await start({ key: 'rk_test_notarealkey000000' });
    const connector = createStripeConnector();
    const check = await connector.check(c.config, c.ctx);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.kind).toBe('auth');
      expect(check.message).toContain(c.config.businessName);
      expect(check.message).toContain(KEY_ENV);
      expect(check.message).not.toContain('notarealkey');
    }
    const log = await readAll(connector, c.config, {}, c.ctx);
    expect(log.error).toContain(KEY_ENV);
    expect(log.messages.filter((m) => m.kind === 'evidence')).toEqual([]);
    const ws = await workspace();
    const summary = await runConnector(connector, c.config, c.ctx, ws);
    expect(summary.status).toBe('failed');
    expect(summary.check).toMatchObject({ ok: false, kind: 'auth' });
    // The check stopped the run before any listing.
    expect(c.server.requests.filter((r) => r.path !== '/v1/customers').length).toBe(0);
  });

  it('stops only the stream a restricted key lacks a permission for, saying which permission to add', async () => {
    const key = 'rk_test_nochargeread0000001';
    const all = [
      'rak_customer_read',
      'rak_payment_intent_read',
      'rak_refund_read',
      'rak_checkout_session_read',
      'rak_invoice_read',
      'rak_dispute_read',
      'rak_event_read',
    ];
    const c = await start({ key, server: { apiKeys: { [key]: { permissions: all } } } });
    const ws = await workspace();
    const summary = await runConnector(createStripeConnector(), c.config, c.ctx, ws);
    expect(summary.status).toBe('partial');
    const charges = summary.streams.find((s) => s.stream === 'charges')!;
    expect(charges.status).toBe('failed');
    expect(charges.message).toContain("'rak_charge_read'");
    expect(charges.message).toContain(KEY_ENV);
    expect(summary.streams.filter((s) => s.status === 'succeeded')).toHaveLength(7);
  });

  it('refuses a test-mode key unless includeTestMode, drops test-mode objects read with a live key, warns on sk_live_', async () => {
    const c = await start({ config: { includeTestMode: false } });
    const connector = createStripeConnector();
    const refused = await connector.check(c.config, c.ctx);
    expect(refused).toMatchObject({ ok: false, kind: 'config' });
    const live = 'sk_live_localserver00000001';
    const d = await start({ key: live, config: { includeTestMode: false }, server: { apiKeys: [live] } });
    const check = await connector.check(d.config, d.ctx);
    expect(check).toMatchObject({ ok: true });
    expect(check.ok && check.detail).toMatch(/restricted key/);
    const log = await readAll(connector, d.config, {}, d.ctx);
    const kinds = (k: ConnectorMessage['kind']) => log.messages.filter((m) => m.kind === k);
    expect(kinds('evidence')).toEqual([]);
    const codes = kinds('warning').map((m) => (m.kind === 'warning' ? m.code : ''));
    expect(codes).toContain('full_secret_key');
    expect(codes).toContain('test_mode_dropped');
  });
});
