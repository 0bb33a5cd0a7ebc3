import { join } from 'node:path';
import { createCalendarConnector } from '@salvage/connector-calendar';
import { describeConnectorConformance } from '@salvage/connector-kit';
import {
  business,
  CALENDAR_ID,
  context,
  googleConfig,
  smallPages,
  startCalendarServer,
  TOKEN_ENV,
} from './calendar-fixture.ts';

describeConnectorConformance('calendar (google)', async () => {
  const server = await startCalendarServer();
  const config = googleConfig(server);
  const ctx = context(business());
  return {
    connector: createCalendarConnector({ createGoogleTransport: smallPages(10) }),
    config,
    ctx,
    rawConfig: {
      sources: {
        google: [
          { calendarId: CALENDAR_ID, resource: 'Kayak 1', tokenEnv: TOKEN_ENV, rootUrl: server.rootUrl },
        ],
      },
    },
    badCredentials: { config, ctx: { ...ctx, env: { [TOKEN_ENV]: 'revoked-token' } } },
    cleanup: () => server.close(),
  };
});

describeConnectorConformance('calendar (ics files)', async () => {
  const ctx = {
    ...context(business()),
    window: { since: '2026-01-01T00:00:00.000Z', until: '2027-01-01T00:00:00.000Z' },
  };
  const raw = {
    sources: {
      ics: ['google-export.ics', 'outlook-exchange.ics', 'apple-icloud.ics', 'broken-bom.ics'].map(
        (path) => ({ path, resource: 'Kayak 1' }),
      ),
    },
    baseDir: join(import.meta.dirname, '..', '..', 'connectors', 'calendar', 'fixtures'),
  };
  const connector = createCalendarConnector();
  const parsed = connector.parseConfig(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return { connector, config: parsed.config, ctx, rawConfig: raw, badCredentials: 'none' };
});
