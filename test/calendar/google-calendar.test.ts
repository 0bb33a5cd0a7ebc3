import { createCalendarConnector, type GoogleCalendarState } from '@salvage/connector-calendar';
import { type ConnectorMessage, readAll } from '@salvage/connector-kit';
import type { Evidence } from '@salvage/core';
import type { GoogleServer } from '@salvage/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bookingEvent,
  business,
  CALENDAR_ID,
  context,
  googleConfig,
  smallPages,
  startCalendarServer,
  TOKEN_ENV,
} from './calendar-fixture.ts';

const STREAM = `google:${CALENDAR_ID}`;
let server: GoogleServer;

beforeAll(async () => {
  server = await startCalendarServer();
});
afterAll(() => server.close());

const evidenceOf = (messages: ConnectorMessage[]): Evidence[] =>
  messages.flatMap((m) => (m.kind === 'evidence' ? [m.evidence] : []));
const bookings = (messages: ConnectorMessage[]) => evidenceOf(messages).filter((e) => e.entity === 'booking');
const lastState = (messages: ConnectorMessage[]) =>
  messages.filter((m) => m.kind === 'checkpoint').at(-1) as { state: GoogleCalendarState } | undefined;

describe('Google Calendar through googleapis against the local server', () => {
  it('first run: lists everything with showDeleted in pages, keeps what the window needs, masters and instances', async () => {
    const connector = createCalendarConnector({ createGoogleTransport: smallPages(7) });
    const before = server.requests.length;
    const log = await readAll(connector, googleConfig(server), {}, context(business()));
    expect(log.error).toBeUndefined();
    const calls = server.requests.slice(before);
    expect(calls.length).toBeGreaterThan(6);
    expect(calls.every((r) => r.query.showDeleted === 'true' && r.query.updatedMin === undefined)).toBe(true);
    expect(calls.some((r) => r.query.pageToken !== undefined)).toBe(true);

    const b = bookings(log.messages);
    const ids = b.map((e) => e.source.objectId);
    expect(ids.filter((id) => /^b\d+$/.test(id))).toHaveLength(30);
    expect(ids).not.toContain('b00099');
    expect(ids).not.toContain('staffblock');
    // The master, its three remaining instances, and the cancelled exception (from the masters listing).
    expect(ids.filter((id) => id.startsWith('lesson')).sort()).toEqual([
      'lesson',
      'lesson_20260307T100000Z',
      'lesson_20260314T100000Z',
      'lesson_20260321T100000Z',
      'lesson_20260328T100000Z',
    ]);
    const cancelledException = b.find((e) => e.source.objectId === 'lesson_20260314T100000Z');
    expect(cancelledException?.fields).toMatchObject({ status: 'cancelled', reference: 'BK-LESSON' });

    const five = b.find((e) => e.source.objectId === 'b00005')!;
    expect(five.fields).toMatchObject({
      bookingId: '00000000-0000-4000-8000-000000000005',
      reference: 'BK-000005',
      status: 'cancelled',
      customerEmail: 'guest5@example.com',
      customerName: 'Guest 5',
      resourceName: 'Kayak 1',
      startsAt: '2026-03-07T09:00:00.000Z',
      endsAt: '2026-03-07T11:00:00.000Z',
      allDay: false,
    });
    expect(five.source).toMatchObject({
      kind: 'google_calendar',
      account: CALENDAR_ID,
      version: '"3700000005"',
    });
    expect(five.confidence).toBe(0.98);
    expect(evidenceOf(log.messages).filter((e) => e.entity === 'customer').length).toBeGreaterThanOrEqual(30);

    const state = lastState(log.messages)!.state;
    expect(state.syncTokens.masters).toBeTruthy();
    expect(state.syncTokens.instances).toBeTruthy();
    expect(log.messages.at(-1)).toMatchObject({ kind: 'stream_status', stream: STREAM, status: 'succeeded' });
    expect(server.rejected).toEqual([]);
  });

  it('later runs read only changes through the sync token; a 410 restarts a full sync', async () => {
    const connector = createCalendarConnector({ createGoogleTransport: smallPages(50) });
    const ctx = context(business());
    const first = await readAll(connector, googleConfig(server), {}, ctx);
    const state = { [STREAM]: lastState(first.messages)!.state };

    server.calendar.upsertEvent(CALENDAR_ID, {
      ...bookingEvent(7),
      summary: 'BK-000007 - Guest 7 (moved)',
      start: { dateTime: '2026-03-20T09:00:00Z' },
      end: { dateTime: '2026-03-20T10:00:00Z' },
    });
    server.calendar.deleteEvent(CALENDAR_ID, 'b00008');
    const second = await readAll(connector, googleConfig(server), state, ctx);
    const changed = bookings(second.messages);
    expect(changed.map((e) => [e.source.objectId, e.fields.status, e.fields.startsAt])).toEqual([
      ['b00007', 'confirmed', '2026-03-20T09:00:00.000Z'],
      ['b00008', 'cancelled', '2026-03-10T09:00:00.000Z'],
    ]);
    const syncCalls = server.requests.filter((r) => r.query.syncToken !== undefined);
    expect(syncCalls.length).toBeGreaterThanOrEqual(2);

    const third = await readAll(
      connector,
      googleConfig(server),
      { [STREAM]: lastState(second.messages)!.state },
      ctx,
    );
    expect(bookings(third.messages)).toEqual([]);

    server.calendar.expireSyncTokens();
    const fourth = await readAll(
      connector,
      googleConfig(server),
      { [STREAM]: lastState(third.messages)!.state },
      ctx,
    );
    expect(
      fourth.messages.filter((m) => m.kind === 'warning').map((m) => (m as { code: string }).code),
    ).toEqual(['google_full_sync', 'google_full_sync']);
    expect(bookings(fourth.messages).length).toBe(bookings(first.messages).length);
    expect(lastState(fourth.messages)!.state.syncTokens.masters).not.toBe(
      lastState(third.messages)!.state.syncTokens.masters,
    );
  });

  it('retries quota errors (403 rateLimitExceeded, 429) with backoff and goes on', async () => {
    const sleeps: number[] = [];
    const connector = createCalendarConnector({ createGoogleTransport: smallPages(100, sleeps) });
    server.injectQuotaErrors(1, 403, /events$/);
    server.injectQuotaErrors(1, 429, /events$/);
    const log = await readAll(connector, googleConfig(server), {}, context(business()));
    expect(log.messages.at(-1)).toMatchObject({ kind: 'stream_status', status: 'succeeded' });
    expect(sleeps).toEqual([500, 1000]);
    expect(bookings(log.messages).length).toBeGreaterThan(30);
  });

  it('reports a bad token as a check result and fails only that stream', async () => {
    const connector = createCalendarConnector();
    const bad = context(business(), { [TOKEN_ENV]: 'revoked' });
    expect(await connector.check(googleConfig(server), bad)).toMatchObject({ ok: false, kind: 'auth' });
    expect(await connector.check(googleConfig(server), context(business(), {}))).toMatchObject({
      ok: false,
      kind: 'config',
    });
    expect(await connector.check(googleConfig(server), context(business()))).toMatchObject({ ok: true });
    const log = await readAll(connector, googleConfig(server), {}, bad);
    expect(log.error).toBeUndefined();
    expect(log.messages.at(-1)).toMatchObject({ kind: 'stream_status', stream: STREAM, status: 'failed' });
    expect((log.messages.at(-1) as { message: string }).message).not.toContain('revoked');
  });
});
