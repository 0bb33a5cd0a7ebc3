import { createHash } from 'node:crypto';
import { sha256 } from '@salvage/core';
import { type AddressObject, type EmailAddress, simpleParser } from 'mailparser';
import { type FastParse, parseSimpleMessage } from './fast-parse.ts';
import { htmlToText } from './html-text.ts';
import {
  decodeCharset,
  decodeTransfer,
  HUGE_PART_BYTES,
  type MessageProblem,
  scanMimeText,
} from './mime-scan.ts';

/** A person in an address header: address lower-cased, display name decoded (RFC 2047), '' when absent. */
export interface MailAddress {
  address: string;
  name: string;
}

/** A text/calendar part, decoded from its own declared charset (mailparser leaves those bytes alone). */
export interface CalendarPart {
  path: string;
  text: string;
  charset: string;
}

/** What the extractors read from one message. Everything here is derived from the raw bytes alone. */
export interface ParsedMessage {
  /** Message-ID without angle brackets, or null when absent. */
  messageId: string | null;
  /** sha256 of the body with line endings normalized: stable across folders, re-uploads and added headers. */
  bodyHash: string;
  /** sha256 of the exact raw bytes: the key the workspace stores them under. */
  rawHash: string;
  /** The Date header as an instant, or null when missing or unreadable (never "now"). */
  date: string | null;
  subject: string;
  from: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  /** Plain text, from the text part, or from the HTML part when there is no text part. */
  text: string;
  /** The HTML part turned into text (tags stripped) when there is no text part, else ''. */
  htmlText: string;
  /** Text of forwarded (attached message/rfc822) parts. */
  forwardedText: string[];
  calendars: CalendarPart[];
  problems: MessageProblem[];
  /** True when nothing readable came out (the parser failed): only the raw bytes are kept. */
  unreadable: boolean;
}

/** Messages larger than this are not parsed at all, only kept raw (a 50 MiB default, far above any booking mail). */
export const MAX_PARSE_BYTES = 50 * 1024 * 1024;

/**
 * Parses one RFC 5322 message with mailparser plus our own MIME scan. Never throws: a message that cannot be parsed
 * comes back `unreadable` with the reason in `problems`. Simple messages take our own fast path (fast-parse.ts);
 * `mailparserOnly` sends every message through mailparser (for cross-checks). Async only because mailparser is
 * stream-based; no I/O.
 */
export async function parseMessage(
  raw: Uint8Array,
  options: { mailparserOnly?: boolean } = {},
): Promise<ParsedMessage> {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const rawHash = sha256(buf);
  const tooLarge = buf.length > MAX_PARSE_BYTES;
  // One latin1 view of the bytes serves the body hash and the MIME scan.
  const text = tooLarge ? '' : buf.toString('latin1');
  const bodyHash = tooLarge ? normalizedBodyHash(buf.toString('latin1')) : normalizedBodyHash(text);
  const base: ParsedMessage = {
    messageId: null,
    bodyHash,
    rawHash,
    date: null,
    subject: '',
    from: [],
    to: [],
    cc: [],
    text: '',
    htmlText: '',
    forwardedText: [],
    calendars: [],
    problems: [],
    unreadable: false,
  };
  if (tooLarge) {
    base.problems.push({ code: 'too_large', detail: `${Math.round(buf.length / 1048576)} MiB, not parsed` });
    base.unreadable = true;
    base.messageId = headerValue(buf, 'message-id')?.replace(/^<|>$/g, '') || null;
    return base;
  }
  const scan = scanMimeText(text);
  base.problems.push(...scan.problems);
  // 8-bit headers that are not UTF-8 are almost always windows-1252 (a superset of latin1): re-encode them so
  // names and subjects read right instead of as U+FFFD.
  const input = scan.problems.some(
    (p) => p.code === 'non_utf8_header' && p.detail.startsWith('message header'),
  )
    ? transcodeHeader(buf)
    : buf;
  const fast = options.mailparserOnly ? null : parseSimpleMessage(scan);
  if (fast) {
    takeRead(base, fast);
  } else {
    try {
      const mail = await simpleParser(input, {
        skipHtmlToText: true,
        skipTextToHtml: true,
        skipImageLinks: true,
        skipTextLinks: true,
        checksumAlgo: false,
        maxHtmlLengthToParse: HUGE_PART_BYTES,
      });
      // mailparser turns an unreadable Date into the current time; read the header ourselves instead.
      const dateLine = mail.headerLines.find((h) => h.key === 'date');
      takeRead(base, {
        messageId: mail.messageId ? mail.messageId.trim().replace(/^<|>$/g, '') || null : null,
        subject: mail.subject ?? '',
        from: addresses(mail.from),
        to: addresses(mail.to),
        cc: addresses(mail.cc),
        text: mail.text || '',
        html: typeof mail.html === 'string' ? mail.html : '',
        rawDate: dateLine ? dateLine.line.slice(dateLine.line.indexOf(':') + 1).trim() : null,
      });
      // A multipart whose boundary never appears has no parts for mailparser; its body is still readable text.
      if (!base.text && scan.problems.some((p) => p.code === 'malformed_mime'))
        base.text = new TextDecoder('utf-8').decode(bodyOf(buf));
    } catch (error) {
      base.problems.push({
        code: 'parse_failed',
        detail: `mailparser failed: ${(error as Error).message.slice(0, 200)}`,
      });
      base.unreadable = true;
    }
  }
  for (const leaf of scan.leaves) {
    if (leaf.body.length > HUGE_PART_BYTES) continue;
    const isCalendar = leaf.contentType === 'text/calendar' || /\.ics$/i.test(leaf.filename ?? '');
    if (!isCalendar && !(leaf.forwarded && leaf.contentType.startsWith('text/'))) continue;
    const bytes = decodeTransfer(leaf.body, leaf.transferEncoding);
    const text = decodeCharset(bytes, leaf.charset);
    if (text === null) continue; // unknown charset: already listed in problems
    if (isCalendar) base.calendars.push({ path: leaf.path, text, charset: leaf.charset ?? 'utf-8' });
    else base.forwardedText.push(leaf.contentType === 'text/html' ? htmlToText(text) : text);
  }
  return base;
}

