/**
 * npm run bench:stripe -- [--objects 1000000] [--latency 50] [--account-limit 100] [--endpoint-limit 25]
 *                         [--workspace none|pglite|postgres] [--json]
 *
 * Stripe connector throughput against the local Stripe server: the server runs in a child process (so its objects do
 * not count in the connector's memory) with `latency` ms per response and rate limits of `account-limit` requests/s
 * per account and `endpoint-limit` per endpoint; the connector's budget is all of it (requestShare 1). Objects are
 * spread evenly over customers, payment intents, charges and invoices, and evenly over a 90-day window. Reports
 * objects/s, requests used against those the limits allowed, 429s, and the connector process's peak RSS.
 * `--workspace none` (default) consumes the connector's messages without storing them (the connector's own speed);
 * pglite or postgres runs it through runConnector into a fresh workspace.
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { type ConnectorMessage, runConnector, silentLogger } from '@salvage/connector-kit';
import { createStripeConnector, parseStripeConfig, type TransportStats } from '@salvage/connector-stripe';
import { configSchema } from '@salvage/core';
import { createStripeServer, type StripeAccountInput } from '@salvage/simulator';

const ACCOUNT = 'acct_1BenchAAAAAAAAAA';
const KEY = 'rk_live_benchlocal00000000001';
const WINDOW_END_S = 1_790_000_000;
const WINDOW_S = 90 * 86_400;
const KINDS = ['customers', 'payment_intents', 'charges', 'invoices'] as const;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Synthetic objects shaped like the API's (ids, created, livemode, metadata, contact fields), about 1 KB each. */
function makeObjects(kind: (typeof KINDS)[number], count: number, offset: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    const created = WINDOW_END_S - WINDOW_S + Math.floor(((i + 0.5) * WINDOW_S) / count);
    const ref = `BK-${n.toString(36).toUpperCase().padStart(6, '0').slice(-6)}`;
    const metadata = {
      booking_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      booking_ref: ref,
      resource: 'Kayak 2',
    };
    const email = `guest${n}@example.com`;
    if (kind === 'customers')
      out[i] = {
        id: `cus_B${String(n).padStart(12, '0')}`,
        object: 'customer',
        address: {
          city: 'Lisbon',
          country: 'PT',
          line1: 'Rua A 1',
          line2: null,
          postal_code: '1000-001',
          state: null,
        },
        balance: 0,
        created,
        currency: 'eur',
        email,
        livemode: true,
        metadata: { customer_id: metadata.booking_id },
        name: `Guest ${n}`,
        phone: '+351912345678',
        preferred_locales: [],
        tax_exempt: 'none',
      };
    else if (kind === 'payment_intents')
      out[i] = {
        id: `pi_B${String(n).padStart(20, '0')}`,
        object: 'payment_intent',
        amount: 5000 + (n % 1000),
        amount_received: 5000 + (n % 1000),
        capture_method: 'automatic_async',
        created,
        currency: 'eur',
        customer: `cus_B${String(n).padStart(12, '0')}`,
        description: `Booking ${ref} – Kayak 2`,
        latest_charge: `ch_B${String(n).padStart(20, '0')}`,
        livemode: true,
        metadata,
        payment_method_types: ['card'],
        receipt_email: email,
        status: 'succeeded',
      };
    else if (kind === 'charges')
      out[i] = {
        id: `ch_B${String(n).padStart(20, '0')}`,
        object: 'charge',
        amount: 5000 + (n % 1000),
        amount_captured: 5000 + (n % 1000),
        amount_refunded: n % 7 === 0 ? 1000 : 0,
        billing_details: {
          address: { country: 'PT', postal_code: '1000-001' },
          email,
          name: `Guest ${n}`,
          phone: '+351912345678',
        },
        captured: true,
        created,
        currency: 'eur',
        customer: `cus_B${String(n).padStart(12, '0')}`,
        description: `Booking ${ref} – Kayak 2`,
        livemode: true,
        metadata,
        paid: true,
        payment_intent: `pi_B${String(n).padStart(20, '0')}`,
        payment_method_details: { card: { brand: 'visa', last4: '4242' }, type: 'card' },
        receipt_email: email,
        status: 'succeeded',
      };
    else
      out[i] = {
        id: `in_B${String(n).padStart(20, '0')}`,
        object: 'invoice',
        amount_due: 2000,
        amount_paid: 2000,
        created,
        currency: 'eur',
        customer: `cus_B${String(n).padStart(12, '0')}`,
        customer_email: email,
        customer_name: `Guest ${n}`,
        livemode: true,
        metadata,
        number: `B-${n}`,
        payments: {
          object: 'list',
          data: [
            { payment: { payment_intent: `pi_B${String(n).padStart(20, '0')}`, type: 'payment_intent' } },
          ],
        },
        status: 'paid',
        status_transitions: { paid_at: created + 60 },
      };
  }
  return out;
}

