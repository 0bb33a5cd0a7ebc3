import {
  type CalendarConnectorConfig,
  createGoogleTransport,
  type GoogleTransportOptions,
} from '@salvage/connector-calendar';
import type { ConnectorContext } from '@salvage/connector-kit';
import { silentLogger } from '@salvage/connector-kit';
import { type BusinessConfig, configSchema } from '@salvage/core';
import { type CalendarEvent, type GoogleServer, startGoogleServer } from '@salvage/simulator';

export const BUSINESS_ID = '5b0a3c7e-8f1d-4c2a-9e6b-2d4f6a8c0e11';
export const CALENDAR_ID = 'kayak-1@group.calendar.google.com';
export const TOKEN_ENV = 'GOOGLE_TOKEN_HARBOUR';
export const TOKEN = 'tok-harbour';
export const NOW = Date.parse('2026-04-01T12:00:00Z');
export const WINDOW = { since: '2026-02-01T00:00:00.000Z', until: '2026-04-01T12:00:00.000Z' };

/** A business as the config schema makes it (defaults filled in). */
export function business(zone = 'Europe/Lisbon', calendar?: unknown): BusinessConfig {
  const parsed = configSchema.parse({
    incident: { backupTakenAt: '2026-02-03T00:00:00Z', incidentAt: '2026-03-30T00:00:00Z' },
    target: { urlEnv: 'X' },
    businesses: [
      {
        id: BUSINESS_ID,
        name: 'Harbour Kayaks',
        timezone: zone,
        currency: 'eur',
        defaultRegion: 'PT',
        ...(calendar ? { calendar } : {}),
      },
    ],
  });
  return parsed.businesses[0]!;
}

/** A context for the connector: the window, a fixed clock, the token in env. */
export function context(
  b: BusinessConfig,
  env: Record<string, string> = { [TOKEN_ENV]: TOKEN },
): ConnectorContext {
  return { business: b, window: WINDOW, now: () => new Date(NOW), logger: silentLogger, env };
}

/** A booking event as the platform mirrored it: extended properties, attendee, summary with the reference. */
export function bookingEvent(i: number, extra: Partial<CalendarEvent> = {}): CalendarEvent {
  const start = Date.parse('2026-03-02T09:00:00Z') + i * 86_400_000;
  const ref = `BK-${String(i).padStart(6, '0')}`;
  const id = `b${String(i).padStart(5, '0')}`;
  return {
    kind: 'calendar#event',
    id,
    etag: `"${3_700_000_000 + i}"`,
    status: 'confirmed',
    created: '2026-02-20T00:00:00.000Z',
    updated: new Date(Date.parse('2026-02-20T00:00:00Z') + i * 60_000).toISOString(),
    summary: `${ref} - Guest ${i}`,
    description: `Booking ${ref}\nEmail: guest${i}@example.com`,
    start: { dateTime: new Date(start).toISOString(), timeZone: 'Europe/Lisbon' },
    end: { dateTime: new Date(start + 7_200_000).toISOString(), timeZone: 'Europe/Lisbon' },
    iCalUID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}@rentalhub.example`,
    attendees: [{ email: `guest${i}@example.com`, displayName: `Guest ${i}`, responseStatus: 'needsAction' }],
    extendedProperties: {
      private: { bookingId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, bookingRef: ref },
    },
    ...extra,
  };
}

/** The fixture calendar: 30 bookings (one cancelled), one old unrelated event, a staff block, a weekly series with an exception. */
export function fixtureEvents(): CalendarEvent[] {
  return [
    ...Array.from({ length: 30 }, (_, i) => bookingEvent(i + 1, i === 4 ? { status: 'cancelled' } : {})),
    // Changed and held long before the window: a first run leaves it out.
    bookingEvent(99, {
      updated: '2025-10-01T00:00:00.000Z',
      start: { dateTime: '2025-10-05T09:00:00Z' },
      end: { dateTime: '2025-10-05T10:00:00Z' },
    }),
    {
      kind: 'calendar#event',
      id: 'staffblock',
      etag: '"1"',
      status: 'confirmed',
      updated: '2026-03-01T00:00:00.000Z',
      summary: 'Hull repair',
      start: { dateTime: '2026-03-05T08:00:00Z' },
      end: { dateTime: '2026-03-05T09:00:00Z' },
    },
    {
      kind: 'calendar#event',
      id: 'lesson',
      etag: '"2"',
      status: 'confirmed',
      updated: '2026-02-25T00:00:00.000Z',
      summary: 'Weekly lesson BK-LESSON',
      start: { dateTime: '2026-03-07T10:00:00+00:00', timeZone: 'Europe/Lisbon' },
      end: { dateTime: '2026-03-07T11:00:00+00:00', timeZone: 'Europe/Lisbon' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
      iCalUID: 'lesson@google.com',
    },
    {
      kind: 'calendar#event',
      id: 'lesson_20260314T100000Z',
      etag: '"3"',
      status: 'cancelled',
      updated: '2026-02-26T00:00:00.000Z',
      summary: 'Weekly lesson BK-LESSON',
      recurringEventId: 'lesson',
      originalStartTime: { dateTime: '2026-03-14T10:00:00+00:00', timeZone: 'Europe/Lisbon' },
      start: { dateTime: '2026-03-14T10:00:00+00:00', timeZone: 'Europe/Lisbon' },
      end: { dateTime: '2026-03-14T11:00:00+00:00', timeZone: 'Europe/Lisbon' },
      iCalUID: 'lesson@google.com',
    },
  ];
}

/** Starts the local Google server with the fixture calendar; an account for TOKEN reads it. */
export async function startCalendarServer(events = fixtureEvents()): Promise<GoogleServer> {
  return startGoogleServer({
    accounts: [{ token: TOKEN, address: 'desk@harbour.example', calendars: [CALENDAR_ID] }],
    calendars: [{ calendarId: CALENDAR_ID, timeZone: 'Europe/Lisbon', items: events }],
    now: () => NOW,
  });
}

/** A connector config for the server: one Google calendar. */
export function googleConfig(server: GoogleServer): CalendarConnectorConfig {
  return {
    sources: {
      google: [
        { calendarId: CALENDAR_ID, resource: 'Kayak 1', tokenEnv: TOKEN_ENV, rootUrl: server.rootUrl },
      ],
      ics: [],
      rules: [],
    },
  };
}

/** A Google transport with small pages (to exercise paging) and no real waiting between retries. */
export function smallPages(pageSize = 7, sleeps: number[] = []) {
  return (options: GoogleTransportOptions) =>
    createGoogleTransport({ ...options, pageSize, sleep: async (ms) => void sleeps.push(ms) });
}
