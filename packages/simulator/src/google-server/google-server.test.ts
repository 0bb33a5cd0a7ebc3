import { Auth, calendar_v3, gmail_v1 } from 'googleapis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarEvent } from './expand-instances.ts';
import { type GoogleServer, startGoogleServer } from './google-server.ts';

const NOW = Date.parse('2026-03-20T12:00:00Z');
const CAL = 'kayak-1@group.calendar.google.com';
const ZONE = 'Europe/Lisbon';

function event(i: number, extra: Partial<CalendarEvent> = {}): CalendarEvent {
  const start = Date.parse('2026-03-01T09:00:00Z') + i * 3_600_000;
  return {
    kind: 'calendar#event',
    id: `ev${String(i).padStart(4, '0')}`,
    etag: `"${i}"`,
    status: 'confirmed',
    updated: new Date(Date.parse('2026-03-10T00:00:00Z') + i * 1000).toISOString(),
    summary: `Booking ${i}`,
    start: { dateTime: new Date(start).toISOString(), timeZone: ZONE },
    end: { dateTime: new Date(start + 3_600_000).toISOString(), timeZone: ZONE },
    ...extra,
  };
}

const lesson: CalendarEvent = {
  kind: 'calendar#event',
  id: 'lesson',
  status: 'confirmed',
  updated: '2026-03-09T00:00:00.000Z',
  summary: 'Weekly lesson',
  // Saturdays 10:00 Lisbon, across the 2026-03-29 spring-forward.
  start: { dateTime: '2026-03-14T10:00:00+00:00', timeZone: ZONE },
  end: { dateTime: '2026-03-14T11:00:00+00:00', timeZone: ZONE },
  recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=SA;COUNT=5', 'EXDATE;TZID=Europe/Lisbon:20260321T100000'],
};
const moved: CalendarEvent = {
  kind: 'calendar#event',
  id: 'lesson_20260328T100000Z',
  status: 'confirmed',
  updated: '2026-03-09T00:00:01.000Z',
  summary: 'Weekly lesson (moved)',
  recurringEventId: 'lesson',
  originalStartTime: { dateTime: '2026-03-28T10:00:00+00:00', timeZone: ZONE },
  start: { dateTime: '2026-03-28T15:00:00+00:00', timeZone: ZONE },
  end: { dateTime: '2026-03-28T16:00:00+00:00', timeZone: ZONE },
};

const MAIL = (n: number, date: string) =>
  `From: Ana <ana@example.com>\r\nTo: desk@kayaks.test\r\nSubject: Hello ${n}\r\nDate: ${date}\r\nMessage-ID: <m${n}@example.com>\r\n\r\nBody ${n}\r\n`;

let server: GoogleServer;
let calendar: calendar_v3.Calendar;

function client(token: string) {
  const auth = new Auth.OAuth2Client();
  auth.setCredentials({ access_token: token });
  // googleapis types its options with an older google-auth-library than the one it re-exports: same class at runtime.
  return auth as unknown as calendar_v3.Options['auth'];
}

beforeAll(async () => {
  server = await startGoogleServer({
    accounts: [
      { token: 'tok-kayaks', address: 'desk@kayaks.test', calendars: [CAL] },
      { token: 'tok-other', address: 'other@x.test', calendars: [] },
    ],
    calendars: [
      {
        calendarId: CAL,
        timeZone: ZONE,
        items: [
          ...Array.from({ length: 25 }, (_, i) => event(i, i === 3 ? { status: 'cancelled' } : {})),
          lesson,
          moved,
        ],
      },
    ],
    mailboxes: [
      {
        address: 'desk@kayaks.test',
        messages: [
          { raw: MAIL(1, 'Mon, 02 Mar 2026 10:00:00 +0000'), labelIds: ['INBOX'] },
          { raw: MAIL(2, 'Tue, 10 Mar 2026 10:00:00 +0000'), labelIds: ['INBOX'] },
          { raw: MAIL(3, 'Wed, 18 Mar 2026 10:00:00 +0000'), labelIds: ['SENT'] },
        ],
      },
    ],
    now: () => NOW,
  });
  calendar = new calendar_v3.Calendar({ auth: client('tok-kayaks'), rootUrl: server.rootUrl });
});
afterAll(() => server.close());

