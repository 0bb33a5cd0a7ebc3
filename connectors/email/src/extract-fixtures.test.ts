import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BusinessConfig, Evidence, ExtractionRule } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { extractMessage, messageKey } from './extract-message.ts';
import { parseMessage } from './parse-message.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const business = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Rent Example',
  timezone: 'Europe/Lisbon',
  currency: 'eur',
  defaultRegion: 'PT',
  referencePattern: 'BK-[A-Z0-9]{6}',
} as BusinessConfig;
const rules: ExtractionRule[] = [
  {
    name: 'confirmation-v1',
    match: { subject: '^Booking confirmed: ' },
    kind: 'confirmation',
    confidence: 0.9,
    fields: {
      reference: 'Reference: (BK-[A-Z0-9]{6})',
      resourceName: '^Item: (.+)$',
      startsAt: '^Start: (.+)$',
      endsAt: '^End: (.+)$',
      totalAmount: '^Total: (.+)$',
      customerName: '^Name: (.+)$',
      customerEmail: '^Email: (.+)$',
      customerPhone: '^Phone: (.+)$',
    },
  },
  {
    name: 'receipt-v1',
    match: { subject: '^Payment receipt: ' },
    kind: 'receipt',
    confidence: 0.88,
    fields: { reference: 'Reference: (BK-[A-Z0-9]{6})', totalAmount: '^Total: (.+)$' },
  },
];
const own = new Set(['bookings@rent.example']);

async function read(file: string) {
  const parsed = await parseMessage(readFileSync(join(FIXTURES, file)));
  const result = extractMessage(
    parsed,
    {
      kind: 'eml',
      account: 'fixtures',
      location: file,
      receivedAt: '2026-06-20T00:00:00.000Z',
      outbound: false,
    },
    { business, rules, ownAddresses: own },
  );
  const find = (entity: string, extractor: string) =>
    result.evidence.find((e) => e.entity === entity && e.extractor.name === extractor)?.fields as
      | Record<string, unknown>
      | undefined;
  return { parsed, result, find };
}

