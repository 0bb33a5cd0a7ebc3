import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  type BookingRow,
  type CustomerRow,
  canonicalRow,
  parseConfig,
  parseMoney,
  parseTimeInZone,
  TABLES,
} from '@salvage/core';
import {
  loadTruth,
  type Manifest,
  type RecoverabilityRow,
  readManifest,
  STRIPE_KINDS,
} from '@salvage/simulator';
import { createTestDatabase } from '@salvage/test-support';
import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, generateInTemp, splitMbox } from './generate-fixture.ts';

// biome-ignore lint/suspicious/noExplicitAny: API objects are walked field by field; the assertions are the types.
type Loose = Record<string, any>;

let dir: string;
let manifest: Manifest;
let bookings: BookingRow[];
let customers: CustomerRow[];
let recoverability: RecoverabilityRow[];

beforeAll(async () => {
  ({ dir, manifest } = await generateInTemp({ scale: 'small', seed: 5 }));
  const truth = await loadTruth(dir);
  bookings = truth.snapshot.bookings;
  customers = truth.snapshot.customers;
  recoverability = truth.recoverability;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jsonl = (file: string): Record<string, unknown>[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('simulate: truth and manifest', () => {
  it('writes a manifest whose counts match the truth files, with uuids and BK- references', async () => {
    expect(await readManifest(dir)).toEqual(manifest);
    expect(manifest.businesses.map((b) => b.timezone)).toEqual([
      'America/New_York',
      'Europe/Lisbon',
      'Europe/London',
    ]);
    expect(new Set(manifest.businesses.map((b) => b.currency))).toEqual(new Set(['usd', 'eur', 'gbp']));
    for (const t of TABLES)
      expect(jsonl(join(dir, 'truth', `${t}.jsonl`)).length).toBe(manifest.counts.truth[t]);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const b of bookings) {
      expect(b.id).toMatch(uuid);
      expect(b.reference).toMatch(/^BK-[A-Z0-9]{6}$/);
      expect(Date.parse(b.created_at)).toBeLessThanOrEqual(Date.parse(manifest.incident.incidentAt));
    }
    expect(new Set(bookings.map((b) => b.reference)).size).toBe(bookings.length);
    expect(recoverability.length).toBe(bookings.length);
    expect(recoverability.filter((r) => !r.recoverable).length).toBe(
      manifest.counts.recoverability.unrecoverable,
    );
    expect(recoverability.some((r) => r.sources.length === 1)).toBe(true);
    expect(recoverability.some((r) => r.sources.length === 0)).toBe(true);
  });

  it('has the realism the issue asks for: statuses, refunds, deposits, cash, reschedules', () => {
    const statuses = new Set(bookings.map((b) => b.status));
    for (const s of ['confirmed', 'cancelled', 'completed']) expect(statuses).toContain(s);
    const payments = jsonl(join(dir, 'truth', 'payments.jsonl'));
    const methods = new Set(payments.map((p) => p.method));
    for (const m of ['card', 'cash', 'bank_transfer']) expect(methods).toContain(m);
    expect(payments.some((p) => p.status === 'partially_refunded')).toBe(true);
    expect(payments.some((p) => p.status === 'refunded')).toBe(true);
    const perBooking = new Map<unknown, number>();
    for (const p of payments) perBooking.set(p.booking_id, (perBooking.get(p.booking_id) ?? 0) + 1);
    expect([...perBooking.values()].some((n) => n >= 2)).toBe(true);
    const perCustomer = new Map<string, number>();
    for (const b of bookings) perCustomer.set(b.customer_id, (perCustomer.get(b.customer_id) ?? 0) + 1);
    expect([...perCustomer.values()].some((n) => n >= 2)).toBe(true);
    // Updated after the backup, created before it: changed while the backup was stale.
    expect(recoverability.some((r) => r.inBackup && r.changedSinceBackup)).toBe(true);
  });

  it('writes a salvage.config.yaml that parseConfig accepts, naming the generated businesses and files', () => {
    const result = parseConfig(readFileSync(join(dir, 'salvage.config.yaml'), 'utf8'));
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const config = result.config;
    expect(config.businesses.map((b) => b.id)).toEqual(manifest.businesses.map((b) => b.id));
    expect(config.incident.incidentAt).toBe(manifest.incident.incidentAt);
    for (const b of config.businesses) {
      expect(b.stripe?.account).toMatch(/^acct_/);
      expect(b.email?.rules.length).toBe(12);
      for (const ics of b.calendar?.ics ?? [])
        expect(readFileSync(join(dir, ics.path!), 'utf8')).toMatch(/^BEGIN:VCALENDAR/);
      for (const m of b.email?.mbox ?? []) expect(readFileSync(join(dir, m), 'utf8')).toMatch(/^From /);
    }
  });
});

describe('simulate: SQL dumps load into real databases', () => {
  const expectCounts = async (query: (sql: string) => Promise<number>, counts: Record<string, number>) => {
    for (const t of TABLES)
      expect({ t, n: await query(`SELECT count(*)::int AS n FROM ${t}`) }).toEqual({ t, n: counts[t] });
  };

  it('loads backup.sql and restored.sql into PostgreSQL, and the backup matches the truth for old rows', async () => {
    for (const file of ['backup.sql', 'restored.sql'] as const) {
      const db = await createTestDatabase('salvage_sim');
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        await client.query(readFileSync(join(dir, file), 'utf8'));
        const counts = file === 'backup.sql' ? manifest.counts.backup : manifest.counts.restored;
        await expectCounts(async (q) => (await client.query(q)).rows[0].n, counts);
        if (file === 'backup.sql') {
          // A booking untouched since the backup reads back exactly as the truth has it.
          const unchanged = recoverability.find((r) => r.inBackup && !r.changedSinceBackup)!;
          const row = (
            await client.query('SELECT * FROM bookings WHERE reference = $1', [unchanged.reference])
          ).rows[0];
          const truthRow = bookings.find((b) => b.reference === unchanged.reference)!;
          expect(canonicalRow('bookings', row)).toEqual(canonicalRow('bookings', truthRow as never));
        } else {
          const notes = (
            await client.query("SELECT count(*)::int AS n FROM bookings WHERE notes LIKE 'Re-entered%'")
          ).rows[0].n;
          expect(notes).toBeGreaterThan(0);
        }
      } finally {
        await client.end();
        await db.drop();
      }
    }
  }, 240_000);

  it('loads backup.sql and restored.sql into PGlite', async () => {
    for (const file of ['backup.sql', 'restored.sql'] as const) {
      const db = new PGlite();
      try {
        await db.exec(readFileSync(join(dir, file), 'utf8'));
        const counts = file === 'backup.sql' ? manifest.counts.backup : manifest.counts.restored;
        await expectCounts(async (q) => (await db.query<{ n: number }>(q)).rows[0]!.n, counts);
        const names = (await db.query<{ full_name: string }>('SELECT full_name FROM customers')).rows.map(
          (r) => r.full_name,
        );
        expect(names.some((n) => /[^\x00-\x7f]/.test(n))).toBe(true);
      } finally {
        await db.close();
      }
    }
  }, 240_000);
});

describe('simulate: mailboxes', () => {
  it('mailparser reads every message of every mbox and Maildir, with the platform templates and invitations', async () => {
    const refs = new Set(bookings.map((b) => b.reference));
    let parsed = 0;
    let withInvite = 0;
    let cancels = 0;
    let fromLines = 0;
    const versions = new Set<string>();
    const seenIds = new Set<string>();
    for (const b of manifest.businesses) {
      const mc = manifest.counts.businesses[b.key]!.mail;
      for (const folder of ['INBOX', 'Sent'] as const) {
        const entries = splitMbox(readFileSync(join(dir, 'mail', b.key, 'mbox', `${folder}.mbox`), 'utf8'));
        expect(entries.length).toBe(mc[folder]);
        for (const e of entries) {
          const m = await simpleParser(e.raw);
          parsed++;
          expect(m.messageId, e.fromLine).toMatch(/^<.+@.+>$/);
          expect(m.date?.getTime()).toBeGreaterThan(0);
          expect(m.subject).toBeTruthy();
          seenIds.add(m.messageId!);
          if (folder === 'Sent') {
            const ref = /BK-[A-Z0-9]{6}/.exec(m.subject!)?.[0];
            expect(ref).toBeDefined();
            expect(m.text).toContain(ref);
            expect(m.html || '').toContain(ref);
            versions.add(String(m.headers.get('x-rentalhub-template')));
            const cal = m.attachments.find((a) => a.contentType === 'text/calendar');
            if (cal) {
              withInvite++;
              const comp = new ICAL.Component(ICAL.parse(cal.content.toString('utf8')));
              const method = comp.getFirstPropertyValue('method');
              if (method === 'CANCEL') cancels++;
              const uid = String(comp.getFirstSubcomponent('vevent')!.getFirstPropertyValue('uid'));
              expect(uid).toMatch(/^[0-9a-f-]{36}@rentalhub\.example$/);
            }
          } else if (/^Re: /.test(m.subject!)) {
            expect(m.inReplyTo).toMatch(/@rentalhub\.example>$/);
          }
          // Body lines starting with "From " were quoted in the mbox and read back unquoted.
          if (/^From /m.test(m.text ?? '')) fromLines++;
          if (folder === 'Sent' && /^(Booking confirmed|Your booking|Reservation)/.test(m.subject!)) {
            const ref = /BK-[A-Z0-9]{6}/.exec(m.subject!)![0];
            if (!refs.has(ref)) continue; // a booking made on the restored database after the incident
          }
        }
        const maildir =
          folder === 'INBOX'
            ? join(dir, 'mail', b.key, 'maildir')
            : join(dir, 'mail', b.key, 'maildir', '.Sent');
        const files = [...filesUnder(maildir, /^(cur|new)\//)];
        expect(files.length).toBe(mc[folder]);
        for (const f of files.slice(0, 50)) {
          const m = await simpleParser(readFileSync(f));
          expect(seenIds.has(m.messageId!)).toBe(true);
        }
      }
    }
    expect(parsed).toBeGreaterThan(300);
    expect(withInvite).toBeGreaterThan(10);
    expect(cancels).toBeGreaterThan(0);
    expect(fromLines).toBeGreaterThan(0);
    for (const v of [
      'confirmation-v1',
      'confirmation-v2',
      'confirmation-v3',
      'cancellation-v2',
      'receipt-v3',
    ])
      expect(versions).toContain(v);
  });

  it('the config rules read the platform templates back to the truth (reference, times, total)', async () => {
    const config = parseConfig(readFileSync(join(dir, 'salvage.config.yaml'), 'utf8'));
    if (!config.ok) throw new Error('config');
    const byRef = new Map(bookings.map((b) => [b.reference, b]));
    const inEmail = new Set(
      recoverability.filter((r) => r.sources.includes('email')).map((r) => r.reference),
    );
    let checked = 0;
    for (const [i, b] of manifest.businesses.entries()) {
      const rules = config.config.businesses[i]!.email!.rules;
      const read: { kind: string; ref: string; field: (n: string) => string | undefined }[] = [];
      for (const e of splitMbox(readFileSync(join(dir, 'mail', b.key, 'mbox', 'Sent.mbox'), 'utf8'))) {
        const m = await simpleParser(e.raw);
        const matching = rules.filter((r) => new RegExp(r.match.subject!, 'u').test(m.subject!));
        expect(matching.length, m.subject).toBe(1);
        const rule = matching[0]!;
        const field = (name: string) => {
          const re = rule.fields[name as keyof typeof rule.fields];
          return re ? new RegExp(re, 'u').exec(m.text!)?.groups?.value?.trim() : undefined;
        };
        const ref = field('reference')!;
        expect(m.subject).toContain(ref);
        expect(field('resourceName')).toBeTruthy();
        read.push({ kind: rule.kind, ref, field });
      }
      // The last mail that set the time (confirmation or reschedule) carries the truth's time, unless cancelled.
      const lastTimed = new Map<string, (typeof read)[number]>();
      for (const r of read) if (r.kind === 'confirmation' || r.kind === 'reschedule') lastTimed.set(r.ref, r);
      for (const [ref, r] of lastTimed) {
        const truth = byRef.get(ref);
        if (!truth || !inEmail.has(ref)) continue;
        expect(parseMoney(r.field('totalAmount')!, b.currency)).toEqual({
          amountMinor: truth.total_amount,
          currency: b.currency,
        });
        expect(parseTimeInZone(r.field('startsAt')!, b.timezone)).toBe(truth.starts_at);
        expect(parseTimeInZone(r.field('endsAt')!, b.timezone)).toBe(truth.ends_at);
        expect(r.field('customerEmail')).toContain('@');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe('simulate: calendars', () => {
  it('ical.js parses every .ics: VTIMEZONE, UIDs, sequences, cancellations, all-day dates, a series with EXDATE and RECURRENCE-ID', () => {
    const files = filesUnder(dir, /\.ics$/);
    expect(files.length).toBe(manifest.businesses.reduce((s, b) => s + b.resources.length, 0));
    const seen = { cancelled: 0, allDay: 0, rrule: 0, exdate: 0, recurrenceId: 0, refs: 0 };
    const refs = new Set(bookings.map((b) => b.reference));
    for (const f of files) {
      const cal = new ICAL.Component(ICAL.parse(readFileSync(f, 'utf8')));
      expect(cal.getAllSubcomponents('vtimezone').length).toBe(1);
      for (const v of cal.getAllSubcomponents('vevent')) {
        const ev = new ICAL.Event(v);
        expect(ev.uid).toBeTruthy();
        expect(v.getFirstPropertyValue('dtstamp')).toBeTruthy();
        expect(v.getFirstPropertyValue('last-modified')).toBeTruthy();
        expect(typeof v.getFirstPropertyValue('sequence')).toBe('number');
        expect(ev.endDate.compare(ev.startDate)).toBe(1);
        if (v.getFirstPropertyValue('status') === 'CANCELLED') seen.cancelled++;
        if (ev.startDate.isDate) seen.allDay++;
        if (v.hasProperty('rrule')) seen.rrule++;
        if (v.hasProperty('exdate')) seen.exdate++;
        if (v.hasProperty('recurrence-id')) seen.recurrenceId++;
        const ref = /BK-[A-Z0-9]{6}/.exec(ev.summary)?.[0];
        if (ref && refs.has(ref)) {
          seen.refs++;
          expect(ev.uid).toMatch(/@rentalhub\.example$/);
        }
      }
    }
    expect(seen.cancelled).toBeGreaterThan(0);
    expect(seen.allDay).toBeGreaterThan(10);
    expect(seen.rrule).toBe(1);
    expect(seen.exdate).toBe(1);
    expect(seen.recurrenceId).toBe(1);
    expect(seen.refs).toBeGreaterThan(100);
  });

  it('writes Google Calendar v3 event resources', () => {
    const files = filesUnder(dir, /\/google\/.+\.json$/);
    let exceptions = 0;
    let withBooking = 0;
    let deleted = 0;
    const truthIds = new Set(bookings.map((b) => b.id));
    for (const f of files) {
      const cal = JSON.parse(readFileSync(f, 'utf8')) as {
        calendarId: string;
        timeZone: string;
        items: Loose[];
      };
      expect(f.endsWith(`${cal.calendarId}.json`)).toBe(true);
      for (const e of cal.items) {
        expect(e.kind).toBe('calendar#event');
        expect(e.id).toMatch(/^[a-v0-9_TZ]{5,1024}$/);
        expect(e.etag).toMatch(/^"\d+"$/);
        expect(['confirmed', 'cancelled']).toContain(e.status);
        expect(Date.parse(e.updated)).toBeGreaterThanOrEqual(Date.parse(e.created));
        for (const t of [e.start, e.end]) {
          if ('date' in t) expect(t.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          else {
            expect(t.dateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
            expect(t.timeZone).toBe(cal.timeZone);
          }
        }
        if (e.recurringEventId) {
          exceptions++;
          expect(e.originalStartTime.dateTime).toBeTruthy();
        }
        if (e.status === 'cancelled') deleted++;
        const p = e.extendedProperties?.private;
        if (p) {
          expect(p.bookingRef).toMatch(/^BK-[A-Z0-9]{6}$/);
          if (truthIds.has(p.bookingId)) withBooking++;
        }
      }
    }
    expect(exceptions).toBe(1);
    expect(deleted).toBeGreaterThan(0);
    expect(withBooking).toBeGreaterThan(100);
  });
});

describe('simulate: Stripe objects', () => {
  const PREFIX: Record<string, RegExp> = {
    customers: /^cus_[A-Za-z0-9]{14}$/,
    payment_intents: /^pi_[A-Za-z0-9]{24}$/,
    charges: /^ch_[A-Za-z0-9]{24}$/,
    refunds: /^re_[A-Za-z0-9]{24}$/,
    checkout_sessions: /^cs_test_[A-Za-z0-9]+$/,
    invoices: /^in_[A-Za-z0-9]{24}$/,
    disputes: /^du_[A-Za-z0-9]{24}$/,
    events: /^evt_[A-Za-z0-9]{24}$/,
  };
  const OBJECT: Record<string, string> = {
    customers: 'customer',
    payment_intents: 'payment_intent',
    charges: 'charge',
    refunds: 'refund',
    checkout_sessions: 'checkout.session',
    invoices: 'invoice',
    disputes: 'dispute',
    events: 'event',
  };

  it('has the API shapes: object, id prefixes, integer amounts and unix times, livemode, metadata with booking keys', () => {
    const refs = new Set(bookings.map((b) => b.reference));
    const pulledAt = Date.parse(manifest.incident.pulledAt) / 1000;
    const truthStripeIds = new Set(customers.map((c) => c.stripe_customer_id).filter(Boolean));
    let metadataHits = 0;
    for (const b of manifest.businesses) {
      const base = join(dir, 'stripe', b.stripeAccount);
      const all: Record<string, Loose[]> = {};
      for (const kind of STRIPE_KINDS) {
        all[kind] = jsonl(join(base, `${kind}.jsonl`));
        expect(all[kind]!.length).toBe(manifest.counts.businesses[b.key]!.stripe[kind]);
      }
      for (const [kind, objs] of Object.entries(all)) {
        if (kind === 'checkout_session_line_items') continue;
        for (const o of objs) {
          expect(o.object).toBe(OBJECT[kind]);
          expect(o.id).toMatch(PREFIX[kind]!);
          expect(Number.isInteger(o.created)).toBe(true);
          expect(o.created).toBeLessThanOrEqual(pulledAt);
          expect(o.livemode ?? false).toBe(false);
          for (const k of ['amount', 'amount_refunded', 'amount_total', 'amount_paid', 'amount_received']) {
            if (k in o) expect(Number.isInteger(o[k]), `${kind}.${k}`).toBe(true);
          }
          if ('currency' in o && o.currency !== null) expect(o.currency).toBe(b.currency);
        }
      }
      const ids = new Set(Object.values(all).flatMap((objs) => objs.map((o) => o.id)));
      for (const ch of all.charges!) {
        expect(ids.has(ch.payment_intent)).toBe(true);
        expect(ids.has(ch.customer)).toBe(true);
        expect(ch.billing_details).toHaveProperty('email');
        expect(ch.payment_method_details.type).toBe('card');
        expect(ch.payment_method_details.card.last4).toMatch(/^\d{4}$/);
        const ref = ch.metadata.booking_ref ?? ch.metadata.bookingRef ?? ch.metadata['booking-ref'];
        expect(ref).toMatch(/^BK-/);
        if (refs.has(ref)) metadataHits++;
      }
      for (const cs of all.checkout_sessions!) {
        expect(cs.customer_details.email).toContain('@');
        expect(cs.client_reference_id).toMatch(/^[0-9a-f-]{36}$/);
        expect(ids.has(cs.payment_intent)).toBe(true);
      }
      const sessions = new Set(all.checkout_sessions!.map((s) => s.id));
      for (const li of all.checkout_session_line_items!) {
        expect(sessions.has(li.session)).toBe(true);
        expect(li.data[0].object).toBe('item');
        expect(Number.isInteger(li.data[0].amount_total)).toBe(true);
      }
      for (const r of all.refunds!) expect(ids.has(r.charge)).toBe(true);
      for (const d of all.disputes!) expect(ids.has(d.charge)).toBe(true);
      for (const inv of all.invoices!) expect(inv.lines.data[0].object).toBe('line_item');
      const types = new Set<string>();
      for (const e of all.events!) {
        expect(e.created).toBeGreaterThanOrEqual(pulledAt - 30 * 86400);
        expect(e.account).toBe(b.stripeAccount);
        expect(e.data.object.object).toBe(
          e.type.split('.').slice(0, -1).join('.').replace('charge.dispute', 'dispute'),
        );
        types.add(e.type);
      }
      expect(types.has('charge.succeeded')).toBe(true);
      // Guest checkouts: customers that no platform customer row points at.
      expect(all.customers!.some((c) => !truthStripeIds.has(c.id))).toBe(true);
    }
    expect(metadataHits).toBeGreaterThan(150);
  });

  it('puts charge.refunded events with previous_attributes', () => {
    const events = manifest.businesses.flatMap((b) =>
      jsonl(join(dir, 'stripe', b.stripeAccount, 'events.jsonl')),
    ) as Loose[];
    const refunded = events.filter((e) => e.type === 'charge.refunded');
    if (refunded.length === 0) return;
    for (const e of refunded) {
      expect(e.data.previous_attributes.amount_refunded).toBeLessThan(e.data.object.amount_refunded);
    }
  });
});