type ServerStats = { requests: number; statusCounts: Record<number, number>; nonGet: number };

/** Child process: build the objects, serve them, answer 'stats' with the server's counts. */
async function serve(): Promise<void> {
  const objects = Number(arg('objects', '1000000'));
  const per = Math.ceil(objects / KINDS.length);
  const input: StripeAccountInput = {};
  KINDS.forEach((k, i) => {
    input[k] = makeObjects(k, Math.min(per, objects - i * per), i * per);
  });
  const server = createStripeServer({
    accounts: { [ACCOUNT]: input },
    apiKeys: [KEY],
    latencyMs: Number(arg('latency', '50')),
    limits: {
      perAccountPerSecond: Number(arg('account-limit', '100')),
      perEndpointPerSecond: Number(arg('endpoint-limit', '25')),
    },
  });
  server.setRecording(false);
  const url = await server.listen();
  process.send!({ url });
  process.on('message', (m: unknown) => {
    if (m === 'stats') {
      const requests = Object.values(server.statusCounts).reduce((a, b) => a + b, 0);
      process.send!({
        stats: { requests, statusCounts: { ...server.statusCounts }, nonGet: server.nonGetRequests.length },
      });
    }
    if (m === 'exit') server.close().then(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const objects = Number(arg('objects', '1000000'));
  const latency = Number(arg('latency', '50'));
  const accountLimit = Number(arg('account-limit', '100'));
  const endpointLimit = Number(arg('endpoint-limit', '25'));
  const sink = arg('workspace', 'none');
  const json = process.argv.includes('--json');
  const log = (s: string) => (json ? process.stderr : process.stdout).write(`${s}\n`);

  const child = fork(process.argv[1]!, ['--serve', ...process.argv.slice(2)], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
  });
  const ask = <T>(msg: unknown, key: string) =>
    new Promise<T>((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (key in m) {
          child.off('message', on);
          resolve(m[key] as T);
        }
      };
      child.on('message', on);
      if (msg !== null) child.send(msg as string);
    });
  log(`building ${objects.toLocaleString('en')} objects in the server process...`);
  const url = await ask<string>(null, 'url');
  const base = await ask<ServerStats>('stats', 'stats');

  const parsed = parseStripeConfig({
    businessId: '00000000-0000-4000-8000-00000000be01',
    businessName: 'Bench Rentals',
    account: ACCOUNT,
    keyEnv: 'STRIPE_BENCH_KEY',
    apiBase: url,
    requestShare: 1,
    accountRateLimit: accountLimit,
    endpointRateLimit: endpointLimit,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const config = parsed.config;
  let stats: TransportStats = { requests: 0, retries: 0, rateLimited: 0 };
  const connector = createStripeConnector({ onStats: (s) => (stats = { ...s }) });
  const business = configSchema.parse({
    incident: { backupTakenAt: '2026-06-01T00:00:00Z', incidentAt: '2026-09-01T00:00:00Z' },
    target: { url: 'postgres://unused' },
    businesses: [{ id: config.businessId, name: config.businessName, timezone: 'UTC', currency: 'eur' }],
  }).businesses[0]!;
  const ctx = {
    business,
    window: {
      since: new Date((WINDOW_END_S - WINDOW_S) * 1000).toISOString(),
      until: new Date(WINDOW_END_S * 1000).toISOString(),
    },
    now: () => new Date(WINDOW_END_S * 1000),
    logger: silentLogger,
    env: { STRIPE_BENCH_KEY: KEY },
    scope: 'bench',
  };

  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let peakHeap = process.memoryUsage().heapUsed;
  const rssSamples: number[] = [];
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    rssSamples.push(m.rss);
  }, 250);
  let evidence = 0;
  let raw = 0;
  let lastReport = Date.now();
  const progress = (done: number) => {
    if (Date.now() - lastReport < 5000) return;
    lastReport = Date.now();
    const secs = (Date.now() - t0) / 1000;
    log(
      `  ${done.toLocaleString('en')} objects, ${Math.round(done / secs)}/s, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`,
    );
  };
  const done = new Map<string, number>();
  const t0 = Date.now();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  if (sink === 'none') {
    for await (const m of connector.read(config, {}, ctx) as AsyncIterable<ConnectorMessage>) {
      if (m.kind === 'evidence') evidence++;
      else if (m.kind === 'raw') raw++;
      else if (m.kind === 'progress') {
        done.set(m.stream, m.done);
        progress([...done.values()].reduce((a, b) => a + b, 0));
      } else if (m.kind === 'stream_status' && m.status !== 'succeeded')
        log(`  ${m.stream}: ${m.status} ${m.message ?? ''}`);
    }
  } else {
    const { openWorkspace } = await import('@salvage/store');
    const loc =
      sink === 'postgres'
        ? { url: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' }
        : { pglite: 'memory://' };
    if (sink === 'postgres') {
      const { createTestDatabase } = await import('@salvage/test-support');
      const db = await createTestDatabase();
      (loc as { url: string }).url = db.url;
    }
    const ws = await openWorkspace(loc);
    const summary = await runConnector(connector, config, ctx, ws, {
      skipCheck: true,
      onProgress: (p) => {
        done.set(p.stream, p.done);
        progress([...done.values()].reduce((a, b) => a + b, 0));
      },
    });
    evidence = summary.totals.evidence;
    raw = summary.totals.raw;
    await ws.close();
  }
  const seconds = (Date.now() - t0) / 1000;
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const server = await ask<ServerStats>('stats', 'stats');
  child.send('exit');
  const requests = server.requests - base.requests;
  const allowed = Math.floor(accountLimit * seconds);
  const got = [...done.values()].reduce((a, b) => a + b, 0);
  const result = {
    objects: got,
    evidence,
    raw,
    seconds: Number(seconds.toFixed(1)),
    objectsPerSecond: Math.round(got / seconds),
    requests,
    requestsAllowed: allowed,
    utilization: Number((requests / allowed).toFixed(3)),
    refused429: (server.statusCounts[429] ?? 0) - (base.statusCounts[429] ?? 0),
    retries: stats.retries,
    nonGetRequests: server.nonGet,
    peakRssMB: Math.round(peakRss / 2 ** 20),
    baselineRssMB: Math.round(baselineRss / 2 ** 20),
    peakHeapUsedMB: Math.round(peakHeap / 2 ** 20),
    rssAtQuartersMB: [0.25, 0.5, 0.75, 1].map((q) =>
      Math.round(
        (rssSamples[Math.min(rssSamples.length - 1, Math.floor(q * rssSamples.length))] ?? 0) / 2 ** 20,
      ),
    ),
    // How busy the connector's one thread was: near 1 means it, not the rate limits, set the pace.
    eventLoopUtilization: Number(elu.toFixed(2)),
    connectorCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
    loadAverage: Number((await import('node:os')).loadavg()[0]!.toFixed(1)),
    latencyMs: latency,
    limits: { perAccountPerSecond: accountLimit, perEndpointPerSecond: endpointLimit },
    workspace: sink,
  };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    log(
      `objects           ${result.objects.toLocaleString('en')} (${evidence.toLocaleString('en')} evidence, ${raw.toLocaleString('en')} raw)`,
    );
    log(
      `time              ${result.seconds} s  -> ${result.objectsPerSecond.toLocaleString('en')} objects/s`,
    );
    log(
      `requests          ${requests.toLocaleString('en')} of ${allowed.toLocaleString('en')} allowed (${(result.utilization * 100).toFixed(1)}%)`,
    );
    log(
      `429 refusals      ${result.refused429} (retries ${result.retries}); non-GET requests ${result.nonGetRequests}`,
    );
    log(
      `connector thread  busy ${(result.eventLoopUtilization * 100).toFixed(0)}%, ${result.connectorCpuSeconds} CPU s; machine load average ${result.loadAverage}`,
    );
    log(
      `peak RSS          ${result.peakRssMB} MB (before reading ${result.baselineRssMB} MB; at 25/50/75/100%: ${result.rssAtQuartersMB.join(' / ')} MB); peak heap used ${result.peakHeapUsedMB} MB`,
    );
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
