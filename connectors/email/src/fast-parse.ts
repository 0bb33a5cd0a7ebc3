/**
 * A fast path for simple, well-formed messages: reads the headers and text parts that mailparser would, straight from
 * our MIME scan, without mailparser's stream machinery (about a millisecond a message). It takes only what it can
 * read exactly as mailparser does and says no to everything else, which then goes through mailparser.
 * Cross-checked against mailparser on every fixture (fast-parse.test.ts).
 */

import libmime from 'libmime';
import type addressparser from 'nodemailer/lib/addressparser';
import type { MimeLeaf, MimeScan } from './mime-scan.ts';
import { decodeMimeWords } from './mime-words.ts';
import { parseAddresses } from './parse-addresses.ts';
import { decodeQuotedPrintableTextAsLibqp } from './quoted-printable.ts';

/** What the fast path read: the same fields parseMessage takes from mailparser's result. */
export interface FastParse {
  messageId: string | null;
  subject: string;
  from: { address: string; name: string }[];
  to: { address: string; name: string }[];
  cc: { address: string; name: string }[];
  /** The text parts joined by '\n' as mailparser joins them, or '' when there are none. */
  text: string;
  /**
   * The HTML parts joined by '<br/>\n' as mailparser joins them, or '' when there are none. Left '' when `text` is
   * not empty: parseMessage reads the HTML only when there is no text, and decoding it costs more than the text.
   */
  html: string;
  /** The Date header's value as written (unfolded, trimmed), or null when absent. */
  rawDate: string | null;
}

const SIMPLE_ENCODINGS = new Set(['7bit', '8bit', 'quoted-printable', 'base64']);
const SIMPLE_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii', 'iso-8859-1', 'latin1']);
const TEXT_TYPES = new Set(['text/plain', 'text/html']);
const CALENDAR_TYPES = new Set(['text/calendar', 'application/ics']);
const KEPT = new Set(['message-id', 'subject', 'from', 'to', 'cc', 'date']);

/**
 * Reads a message the scan found simple: a single text/plain or text/html part, or one multipart/alternative of
 * text/plain, text/html and calendar parts, or a multipart/mixed of such an alternative (or one text part) followed by
 * calendar parts (text/calendar, application/ics, attached invite.ics files); 7bit, 8bit, quoted-printable or base64;
 * text in utf-8, us-ascii or latin1; ASCII-only headers, each of the kept ones at most once. Returns null for anything
 * else. Pure.
 */
export function parseSimpleMessage(scan: MimeScan): FastParse | null {
  if (scan.problems.length > 0) return null;
  // 8-bit header bytes go through mailparser (and our windows-1252 repair).
  if (/[\x80-\xff]/.test(scan.rawHeader)) return null;
  if (!simpleShape(scan)) return null;
  for (const leaf of scan.leaves) if (!isSimpleLeaf(leaf)) return null;

  const headers = new Map<string, string>();
  for (const line of headerLines(scan.rawHeader)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!KEPT.has(key)) continue;
    if (headers.has(key)) return null;
    // Copied out (the headers are ASCII here): a substring can be a V8 slice that keeps the whole message's text
    // alive for as long as the Message-ID, subject or an address is kept, in evidence or a dedupe set.
    const value = (libmime.decodeHeader(line)?.value || '').toString().trim();
    headers.set(key, Buffer.from(value, 'latin1').toString('latin1'));
  }
  const from = addressList(headers.get('from'));
  const to = addressList(headers.get('to'));
  const cc = addressList(headers.get('cc'));
  if (!from || !to || !cc) return null;

  const text: string[] = [];
  const html: string[] = [];
  for (const leaf of scan.leaves) {
    if (leaf.contentType !== 'text/plain') continue;
    const content = decodeLeaf(leaf);
    if (content) text.push(content);
  }
  // Calendar parts are attachments to mailparser (read by our own scan); HTML only matters without text.
  if (text.length === 0)
    for (const leaf of scan.leaves) {
      if (leaf.contentType !== 'text/html') continue;
      const content = decodeLeaf(leaf);
      if (!content) continue;
      // mailparser pushes '' to the text for a lone root HTML part when asked not to convert it.
      if (scan.topType === 'text/html') text.push('');
      html.push(content);
    }
  const rawId = headers.get('message-id');
  return {
    messageId: rawId ? messageIdOf(decodeMimeWords(rawId)) : null,
    subject: headers.has('subject') ? decodeMimeWords(headers.get('subject') ?? '') : '',
    from,
    to,
    cc,
    text: text.join('\n'),
    html: html.join('<br/>\n'),
    rawDate: headers.get('date') ?? null,
  };
}

