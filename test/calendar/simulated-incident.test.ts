import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCalendarConnector } from '@salvage/connector-calendar';
import { type ConnectorMessage, readAll, silentLogger } from '@salvage/connector-kit';
import { type BookingFacts, type Evidence, parseConfig } from '@salvage/core';
import {
  type GoogleServer,
  loadGoogleData,
  simulatedGoogleToken,
  startGoogleServer,
} from '@salvage/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInTemp } from '../simulator/generate-fixture.ts';

// The simulator's own calendars read back by the real consumers: googleapis through the local Google server, and
// the .ics exports through the connector, checked against the truth.
let dir: string;
let server: GoogleServer;
let manifest: Awaited<ReturnType<typeof generateInTemp>>['manifest'];

beforeAll(async () => {
  ({ dir, manifest } = await generateInTemp({ scale: 'small', seed: 11 }));
  server = await startGoogleServer(await loadGoogleData(dir));
}, 120_000);
afterAll(() => server?.close());

interface TruthBooking {
  business_id: string;
  reference: string;
  starts_at: string;
  ends_at: string;
  status: string;
  notes: string | null;
}

const jsonl = <T>(file: string): T[] =>
  readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

describe('the simulated incident through the calendar connector', () => {
  it('reads every business: Google through googleapis and the .ics exports, times matching the truth', async () => {
    const loaded = parseConfig(readFileSync(join(dir, 'salvage.config.yaml'), 'utf8'));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const truth = new Map(jsonl<TruthBooking>('truth/bookings.jsonl').map((b) => [b.reference, b]));
    const recoverable = jsonl<{ reference: string; sources: string[] }>('truth/recoverability.jsonl');
    const connector = createCalendarConnector();
    const all: Evidence[] = [];
    for (const b of loaded.config.businesses) {
      const key = manifest.businesses.find((m) => m.id === b.id)!.key;
      const calendar = b.calendar!;
      const sources = {
        ...calendar,
        google: calendar.google.map((g) => ({ ...g, rootUrl: server.rootUrl })),
      };
      const env = Object.fromEntries(calendar.google.map((g) => [g.tokenEnv, simulatedGoogleToken(key)]));
      const ctx = {
        business: b,
        window: { since: '2000-01-01T00:00:00.000Z', until: manifest.incident.pulledAt },
        now: () => new Date(manifest.incident.pulledAt),
        logger: silentLogger,
        env,
      };
      expect(await connector.check({ sources, baseDir: dir }, ctx)).toMatchObject({ ok: true });
      const log = await readAll(connector, { sources, baseDir: dir }, {}, ctx);
      expect(log.error).toBeUndefined();
      const warnings = log.messages.filter(
        (m): m is Extract<ConnectorMessage, { kind: 'warning' }> => m.kind === 'warning',
      );
      expect(warnings.map((w) => w.code)).toEqual([]);
      const statuses = log.messages.filter((m) => m.kind === 'stream_status');
      expect(statuses.every((s) => s.kind === 'stream_status' && s.status === 'succeeded')).toBe(true);
      all.push(...log.messages.flatMap((m) => (m.kind === 'evidence' ? [m.evidence] : [])));
    }
    expect(server.rejected).toEqual([]);
    const bookings = all.filter((e) => e.entity === 'booking') as (Evidence & {
      fields: Partial<BookingFacts>;
    })[];
    for (const kind of ['google_calendar', 'ics'] as const) {
      const seen = new Set(bookings.filter((e) => e.source.kind === kind).map((e) => e.fields.reference));
      const expected = recoverable.filter((r) => r.sources.includes('calendar')).map((r) => r.reference);
      const found = expected.filter((r) => seen.has(r));
      // Staff deletions leave some bookings only in Google (cancelled); every calendar booking is in Google.
      if (kind === 'google_calendar') expect(found.length).toBe(expected.length);
      else expect(found.length / expected.length).toBeGreaterThan(0.8);
    }
    // The newest version of each booking's calendar entry gives the truth's times, unless staff moved or cancelled it.
    let compared = 0;
    let agree = 0;
    const newest = new Map<string, Evidence & { fields: Partial<BookingFacts> }>();
    for (const e of bookings) {
      if (e.source.kind !== 'ics' || !e.fields.reference || e.source.objectId.includes('/')) continue;
      const prior = newest.get(e.fields.reference);
      if (!prior || (e.source.versionRank ?? 0) > (prior.source.versionRank ?? 0))
        newest.set(e.fields.reference, e);
    }
    for (const [ref, e] of newest) {
      const t = truth.get(ref);
      if (!t || t.status === 'cancelled' || e.fields.status === 'cancelled') continue;
      compared++;
      if (e.fields.startsAt === t.starts_at && e.fields.endsAt === t.ends_at) agree++;
    }
    expect(compared).toBeGreaterThan(50);
    expect(agree / compared).toBeGreaterThan(0.95);
    // The config's calendar rule reads the description: notes, totals and contacts, not just the reference.
    let noted = 0;
    let notesRight = 0;
    for (const [ref, e] of newest) {
      const t = truth.get(ref);
      if (!t?.notes) continue;
      noted++;
      if (e.fields.notes === t.notes) notesRight++;
    }
    expect(noted).toBeGreaterThan(5);
    expect(notesRight / noted).toBeGreaterThan(0.9);
    expect(bookings.filter((e) => e.note?.includes('rentalhub-calendar')).length).toBeGreaterThan(0);
  }, 120_000);
});
