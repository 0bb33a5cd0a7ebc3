/**
 * `npm run bench:email [-- --messages N]`: messages/s end to end (IMAP fetch, parse, extract) through the email
 * connector against a real Dovecot on loopback, the same mailbox read by a bare imapflow fetch loop (no parsing) in
 * the same run, their ratio, and peak RSS (with RSS sampled along the way, to show memory stays flat). CPU time of
 * this process per message (all threads, Dovecot not included) is reported too: on a shared machine it varies far
 * less between runs than the wall-clock rates do.
 */

import { createEmailConnector } from '@salvage/connector-email';
import { silentLogger } from '@salvage/connector-kit';
import { emailSourcesSchema } from '@salvage/core';
import { ImapFlow } from 'imapflow';
import { BENCH_BUSINESS, BOOKING_RULES, makeBookingMessage } from '../test/email/make-messages.ts';
import { startDovecot } from '../test/support/dovecot.ts';

const arg = process.argv.indexOf('--messages');
const N = Number(arg > 0 ? process.argv[arg + 1] : (process.env.BENCH_EMAIL_MESSAGES ?? 100_000));
const BATCH = 250;
const base = Date.parse('2026-05-03T08:00:00Z');

const mib = (bytes: number) => Math.round(bytes / 1048576);
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 100);

console.log(`writing ${N} messages into a Maildir and starting Dovecot...`);
const t0 = performance.now();
function* messages() {
  for (let i = 0; i < N; i++) {
    const at = new Date(base + (i % 50_000) * 60_000);
    yield { raw: makeBookingMessage(i, at), receivedAt: at };
  }
}
const server = await startDovecot({ messages: messages() });
const client = () =>
  new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: server.user, pass: server.password },
    logger: false,
    disableAutoIdle: true,
  });
// Dovecot indexes a Maildir on first open: do it before timing anything.
{
  const c = client();
  await c.connect();
  await c.mailboxOpen('INBOX', { readOnly: true });
  await c.logout();
}
console.log(`setup ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// Bare loop: same UID batches, no parsing.
peak = 0;
let t = performance.now();
let cpu = process.cpuUsage();
let bareCount = 0;
let bareBytes = 0;
{
  const c = client();
  await c.connect();
  await c.mailboxOpen('INBOX', { readOnly: true });
  const uids = (await c.search({ all: true }, { uid: true })) || [];
  for (let i = 0; i < uids.length; i += BATCH) {
    for await (const m of c.fetch(
      uids.slice(i, i + BATCH).join(','),
      { uid: true, source: true, internalDate: true },
      { uid: true },
    )) {
      bareCount++;
      bareBytes += m.source?.length ?? 0;
    }
  }
  await c.logout();
}
const bareSecs = (performance.now() - t) / 1000;
const bareCpu = process.cpuUsage(cpu);
const barePeak = peak;

// End to end through the connector.
const business = BENCH_BUSINESS;
const config = emailSourcesSchema.parse({
  imap: [
    {
      host: server.host,
      port: server.port,
      secure: false,
      rejectUnauthorized: false,
      user: server.user,
      passwordEnv: 'IMAP_PASSWORD',
      mailboxes: ['INBOX'],
    },
  ],
  rules: BOOKING_RULES,
  ownAddresses: ['bookings@rent.example'],
});
const workersArg = process.argv.indexOf('--workers');
const WORKERS = Number(workersArg > 0 ? process.argv[workersArg + 1] : 0);
const connector = createEmailConnector({ imapBatchSize: BATCH, messageWorkers: WORKERS });
peak = 0;
t = performance.now();
cpu = process.cpuUsage();
let evidence = 0;
let read = 0;
let summary = '';
const rssAlong: number[] = [];
for await (const m of connector.read(
  config,
  {},
  {
    business,
    window: { since: '2026-05-01T00:00:00Z', until: '2026-08-01T00:00:00Z' },
    now: () => new Date(),
    logger: silentLogger,
    env: { IMAP_PASSWORD: server.password },
  },
)) {
  if (m.kind === 'evidence') evidence++;
  if (m.kind === 'progress') {
    read = m.done;
    if (rssAlong.length < Math.floor((read / N) * 4)) rssAlong.push(mib(process.memoryUsage().rss));
  }
  if (m.kind === 'stream_status') summary = `${m.status}: ${m.message ?? ''}`;
}
const e2eSecs = (performance.now() - t) / 1000;
const e2eCpu = process.cpuUsage(cpu);
const e2ePeak = peak;
clearInterval(sampler);
await server.stop();

const bareRate = bareCount / bareSecs;
const e2eRate = read / e2eSecs;
const result = {
  messages: N,
  messageWorkers: WORKERS,
  mailboxMiB: mib(bareBytes),
  bare: {
    messages: bareCount,
    seconds: Number(bareSecs.toFixed(1)),
    perSecond: Math.round(bareRate),
    cpuUsPerMessage: Math.round((bareCpu.user + bareCpu.system) / Math.max(1, bareCount)),
    peakRssMiB: mib(barePeak),
  },
  endToEnd: {
    messages: read,
    evidence,
    seconds: Number(e2eSecs.toFixed(1)),
    perSecond: Math.round(e2eRate),
    cpuUsPerMessage: Math.round((e2eCpu.user + e2eCpu.system) / Math.max(1, read)),
    peakRssMiB: mib(e2ePeak),
    rssAtQuartersMiB: rssAlong,
  },
  slowdown: Number((bareRate / e2eRate).toFixed(2)),
  summary,
  processMaxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
};
console.log(JSON.stringify(result, null, 2));
