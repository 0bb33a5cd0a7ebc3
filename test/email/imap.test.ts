import { readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmailConnector, type EmailConnectorConfig } from '@salvage/connector-email';
import { type ConnectorContext, type ConnectorMessage, silentLogger } from '@salvage/connector-kit';
import { type BusinessConfig, type Evidence, emailSourcesSchema } from '@salvage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DovecotServer, type MaildirMessage, startDovecot } from '../support/dovecot.ts';
import { BOOKING_RULES, makeBookingMessage } from './make-messages.ts';

const SINCE = '2026-05-01T12:00:00.000Z';
const UNTIL = '2026-07-01T00:00:00.000Z';
const INBOX_IN_WINDOW = 230;
const SENT_IN_WINDOW = 40;

const business = {
  id: '00000000-0000-4000-8000-00000000e001',
  name: 'Rent Example',
  timezone: 'Europe/Lisbon',
  currency: 'eur',
  defaultRegion: 'PT',
  referencePattern: 'BK-[A-Z0-9]{6}',
} as BusinessConfig;

function messages(): MaildirMessage[] {
  const out: MaildirMessage[] = [];
  const base = Date.parse('2026-05-02T08:00:00Z');
  for (let i = 0; i < INBOX_IN_WINDOW; i++)
    out.push({
      raw: makeBookingMessage(i, new Date(base + i * 3_600_000)),
      receivedAt: new Date(base + i * 3_600_000),
    });
  for (let i = 0; i < SENT_IN_WINDOW; i++) {
    const at = new Date(base + i * 7_200_000);
    out.push({ mailbox: 'Sent', raw: makeBookingMessage(10_000 + i, at), receivedAt: at });
  }
  // Same day as SINCE but before it: SINCE (day granularity) returns it, the INTERNALDATE filter must drop it.
  out.push({
    raw: makeBookingMessage(20_001, new Date('2026-05-01T06:00:00Z')),
    receivedAt: new Date('2026-05-01T06:00:00Z'),
  });
  // Months before the window.
  out.push({
    raw: makeBookingMessage(20_002, new Date('2026-01-10T06:00:00Z')),
    receivedAt: new Date('2026-01-10T06:00:00Z'),
  });
  return out;
}

