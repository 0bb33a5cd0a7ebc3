import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../packages/cli/bin/salvage.js');

async function salvage(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('salvage simulate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-sim-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an incident, prints one JSON document with --json and progress on stderr', async () => {
    const out = join(dir, 'a');
    const r = await salvage(['simulate', '--seed', '12', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.formatVersion).toBe(1);
    expect(doc.seed).toBe(12);
    expect(doc.counts.truth.bookings).toBeGreaterThan(250);
    expect(r.stderr).toContain('[8/8] done');
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).counts).toEqual(doc.counts);
  }, 180_000);

  it('prints a per-business summary, refuses a non-empty directory (exit 2) unless --force', async () => {
    const out = join(dir, 'b');
    const first = await salvage(['simulate', '--out', out, '--bookings', '40']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/harbor-kayaks\s+America\/New_York\s+\d+/);
    expect(first.stdout).toMatch(/recoverable bookings: \d+ of \d+/);
    const again = await salvage(['simulate', '--out', out, '--bookings', '40']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not empty.*--force/);
    const forced = await salvage(['simulate', '--out', out, '--force', '--seed', '2', '--bookings', '40']);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).seed).toBe(2);
    expect(forced.code).toBe(0);
    const bad = await salvage(['simulate', '--out', join(dir, 'c'), '--seed', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--seed/);
    const help = await salvage(['simulate', '--help']);
    expect(help.stdout).toMatch(/--scale <scale>/);
  }, 240_000);
});
