import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmailConnector, type EmailConnectorConfig } from '@salvage/connector-email';
import { type ConnectorContext, type ConnectorMessage, silentLogger } from '@salvage/connector-kit';
import { type BusinessConfig, emailSourcesSchema } from '@salvage/core';
import { type GoogleServer, startGoogleServer } from '@salvage/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKING_RULES, makeBookingMessage } from './make-messages.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'connectors', 'email', 'fixtures');
const ADDRESS = 'bookings@rent.example';
const TOKEN = 'ya29.local-test-token';
const business = {
  id: '00000000-0000-4000-8000-00000000e002',
  name: 'Rent Example',
  timezone: 'Europe/Lisbon',
  currency: 'eur',
  defaultRegion: 'PT',
  referencePattern: 'BK-[A-Z0-9]{6}',
} as BusinessConfig;

describe('Gmail through the real googleapis client against the local Google server', () => {
  let server: GoogleServer;
  let config: EmailConnectorConfig;
  const env = { GMAIL_TOKEN: TOKEN };
  const ctx: ConnectorContext = {
    business,
    window: { since: '2026-05-01T00:00:00.000Z', until: '2026-07-01T00:00:00.000Z' },
    now: () => new Date('2026-07-01T00:00:00Z'),
    logger: silentLogger,
    env,
  };
  const base = Date.parse('2026-05-03T08:00:00Z');
  const first = Array.from({ length: 45 }, (_, i) => makeBookingMessage(i, new Date(base + i * 3_600_000)));

  beforeAll(async () => {
    const fixtures = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.eml') && !f.startsWith('09'))
      .map((f) => readFileSync(join(FIXTURES, f)));
    server = await startGoogleServer({
      accounts: [{ token: TOKEN, address: ADDRESS, calendars: '*' }],
      mailboxes: [
        {
          address: ADDRESS,
          messages: [
            ...first.map((raw) => ({ raw, labelIds: ['SENT'] })),
            ...fixtures.map((raw) => ({ raw, labelIds: ['INBOX'] })),
            // Outside the window: listed only if the after: query is wrong, and then filtered out.
            { raw: makeBookingMessage(900, new Date('2026-01-05T00:00:00Z')), labelIds: ['SENT'] },
          ],
        },
      ],
    });
    config = emailSourcesSchema.parse({
      gmail: [{ userId: ADDRESS, tokenEnv: 'GMAIL_TOKEN', rootUrl: server.rootUrl }],
      rules: BOOKING_RULES,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function read(state: Record<string, unknown>) {
    const connector = createEmailConnector({ gmailPageSize: 10, gmailUnitsPerSecond: 10_000 });
    const out: ConnectorMessage[] = [];
    const next = { ...state };
    for await (const m of connector.read(config, state, ctx)) {
      out.push(m);
      if (m.kind === 'checkpoint') next[m.stream] = m.state;
    }
    return { messages: out, state: next };
  }
  const refs = (ms: ConnectorMessage[]) =>
    new Set(
      ms.flatMap((m) =>
        m.kind === 'evidence' && m.evidence.entity === 'booking'
          ? [(m.evidence.fields as { reference?: string }).reference]
          : [],
      ),
    );

  let firstRun: { messages: ConnectorMessage[]; state: Record<string, unknown> };

  it('a first run lists with after:, pages, and gets every message raw', async () => {
    const before = server.requests.length;
    firstRun = await read({});
    const reqs = server.requests.slice(before);
    const lists = reqs.filter((r) => r.path.endsWith('/messages'));
    expect(lists.length).toBeGreaterThan(5); // 59 messages, 10 a page
    expect(String(lists[0]?.query.q)).toMatch(/^after:\d+ before:\d+$/);
    expect(reqs.some((r) => r.path.includes('/history'))).toBe(false);
    expect(reqs.filter((r) => /\/messages\/[^/]+$/.test(r.path)).every((r) => r.query.format === 'raw')).toBe(
      true,
    );
    const found = refs(firstRun.messages);
    for (const i of [0, 3, 44])
      expect(found.has(/Reference: (BK-\w+)/.exec(first[i] as string)?.[1])).toBe(true);
    expect(found.has('BK-ICS011')).toBe(true);
    const status = firstRun.messages.find((m) => m.kind === 'stream_status');
    expect(status).toMatchObject({ stream: `gmail:${ADDRESS}`, status: 'succeeded' });
    expect(firstRun.state[`gmail:${ADDRESS}`]).toMatchObject({ phase: 'history' });
    expect(server.rejected).toEqual([]);
  });

  it('a later run reads only what is new, through history.list from the stored historyId', async () => {
    const added = [
      makeBookingMessage(500, new Date(base + 100 * 3_600_000)),
      makeBookingMessage(501, new Date(base + 101 * 3_600_000)),
    ];
    server.gmail.put({ address: ADDRESS, messages: added.map((raw) => ({ raw, labelIds: ['INBOX'] })) });
    const before = server.requests.length;
    const second = await read(firstRun.state);
    const reqs = server.requests.slice(before);
    expect(reqs.some((r) => r.path.includes('/history'))).toBe(true);
    expect(reqs.some((r) => r.path.endsWith('/messages'))).toBe(false);
    expect(reqs.filter((r) => /\/messages\/[^/]+$/.test(r.path))).toHaveLength(2);
    expect(refs(second.messages)).toEqual(new Set(added.map((m) => /Reference: (BK-\w+)/.exec(m)?.[1])));
    firstRun = second;
  });

  it('a historyId Gmail no longer keeps (404) falls back to a list, with a warning', async () => {
    server.gmail.oldestHistoryId = Number(server.gmail.currentHistoryId()) + 1;
    const before = server.requests.length;
    const third = await read(firstRun.state);
    const reqs = server.requests.slice(before);
    expect(reqs.find((r) => r.path.includes('/history'))?.status).toBe(404);
    expect(reqs.some((r) => r.path.endsWith('/messages'))).toBe(true);
    expect(third.messages.some((m) => m.kind === 'warning' && m.code === 'gmail_history_expired')).toBe(true);
    expect(refs(third.messages).size).toBeGreaterThan(40);
  });

  it('a bad token fails check as an auth value', async () => {
    const res = await createEmailConnector().check(config, { ...ctx, env: { GMAIL_TOKEN: 'ya29.wrong' } });
    expect(res).toMatchObject({ ok: false, kind: 'auth' });
  });
});