describe('email connector against a real Dovecot', () => {
  let server: DovecotServer;
  let caFile: string;
  const env: Record<string, string> = {};
  let ctx: ConnectorContext;

  const config = (over: Partial<EmailConnectorConfig['imap'][number]> = {}): EmailConnectorConfig =>
    emailSourcesSchema.parse({
      imap: [
        {
          host: server.host,
          port: server.port,
          secure: false,
          rejectUnauthorized: false,
          user: server.user,
          passwordEnv: 'IMAP_PASSWORD',
          mailboxes: ['INBOX', 'Sent'],
          ...over,
        },
      ],
      rules: BOOKING_RULES,
      ownAddresses: ['bookings@rent.example'],
    });

  beforeAll(async () => {
    server = await startDovecot({ messages: messages() });
    env.IMAP_PASSWORD = server.password;
    caFile = join(tmpdir(), `salvage-dovecot-ca-${process.pid}.pem`);
    writeFileSync(caFile, server.certPem);
    ctx = {
      business,
      window: { since: SINCE, until: UNTIL },
      now: () => new Date(UNTIL),
      logger: silentLogger,
      env,
    };
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function collect(
    cfg: EmailConnectorConfig,
    state: Record<string, unknown> = {},
    opts: {
      stopAfterCheckpoints?: number;
      onCheckpoint?: (n: number) => void;
      batchSize?: number;
      logger?: ConnectorContext['logger'];
    } = {},
  ): Promise<{ messages: ConnectorMessage[]; state: Record<string, unknown> }> {
    const connector = createEmailConnector({ imapBatchSize: opts.batchSize ?? 50 });
    const out: ConnectorMessage[] = [];
    const next = { ...state };
    let checkpoints = 0;
    for await (const m of connector.read(cfg, state, { ...ctx, logger: opts.logger ?? ctx.logger })) {
      out.push(m);
      if (m.kind === 'checkpoint') {
        next[m.stream] = m.state;
        checkpoints++;
        opts.onCheckpoint?.(checkpoints);
        if (opts.stopAfterCheckpoints && checkpoints >= opts.stopAfterCheckpoints) break;
      }
    }
    return { messages: out, state: next };
  }
  const evidenceIds = (ms: ConnectorMessage[]) =>
    ms.flatMap((m) => (m.kind === 'evidence' ? [m.evidence.id] : []));
  const statuses = (ms: ConnectorMessage[]) =>
    ms.flatMap((m) => (m.kind === 'stream_status' ? [`${m.stream} ${m.status}`] : []));

  let full: ConnectorMessage[] = [];
  beforeAll(async () => {
    full = (await collect(config())).messages;
  });

  it('reads INBOX and Sent read-only over plain IMAP, inside the window only, with a summary per mailbox', () => {
    const ms = full;
    const account = `${server.user}@${server.host}`;
    expect(statuses(ms)).toEqual([`imap:${account}/INBOX succeeded`, `imap:${account}/Sent succeeded`]);
    const inbox = ms.find((m) => m.kind === 'stream_status' && m.stream.endsWith('/INBOX'));
    expect(inbox && inbox.kind === 'stream_status' && inbox.message).toMatch(
      new RegExp(`^read ${INBOX_IN_WINDOW}, extracted ${INBOX_IN_WINDOW}, unparsed 0`),
    );
    const evidence = ms.flatMap((m) => (m.kind === 'evidence' ? [m.evidence] : [])) as Evidence[];
    const refs = new Set(
      evidence
        .filter((e) => e.entity === 'booking')
        .map((e) => (e.fields as { reference?: string }).reference),
    );
    expect(refs.size).toBe(INBOX_IN_WINDOW + SENT_IN_WINDOW);
    // The two messages outside the window were never turned into evidence.
    expect(
      evidence.some(
        (e) => e.note?.includes('booking-20001') || e.source.objectId === '<booking-20001@rent.example>',
      ),
    ).toBe(false);
    expect(evidence.some((e) => e.source.objectId === '<booking-20002@rent.example>')).toBe(false);
    expect(evidence.every((e) => e.source.kind === 'imap' && e.rawRef)).toBe(true);
    const rawRefs = new Set(ms.flatMap((m) => (m.kind === 'raw' ? [m.raw.ref] : [])));
    expect(evidence.every((e) => rawRefs.has(e.rawRef as string))).toBe(true);
    expect(new Set(evidenceIds(ms)).size).toBe(evidenceIds(ms).length);
  });

  it('over implicit TLS with the server certificate trusted; an untrusted certificate fails check as a value', async () => {
    const tls = config({ port: server.tlsPort, secure: true, rejectUnauthorized: true, caFile });
    const connector = createEmailConnector();
    expect(await connector.check(tls, ctx)).toEqual({ ok: true });
    const { messages: ms } = await collect(tls);
    expect(new Set(evidenceIds(ms))).toEqual(new Set(evidenceIds(full)));
    const untrusted = config({ port: server.tlsPort, secure: true, rejectUnauthorized: true });
    const bad = await connector.check(untrusted, ctx);
    expect(bad).toMatchObject({ ok: false, kind: 'network' });
  });

  it('a wrong password is an auth failure from check, not a throw', async () => {
    const connector = createEmailConnector();
    const res = await connector.check(config(), { ...ctx, env: { IMAP_PASSWORD: 'wrong' } });
    expect(res).toMatchObject({ ok: false, kind: 'auth' });
  });

  it('pull, kill, resume: stopping after a checkpoint and resuming neither duplicates nor skips', async () => {
    const first = await collect(config(), {}, { stopAfterCheckpoints: 2 });
    const covered = new Set(evidenceIds(first.messages));
    expect(covered.size).toBeGreaterThan(0);
    const second = await collect(config(), first.state);
    const again = evidenceIds(second.messages);
    expect(again.filter((id) => covered.has(id))).toEqual([]);
    expect(new Set([...covered, ...again])).toEqual(new Set(evidenceIds(full)));
  });

  it('a dropped connection mid-pull reconnects with a new client and loses nothing', async () => {
    let kicked = false;
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (_: object, msg?: string) => warnings.push(msg ?? '') };
    const { messages: ms } = await collect(
      config(),
      {},
      {
        batchSize: 20,
        logger,
        onCheckpoint: (n) => {
          if (n === 2 && !kicked) {
            kicked = true;
            server.kickAll();
          }
        },
      },
    );
    expect(kicked).toBe(true);
    expect(warnings).toContain('IMAP connection dropped; reconnecting with a new client');
    expect(statuses(ms).every((s) => s.endsWith('succeeded'))).toBe(true);
    expect(new Set(evidenceIds(ms))).toEqual(new Set(evidenceIds(full)));
  });

  it('a UIDVALIDITY change forces a clean re-read of that mailbox (same evidence ids)', async () => {
    const done = await collect(config());
    const nothingNew = await collect(config(), done.state);
    expect(evidenceIds(nothingNew.messages)).toEqual([]);
    await server.resetUidValidity('INBOX');
    const reread = await collect(config(), done.state);
    const warn = reread.messages.find((m) => m.kind === 'warning' && m.code === 'uidvalidity_changed');
    expect(warn).toBeDefined();
    const inboxIds = new Set(
      evidenceIds(full.slice(0, full.findIndex((m) => m.kind === 'stream_status') + 1)),
    );
    expect(new Set(evidenceIds(reread.messages))).toEqual(inboxIds);
  });

  it('never sends a state-changing command, and leaves every message unseen', () => {
    const commands = server.receivedCommands();
    const verbs = commands.map((c) =>
      (c.split(' ')[1] === 'UID' ? `UID ${c.split(' ')[2]}` : (c.split(' ')[1] ?? '')).toUpperCase(),
    );
    expect(verbs).toContain('EXAMINE');
    expect(verbs.some((v) => v === 'UID FETCH' || v === 'FETCH')).toBe(true);
    const forbidden = [
      'STORE',
      'COPY',
      'MOVE',
      'EXPUNGE',
      'APPEND',
      'SELECT',
      'DELETE',
      'RENAME',
      'CREATE',
      'SUBSCRIBE',
      'UNSUBSCRIBE',
    ];
    expect(verbs.filter((v) => forbidden.includes(v.replace(/^UID /, '')))).toEqual([]);
    expect(commands.filter((c) => /FETCH/i.test(c) && /BODY\[/i.test(c))).toEqual([]);
    for (const dir of [join(server.maildir, 'cur'), join(server.maildir, '.Sent', 'cur')]) {
      const seen = readdirSync(dir).filter((f) => /:2,.*S/.test(f));
      expect(seen).toEqual([]);
    }
  });
});
