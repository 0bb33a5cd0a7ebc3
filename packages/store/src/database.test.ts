import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@salvage/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, type DatabaseLocation, openDatabase, redactUrl } from './database.ts';
import { PGLITE_LOCK_FILE } from './pglite-lock.ts';

const backends: { name: string; open: () => Promise<{ loc: DatabaseLocation; cleanup(): Promise<void> }> }[] =
  [
    {
      name: 'postgres',
      async open() {
        const t: TestDatabase = await createTestDatabase('salvage_store');
        return { loc: { url: t.url }, cleanup: () => t.drop() };
      },
    },
    {
      name: 'pglite',
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'salvage-db-'));
        return {
          loc: { pglite: join(dir, 'db') },
          cleanup: async () => rmSync(dir, { recursive: true, force: true }),
        };
      },
    },
  ];

describe.each(backends)('openDatabase on $name', (backend) => {
  let handle: DatabaseHandle<{ t: { id: number; v: string }; c: { n: number } }>;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await backend.open();
    cleanup = opened.cleanup;
    handle = await openDatabase(opened.loc);
  });
  afterAll(async () => {
    await handle?.close();
    await cleanup?.();
  });

  it('reports its kind and runs queries with the same value types', async () => {
    expect(handle.kind).toBe(backend.name);
    const { rows } = await sql<{
      n: string;
      at: Date;
      j: unknown;
      b: Uint8Array;
      c: string;
    }>`select 9007199254740993::int8 as n, '2026-01-02T03:04:05Z'::timestamptz as at, '{"x":[1]}'::jsonb as j, '\\x0102'::bytea as b, 'ab'::char(3) as c`.execute(
      handle.db,
    );
    const row = rows[0]!;
    expect(row.n).toBe('9007199254740993');
    expect(row.at).toBeInstanceOf(Date);
    expect(row.at.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(row.j).toEqual({ x: [1] });
    expect([...row.b]).toEqual([1, 2]);
    expect(row.c).toBe('ab ');
  });

  it('commits and rolls back transactions, and counts affected rows', async () => {
    await sql`create table t (id int primary key, v text)`.execute(handle.db);
    const ins = await handle.db
      .insertInto('t')
      .values([
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ])
      .executeTakeFirst();
    expect(ins.numInsertedOrUpdatedRows).toBe(2n);
    await handle.db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 3, v: 'c' }).execute();
    });
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 4, v: 'd' }).execute();
        await trx.insertInto('t').values({ id: 1, v: 'dup' }).execute();
      }),
    ).rejects.toThrow(/duplicate key/);
    const ids = await handle.db.selectFrom('t').select('id').orderBy('id').execute();
    expect(ids.map((r) => r.id)).toEqual([1, 2, 3]);
    const res = await handle.db.updateTable('t').set({ v: 'z' }).where('id', '<', 3).executeTakeFirst();
    expect(res.numUpdatedRows).toBe(2n);
  });

  it('serves concurrent queries and transactions without mixing them', async () => {
    await sql`create table c (n int)`.execute(handle.db);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        handle.db
          .transaction()
          .execute(async (trx) => {
            await trx.insertInto('c').values({ n: i }).execute();
            if (i % 2 === 1) throw new Error('rollback odd');
          })
          .catch(() => {}),
      ),
    );
    const rows = await handle.db.selectFrom('c').select('n').orderBy('n').execute();
    expect(rows.map((r) => r.n)).toEqual([0, 2, 4, 6, 8]);
  });

  it('introspects tables through kysely', async () => {
    const tables = await handle.db.introspection.getTables();
    expect(tables.map((t) => t.name).sort()).toEqual(['c', 't']);
  });
});

describe('PGlite directory lock', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'salvage-lock-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates the directory private, refuses a second open in this process, and frees it on close', async () => {
    const dir = join(root, 'a');
    const first = await openDatabase({ pglite: dir });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await expect(openDatabase({ pglite: dir })).rejects.toMatchObject({ code: 'workspace_locked' });
    await first.close();
    const again = await openDatabase({ pglite: dir });
    await again.close();
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = join(root, 'b');
    const first = await openDatabase({ pglite: dir });
    await first.close();
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = dead.pid!;
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(join(dir, PGLITE_LOCK_FILE), JSON.stringify({ pid, host: hostname(), startTime: null }));
    const h = await openDatabase({ pglite: dir });
    await h.close();
  });

  it('refuses a directory another live process holds, naming the Postgres workspace way out', async () => {
    const dir = join(root, 'c');
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const fs=require('node:fs');fs.mkdirSync(${JSON.stringify(dir)},{recursive:true});fs.writeFileSync(${JSON.stringify(join(dir, PGLITE_LOCK_FILE))}, JSON.stringify({pid:process.pid,host:require('node:os').hostname(),startTime:null}));console.log('held');setTimeout(()=>{},60000)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((r) => holder.stdout!.once('data', r));
    try {
      const err = await openDatabase({ pglite: dir }).then(
        () => null,
        (e) => e,
      );
      expect(err).toMatchObject({ code: 'workspace_locked' });
      expect(err.message).toMatch(/another salvage process \(pid \d+\)/);
      expect(err.message).toMatch(/workspace\.urlEnv/);
    } finally {
      holder.kill();
    }
  });
});

describe('openDatabase on an unreachable server', () => {
  it('throws database_unreachable without the password', async () => {
    const err = await openDatabase({ url: 'postgres://u:secretpw@127.0.0.1:1/x' }).then(
      () => null,
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'database_unreachable' });
    expect(err.message).not.toContain('secretpw');
    expect(redactUrl('postgres://u:pw@h/db')).toBe('postgres://u:***@h/db');
  });
});
