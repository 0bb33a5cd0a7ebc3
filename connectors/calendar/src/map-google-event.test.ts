import { compileRules } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { parseCalendarConfig } from './calendar-config.ts';
import { mapGoogleEvent } from './map-google-event.ts';
import { ianaZoneFor, resolveTzid } from './resolve-zone.ts';

const reading = {
  rules: compileRules([
    {
      name: 'staff-notes',
      match: { summary: 'Walk-in' },
      kind: 'other',
      fields: { customerName: 'Walk-in: (?<value>[^,]+)', customerPhone: 'tel (?<value>[\\d ]+)' },
      confidence: 0.7,
    },
  ]).rules,
  referencePattern: /BK-[A-Z0-9]{6}/u,
  values: { timezone: 'Europe/London', currency: 'gbp', defaultRegion: 'GB' },
};
const ctx = {
  businessId: '5b0a3c7e-8f1d-4c2a-9e6b-2d4f6a8c0e11',
  businessZone: 'Europe/London',
  resourceName: 'Tandem',
  calendarId: 'cal@group.calendar.google.com',
  rawRef: 'ref',
  reading,
  fallbackObservedAt: '2026-04-01T00:00:00.000Z',
};

describe('mapGoogleEvent', () => {
  it('reads an all-day multi-day event at midnight in the business zone (BST here)', () => {
    const { evidence } = mapGoogleEvent(
      {
        id: 'e1',
        etag: '"1"',
        status: 'confirmed',
        updated: '2026-03-30T10:00:00.000Z',
        summary: 'Family BK-AAAAAA',
        start: { date: '2026-04-03' },
        end: { date: '2026-04-06' },
      },
      ctx,
    );
    expect(evidence).toHaveLength(1);
    expect(evidence[0]!.fields).toMatchObject({
      reference: 'BK-AAAAAA',
      startsAt: '2026-04-02T23:00:00.000Z',
      endsAt: '2026-04-05T23:00:00.000Z',
      allDay: true,
    });
    expect(evidence[0]!.confidence).toBe(0.6);
    expect(evidence[0]!.source.versionRank).toBe(Date.parse('2026-03-30T10:00:00.000Z'));
  });

  it('keeps a bare deleted event from a sync answer as a cancellation by its id', () => {
    const { evidence } = mapGoogleEvent({ id: 'gone', status: 'cancelled' }, ctx);
    expect(evidence).toHaveLength(1);
    expect(evidence[0]!.fields).toEqual({ resourceName: 'Tandem', status: 'cancelled', calendarUid: 'gone' });
    expect(evidence[0]!.observedAt).toBe(ctx.fallbackObservedAt);
    expect(evidence[0]!.source.version).toBe('unversioned');
  });

  it('reads a hand-made entry through a rule, and skips an entry that names nobody', () => {
    const walkIn = mapGoogleEvent(
      {
        id: 'w',
        etag: '"2"',
        updated: '2026-03-30T10:00:00.000Z',
        summary: 'Walk-in: Olivia Brown, tel 07911 123456',
        start: { dateTime: '2026-03-31T09:00:00+01:00' },
        end: { dateTime: '2026-03-31T08:00:00+01:00' },
      },
      ctx,
    );
    expect(walkIn.evidence.map((e) => e.entity)).toEqual(['booking', 'customer']);
    expect(walkIn.evidence[1]!.fields).toEqual({ fullName: 'Olivia Brown', phone: '+447911123456' });
    expect(walkIn.evidence[0]!.confidence).toBe(0.7);
    expect((walkIn.evidence[0]!.fields as { endsAt?: string }).endsAt).toBeUndefined();
    expect(walkIn.issues).toEqual(['event ends before it starts; its end is left out']);
    const block = mapGoogleEvent(
      { id: 'b', summary: 'Maintenance', start: { date: '2026-04-01' }, end: { date: '2026-04-02' } },
      ctx,
    );
    expect(block.evidence).toEqual([]);
  });
});

