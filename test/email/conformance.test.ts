import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmailConnector } from '@salvage/connector-email';
import { describeConnectorConformance, silentLogger } from '@salvage/connector-kit';
import { type BusinessConfig, emailSourcesSchema } from '@salvage/core';
import { startDovecot, writeMaildir } from '../support/dovecot.ts';
import { BOOKING_RULES, makeBookingMessage } from './make-messages.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'connectors', 'email', 'fixtures');
const business = {
  id: '00000000-0000-4000-8000-00000000e004',
  name: 'Rent Example',
  timezone: 'Europe/Lisbon',
  currency: 'eur',
  defaultRegion: 'PT',
  referencePattern: 'BK-[A-Z0-9]{6}',
} as BusinessConfig;
const window = { since: '2026-05-01T00:00:00.000Z', until: '2026-07-01T00:00:00.000Z' };
const base = Date.parse('2026-05-03T08:00:00Z');

describeConnectorConformance('email (mbox, Maildir, .eml)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-email-conf-'));
  const mbox = join(dir, 'INBOX.mbox');
  writeFileSync(
    mbox,
    Array.from({ length: 450 }, (_, i) => makeBookingMessage(i, new Date(base + i * 3_600_000)))
      .map((m) => `From 1@xxx Sat Jun 20 00:00:00 +0000 2026\n${m.replace(/^(>*From )/gm, '>$1')}\n`)
      .join(''),
  );
  const maildir = join(dir, 'Maildir');
  writeMaildir(
    maildir,
    Array.from({ length: 30 }, (_, i) => ({
      mailbox: i % 2 ? 'Sent' : 'INBOX',
      raw: makeBookingMessage(1000 + i, new Date(base + i * 3_600_000)),
      receivedAt: new Date(base + i * 3_600_000),
    })),
  );
  const raw = {
    mbox: [mbox],
    maildir: [maildir],
    eml: [FIXTURES],
    rules: BOOKING_RULES,
    ownAddresses: ['bookings@rent.example'],
  };
  const config = emailSourcesSchema.parse(raw);
  return {
    connector: createEmailConnector({ sources: config }),
    config,
    rawConfig: raw,
    ctx: { business, window, now: () => new Date(window.until), logger: silentLogger, env: {} },
    badCredentials: 'none',
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeConnectorConformance('email (IMAP on Dovecot)', async () => {
  const fixtures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => ({ raw: readFileSync(join(FIXTURES, f)), receivedAt: new Date(base) }));
  const server = await startDovecot({
    messages: [
      ...fixtures,
      ...Array.from({ length: 120 }, (_, i) => ({
        mailbox: i % 3 ? 'INBOX' : 'Sent',
        raw: makeBookingMessage(i, new Date(base + i * 3_600_000)),
        receivedAt: new Date(base + i * 3_600_000),
      })),
    ],
  });
  const raw = {
    imap: [
      {
        host: server.host,
        port: server.port,
        secure: false,
        rejectUnauthorized: false,
        user: server.user,
        passwordEnv: 'IMAP_PASSWORD',
        mailboxes: ['INBOX', 'Sent'],
      },
    ],
    rules: BOOKING_RULES,
    ownAddresses: ['bookings@rent.example'],
  };
  const config = emailSourcesSchema.parse(raw);
  const ctx = (password: string) => ({
    business,
    window,
    now: () => new Date(window.until),
    logger: silentLogger,
    env: { IMAP_PASSWORD: password },
  });
  return {
    connector: createEmailConnector({ sources: config, imapBatchSize: 25 }),
    config,
    rawConfig: raw,
    ctx: ctx(server.password),
    badCredentials: { config, ctx: ctx('not-the-password') },
    maxResumePoints: 8,
    cleanup: () => server.stop(),
  };
});
