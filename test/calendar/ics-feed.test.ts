import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CalendarConnectorConfig, createCalendarConnector } from '@salvage/connector-calendar';
import { type ConnectorMessage, readAll } from '@salvage/connector-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { business, context } from './calendar-fixture.ts';
import { type IcsFeedServer, startIcsFeed } from './ics-feed-server.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'connectors', 'calendar', 'fixtures');
const google = readFileSync(join(FIXTURES, 'google-export.ics'), 'utf8');
const RULES = [
  {
    name: 'rentalhub-calendar',
    match: { summary: '^BK-' },
    kind: 'other' as const,
    fields: { customerEmail: 'Email: (?<value>\\S+)' },
    confidence: 0.9,
  },
];

let feed: IcsFeedServer;
let stuck: IcsFeedServer;
beforeAll(async () => {
  feed = await startIcsFeed(google);
  stuck = await startIcsFeed(google, { hang: true });
});
afterAll(async () => {
  await feed.close();
  await stuck.close();
});

const kinds = (messages: ConnectorMessage[], kind: ConnectorMessage['kind']) =>
  messages.filter((m) => m.kind === kind);
const config = (urls: string[], paths: string[] = []): CalendarConnectorConfig => ({
  sources: {
    google: [],
    ics: [
      ...urls.map((url) => ({ url, resource: 'Kayak 1' })),
      ...paths.map((path) => ({ path, resource: 'Kayak 1' })),
    ],
    rules: RULES,
  },
  baseDir: FIXTURES,
  feedTimeoutMs: 400,
});

describe('iCalendar feeds over http', () => {
  it('reads a feed, then asks with If-None-Match and skips it while unchanged, reads again when it changes', async () => {
    const connector = createCalendarConnector();
    const ctx = context(business());
    const first = await readAll(connector, config([feed.url]), {}, ctx);
    expect(first.error).toBeUndefined();
    const evidence = kinds(first.messages, 'evidence');
    expect(evidence.length).toBeGreaterThan(5);
    const checkpoint = kinds(first.messages, 'checkpoint').at(-1) as {
      stream: string;
      state: { etag?: string; hash: string };
    };
    expect(checkpoint.stream).toBe(`ics:${feed.url.split('?')[0]}?…`);
    expect(checkpoint.state.etag).toMatch(/^"/);
    // The feed URL's secret query never reaches stored data.
    expect(JSON.stringify(first.messages)).not.toContain('secret-token-xyz');

    const second = await readAll(
      connector,
      config([feed.url]),
      { [checkpoint.stream]: checkpoint.state },
      ctx,
    );
    expect(kinds(second.messages, 'evidence')).toEqual([]);
    expect(feed.requests.at(-1)).toMatchObject({ status: 304 });
    expect(feed.requests.at(-1)!.headers['if-none-match']).toBe(checkpoint.state.etag);
    expect(second.messages.at(-1)).toMatchObject({
      kind: 'stream_status',
      status: 'succeeded',
      message: 'unchanged since the last run',
    });

    feed.setBody(
      google
        .replace('SUMMARY:BK-EASTR3 - Marta Sousa', 'SUMMARY:BK-EASTR3 - Marta Sousa (2 guests)')
        .replace('LAST-MODIFIED:20260303T100000Z', 'LAST-MODIFIED:20260310T100000Z'),
    );
    const third = await readAll(
      connector,
      config([feed.url]),
      { [checkpoint.stream]: checkpoint.state },
      ctx,
    );
    expect(kinds(third.messages, 'evidence').length).toBe(evidence.length);
    expect(feed.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('a feed that times out fails its own stream with a warning; the file after it is still read', async () => {
    const connector = createCalendarConnector();
    const log = await readAll(
      connector,
      config([stuck.url], ['apple-icloud.ics']),
      {},
      context(business('America/New_York')),
    );
    expect(log.error).toBeUndefined();
    const statuses = kinds(log.messages, 'stream_status') as { stream: string; status: string }[];
    expect(statuses.map((s) => s.status)).toEqual(['failed', 'succeeded']);
    expect(kinds(log.messages, 'warning')).toContainEqual(
      expect.objectContaining({ code: 'ics_feed_timeout' }),
    );
    expect(kinds(log.messages, 'evidence').length).toBeGreaterThan(0);
  });

  it('a broken file gives warnings with the raw event kept, and still its good events', async () => {
    const connector = createCalendarConnector();
    const log = await readAll(connector, config([], ['broken-bom.ics']), {}, context(business()));
    const warnings = kinds(log.messages, 'warning') as { code: string; message: string; rawRef?: string }[];
    expect(warnings.map((w) => w.code).sort()).toEqual([
      'ics_bad_line',
      'ics_end_before_start',
      'ics_missing_uid',
      'ics_unknown_tzid',
    ]);
    expect(warnings.every((w) => w.message.startsWith('broken-bom.ics: line '))).toBe(true);
    const raws = new Set((kinds(log.messages, 'raw') as { raw: { ref: string } }[]).map((r) => r.raw.ref));
    for (const w of warnings) expect(w.rawRef && raws.has(w.rawRef)).toBe(true);
    const refs = (
      kinds(log.messages, 'evidence') as { evidence: { entity: string; fields: { reference?: string } } }[]
    )
      .filter((m) => m.evidence.entity === 'booking')
      .map((m) => m.evidence.fields.reference);
    expect(refs).toEqual(['BK-BRK001', 'BK-BRK002', 'BK-BRK003', 'BK-BRK004', 'BK-BRK006']);
  });
});
