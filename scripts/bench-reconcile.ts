/**
 * npm run bench:reconcile [-- --sizes 100000,300000,1000000 --rows 200000 --semi 64 --heap 6144 --from-workspace]
 *
 * Plans synthetic evidence onto a synthetic restored target of `--rows` rows, once per size, each in its own process
 * so peak memory (max RSS) is per size. The evidence is first produced into an array, as `salvage plan` reads the
 * workspace's evidence into one before planning; that is the read baseline. Reports the engine's time (wall and CPU)
 * on that array, peak RSS, and the ratio of the engine's time to the read baseline. With `--from-workspace` the
 * evidence is first stored in a PostgreSQL workspace (TEST_DATABASE_URL or 127.0.0.1:5432; not timed) and the read
 * baseline is reading it back with readEvidence, as `salvage plan` does; the peak RSS then includes that read.
 * Children run with V8's default heap settings, as the CLI does; `--heap MB` and `--semi MB` set old and semi-space.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  BookingRow,
  CustomerRow,
  Evidence,
  PaymentRow,
  Plan,
  ResourceRow,
  TargetSnapshot,
} from '@salvage/core';
import { evidenceId } from '@salvage/core';
import { createPrng, planReconciliation, type ReconcileConfig } from '@salvage/reconcile';
import { openWorkspace } from '@salvage/store';
import { createTestDatabase } from '@salvage/test-support';

const BUSINESSES = 20;
const RESOURCES = 5;
const FIRST = Array.from({ length: 200 }, (_, i) => `first${i.toString(36)}`);
const LAST = Array.from({ length: 500 }, (_, i) => `last${i.toString(36)}`);
const hex = (n: number, w = 12) => n.toString(16).padStart(w, '0');
const uuid = (kind: number, n: number) => `${hex(kind, 8)}-0000-4000-8000-${hex(n)}`;
const iso = (ms: number) => new Date(ms).toISOString();
const T0 = Date.parse('2026-05-01T00:00:00.000Z');
const DAY = 86_400_000;

interface World {
  snapshot: TargetSnapshot;
  config: ReconcileConfig;
  people: number;
  existingBookings: BookingRow[];
}

export function makeWorld(rows: number): World {
  const rand = createPrng(1);
  const businesses = Array.from({ length: BUSINESSES }, (_, b) => ({
    id: uuid(1, b),
    name: `Business ${b}`,
    timezone: 'Europe/Lisbon',
    currency: 'eur',
    stripe_account_id: `acct_${b}`,
    created_at: '2024-01-01T00:00:00.000Z',
  }));
  const resources: ResourceRow[] = businesses.flatMap((b, bi) =>
    Array.from({ length: RESOURCES }, (_, r) => ({
      id: uuid(2, bi * RESOURCES + r),
      business_id: b.id,
      name: `Resource ${r}`,
      calendar_id: null,
      created_at: '2024-01-01T00:00:00.000Z',
    })),
  );
  const nCustomers = Math.round(rows * 0.3);
  const nBookings = Math.round(rows * 0.5);
  const nPayments = rows - nCustomers - nBookings;
  const customers: CustomerRow[] = Array.from({ length: nCustomers }, (_, i) => person(i));
  const bookings: BookingRow[] = Array.from({ length: nBookings }, (_, i) => {
    // Customers of business b are those with index = b mod BUSINESSES; each resource holds one stay per day.
    const bi = i % BUSINESSES;
    const c = customers[bi + BUSINESSES * Math.floor(rand() * Math.floor(nCustomers / BUSINESSES))]!;
    const slot = Math.floor(i / (BUSINESSES * RESOURCES));
    const start = T0 - 2000 * DAY + slot * DAY + 14 * 3_600_000;
    return {
      id: uuid(4, i),
      business_id: c.business_id,
      reference: `BK-${hex(i, 6).toUpperCase()}`,
      customer_id: c.id,
      resource_id: uuid(2, bi * RESOURCES + (Math.floor(i / BUSINESSES) % RESOURCES)),
      starts_at: iso(start),
      ends_at: iso(start + 20 * 3_600_000),
      status: 'confirmed',
      total_amount: 10_000 + (i % 50) * 500,
      currency: 'eur',
      notes: null,
      created_at: iso(start - 30 * DAY),
      updated_at: iso(T0 - DAY),
    };
  });
  const payments: PaymentRow[] = Array.from({ length: nPayments }, (_, i) => {
    const b = bookings[i]!;
    return {
      id: uuid(5, i),
      business_id: b.business_id,
      booking_id: b.id,
      customer_id: b.customer_id,
      amount: b.total_amount,
      amount_refunded: 0,
      currency: 'eur',
      status: 'succeeded',
      method: 'card',
      stripe_payment_intent_id: `pi_old${i}`,
      stripe_charge_id: `ch_old${i}`,
      paid_at: b.created_at,
      created_at: b.created_at,
      updated_at: b.created_at,
    };
  });
  const rules = { survivorship: {}, tolerances: { amountMinor: 0, timeMinutes: 0 } };
  return {
    snapshot: { businesses, resources, customers, bookings, payments },
    config: {
      thresholds: { autoAccept: 0.95, askCustomerBelow: 0.6 },
      rules,
      businesses: businesses.map((b) => ({ id: b.id, currency: 'eur', rules })),
    },
    people: nCustomers,
    existingBookings: bookings,
  };
}

function businessOf(id: string): number {
  return Number.parseInt(id.slice(-12), 16);
}

function person(i: number): CustomerRow {
  const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`;
  return {
    id: uuid(3, i),
    business_id: uuid(1, i % BUSINESSES),
    full_name: name,
    email: `p${i}@mail.example`,
    phone: i % 3 === 0 ? `+3519${String(10_000_000 + i).slice(-8)}` : null,
    stripe_customer_id: null,
    created_at: iso(T0 - 200 * DAY),
    updated_at: iso(T0 - 200 * DAY),
  };
}

/** The evidence stream: reschedules and cancellations of existing bookings, and new bookings seen in every source. */
export function* evidenceStream(world: World, size: number): Generator<Evidence> {
  const rand = createPrng(2);
  let emitted = 0;
  let n = 0;
  const nextSlot = new Map<number, number>();
  const ev = (
    businessId: string,
    kind: Evidence['source']['kind'],
    objectId: string,
    entity: Evidence['entity'],
    fields: Record<string, unknown>,
    at: number,
    rank = 0,
    confidence = 0.98,
  ): Evidence => {
    const source = {
      kind,
      account: `${kind}-${businessId.slice(-4)}`,
      objectId,
      version: String(rank),
      versionRank: rank,
    };
    const extractor = { name: `bench-${kind}`, version: '1' };
    emitted++;
    return {
      id: evidenceId(source, entity, extractor),
      businessId,
      source,
      entity,
      fields,
      observedAt: iso(at),
      extractor,
      confidence,
      rawRef: null,
    } as Evidence;
  };
  while (emitted < size) {
    n++;
    const at = T0 + Math.floor(rand() * 90 * DAY);
    if (rand() < 0.3) {
      const b = world.existingBookings[Math.floor(rand() * world.existingBookings.length)]!;
      // Moved by a few hours within its day, so the resource stays free of double bookings.
      const shift = Math.floor(rand() * 3) * 3_600_000 - 3_600_000;
      const starts = iso(Date.parse(b.starts_at) + shift);
      const ends = iso(Date.parse(b.ends_at) + Math.min(0, shift));
      const status = rand() < 0.1 ? 'cancelled' : 'confirmed';
      yield ev(
        b.business_id,
        'ics',
        `${b.id}@platform.example`,
        'booking',
        {
          calendarUid: `${b.id}@platform.example`,
          reference: b.reference,
          startsAt: starts,
          endsAt: ends,
          resourceName: `Resource ${Number.parseInt(b.resource_id.slice(-12), 16) % RESOURCES}`,
          status,
        },
        at,
        1 + n,
      );
      yield ev(
        b.business_id,
        'imap',
        `INBOX/${n}`,
        'booking',
        { reference: b.reference, startsAt: starts, endsAt: ends, status },
        at + 20_000,
        0,
        0.95,
      );
      continue;
    }
    const returning = rand() < 0.3;
    const pi = returning ? Math.floor(rand() * world.people) : world.people + n;
    const p = person(pi);
    const bi = businessOf(p.business_id);
    const bookingId = uuid(6, n);
    const reference = `BN-${hex(n, 6).toUpperCase()}`;
    // New stays continue each resource's calendar after the backup's last day, one per day.
    const r = n % RESOURCES;
    const key = bi * RESOURCES + r;
    const slot = (nextSlot.get(key) ?? 0) + 1;
    nextSlot.set(key, slot);
    const start = T0 + slot * DAY + 14 * 3_600_000;
    const resourceName = `Resource ${r}`;
    const amount = 10_000 + (n % 50) * 500;
    const cus = `cus_${pi}`;
    const fields = {
      bookingId,
      reference,
      startsAt: iso(start),
      endsAt: iso(start + 20 * 3_600_000),
      resourceName,
      status: 'confirmed',
    };
    yield ev(
      p.business_id,
      'stripe',
      cus,
      'customer',
      {
        stripeCustomerId: cus,
        email: p.email,
        fullName: p.full_name,
        ...(returning ? { customerId: p.id } : {}),
      },
      at,
    );
    yield ev(
      p.business_id,
      'stripe',
      `ch_${n}`,
      'payment',
      {
        stripeChargeId: `ch_${n}`,
        stripePaymentIntentId: `pi_${n}`,
        amount,
        amountRefunded: 0,
        currency: 'eur',
        status: 'succeeded',
        bookingId,
        bookingReference: reference,
        stripeCustomerId: cus,
        paidAt: iso(at),
        createdAt: iso(at),
      },
      at,
      at,
    );
    yield ev(
      p.business_id,
      'stripe',
      `cs_${n}`,
      'booking',
      { bookingId, reference, totalAmount: amount, currency: 'eur', resourceName, stripeCustomerId: cus },
      at,
      0,
      0.99,
    );
    yield ev(
      p.business_id,
      'ics',
      `${bookingId}@platform.example`,
      'booking',
      { ...fields, calendarUid: `${bookingId}@platform.example`, customerName: p.full_name },
      at + 60_000,
      0,
    );
    yield ev(
      p.business_id,
      'imap',
      `INBOX/${n}`,
      'booking',
      { ...fields, customerEmail: p.email, customerName: p.full_name, totalAmount: amount },
      at + 30_000,
      0,
      0.95,
    );
  }
}