/** Fills the headers, text and date from what the fast path or mailparser read. */
function takeRead(base: ParsedMessage, read: FastParse): void {
  base.messageId = read.messageId;
  base.subject = read.subject;
  base.from = read.from;
  base.to = read.to;
  base.cc = read.cc;
  // Turning HTML into text costs as much as parsing the message: only when there is no text part to read.
  base.htmlText = !read.text && read.html ? htmlToText(read.html) : '';
  base.text = read.text || base.htmlText;
  const rawDate = read.rawDate;
  base.date = rawDate ? parseMailDate(rawDate) : null;
  if (!base.date)
    base.problems.push({
      code: 'bad_date',
      detail: rawDate ? 'Date header is unreadable; date treated as unknown' : 'no Date header',
    });
}

/** An RFC 5322 date as an ISO instant, or null. Drops comments such as `(UTC)`; a two-digit year is 19xx/20xx. */
export function parseMailDate(text: string): string | null {
  const clean = text
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!clean) return null;
  // A date needs a year and a time to be trusted; Date() happily reads "3" or "May" as something.
  if (!/\d{1,2}:\d{2}/.test(clean) || !/\d{2,4}/.test(clean)) return null;
  const ms = Date.parse(clean);
  if (Number.isNaN(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  if (year < 1980 || year > 2200) return null;
  return new Date(ms).toISOString();
}

function addresses(obj: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!obj) return [];
  const list = Array.isArray(obj) ? obj : [obj];
  const out: MailAddress[] = [];
  const visit = (a: EmailAddress) => {
    if (a.group) for (const g of a.group) visit(g);
    else if (a.address) out.push({ address: a.address.trim().toLowerCase(), name: (a.name ?? '').trim() });
  };
  for (const o of list) for (const a of o.value) visit(a);
  return out;
}

function headerEnd(buf: Buffer): { cut: number; sep: number } {
  let cut = buf.indexOf('\r\n\r\n');
  let sep = 4;
  const lf = buf.indexOf('\n\n');
  if (cut < 0 || (lf >= 0 && lf < cut)) {
    cut = lf;
    sep = 2;
  }
  return { cut, sep };
}

function bodyOf(buf: Buffer): Buffer {
  const { cut, sep } = headerEnd(buf);
  return cut < 0 ? Buffer.alloc(0) : buf.subarray(cut + sep);
}

function transcodeHeader(buf: Buffer): Buffer {
  const { cut } = headerEnd(buf);
  const end = cut < 0 ? buf.length : cut;
  const header = new TextDecoder('windows-1252').decode(buf.subarray(0, end));
  return Buffer.concat([Buffer.from(header, 'utf8'), buf.subarray(end)]);
}

function normalizedBodyHash(text: string): string {
  // The header ends where headerEnd says; the same search on the latin1 string finds the same offsets.
  let cut = text.indexOf('\r\n\r\n');
  let sep = 4;
  const lf = text.indexOf('\n\n');
  if (cut < 0 || (lf >= 0 && lf < cut)) {
    cut = lf;
    sep = 2;
  }
  const body = cut < 0 ? text : text.slice(cut + sep);
  // Line endings and trailing blank lines differ between exports (mbox, Maildir, IMAP); the content does not.
  // trimEnd drops exactly what /\s+$/ matches; hashing the latin1 string skips a copy back into a Buffer.
  return createHash('sha256').update(body.replace(/\r\n/g, '\n').trimEnd(), 'latin1').digest('hex');
}

function headerValue(buf: Buffer, name: string): string | null {
  const head = buf.subarray(0, Math.min(buf.length, 64 * 1024)).toString('latin1');
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  return m ? (m[1] ?? '').trim() : null;
}