async function listAll(params: calendar_v3.Params$Resource$Events$List) {
  const items: calendar_v3.Schema$Event[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  for (;;) {
    const res = await calendar.events.list({ ...params, pageToken });
    pages++;
    items.push(...(res.data.items ?? []));
    if (!res.data.nextPageToken) return { items, pages, syncToken: res.data.nextSyncToken };
    expect(res.data.nextSyncToken).toBeUndefined();
    pageToken = res.data.nextPageToken;
  }
}

describe('Calendar v3 events.list through googleapis', () => {
  it('pages, hides cancelled events unless showDeleted, and ends with a sync token', async () => {
    const visible = await listAll({ calendarId: CAL, maxResults: 10 });
    expect(visible.pages).toBe(3);
    expect(visible.items.map((e) => e.id)).not.toContain('ev0003');
    expect(visible.items).toHaveLength(26);
    expect(visible.syncToken).toBeTruthy();
    const all = await listAll({ calendarId: CAL, maxResults: 10, showDeleted: true });
    expect(all.items.find((e) => e.id === 'ev0003')?.status).toBe('cancelled');
    expect(new Set(all.items.map((e) => e.id)).size).toBe(27);
  });

  it('returns only changes after a sync token, and 410 fullSyncRequired once tokens expire', async () => {
    const first = await listAll({ calendarId: CAL, showDeleted: true });
    server.calendar.upsertEvent(CAL, { ...event(5), summary: 'Booking 5 (edited)' });
    server.calendar.deleteEvent(CAL, 'ev0007');
    const changes = await listAll({ calendarId: CAL, syncToken: first.syncToken! });
    expect(changes.items.map((e) => [e.id, e.status, e.summary])).toEqual([
      ['ev0005', 'confirmed', 'Booking 5 (edited)'],
      ['ev0007', 'cancelled', 'Booking 7'],
    ]);
    const none = await listAll({ calendarId: CAL, syncToken: changes.syncToken! });
    expect(none.items).toEqual([]);
    server.calendar.expireSyncTokens();
    const error = await calendar.events.list({ calendarId: CAL, syncToken: none.syncToken! }).catch((e) => e);
    expect(error.status).toBe(410);
    expect(error.response.data.error.errors[0].reason).toBe('fullSyncRequired');
  });

  it('answers 400 for timeMin with a sync token, and 410 updatedMinTooLongAgo for an old updatedMin', async () => {
    const { syncToken } = await listAll({ calendarId: CAL });
    const bad = await calendar.events
      .list({ calendarId: CAL, syncToken: syncToken!, timeMin: '2026-01-01T00:00:00Z' })
      .catch((e) => e);
    expect(bad.status).toBe(400);
    const old = await calendar.events
      .list({ calendarId: CAL, updatedMin: '2025-12-01T00:00:00Z' })
      .catch((e) => e);
    expect(old.status).toBe(410);
    expect(old.response.data.error.errors[0].reason).toBe('updatedMinTooLongAgo');
    const recent = await calendar.events.list({ calendarId: CAL, updatedMin: '2026-03-10T00:00:20Z' });
    expect(
      recent.data.items?.every((e) => Date.parse(e.updated!) >= Date.parse('2026-03-10T00:00:20Z')),
    ).toBe(true);
    expect(recent.data.items?.length).toBeGreaterThan(0);
  });

  it('expands recurring events with singleEvents, keeping wall time across DST and putting exceptions in place', async () => {
    const res = await calendar.events.list({
      calendarId: CAL,
      singleEvents: true,
      orderBy: 'startTime',
      timeMin: '2026-03-13T00:00:00Z',
      timeMax: '2026-04-30T00:00:00Z',
      q: 'lesson',
    });
    const rows = res.data.items!.map((e) => [e.id, e.recurringEventId, e.start?.dateTime]);
    expect(rows).toEqual([
      ['lesson_20260314T100000Z', 'lesson', '2026-03-14T10:00:00+00:00'],
      ['lesson_20260328T100000Z', 'lesson', '2026-03-28T15:00:00+00:00'],
      ['lesson_20260404T090000Z', 'lesson', '2026-04-04T10:00:00+01:00'],
      ['lesson_20260411T090000Z', 'lesson', '2026-04-11T10:00:00+01:00'],
    ]);
    const masters = await calendar.events.list({ calendarId: CAL, q: 'lesson' });
    expect(masters.data.items!.map((e) => e.id).sort()).toEqual(['lesson', 'lesson_20260328T100000Z']);
  });

  it('answers 401 with Google error JSON for a bad token and 404 for a calendar the account cannot read', async () => {
    const bad = new calendar_v3.Calendar({ auth: client('nope'), rootUrl: server.rootUrl });
    const e1 = await bad.events.list({ calendarId: CAL }).catch((e) => e);
    expect(e1.status).toBe(401);
    expect(e1.response.data.error.status).toBe('UNAUTHENTICATED');
    const other = new calendar_v3.Calendar({ auth: client('tok-other'), rootUrl: server.rootUrl });
    expect((await other.events.list({ calendarId: CAL }).catch((e) => e)).status).toBe(404);
  });

  it('injects quota errors and refuses writes with 405, recording them', async () => {
    server.injectQuotaErrors(1, 429, /events$/);
    const e = await calendar.events.list({ calendarId: CAL }, { retry: false }).catch((x) => x);
    expect(e.status).toBe(429);
    expect(e.response.data.error.errors[0].reason).toBe('rateLimitExceeded');
    server.injectQuotaErrors(1, 403);
    const e2 = await calendar.events.list({ calendarId: CAL }, { retry: false }).catch((x) => x);
    expect(e2.status).toBe(403);
    expect((await calendar.events.list({ calendarId: CAL })).status).toBe(200);
    const before = server.rejected.length;
    const w = await calendar.events
      .insert({ calendarId: CAL, requestBody: { summary: 'x' } }, { retry: false })
      .catch((x) => x);
    expect(w.status).toBe(405);
    expect(server.rejected.length).toBe(before + 1);
    expect(server.rejected.at(-1)).toMatchObject({ method: 'POST', account: 'desk@kayaks.test' });
  });
});

describe('Gmail v1 through googleapis', () => {
  const gmail = () => new gmail_v1.Gmail({ auth: client('tok-kayaks'), rootUrl: server.rootUrl });

  it('lists with after:/before: and paging, and gets raw messages', async () => {
    const g = gmail();
    const page1 = await g.users.messages.list({ userId: 'me', maxResults: 1, q: 'after:1772409600' });
    expect(page1.data.messages).toHaveLength(1);
    expect(page1.data.nextPageToken).toBeTruthy();
    const page2 = await g.users.messages.list({
      userId: 'me',
      maxResults: 5,
      pageToken: page1.data.nextPageToken!,
    });
    expect(page2.data.messages).toHaveLength(2);
    const bounded = await g.users.messages.list({ userId: 'me', q: 'after:2026/03/05 before:2026/03/15' });
    expect(bounded.data.messages).toHaveLength(1);
    const msg = await g.users.messages.get({
      userId: 'me',
      id: bounded.data.messages![0]!.id!,
      format: 'raw',
    });
    expect(Buffer.from(msg.data.raw!, 'base64url').toString()).toContain('Subject: Hello 2');
    expect(msg.data.internalDate).toBe(String(Date.parse('2026-03-10T10:00:00Z')));
    expect(msg.data.labelIds).toEqual(['INBOX']);
    expect(msg.data.historyId).toMatch(/^\d+$/);
  });

  it('lists history after a start id, and 404 when it is too old', async () => {
    const g = gmail();
    const profile = await g.users.getProfile({ userId: 'me' });
    const start = String(Number(profile.data.historyId) - 1);
    const h = await g.users.history.list({ userId: 'me', startHistoryId: start });
    expect(h.data.history).toHaveLength(1);
    expect(h.data.history![0]!.messagesAdded![0]!.message!.labelIds).toEqual(['SENT']);
    server.gmail.oldestHistoryId = Number(profile.data.historyId);
    const e = await g.users.history.list({ userId: 'me', startHistoryId: start }).catch((x) => x);
    expect(e.status).toBe(404);
    server.gmail.oldestHistoryId = 0;
  });
});
