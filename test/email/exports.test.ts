import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmailConnector, type EmailConnectorConfig, readMbox } from '@salvage/connector-email';
import { type ConnectorContext, type ConnectorMessage, silentLogger } from '@salvage/connector-kit';
import { type BusinessConfig, emailSourcesSchema } from '@salvage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMaildir } from '../support/dovecot.ts';
import { BOOKING_RULES, makeBookingMessage } from './make-messages.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'connectors', 'email', 'fixtures');
const business = {
  id: '00000000-0000-4000-8000-00000000e003',
  name: 'Rent Example',
  timezone: 'Europe/Lisbon',
  currency: 'eur',
  defaultRegion: 'PT',
  referencePattern: 'BK-[A-Z0-9]{6}',
} as BusinessConfig;
const ctx: ConnectorContext = {
  business,
  window: { since: '2026-05-01T00:00:00.000Z', until: '2026-07-01T00:00:00.000Z' },
  now: () => new Date('2026-07-01T00:00:00Z'),
  logger: silentLogger,
  env: {},
};

async function readAll(config: EmailConnectorConfig, state: Record<string, unknown> = {}) {
  const out: ConnectorMessage[] = [];
  for await (const m of createEmailConnector().read(config, state, ctx)) out.push(m);
  return out;
}
const statusOf = (ms: ConnectorMessage[], prefix: string) =>
  ms.find((m) => m.kind === 'stream_status' && m.stream.startsWith(prefix)) as
    | Extract<ConnectorMessage, { kind: 'stream_status' }>
    | undefined;

describe('exports: mbox (Takeout), Maildir, loose .eml', () => {
  let dir: string;
  const fixtureFiles = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.eml'))
    .sort();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'salvage-email-exports-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('splits an mboxrd file on From_ lines only, unescapes >From, keeps bytes exact', async () => {
    const bodies = [
      'From: a@example.com\nSubject: one BK-MBOX01\nDate: Mon, 1 Jun 2026 10:00:00 +0000\n\nline\n>From the start, this is quoted\n>>From twice quoted\nFrom me to you (not a separator)\n',
      'From: b@example.com\nSubject: two\nDate: Tue, 2 Jun 2026 10:00:00 +0000\n\nsecond\n',
    ];
    const file = join(dir, 'quoted.mbox');
    writeFileSync(
      file,
      bodies
        .map(
          (b, i) =>
            `From 17${i}@xxx Mon Jun 0${i + 1} 10:00:00 +0000 2026\n${b.replace(/^(>*From )/gm, '>$1')}\n`,
        )
        .join(''),
    );
    const got = [];
    for await (const m of readMbox(file)) got.push(m);
    expect(got.map((m) => m.raw.toString())).toEqual(bodies);
    expect(got[0]?.storedAt).toBe('2026-06-01T10:00:00.000Z');
    // Resuming from the second message's offset reads only it.
    const rest = [];
    for await (const m of readMbox(file, got[0]?.nextOffset)) rest.push(m.raw.toString());
    expect(rest).toEqual([bodies[1]]);
  });

  it('reads every fixture from an mbox; bad ones are warnings with raw kept, and listed in the summary', async () => {
    const mbox = join(dir, 'Takeout.mbox');
    writeFileSync(
      mbox,
      Buffer.concat(
        fixtureFiles.flatMap((f) => [
          Buffer.from('From 1234567890@xxx Sat Jun 20 00:00:00 +0000 2026\n'),
          Buffer.from(
            readFileSync(join(FIXTURES, f))
              .toString('latin1')
              .replace(/^(>*From )/gm, '>$1'),
            'latin1',
          ),
          Buffer.from('\n'),
        ]),
      ),
    );
    const ms = await readAll(
      emailSourcesSchema.parse({
        mbox: [mbox],
        rules: BOOKING_RULES,
        ownAddresses: ['bookings@rent.example'],
      }),
    );
    const status = statusOf(ms, 'mbox:');
    expect(status?.status).toBe('succeeded');
    expect(status?.message).toMatch(/^read 15, extracted 15, unparsed 0, with problems 5,/);
    expect(status?.message).toMatch(
      /problems: bad_date 1, broken_base64 1, malformed_mime 1, non_utf8_header 1, unknown_charset 1/,
    );
    const warnings = ms.filter((m) => m.kind === 'warning');
    expect(warnings.length).toBe(5);
    const raws = new Set(ms.flatMap((m) => (m.kind === 'raw' ? [m.raw.ref] : [])));
    for (const w of warnings) if (w.kind === 'warning') expect(raws.has(w.rawRef as string)).toBe(true);
  });

  it('reads a Maildir++ tree and .eml files; the same message in both is one identity (same evidence ids)', async () => {
    const root = join(dir, 'Maildir');
    writeMaildir(root, [
      ...fixtureFiles
        .slice(0, 4)
        .map((f) => ({ raw: readFileSync(join(FIXTURES, f)), receivedAt: new Date('2026-06-20T00:00:00Z') })),
      {
        mailbox: 'Sent',
        raw: makeBookingMessage(1, new Date('2026-06-02T10:00:00Z')),
        receivedAt: new Date('2026-06-02T10:00:00Z'),
      },
    ]);
    const emlDir = join(dir, 'eml');
    mkdirSync(emlDir);
    for (const f of fixtureFiles.slice(0, 4)) copyFileSync(join(FIXTURES, f), join(emlDir, f));
    const ms = await readAll(
      emailSourcesSchema.parse({
        maildir: [root],
        eml: [emlDir],
        rules: BOOKING_RULES,
        ownAddresses: ['bookings@rent.example'],
      }),
    );
    expect(statusOf(ms, 'maildir:')?.message).toMatch(/^read 5, extracted 5,/);
    // The .eml copies are the same messages: seen once per run, and their evidence ids would coincide anyway.
    expect(statusOf(ms, 'eml:')?.message).toMatch(/^read 4, extracted 0, .*duplicates 4/);
    const alone = await readAll(
      emailSourcesSchema.parse({
        eml: [emlDir],
        rules: BOOKING_RULES,
        ownAddresses: ['bookings@rent.example'],
      }),
    );
    // Evidence ids also name the source (maildir vs eml); the message identity (Message-ID + body hash) is shared.
    const objectIds = (list: ConnectorMessage[]) =>
      new Set(
        list.flatMap((m) =>
          m.kind === 'evidence' ? [`${m.evidence.source.objectId}#${m.evidence.source.version}`] : [],
        ),
      );
    const maildirObjects = objectIds(ms);
    for (const o of objectIds(alone)) expect(maildirObjects.has(o)).toBe(true);
  });
});