/** The bench's plan: the world's evidence onto its target, as of the bench's fixed instant. */
export function planWorld(world: World, evidence: Evidence[]): Plan {
  return planReconciliation({
    snapshot: world.snapshot,
    evidence,
    config: world.config,
    asOf: '2026-08-01T00:00:00.000Z',
    target: { systemIdentifier: 'bench', databaseName: 'bench', schemaFingerprint: 'bench' },
  });
}

function limit<T>(it: Iterable<T>, n: number): Iterable<T> {
  return {
    *[Symbol.iterator]() {
      let i = 0;
      for (const x of it) {
        if (i++ >= n) return;
        yield x;
      }
    },
  };
}

async function child(size: number, rows: number, fromWorkspace: boolean): Promise<void> {
  const world = makeWorld(rows);
  let t0 = performance.now();
  // Made before the clock starts, as the CLI reads evidence before planning: the engine's time is the engine's, not
  // the generator's (hashing each evidence id was a tenth of the plan time when the stream was made inside it).
  let evidence = [...limit(evidenceStream(world, size), size)];
  let readMs = performance.now() - t0;
  if (fromWorkspace) {
    // As `salvage plan` does: the evidence stored in a PostgreSQL workspace (not timed), then read back into an array
    // with readEvidence (the read baseline), and planned from what was read.
    const db = await createTestDatabase('salvage_bench_reconcile');
    const ws = await openWorkspace({ url: db.url });
    try {
      const runId = await ws.startRun({ command: 'bench' });
      for (let i = 0; i < evidence.length; i += 1000)
        await ws.putEvidence(evidence.slice(i, i + 1000), runId);
      evidence = [];
      t0 = performance.now();
      for await (const e of ws.readEvidence()) evidence.push(e);
      readMs = performance.now() - t0;
    } finally {
      await ws.close();
      await db.drop();
    }
  }
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  const plan = planWorld(world, evidence);
  const planMs = performance.now() - t1;
  const cpu = process.cpuUsage(cpu0);
  const planCpuMs = (cpu.user + cpu.system) / 1000;
  const counts: Record<string, number> = {};
  for (const i of plan.items) counts[`${i.kind}:${i.table}`] = (counts[`${i.kind}:${i.table}`] ?? 0) + 1;
  const dispositions: Record<string, number> = {};
  for (const i of plan.items) dispositions[i.disposition] = (dispositions[i.disposition] ?? 0) + 1;
  process.stdout.write(
    `${JSON.stringify({ size, rows, readMs, planMs, planCpuMs, maxRssMb: process.resourceUsage().maxRSS / 1024, items: plan.items.length, counts, dispositions })}\n`,
  );
}

