import type { BusinessConfig, ExtractionRule } from '@salvage/core';

/**
 * Booking mail as a platform sends it, for IMAP tests and the benchmark: a multipart/alternative confirmation
 * (text + HTML, quoted-printable), every fifth with a text/calendar invitation, every seventh a customer reply.
 * Deterministic in `i`.
 */
export function makeBookingMessage(i: number, receivedAt: Date): string {
  const ref = `BK-${(i * 7919).toString(36).toUpperCase().padStart(6, '0').slice(-6)}`;
  const day = new Date(receivedAt.getTime() + 3 * 86_400_000);
  const date = day.toISOString().slice(0, 10);
  const customer = `customer${i}@example.com`;
  const name = `Customer ${i} Çelik`;
  const headerDate = receivedAt.toUTCString().replace('GMT', '+0000');
  if (i % 7 === 3) {
    return [
      `From: =?UTF-8?Q?Customer_${i}_=C3=87elik?= <${customer}>`,
      'To: Rent Example <bookings@rent.example>',
      `Subject: Re: Booking confirmed: ${ref}`,
      `Date: ${headerDate}`,
      `Message-ID: <reply-${i}@example.com>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Thanks, see you then! Can we arrive 10 minutes early?',
      '',
      `> Reference: ${ref}`,
      '',
    ].join('\r\n');
  }
  const text = [
    'Your booking is confirmed.',
    '',
    `Reference: ${ref}`,
    `Item: Kayak ${i % 5}`,
    `Start: ${date} 10:00`,
    `End: ${date} 12:00`,
    `Total: EUR ${40 + (i % 50)},00`,
    `Name: ${name}`,
    `Email: ${customer}`,
    `Phone: +351 91${String(1000000 + i).slice(-7)}`,
    '',
    'Cancellation is free up to 48 hours before the start. See you on the water! '.repeat(8),
  ].join('\r\n');
  const html = `<html><body><table>${text
    .split('\r\n')
    .map((l) => `<tr><td>${l.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</td></tr>`)
    .join('')}</table></body></html>`;
  const parts = [
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    qp(text),
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    qp(html),
    '--alt--',
  ];
  const headers = [
    'From: Rent Example <bookings@rent.example>',
    `To: =?UTF-8?Q?Customer_${i}_=C3=87elik?= <${customer}>`,
    `Subject: Booking confirmed: ${ref}`,
    `Date: ${headerDate}`,
    `Message-ID: <booking-${i}@rent.example>`,
    'MIME-Version: 1.0',
  ];
  if (i % 5 !== 0) {
    return [...headers, 'Content-Type: multipart/alternative; boundary="alt"', '', ...parts, ''].join('\r\n');
  }
  const compact = date.replace(/-/g, '');
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:00000000-0000-4000-8000-${String(i).padStart(12, '0')}@rent.example`,
    `DTSTART;TZID=Europe/Lisbon:${compact}T100000`,
    `DTEND;TZID=Europe/Lisbon:${compact}T120000`,
    `SUMMARY:Kayak ${ref}`,
    'SEQUENCE:1',
    'ORGANIZER:mailto:bookings@rent.example',
    `ATTENDEE;CN=${name}:mailto:${customer}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  return [
    ...headers,
    'Content-Type: multipart/mixed; boundary="mix"',
    '',
    '--mix',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    ...parts,
    '--mix',
    'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(ics).toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--mix--',
    '',
  ].join('\r\n');
}

function qp(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  let line = 0;
  for (const b of bytes) {
    const ch =
      b === 0x0d || b === 0x0a
        ? String.fromCharCode(b)
        : b >= 33 && b <= 126 && b !== 61
          ? String.fromCharCode(b)
          : b === 32
            ? ' '
            : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (b === 0x0a) line = 0;
    else if (line + ch.length > 73 && b !== 0x0d) {
      out += '=\r\n';
      line = 0;
    }
    out += ch;
    if (b !== 0x0a) line += ch.length;
  }
  return out;
}

/** The template rule that reads `makeBookingMessage` confirmations. */
export const BOOKING_RULES: ExtractionRule[] = [
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
];

/** The business the bench mail is addressed to (the email bench and its parse profile share it). */
export const BENCH_BUSINESS = {
  id: '00000000-0000-4000-8000-0000000be0c1',
  name: 'Bench Rentals',
  timezone: 'Europe/Lisbon',
  currency: 'eur',
  defaultRegion: 'PT',
  referencePattern: 'BK-[A-Z0-9]{6}',
} as BusinessConfig;
