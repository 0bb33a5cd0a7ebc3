import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmailConnector } from '@salvage/connector-email';
import { type ConnectorContext, type ConnectorMessage, silentLogger } from '@salvage/connector-kit';
import { type BusinessConfig, emailSourcesSchema } from '@salvage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { BOOKING_RULES, makeBookingMessage } from './make-messages.ts';

// Reading in worker threads must give exactly the messages, in the same order, that reading in process gives.
const FIXTURES = join(import.meta.dirname, '..', '..', 'connectors', 'email', 'fixtures');
const business = {
  id: '00000000-0000-4000-8000-00000000e007',
  name: 'Rent Example',
  timezone: 'Europe/Lisbon',
  currency: 'eur',
  defaultRegion: 'PT',
  referencePattern: 'BK-[A-Z0-9]{6}',
} as BusinessConfig;
const ctx: ConnectorContext = {
  business,
  window: { since: '2000-01-01T00:00:00.000Z', until: '2100-01-01T00:00:00.000Z' },
  now: () => new Date('2026-07-01T00:00:00Z'),
  logger: silentLogger,
  env: {},
};

describe('message workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-email-workers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('give the same messages in the same order as reading in process', { timeout: 60_000 }, async () => {
    for (const f of readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')))
      copyFileSync(join(FIXTURES, f), join(dir, f));
    const base = Date.parse('2026-05-03T08:00:00Z');
    // More than the read-ahead, with a duplicate, so the queue fills and dedupe sees worker results.
    for (let i = 0; i < 700; i++)
      writeFileSync(
        join(dir, `bench-${String(i).padStart(4, '0')}.eml`),
        makeBookingMessage(i % 650, new Date(base + (i % 650) * 60_000)),
      );
    const config = emailSourcesSchema.parse({
      eml: [dir],
      rules: BOOKING_RULES,
      ownAddresses: ['bookings@rent.example'],
    });
    const readAll = async (messageWorkers: number) => {
      const out: ConnectorMessage[] = [];
      for await (const m of createEmailConnector({ messageWorkers }).read(config, {}, ctx)) out.push(m);
      return out;
    };
    const inProcess = await readAll(0);
    const inWorkers = await readAll(2);
    expect(inProcess.filter((m) => m.kind === 'evidence').length).toBeGreaterThan(2000);
    expect(inWorkers).toEqual(inProcess);
  });
});
