import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileRules } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { expandIcsEvents } from './expand-ics.ts';
import { mapIcsOccurrence } from './map-ics-occurrence.ts';
import { parseIcs } from './parse-ics.ts';
import type { TextReading } from './read-booking-text.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const YEAR = { sinceMs: Date.parse('2026-01-01T00:00:00Z'), untilMs: Date.parse('2027-01-01T00:00:00Z') };

function read(file: string, businessZone: string, window = YEAR) {
  const parsed = parseIcs(readFileSync(join(FIXTURES, file), 'utf8'));
  const expanded = expandIcsEvents(parsed.events, { vtimezones: parsed.vtimezones, businessZone, ...window });
  const rows = expanded.occurrences.map((o) => ({
    id: o.objectId.length > 60 ? `…${o.objectId.slice(-24)}` : o.objectId,
    start: new Date(o.startMs).toISOString(),
    end: o.endMs === null ? null : new Date(o.endMs).toISOString(),
    allDay: o.allDay,
  }));
  return {
    parsed,
    expanded,
    rows,
    issues: [...parsed.issues, ...expanded.issues].map((i) => `${i.code}@${i.line}`),
  };
}

function reading(zone: string, rules: Parameters<typeof compileRules>[0] = []): TextReading {
  return {
    rules: compileRules(rules).rules,
    referencePattern: /BK-[A-Z0-9]{6}/u,
    values: { timezone: zone, currency: 'eur', defaultRegion: 'PT' },
  };
}