function main(): void {
  const args = process.argv.slice(2);
  const get = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1]! : fallback;
  };
  const rows = Number(get('--rows', '200000'));
  if (args.includes('--child')) {
    void child(Number(get('--child', '0')), rows, args.includes('--from-workspace'));
    return;
  }
  const fromWorkspace = args.includes('--from-workspace');
  const sizes = get('--sizes', '100000,300000,1000000').split(',').map(Number);
  const semi = Number(get('--semi', '0'));
  const heap = Number(get('--heap', '0'));
  const self = fileURLToPath(import.meta.url);
  console.log(
    `reconcile bench: ${rows} target rows, sizes ${sizes.join(', ')} (each in its own process, old space ${heap || 'default'} MB, semi-space ${semi || 'default'} MB; read baseline: ${fromWorkspace ? 'readEvidence from a PostgreSQL workspace' : 'generating the evidence'})`,
  );
  console.log(
    '| evidence | plan (s) | plan CPU (s) | read baseline (s) | ratio | peak RSS (MB) | items | auto / review / ask |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const size of sizes) {
    const r = spawnSync(
      process.execPath,
      [
        // V8's own heap settings by default, as `salvage plan` runs: the peak memory is what a user's plan takes.
        // Until 2026-12-07 (5) the children ran with a 6 GB old space and a 64 MB semi-space; the young generation
        // then cut 1M from 177 s to 130 s of CPU, and since the engine allocates less it makes no clear difference
        // (50-56 s either way), while the larger old space let the heap reach 3.9 GB of mostly garbage against 3.1 GB.
        ...(heap > 0 ? [`--max-old-space-size=${heap}`] : []),
        ...(semi > 0 ? [`--max-semi-space-size=${semi}`] : []),
        '--import',
        'tsx',
        self,
        '--child',
        String(size),
        '--rows',
        String(rows),
        ...(fromWorkspace ? ['--from-workspace'] : []),
      ],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      },
    );
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exitCode = 1;
      return;
    }
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const d = m.dispositions;
    console.log(
      `| ${size.toLocaleString('en')} | ${(m.planMs / 1000).toFixed(1)} | ${(m.planCpuMs / 1000).toFixed(1)} | ${(m.readMs / 1000).toFixed(2)} | ${(m.planMs / m.readMs).toFixed(1)} | ${Math.round(m.maxRssMb)} | ${m.items.toLocaleString('en')} | ${d.auto ?? 0} / ${d.review ?? 0} / ${d.ask_customer ?? 0} |`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