describe('zones and config', () => {
  it('maps Windows, IANA and vendor-path TZIDs; falls back to the business zone with a warning otherwise', () => {
    expect(ianaZoneFor('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(ianaZoneFor('"Eastern Standard Time"')).toBe('America/New_York');
    expect(ianaZoneFor('/softwarestudio.org/Olson_20011030_5/America/Chicago')).toBe('America/Chicago');
    expect(ianaZoneFor('Europe/Lisbon')).toBe('Europe/Lisbon');
    expect(ianaZoneFor('Nowhere Standard Time')).toBeNull();
    const r = resolveTzid('Nowhere Standard Time', new Map(), 'Europe/Lisbon');
    expect(r.clock.name).toBe('Europe/Lisbon');
    expect(r.warning).toContain('Nowhere Standard Time');
  });

  it('parses its config and names the field at fault', () => {
    expect(parseCalendarConfig({ sources: { ics: [{ path: 'a.ics', resource: 'A' }] } })).toMatchObject({
      ok: true,
    });
    const bad = parseCalendarConfig({
      sources: { ics: [{ resource: 'A' }], google: [{ calendarId: 'x', resource: 'A', tokenEnv: 'lower' }] },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.issues.map((i) => i.path).sort()).toEqual(['sources.google.0.tokenEnv', 'sources.ics.0']);
  });

  it("dates the booking by the entry's creation, not by its latest update, and never an instance of a series", () => {
    const event = {
      id: 'e9',
      etag: '"9"',
      status: 'confirmed',
      created: '2026-03-01T09:00:02.120Z',
      updated: '2026-03-20T17:45:00.000Z',
      summary: 'Family BK-CCCCCC',
      start: { dateTime: '2026-04-03T10:00:00+01:00' },
      end: { dateTime: '2026-04-03T12:00:00+01:00' },
    };
    const [booking] = mapGoogleEvent(event, ctx).evidence;
    expect(booking!.fields.createdAt).toBe('2026-03-01T09:00:02.120Z');
    expect(booking!.observedAt).toBe('2026-03-20T17:45:00.000Z');
    const [instance] = mapGoogleEvent({ ...event, id: 'e9_20260403', recurringEventId: 'e9' }, ctx).evidence;
    expect(instance!.fields.createdAt).toBeUndefined();
    expect(
      mapGoogleEvent({ ...event, created: 'not a time' }, ctx).evidence[0]!.fields.createdAt,
    ).toBeUndefined();
  });
});

describe('ianaClock', () => {
  it('agrees with core over DST transitions, gaps and repeated hours', async () => {
    const { ianaClock } = await import('./resolve-zone.ts');
    const { wallTimeAt, zonedTimeToUtc } = await import('@salvage/core');
    for (const zone of ['Europe/Lisbon', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata']) {
      const clock = ianaClock(zone);
      for (
        let ms = Date.parse('2026-03-01T00:00:00Z');
        ms < Date.parse('2026-11-15T00:00:00Z');
        ms += 1_799_000
      ) {
        expect(clock.toWall(ms)).toEqual(wallTimeAt(ms, zone));
        const w = wallTimeAt(ms, zone);
        expect(clock.toUtcMs(w)).toBe(zonedTimeToUtc(w, zone).getTime());
      }
      for (const text of ['2026-03-08T02:30', '2026-03-29T01:30', '2026-11-01T01:30', '2026-10-25T01:30']) {
        const [d, t] = text.split('T') as [string, string];
        const [year, month, day] = d.split('-').map(Number) as [number, number, number];
        const [hour, minute] = t.split(':').map(Number) as [number, number];
        const w = { year, month, day, hour, minute, second: 0 };
        expect(clock.toUtcMs(w)).toBe(zonedTimeToUtc(w, zone).getTime());
      }
    }
  });
});