// mailparser reads these shapes the way parseSimpleMessage does: text/plain parts are the text, HTML parts inside the
// alternative are only HTML, and a calendar part (not a text type to mailparser) is an attachment either way, so its
// name, disposition and charset change nothing mailparser gives us (parseMessage decodes it from our own scan).
function simpleShape(scan: MimeScan): boolean {
  if (scan.topType === 'text/plain' || scan.topType === 'text/html')
    return scan.leaves.length === 1 && scan.leaves[0]?.path === '' && isTextLeaf(scan.leaves[0]);
  if (scan.topType === 'multipart/alternative')
    return scan.leaves.every(
      (l) =>
        /^\d+$/.test(l.path) &&
        l.parentType === 'multipart/alternative' &&
        (isTextLeaf(l) || isCalendarLeaf(l)),
    );
  // multipart/mixed: one alternative, or one text part, first; then calendar parts. A lone HTML part first is only
  // HTML to mailparser (it is not the root), as in the fast path.
  if (scan.topType === 'multipart/mixed') {
    const first = scan.leaves[0];
    const loneFirst = first?.path === '1' && first.parentType === 'multipart/mixed' && isTextLeaf(first);
    return scan.leaves.every((l, i) =>
      i === 0 && loneFirst
        ? true
        : /^1\.\d+$/.test(l.path) && !loneFirst
          ? l.parentType === 'multipart/alternative' && (isTextLeaf(l) || isCalendarLeaf(l))
          : /^\d+$/.test(l.path) && l.path !== '1' && l.parentType === 'multipart/mixed' && isCalendarLeaf(l),
    );
  }
  return false;
}

// A text/plain or text/html part that mailparser reads inline as text or HTML, in a charset both paths decode alike.
function isTextLeaf(leaf: MimeLeaf): boolean {
  return (
    TEXT_TYPES.has(leaf.contentType) &&
    !leaf.flowed &&
    leaf.filename === null &&
    (leaf.disposition === null || leaf.disposition === 'inline') &&
    (leaf.charset === null || SIMPLE_CHARSETS.has(leaf.charset.trim().toLowerCase()))
  );
}

// A calendar part as parseMessage reads it (text/calendar, application/ics, or an octet stream named .ics): an
// attachment to mailparser whatever its disposition, file name or charset.
function isCalendarLeaf(leaf: MimeLeaf): boolean {
  return (
    CALENDAR_TYPES.has(leaf.contentType) ||
    (leaf.contentType === 'application/octet-stream' && /\.ics$/i.test(leaf.filename ?? ''))
  );
}

function isSimpleLeaf(leaf: MimeLeaf): boolean {
  return !leaf.forwarded && SIMPLE_ENCODINGS.has(leaf.transferEncoding);
}

function headerLines(rawHeader: string): string[] {
  const lines: string[] = [];
  for (const line of rawHeader.split(/\r?\n/)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && lines.length > 0)
      lines[lines.length - 1] += `\r\n${line}`;
    else lines.push(line);
  }
  return lines;
}

function decodeLeaf(leaf: MimeLeaf): string {
  const charset = (leaf.charset ?? 'utf-8').trim().toLowerCase();
  const encoding = charset === 'iso-8859-1' || charset === 'latin1' ? 'latin1' : 'utf8';
  let text: string;
  if (leaf.transferEncoding === 'base64') text = Buffer.from(leaf.body, 'base64').toString(encoding);
  else if (leaf.transferEncoding === 'quoted-printable')
    text = decodeQuotedPrintableTextAsLibqp(leaf.body, encoding);
  // The body is a latin1 view of the bytes already: as latin1 text it is itself.
  else text = encoding === 'latin1' ? leaf.body : Buffer.from(leaf.body, 'latin1').toString('utf8');
  return text.replace(/\r?\n/g, '\n');
}

type AddressList = { address: string; name: string }[];

const MAX_REMEMBERED_ADDRESS_HEADERS = 10_000;
// A mailbox repeats its senders and recipients (the platform, the business, returning customers): a header value
// read once is read the same every time. Null is remembered too (the value needs mailparser).
const addressHeaders = new Map<string, AddressList | null>();

/**
 * Addresses as parseMessage keeps them, or null when one needs mailparser's rarer handling (encoded or IDN). Each
 * call returns fresh objects, so callers may change them.
 */
function addressList(value: string | undefined): AddressList | null {
  if (value === undefined) return [];
  let list = addressHeaders.get(value);
  if (list === undefined) {
    list = readAddressList(value);
    if (addressHeaders.size >= MAX_REMEMBERED_ADDRESS_HEADERS) addressHeaders.clear();
    addressHeaders.set(value, list);
  }
  return list ? list.map((a) => ({ address: a.address, name: a.name })) : null;
}

function readAddressList(value: string): AddressList | null {
  const out: { address: string; name: string }[] = [];
  const visit = (list: addressparser.AddressOrGroup[]): boolean => {
    for (const a of list) {
      if ('group' in a && a.group) {
        if (!visit(a.group)) return false;
        continue;
      }
      const address = 'address' in a ? a.address : '';
      if (address && (/=\?/.test(address) || /@xn--/i.test(address))) return false;
      let name = (a.name || '').toString().trim();
      if (name) name = decodeMimeWords(name);
      if (address) out.push({ address: address.trim().toLowerCase(), name: name.trim() });
    }
    return true;
  };
  return visit(parseAddresses(value)) ? out : null;
}

function messageIdOf(value: string): string | null {
  if (!value.length) return null;
  return value.trim().replace(/^<|>$/g, '') || null;
}