describe('iCalendar fixtures written as real clients write them', () => {
  it('Google export: series on Lisbon wall time across spring-forward, EXDATE, moved and cancelled exceptions', () => {
    const { rows, issues, expanded } = read('google-export.ics', 'Europe/Lisbon');
    expect(issues).toEqual([]);
    const lesson = rows.filter((r) => r.id.startsWith('7kukuqrfedlm2f9t0vf5g7bhbs'));
    expect(lesson.map((r) => [r.id.split('/')[1], r.start])).toEqual([
      ['20260314T100000Z', '2026-03-14T10:00:00.000Z'],
      ['20260328T100000Z', '2026-03-28T15:00:00.000Z'],
      ['20260404T090000Z', '2026-04-04T09:00:00.000Z'],
      ['20260411T090000Z', '2026-04-11T09:00:00.000Z'],
      ['20260418T090000Z', '2026-04-18T09:00:00.000Z'],
    ]);
    const cancelled = expanded.occurrences.find((o) => o.objectId.endsWith('20260411T090000Z'));
    expect(cancelled?.event.status).toBe('CANCELLED');
    expect(rows.find((r) => r.id.startsWith('3f2c8d0e'))).toMatchObject({
      start: '2026-04-01T23:00:00.000Z',
      end: '2026-04-04T23:00:00.000Z',
      allDay: true,
    });
  });

  it('Outlook/Exchange: Windows zone ids, a quoted TZID, a customized zone, the fall-back night in Berlin', () => {
    const { rows, issues } = read('outlook-exchange.ics', 'Europe/Lisbon');
    expect(issues).toEqual([]);
    expect(rows.map((r) => [r.start, r.end])).toEqual([
      // 01:30 CEST to 04:30 CET on 2026-10-25: three wall hours, four real ones.
      ['2026-10-24T23:30:00.000Z', '2026-10-25T03:30:00.000Z'],
      ['2026-10-12T07:00:00.000Z', '2026-10-12T08:30:00.000Z'],
      ['2026-10-14T12:00:00.000Z', '2026-10-14T13:30:00.000Z'],
      ['2026-10-15T07:00:00.000Z', '2026-10-15T08:30:00.000Z'],
      ['2026-10-16T04:30:00.000Z', '2026-10-16T06:30:00.000Z'],
    ]);
  });

  it('Apple: an overnight event across the New York fall-back, floating time and dates in the business zone, DURATION', () => {
    const { rows, issues } = read('apple-icloud.ics', 'America/New_York');
    expect(issues).toEqual([]);
    expect(rows.map((r) => [r.start, r.end, r.allDay])).toEqual([
      ['2026-11-01T02:00:00.000Z', '2026-11-01T13:00:00.000Z', false],
      ['2026-11-03T14:00:00.000Z', '2026-11-03T15:30:00.000Z', false],
      ['2026-11-05T05:00:00.000Z', '2026-11-07T05:00:00.000Z', true],
      ['2026-11-07T05:00:00.000Z', '2026-11-08T05:00:00.000Z', true],
    ]);
  });

  it('never reads a floating time in the machine zone: the business zone decides', () => {
    const lisbon = read('apple-icloud.ics', 'Europe/Lisbon').rows.find((r) => r.id.startsWith('B2C3'));
    expect(lisbon?.start).toBe('2026-11-03T09:00:00.000Z');
  });

  it('gives the same instants whatever the machine zone is (TZ changed at run time)', () => {
    const saved = process.env.TZ;
    try {
      const expected = [
        'google-export.ics',
        'outlook-exchange.ics',
        'apple-icloud.ics',
        'broken-bom.ics',
      ].map((f) => read(f, 'America/New_York').rows);
      for (const tz of ['Pacific/Kiritimati', 'America/Adak', 'Asia/Kathmandu']) {
        process.env.TZ = tz;
        expect(new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset()).not.toBe(0);
        const again = ['google-export.ics', 'outlook-exchange.ics', 'apple-icloud.ics', 'broken-bom.ics'].map(
          (f) => read(f, 'America/New_York').rows,
        );
        expect(again).toEqual(expected);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('a broken file: BOM, LF, a garbage line, unknown/quoted/Mozilla TZIDs, no DTEND, end before start, no UID', () => {
    const { rows, issues } = read('broken-bom.ics', 'Europe/Lisbon');
    expect(issues).toEqual([
      'ics_bad_line@8',
      'ics_missing_uid@36',
      'ics_unknown_tzid@13',
      'ics_end_before_start@28',
    ]);
    expect(rows).toEqual([
      {
        id: 'broken-1@example.net',
        start: '2026-05-10T08:00:00.000Z',
        end: '2026-05-10T10:00:00.000Z',
        allDay: false,
      },
      {
        id: 'broken-2@example.net',
        start: '2026-05-11T09:00:00.000Z',
        end: '2026-05-11T10:00:00.000Z',
        allDay: false,
      },
      {
        id: 'broken-3@example.net',
        start: '2026-05-12T14:00:00.000Z',
        end: '2026-05-12T14:00:00.000Z',
        allDay: false,
      },
      { id: 'broken-4@example.net', start: '2026-05-13T12:00:00.000Z', end: null, allDay: false },
      {
        id: 'broken-6@example.net',
        start: '2026-05-15T08:00:00.000Z',
        end: '2026-05-15T09:00:00.000Z',
        allDay: false,
      },
    ]);
  });

  it('keeps exceptions to their own UID (strict): another series never picks them up', () => {
    const text = readFileSync(join(FIXTURES, 'google-export.ics'), 'utf8').replace(
      'END:VCALENDAR',
      [
        'BEGIN:VEVENT',
        'UID:other-series@example.net',
        'DTSTART;TZID=Europe/Lisbon:20260314T100000',
        'DTEND;TZID=Europe/Lisbon:20260314T110000',
        'RRULE:FREQ=WEEKLY;COUNT=3',
        'SUMMARY:Other BK-OTHER1',
        'END:VEVENT',
        'END:VCALENDAR',
      ].join('\r\n'),
    );
    const parsed = parseIcs(text);
    const { occurrences } = expandIcsEvents(parsed.events, {
      vtimezones: parsed.vtimezones,
      businessZone: 'Europe/Lisbon',
      ...YEAR,
    });
    const other = occurrences.filter((o) => o.uid === 'other-series@example.net');
    expect(other.map((o) => new Date(o.startMs).toISOString())).toEqual([
      '2026-03-14T10:00:00.000Z',
      '2026-03-21T10:00:00.000Z',
      '2026-03-28T10:00:00.000Z',
    ]);
    expect(other.every((o) => o.event.summary === 'Other BK-OTHER1')).toBe(true);
  });

  it('expands only within the window', () => {
    const { rows } = read('google-export.ics', 'Europe/Lisbon', {
      sinceMs: Date.parse('2026-04-01T00:00:00Z'),
      untilMs: Date.parse('2026-04-15T00:00:00Z'),
    });
    expect(rows.filter((r) => r.id.includes('/')).map((r) => r.id.split('/')[1])).toEqual([
      '20260404T090000Z',
      '20260411T090000Z',
    ]);
  });
});

describe('mapIcsOccurrence', () => {
  const ctx = (r: TextReading) => ({
    businessId: '11111111-1111-4111-8111-111111111111',
    resourceName: 'Kayak 1',
    account: 'kayak-1.ics',
    rawRef: 'r',
    reading: r,
    fallbackObservedAt: '2026-04-01T00:00:00.000Z',
  });

  it('reads the platform booking id from the UID, the reference, customer and cancellation', () => {
    const { expanded } = read('google-export.ics', 'Europe/Lisbon');
    const rules = [
      {
        name: 'rentalhub-calendar',
        match: { summary: '^BK-' },
        kind: 'other' as const,
        fields: {
          reference: '^(BK-[A-Z0-9]{6})',
          customerEmail: 'Email: (?<value>\\S+)',
          customerPhone: 'Phone: (?<value>[^\\n]+)',
          totalAmount: 'Total: (?<value>[^\\n]+)',
        },
        confidence: 0.9,
      },
    ];
    const out = expanded.occurrences.map((o) => mapIcsOccurrence(o, ctx(reading('Europe/Lisbon', rules))));
    const first = out[0]!.evidence;
    expect(first.map((e) => e.entity)).toEqual(['booking', 'customer']);
    expect(first[0]!.fields).toMatchObject({
      bookingId: '0b7e5a52-1c1d-4a57-9b1e-6f3d2a9c8e11',
      reference: 'BK-7QX2MA',
      customerEmail: 'ana.lima@example.com',
      customerPhone: '+351912345678',
      customerName: 'Ana Lima',
      totalAmount: 4500,
      status: 'confirmed',
      resourceName: 'Kayak 1',
      calendarUid: '0b7e5a52-1c1d-4a57-9b1e-6f3d2a9c8e11@rentalhub.example',
    });
    expect(first[0]!.confidence).toBe(0.98);
    expect(first[0]!.source).toMatchObject({ kind: 'ics', version: 'seq:0;lm:2026-03-02T09:00:00.000Z' });
    expect(first[0]!.observedAt).toBe('2026-03-02T09:00:00.000Z');
    // CREATED dates the booking; LAST-MODIFIED (a day later) only its latest change.
    expect(first[0]!.fields.createdAt).toBe('2026-03-01T09:00:00.000Z');
    const bookings = out.flatMap((x) => x.evidence).flatMap((e) => (e.entity === 'booking' ? [e] : []));
    const cancelled = bookings.find((e) => e.fields.reference === 'BK-CNCL01');
    expect(cancelled?.fields.status).toBe('cancelled');
    // The series has no platform id: its reference comes from the generic pattern, at its lower confidence.
    const lesson = bookings.filter((e) => e.source.objectId.startsWith('7kuk'));
    expect(lesson).toHaveLength(5);
    expect(lesson.every((e) => e.fields.reference === 'BK-LSN001' && e.confidence === 0.6)).toBe(true);
    // A series was made once for all its instances: its CREATED dates none of their bookings.
    expect(lesson.some((e) => e.fields.createdAt !== undefined)).toBe(false);
    expect(lesson.map((e) => e.fields.status)).toEqual([
      'confirmed',
      'confirmed',
      'confirmed',
      'cancelled',
      'confirmed',
    ]);
    // The staff block names no booking and no customer: nothing.
    expect(out.at(-1)!.evidence).toEqual([]);
  });

  it('reads a marketplace feed through a configured rule', () => {
    const { expanded } = read('marketplace-airbnb.ics', 'Europe/Lisbon');
    const rules = [
      {
        name: 'airbnb-reserved',
        match: { summary: '^Reserved$' },
        kind: 'confirmation' as const,
        fields: { reference: 'reservations/details/(?<value>HM[A-Z0-9]+)' },
        confidence: 0.85,
      },
    ];
    const out = expanded.occurrences.map((o) => mapIcsOccurrence(o, ctx(reading('Europe/Lisbon', rules))));
    expect(out[0]!.evidence[0]!.fields).toMatchObject({
      reference: 'HMQ8ZK2XWP',
      allDay: true,
      startsAt: '2026-06-07T23:00:00.000Z',
      endsAt: '2026-06-11T23:00:00.000Z',
    });
    expect(out[0]!.evidence[0]!.confidence).toBe(0.85);
    expect(out[1]!.evidence).toEqual([]);
  });
});
