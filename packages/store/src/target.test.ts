import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@salvage/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from './database.ts';
import { createReferenceSchema, readPublicTables, readTargetIdentity, readTargetSnapshot } from './target.ts';

const BIZ = '00000000-0000-4000-8000-000000000001';
const RES = '00000000-0000-4000-8000-000000000002';
const CUS = '00000000-0000-4000-8000-000000000003';
const BKG = '00000000-0000-4000-8000-000000000004';

const backends = [
  {
    name: 'postgres',
    async open() {
      const t: TestDatabase = await createTestDatabase('salvage_target');
      return { handle: await openDatabase({ url: t.url }), cleanup: () => t.drop() };
    },
  },
  {
    name: 'pglite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'salvage-target-'));
      return {
        handle: await openDatabase({ pglite: join(dir, 'db') }),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];

const fingerprints: Record<string, string> = {};

describe.each(backends)('reference schema on $name', (backend) => {
  // biome-ignore lint/suspicious/noExplicitAny: the reference schema, untyped in tests.
  let handle: DatabaseHandle<any>;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await backend.open();
    handle = opened.handle;
    cleanup = opened.cleanup;
  });
  afterAll(async () => {
    await handle?.close();
    await cleanup?.();
  });

  it('creates the five tables in an empty database, and no other table in public', async () => {
    await createReferenceSchema(handle.db);
    expect(await readPublicTables(handle.db)).toEqual([
      'bookings',
      'businesses',
      'customers',
      'payments',
      'resources',
    ]);
  });

  it('refuses a database that already has tables, naming them', async () => {
    await expect(createReferenceSchema(handle.db)).rejects.toMatchObject({
      code: 'target_not_empty',
      message: expect.stringMatching(/public has tables: bookings, businesses/),
    });
  });

  it('enforces the schema constraints', async () => {
    await handle.db
      .insertInto('businesses')
      .values({
        id: BIZ,
        name: 'Harbor',
        timezone: 'America/New_York',
        currency: 'usd',
        created_at: '2026-01-01T00:00:00Z',
      })
      .execute();
    await handle.db
      .insertInto('resources')
      .values({ id: RES, business_id: BIZ, name: 'Kayak 1', created_at: '2026-01-01T00:00:00Z' })
      .execute();
    await handle.db
      .insertInto('customers')
      .values({
        id: CUS,
        business_id: BIZ,
        full_name: 'Ana Lima',
        email: 'ana@example.com',
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
      })
      .execute();
    const booking = {
      id: BKG,
      business_id: BIZ,
      reference: 'BK-7F3K2Q',
      customer_id: CUS,
      resource_id: RES,
      starts_at: '2026-05-03T14:00:00-04:00',
      ends_at: '2026-05-05T10:00:00-04:00',
      status: 'confirmed',
      total_amount: '9007199254740',
      currency: 'usd',
      created_at: '2026-01-02T00:00:00Z',
      updated_at: '2026-01-02T00:00:00Z',
    };
    await expect(
      handle.db
        .insertInto('bookings')
        .values({ ...booking, status: 'lost' })
        .execute(),
    ).rejects.toThrow(/check constraint/);
    await expect(
      handle.db
        .insertInto('bookings')
        .values({ ...booking, ends_at: booking.starts_at })
        .execute(),
    ).rejects.toThrow(/check constraint/);
    await handle.db.insertInto('bookings').values(booking).execute();
    await expect(
      handle.db
        .insertInto('bookings')
        .values({ ...booking, id: RES })
        .execute(),
    ).rejects.toThrow(/duplicate key/);
    await handle.db
      .insertInto('payments')
      .values({
        id: '00000000-0000-4000-8000-000000000005',
        business_id: BIZ,
        booking_id: BKG,
        amount: 1250,
        currency: 'usd',
        status: 'succeeded',
        method: 'card',
        created_at: '2026-01-02T00:00:00Z',
        updated_at: '2026-01-02T00:00:00Z',
      })
      .execute();
  });

  it('reads a canonical snapshot: UTC instants with ms, numbers for money, trimmed currency', async () => {
    const snap = await readTargetSnapshot(handle.db);
    expect(snap.businesses).toEqual([
      {
        id: BIZ,
        name: 'Harbor',
        timezone: 'America/New_York',
        currency: 'usd',
        stripe_account_id: null,
        created_at: '2026-01-01T00:00:00.000Z',
      },
    ]);
    expect(snap.bookings[0]).toMatchObject({
      starts_at: '2026-05-03T18:00:00.000Z',
      total_amount: 9007199254740,
      currency: 'usd',
      notes: null,
    });
    expect(snap.payments[0]).toMatchObject({ amount: 1250, amount_refunded: 0, paid_at: null });
    expect(snap.customers).toHaveLength(1);
    expect(snap.resources).toHaveLength(1);
  });

  it('reads an identity that is stable, and whose fingerprint follows the schema', async () => {
    const a = await readTargetIdentity(handle.db);
    expect(a.systemIdentifier).toMatch(/^\d+$/);
    expect(a.databaseName.length).toBeGreaterThan(0);
    expect(a.schemaFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(await readTargetIdentity(handle.db)).toEqual(a);
    fingerprints[backend.name] = a.schemaFingerprint;
    await sql`alter table bookings add column source text`.execute(handle.db);
    const b = await readTargetIdentity(handle.db);
    expect(b.schemaFingerprint).not.toBe(a.schemaFingerprint);
    expect(b.systemIdentifier).toBe(a.systemIdentifier);
    await sql`alter table bookings drop column source`.execute(handle.db);
  });
});

describe('schema fingerprint', () => {
  it('is the same for the reference schema on PostgreSQL and PGlite', () => {
    expect(fingerprints.postgres).toBeDefined();
    expect(fingerprints.postgres).toBe(fingerprints.pglite);
  });
});