describe('real-world messages: encodings and structures', () => {
  it('quoted-printable iso-8859-1 template: the rule reads every field, times in the business zone', async () => {
    const { parsed, find, result } = await read('01-qp-latin1-confirmation.eml');
    expect(parsed.to[0]).toEqual({ address: 'joao.goncalves@example.pt', name: 'João Gonçalves' });
    expect(find('booking', 'email.rule:confirmation-v1')).toEqual({
      reference: 'BK-QP1234',
      resourceName: 'Caiaque duplo - Praia',
      startsAt: '2026-06-03T09:00:00.000Z',
      endsAt: '2026-06-03T11:00:00.000Z',
      totalAmount: 8500,
      currency: 'eur',
      customerName: 'João Gonçalves',
      customerEmail: 'joao.goncalves@example.pt',
      customerPhone: '+351912345678',
      status: 'confirmed',
    });
    expect(result.byRule).toMatchObject({ 'confirmation-v1': 2, generic: 2 });
    const rule = result.evidence.find((e) => e.extractor.name === 'email.rule:confirmation-v1') as Evidence;
    expect(rule.confidence).toBe(0.9);
    expect(rule.observedAt).toBe('2026-06-02T08:15:00.000Z');
    expect(rule.rawRef).toBe(parsed.rawHash);
  });

  it('base64 UTF-8 alternative with RFC 2047 B headers: generic reference and the recipient as customer', async () => {
    const { parsed, find } = await read('02-base64-utf8-alternative.eml');
    expect(parsed.subject).toBe('Your booking BK-B64UTF has been moved ✓');
    expect(find('booking', 'email.generic')).toEqual({
      reference: 'BK-B64UTF',
      customerEmail: 'zoe@example.se',
      customerName: 'Zoë Ångström',
    });
  });

  it('Outlook HTML-only windows-1252: text comes from the HTML, euro sign and quotes intact', async () => {
    const { parsed, find } = await read('03-windows-1252-outlook-html.eml');
    expect(parsed.text).toContain(
      'I paid the €40 deposit in cash for booking BK-WIN252 – could you confirm? “Thanks”',
    );
    expect(parsed.text).not.toContain('MsoNormal');
    expect(find('customer', 'email.generic')).toEqual({
      email: 'francoise.muller@example.fr',
      fullName: 'Françoise Müller',
    });
  });

  it('ISO-2022-JP and Shift_JIS bodies and headers decode', async () => {
    const jis = await read('04-iso-2022-jp.eml');
    expect(jis.parsed.subject).toBe('予約の確認 BK-JIS022');
    expect(jis.parsed.text).toContain('ご予約 BK-JIS022 を承りました');
    expect(jis.find('customer', 'email.generic')).toEqual({
      email: 'taro.yamada@example.jp',
      fullName: '山田 太郎',
    });
    const sjis = await read('05-shift-jis-base64.eml');
    expect(sjis.parsed.text).toContain('予約番号 BK-SJIS05 の変更');
    expect(sjis.parsed.from[0]?.name).toBe('佐藤 花子');
  });

  it('nested multipart/mixed > related > alternative with attachments: the text part feeds the rule', async () => {
    const { parsed, find } = await read('06-nested-multipart.eml');
    expect(parsed.problems).toEqual([]);
    expect(find('booking', 'email.rule:confirmation-v1')).toMatchObject({
      reference: 'BK-NEST06',
      totalAmount: 3000,
      customerPhone: '+34612345678',
      startsAt: '2026-06-08T08:00:00.000Z',
    });
  });

  it('a forwarded message/rfc822 part is searched for references', async () => {
    const { parsed, find } = await read('07-forwarded-rfc822.eml');
    expect(parsed.forwardedText.join('\n')).toContain('até breve');
    expect(find('booking', 'email.generic')).toMatchObject({ reference: 'BK-FWD007' });
  });

  it('a broken base64 attachment is reported but the text is still extracted', async () => {
    const { parsed, find } = await read('08-broken-base64.eml');
    expect(parsed.problems.map((p) => p.code)).toEqual(['broken_base64']);
    expect(parsed.unreadable).toBe(false);
    expect(find('payment', 'email.rule:receipt-v1')).toEqual({
      amount: 2000,
      currency: 'eur',
      bookingReference: 'BK-BRK064',
      customerEmail: 'ana@example.pt',
      status: 'succeeded',
      paidAt: '2026-06-09T09:00:00.000Z',
    });
  });

  it('an unreadable Date is unknown, never now: observedAt falls back to the mailbox time', async () => {
    const { parsed, result } = await read('09-bad-date.eml');
    expect(parsed.date).toBeNull();
    expect(parsed.problems.map((p) => p.code)).toEqual(['bad_date']);
    for (const e of result.evidence) {
      expect(e.observedAt).toBe('2026-06-20T00:00:00.000Z');
      expect(e.note).toContain('Date header unusable');
    }
  });

  it('an unknown charset is reported; the ASCII around it still yields the reference', async () => {
    const { parsed, find } = await read('10-unknown-charset.eml');
    expect(parsed.problems).toEqual([
      { code: 'unknown_charset', detail: "message body: charset 'x-klingon-8' is unknown" },
    ]);
    expect(find('booking', 'email.generic')).toMatchObject({ reference: 'BK-UNK010' });
  });

  it('text/calendar REQUEST in ISO-8859-1 base64: UID, TZID times, attendee, sequence, 0.98', async () => {
    const { result } = await read('11-invite-request-latin1.eml');
    const cal = result.evidence.find((e) => e.entity === 'booking' && e.extractor.name === 'email.calendar');
    expect(cal?.fields).toEqual({
      calendarUid: '7d0e6a2c-3b1f-4c8e-9a57-2f1e0c9b8a11@rent.example',
      bookingId: '7d0e6a2c-3b1f-4c8e-9a57-2f1e0c9b8a11',
      startsAt: '2026-06-12T09:00:00.000Z',
      endsAt: '2026-06-12T12:00:00.000Z',
      status: 'confirmed',
      reference: 'BK-ICS011',
      resourceName: 'Caiaque duplo',
      customerEmail: 'jose.araujo@example.pt',
      customerName: 'José Araújo',
    });
    expect(cal?.confidence).toBe(0.98);
    expect(cal?.source.versionRank).toBe(0);
  });

  it('text/calendar CANCEL with an Outlook zone name resolves through its VTIMEZONE', async () => {
    const { result } = await read('12-invite-cancel-outlook-tz.eml');
    const cal = result.evidence.find((e) => e.entity === 'booking' && e.extractor.name === 'email.calendar');
    expect(cal?.fields).toMatchObject({
      status: 'cancelled',
      startsAt: '2026-06-15T07:00:00.000Z',
      endsAt: '2026-06-15T09:00:00.000Z',
      reference: 'BK-CXL012',
      customerName: 'Klaus Müller',
    });
    expect(cal?.source.versionRank).toBe(2);
    expect(cal?.confidence).toBe(0.98);
  });

  it('raw 8-bit headers are read as windows-1252 and reported', async () => {
    const { parsed } = await read('13-raw-8bit-header.eml');
    expect(parsed.subject).toBe('Réservation BK-HDR013');
    expect(parsed.from[0]?.name).toBe('René Dupré');
    expect(parsed.problems.map((p) => p.code)).toEqual(['non_utf8_header']);
  });

  it('a multipart whose boundary never appears is reported and its body still read; robots are no customer', async () => {
    const { parsed, result } = await read('14-malformed-mime.eml');
    expect(parsed.problems.map((p) => p.code)).toEqual(['malformed_mime']);
    expect(parsed.text).toContain('This body has no parts at all');
    expect(result.evidence.map((e) => e.entity)).toEqual(['booking']);
  });

  it('a customer reply: sender is the customer (RFC 2047 Q name), Date comment ignored', async () => {
    const { parsed, find } = await read('15-customer-reply.eml');
    expect(parsed.date).toBe('2026-06-14T18:00:00.000Z');
    expect(find('customer', 'email.generic')).toEqual({
      email: 'ingrid.odegard@example.no',
      fullName: 'Ingrid Ødegård',
    });
  });

  it('the same message with different headers added keeps its identity and evidence ids', async () => {
    const raw = readFileSync(join(FIXTURES, '01-qp-latin1-confirmation.eml'));
    const copy = Buffer.concat([
      Buffer.from('X-Gmail-Labels: Archived\r\nReceived: from mx by imap\r\n'),
      raw,
    ]);
    const a = await parseMessage(raw);
    const b = await parseMessage(copy);
    expect(messageKey(a)).toBe(messageKey(b));
    expect(a.rawHash).not.toBe(b.rawHash);
    const origin = {
      kind: 'imap' as const,
      account: 'x',
      location: 'INBOX/1/1',
      receivedAt: null,
      outbound: false,
    };
    const ctx = { business, rules, ownAddresses: own };
    const ids = (m: typeof a, location: string) =>
      extractMessage(m, { ...origin, location }, ctx).evidence.map((e) => e.id);
    expect(ids(a, 'INBOX/1/1')).toEqual(ids(b, 'Archive/7/99'));
  });

  it('garbage bytes never throw: the message comes back with problems', async () => {
    const junk = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a, 0x0d, 0x80, 0x81]);
    const parsed = await parseMessage(junk);
    expect(parsed.date).toBeNull();
    expect(parsed.problems.length).toBeGreaterThan(0);
  });
});
