/**
 * `node --import tsx scripts/profile-email-parse.ts [N]`: parse + extract N bench messages in memory (no IMAP), the
 * time per message, and a sha256 of everything produced (ParsedMessage, evidence, problems), so a change that must
 * not alter output can be checked against the digest from before it. Add `--cpu-prof` to node for a profile.
 */

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractMessage, messageKey, parseMessage } from '@salvage/connector-email';
import { type BusinessConfig, emailSourcesSchema } from '@salvage/core';
import { BOOKING_RULES, makeBookingMessage } from '../test/email/make-messages.ts';

const N = Number(process.argv[2] ?? 10_000);
const extra = process.argv[3];
const base = Date.parse('2026-05-03T08:00:00Z');
const business = {
  id: '00000000-0000-4000-8000-0000000be0c1',
  name: 'Bench Rentals',
  timezone: 'Europe/Lisbon',
  currency: 'eur',
  defaultRegion: 'PT',
  referencePattern: 'BK-[A-Z0-9]{6}',
} as BusinessConfig;
const config = emailSourcesSchema.parse({ rules: BOOKING_RULES, ownAddresses: ['bookings@rent.example'] });
const ownAddresses = new Set(['bookings@rent.example']);
const raws: Buffer[] = [];
for (let i = 0; i < N; i++)
  raws.push(Buffer.from(makeBookingMessage(i, new Date(base + (i % 50_000) * 60_000))));
const fixtures = join(import.meta.dirname, '..', 'connectors', 'email', 'fixtures');
for (const f of readdirSync(fixtures)
  .filter((f) => f.endsWith('.eml'))
  .sort())
  raws.push(readFileSync(join(fixtures, f)));
if (extra)
  for (const f of readFileSync(extra, 'utf8').split('\n').filter(Boolean)) raws.push(readFileSync(f));

const digest = createHash('sha256');
const t = performance.now();
const cpu0 = process.cpuUsage();
let evidence = 0;
for (const [i, raw] of raws.entries()) {
  const parsed = await parseMessage(raw);
  const key = messageKey(parsed);
  const r = extractMessage(
    parsed,
    {
      kind: 'imap',
      account: 'a@b',
      location: `INBOX/1/${i}`,
      receivedAt: new Date(base).toISOString(),
      outbound: i % 11 === 0,
    },
    { business, rules: config.rules, ownAddresses },
  );
  evidence += r.evidence.length;
  digest.update(JSON.stringify([key, parsed, r]));
}
const ms = performance.now() - t;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    messages: raws.length,
    evidence,
    ms: Math.round(ms),
    usPerMessage: Math.round((ms * 1000) / raws.length),
    cpuUsPerMessage: Math.round((cpu.user + cpu.system) / raws.length),
    digest: digest.digest('hex'),
  }),
);
