import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage, parseSimpleMessage, scanMime } from '@salvage/connector-email';
import { describe, expect, it } from 'vitest';
import { generateInTemp } from '../simulator/generate-fixture.ts';
import { makeBookingMessage } from './make-messages.ts';

// The fast path (connectors/email/src/fast-parse.ts) must read every message exactly as mailparser does, or decline
// it: the same ParsedMessage means the same extraction and the same evidence.
const FIXTURES = join(import.meta.dirname, '..', '..', 'connectors', 'email', 'fixtures');

async function crossCheck(raw: Buffer): Promise<void> {
  const fast = await parseMessage(raw);
  const slow = await parseMessage(raw, { mailparserOnly: true });
  expect(fast).toEqual(slow);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

describe('fast path agrees with mailparser', () => {
  it('on every connector fixture', async () => {
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.eml'))) {
      await crossCheck(readFileSync(join(FIXTURES, file)));
    }
  });

  it('on the benchmark booking mails, and takes the fast path for them', async () => {
    const base = Date.parse('2026-05-03T08:00:00Z');
    for (let i = 0; i < 200; i++) {
      const raw = Buffer.from(makeBookingMessage(i, new Date(base + i * 60_000)));
      await crossCheck(raw);
    }
    let simple = 0;
    for (let i = 0; i < 35; i++)
      if (parseSimpleMessage(scanMime(Buffer.from(makeBookingMessage(i, new Date(base)))))) simple++;
    expect(simple).toBe(35);
  });

  it('on invitations with calendar attachments, and takes the fast path for them', async () => {
    // Each calendar part is written in the charset it declares (utf-8 when it declares none).
    const ics = (uid: string, charset: 'latin1' | 'utf8') =>
      Buffer.from(
        `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:${uid}\r\n` +
          'DTSTART;TZID=Europe/Lisbon:20260612T100000\r\nDTEND;TZID=Europe/Lisbon:20260612T120000\r\n' +
          'SUMMARY:Caiaque BK-ICS011 - Jos\u00e9\r\nATTENDEE;CN=Jos\u00e9:mailto:jose@example.pt\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
        charset,
      )
        .toString('base64')
        .replace(/.{76}/g, '$&\r\n');
    const head = (type: string) =>
      [
        'From: Rent Example <bookings@rent.example>',
        'To: =?UTF-8?Q?Jos=C3=A9_Ara=C3=BAjo?= <jose@example.pt>',
        'Subject: Invitation: Caiaque',
        'Date: Mon, 1 Jun 2026 10:00:00 +0100',
        'Message-ID: <invite@rent.example>',
        'MIME-Version: 1.0',
        `Content-Type: ${type}`,
        '',
      ].join('\r\n');
    const part = (headers: string[], body: string) => `${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
    const text = part(['Content-Type: text/plain; charset=utf-8'], 'You have been invited.');
    const html = part(['Content-Type: text/html; charset=utf-8'], '<p>You have been <b>invited</b>.</p>');
    const calendar = (extra: string[]) =>
      part(
        ['Content-Transfer-Encoding: base64', ...extra],
        ics(
          '7d0e6a2c-3b1f-4c8e-9a57-2f1e0c9b8a11@rent.example',
          extra[0]?.includes('ISO-8859-1') ? 'latin1' : 'utf8',
        ),
      );
    const attached = calendar([
      'Content-Type: text/calendar; charset=ISO-8859-1; method=REQUEST; name=invite.ics',
      'Content-Disposition: attachment; filename=invite.ics',
    ]);
    const ics2 = calendar([
      'Content-Type: application/ics; name=invite.ics',
      'Content-Disposition: attachment; filename=invite.ics',
    ]);
    const octet = calendar([
      'Content-Type: application/octet-stream; name=invite.ics',
      'Content-Disposition: attachment',
    ]);
    const inline = calendar(['Content-Type: text/calendar; charset=utf-8; method=REQUEST']);
    const multipart = (type: string, boundary: string, parts: string[]) =>
      `${head(`${type}; boundary="${boundary}"`)}\r\n${parts.map((p) => `--${boundary}\r\n${p}`).join('')}--${boundary}--\r\n`;
    const alternative = (parts: string[]) =>
      part(
        ['Content-Type: multipart/alternative; boundary="alt"'],
        `${parts.map((p) => `--alt\r\n${p}`).join('')}--alt--`,
      );
    const messages = [
      // A text part and an attached invite.ics (Google Calendar's shape), in its own charset.
      multipart('multipart/mixed', 'mix', [text, attached]),
      // A lone HTML part first: HTML only, read into text by parseMessage.
      multipart('multipart/mixed', 'mix', [html, attached, ics2]),
      // The simulator's shape: an alternative with an inline calendar part, then application/ics.
      multipart('multipart/mixed', 'mix', [alternative([text, html, inline]), ics2]),
      multipart('multipart/mixed', 'mix', [alternative([text, html]), octet, attached]),
      multipart('multipart/alternative', 'alt', [text, attached]),
    ];
    for (const raw of messages.map((m) => Buffer.from(m, 'latin1'))) {
      expect(parseSimpleMessage(scanMime(raw))).not.toBeNull();
      const parsed = await parseMessage(raw);
      expect(parsed.calendars.length).toBeGreaterThan(0);
      expect(parsed.calendars.every((c) => c.text.includes('Jos\u00e9'))).toBe(true);
      await crossCheck(raw);
    }
    // A text/plain part named .ics is text to mailparser: not a calendar part for the fast path.
    const named = multipart('multipart/mixed', 'mix', [
      text,
      part(['Content-Type: text/plain; name=invite.ics'], 'BEGIN:VCALENDAR\r\nEND:VCALENDAR'),
    ]);
    expect(parseSimpleMessage(scanMime(Buffer.from(named)))).toBeNull();
    await crossCheck(Buffer.from(named));
  });

  it("on the simulator's mailboxes", { timeout: 120_000 }, async () => {
    const { dir } = await generateInTemp({ scale: 'small', seed: 7 });
    const files = filesUnder(join(dir, 'mail')).filter((p) => /\/(cur|new)\//.test(p));
    expect(files.length).toBeGreaterThan(0);
    let simple = 0;
    for (const file of files) {
      const raw = readFileSync(file);
      if (parseSimpleMessage(scanMime(raw))) simple++;
      await crossCheck(raw);
    }
    // Every simulated shape is simple, invitations with an application/ics attachment included; a new shape that is
    // not should be looked at (is mailparser needed for it?).
    expect(simple).toBe(files.length);
  });
});
