import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@salvage/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, SALVAGE_BIN } from './run-cli.ts';

describe('salvage init, then status, in an empty directory', { timeout: 240_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'salvage-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('init writes the config and status summarizes an empty workspace', async () => {
    const init = await runCli(['init'], dir);
    expect(init.code).toBe(0);
    const status = await runCli(['status'], dir, { SALVAGE_TARGET_URL: undefined });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/workspace: .*\.salvage\/db \(pglite\)/);
    expect(status.stdout).toMatch(/target: +\$SALVAGE_TARGET_URL \(not set\)/);
    expect(status.stdout).toMatch(/runs: none yet/);
    expect(status.stdout).toMatch(/evidence: none/);
    expect(status.stdout).toMatch(/plan: none yet/);
    expect(statSync(join(dir, '.salvage')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, '.salvage', 'db')).mode & 0o777).toBe(0o700);
  });

  it('status --json prints one JSON document', async () => {
    const status = await runCli(['status', '--json'], dir);
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout);
    expect(doc).toMatchObject({
      workspace: { kind: 'pglite' },
      runs: [],
      evidence: [],
      warnings: 0,
      plan: null,
    });
  });

  it('status without a config says to run init, with exit code 2', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'salvage-cli-empty-'));
    try {
      const status = await runCli(['status'], empty);
      expect(status.code).toBe(2);
      expect(status.stderr).toMatch(/no salvage\.config\.yaml .* run 'salvage init'/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a second process opening the embedded workspace in use gets workspace_locked', async () => {
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(import.meta.dirname, 'fixtures/hold-workspace.ts'),
        join(dir, '.salvage', 'db'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((ok, fail) => {
        holder.stdout!.on('data', (d) => String(d).includes('held') && ok());
        holder.on('exit', (code) => fail(new Error(`holder exited with ${code}`)));
      });
      const status = await runCli(['status', '--json'], dir);
      expect(status.code).toBe(1);
      const doc = JSON.parse(status.stdout);
      expect(doc.error.code).toBe('workspace_locked');
      expect(status.stderr).toMatch(/in use by another salvage process \(pid \d+\)/);
      expect(status.stderr).toMatch(/use a Postgres workspace \(workspace\.url or workspace\.urlEnv/);
    } finally {
      holder.kill('SIGTERM');
      await new Promise((r) => holder.on('exit', r));
    }
    const after = await runCli(['status'], dir);
    expect(after.code).toBe(0);
  });
});

describe('salvage db init', { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase('salvage_cli_target');
    dir = mkdtempSync(join(tmpdir(), 'salvage-cli-db-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the reference schema in a fresh PostgreSQL database', async () => {
    const res = await runCli(['db', 'init', '--target', db.url, '--json'], dir);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      created: true,
      kind: 'postgres',
      tables: ['bookings', 'businesses', 'customers', 'payments', 'resources'],
    });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `select column_name, data_type from information_schema.columns
         where table_schema = 'public' and table_name = 'bookings' order by ordinal_position`,
      );
      expect(rows.map((r) => r.column_name)).toEqual([
        'id',
        'business_id',
        'reference',
        'customer_id',
        'resource_id',
        'starts_at',
        'ends_at',
        'status',
        'total_amount',
        'currency',
        'notes',
        'created_at',
        'updated_at',
      ]);
    } finally {
      await client.end();
    }
  });

  it('refuses a database that is not empty, saying why, with exit code 1', async () => {
    const res = await runCli(['db', 'init', '--target', db.url], dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/target database is not empty \(public has tables: bookings, businesses/);
  });

  it('takes the target from the config, reading the URL from the environment variable it names', async () => {
    const fresh = await createTestDatabase('salvage_cli_target_env');
    try {
      expect((await runCli(['init'], dir)).code).toBe(0);
      const missing = await runCli(['db', 'init'], dir, { SALVAGE_TARGET_URL: undefined });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(
        /target\.urlEnv names the environment variable SALVAGE_TARGET_URL, which is not set/,
      );
      const res = await runCli(['db', 'init'], dir, { SALVAGE_TARGET_URL: fresh.url });
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/created the reference schema in postgres:\/\/.*: bookings, businesses/);
    } finally {
      await fresh.drop();
    }
  });

  it('creates the schema in an embedded PGlite directory too', async () => {
    const res = await runCli(['db', 'init', '--pglite', 'restored-db'], dir);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/restored-db: bookings, businesses, customers, payments, resources/);
    const again = await runCli(['db', 'init', '--pglite', 'restored-db'], dir);
    expect(again.code).toBe(1);
  });
});

describe('a PostgreSQL workspace', { timeout: 240_000 }, () => {
  it('is opened from workspace.urlEnv, and two processes may use it at once', async () => {
    const db = await createTestDatabase('salvage_cli_ws');
    const dir = mkdtempSync(join(tmpdir(), 'salvage-cli-pgws-'));
    try {
      expect((await runCli(['init'], dir)).code).toBe(0);
      const file = join(dir, 'salvage.config.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(/^ {2}dir: \.salvage.*$/m, '  urlEnv: SALVAGE_WORKSPACE_URL'),
      );
      const env = { SALVAGE_WORKSPACE_URL: db.url };
      const [a, b] = await Promise.all([
        runCli(['status', '--json'], dir, env),
        runCli(['status', '--json'], dir, env),
      ]);
      expect(a.stderr).toBe('');
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      expect(JSON.parse(a.stdout).workspace.kind).toBe('postgres');
      const missing = await runCli(['status'], dir, { SALVAGE_WORKSPACE_URL: undefined });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(
        /workspace\.urlEnv names the environment variable SALVAGE_WORKSPACE_URL/,
      );
    } finally {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('salvage piped into a reader that stops early', () => {
  it('exits quietly when the pipe closes (salvage ... | head)', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done, fail) => {
      const child = spawn(SALVAGE_BIN, ['help', 'plan'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
      });
      // Read nothing: close our end at once, as `head -0` would.
      child.stdout.destroy();
      child.on('error', fail);
      child.on('close', (c) => done({ code: c, stderr: err }));
    });
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
