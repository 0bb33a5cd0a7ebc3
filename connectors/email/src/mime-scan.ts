/**
 * A light MIME walker over the raw bytes, independent of mailparser, for what mailparser hides: the charset and
 * transfer encoding of each part as written, bodies it silently repairs (broken base64), unknown charsets, headers
 * that are not UTF-8, and multiparts whose boundary never appears. Pure; works on latin1 views so no byte is lost.
 */

import { decodeQuotedPrintable } from './quoted-printable.ts';

/** Something wrong with a message that did not stop it being read. `code` is stable (it is counted in summaries). */
export interface MessageProblem {
  code:
    | 'malformed_mime'
    | 'unknown_charset'
    | 'broken_base64'
    | 'non_utf8_header'
    | 'bad_date'
    | 'huge_part'
    | 'too_large'
    | 'parse_failed'
    | 'calendar_unreadable';
  /** Says where (MIME part path such as `1.2`) and what, without customer data. */
  detail: string;
}

/** One leaf part as written: its declared type, charset and transfer encoding, and its still-encoded body. */
export interface MimeLeaf {
  /** Part path as IMAP numbers it: `1`, `1.2`; `''` for a single-part message. */
  path: string;
  contentType: string;
  charset: string | null;
  transferEncoding: string;
  filename: string | null;
  /** Content-Disposition as written, lower-cased (`inline`, `attachment`), or null when absent. */
  disposition: string | null;
  /** True for `format=flowed` text (RFC 3676), which mailparser reflows. */
  flowed: boolean;
  /** Body bytes, transfer-encoded, as a latin1 string (one char per byte). */
  body: string;
  /** Content-Type of the multipart holding this part (`multipart/alternative`), or '' for a message's own body. */
  parentType: string;
  /** True when this part sits inside an attached message/rfc822 (a forwarded message). */
  forwarded: boolean;
}

export interface MimeScan {
  /** The top-level Content-Type, lower-cased (`text/plain` when absent). */
  topType: string;
  /** The top-level header block as written (latin1, one char per byte). */
  rawHeader: string;
  leaves: MimeLeaf[];
  problems: MessageProblem[];
}

/** Parts bigger than this (encoded) are not decoded for extraction; the message is still kept. */
export const HUGE_PART_BYTES = 20 * 1024 * 1024;
const MAX_DEPTH = 20;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const knownCharsets = new Map<string, boolean>();

/** True when the platform can decode `charset` (WHATWG labels, which Node's full ICU build provides). */
export function isKnownCharset(charset: string): boolean {
  const key = charset.toLowerCase();
  let known = knownCharsets.get(key);
  if (known === undefined) {
    try {
      new TextDecoder(key);
      known = true;
    } catch {
      known = false;
    }
    knownCharsets.set(key, known);
  }
  return known;
}

/** Decodes bytes written in `charset`; null when the charset is unknown. Invalid sequences become U+FFFD. */
export function decodeCharset(bytes: Uint8Array, charset: string | null): string | null {
  const label = (charset ?? 'utf-8').trim().toLowerCase() || 'utf-8';
  if (label === 'us-ascii' || label === 'ascii') return new TextDecoder('utf-8').decode(bytes);
  if (!isKnownCharset(label)) return null;
  return new TextDecoder(label).decode(bytes);
}

/** Undoes a transfer encoding (base64, quoted-printable, 7bit/8bit/binary as is). */
export function decodeTransfer(body: string, encoding: string): Buffer {
  const enc = encoding.toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (enc === 'quoted-printable') return decodeQuotedPrintable(body);
  return Buffer.from(body, 'latin1');
}

interface HeaderBlock {
  headers: Map<string, string>;
  body: string;
  rawHeader: string;
}

function splitHeaders(text: string): HeaderBlock {
  let cut = text.indexOf('\r\n\r\n');
  let sep = 4;
  const lf = text.indexOf('\n\n');
  if (cut < 0 || (lf >= 0 && lf < cut)) {
    cut = lf;
    sep = 2;
  }
  const rawHeader = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + sep);
  const headers = new Map<string, string>();
  const unfolded = rawHeader.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(key)) headers.set(key, line.slice(colon + 1).trim());
  }
  return { headers, body, rawHeader };
}

/** The value and parameters of a structured header such as Content-Type; parameter names lower-cased. */
export function parseHeaderParams(value: string): { value: string; params: Record<string, string> } {
  const parts = value.match(/(?:[^;"]|"(?:[^"\\]|\\.)*")+/g) ?? [''];
  const params: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    // RFC 2231 (name*=utf-8''...): keep the charset-less value, good enough for charset and boundary.
    const name = p.slice(0, eq).trim().toLowerCase().replace(/\*$/, '');
    if (p.slice(0, eq).trim().endsWith('*')) v = decodeURIComponentSafe(v.replace(/^[^']*'[^']*'/, ''));
    params[name] = v;
  }
  return { value: (parts[0] ?? '').trim().toLowerCase(), params };
}

type HeaderParams = { value: string; params: Record<string, string> };

const MAX_REMEMBERED_PARAMS = 2_000;
// Part headers repeat from message to message (`text/plain; charset=utf-8`): each value is read once. Shared, so only
// the scan, which never changes them, reads from here; parseHeaderParams gives every caller its own object.
const rememberedParams = new Map<string, HeaderParams>();

function headerParamsOf(value: string): HeaderParams {
  let read = rememberedParams.get(value);
  if (read === undefined) {
    read = parseHeaderParams(value);
    // Unique values (multipart boundaries) are not worth keeping long: the map is simply dropped when full.
    if (rememberedParams.size >= MAX_REMEMBERED_PARAMS) rememberedParams.clear();
    if (value.length <= 256) rememberedParams.set(value, read);
  }
  return read;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Walks a message's MIME tree and lists its leaves and the problems found on the way. */
export function scanMime(raw: Uint8Array): MimeScan {
  return scanMimeText(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1'));
}

/** scanMime over the message as a latin1 string (one char per byte), for a caller that has made that string already. */
export function scanMimeText(text: string): MimeScan {
  const leaves: MimeLeaf[] = [];
  const problems: MessageProblem[] = [];
  const top = splitHeaders(text);
  checkHeaderBytes(top.rawHeader, 'message header', problems);
  walk(top, '', 0, false, '', leaves, problems);
  const topType = headerParamsOf(top.headers.get('content-type') ?? 'text/plain').value || 'text/plain';
  return { topType, rawHeader: top.rawHeader, leaves, problems };
}

function checkHeaderBytes(rawHeader: string, where: string, problems: MessageProblem[]): void {
  // Only bytes above 0x7f can be non-UTF-8; most headers are pure ASCII (RFC 2047), so skip the decode then.
  if (!/[\x80-\xff]/.test(rawHeader)) return;
  try {
    utf8Strict.decode(Buffer.from(rawHeader, 'latin1'));
  } catch {
    problems.push({ code: 'non_utf8_header', detail: `${where} holds 8-bit bytes that are not UTF-8` });
  }
}

function walk(
  block: HeaderBlock,
  path: string,
  depth: number,
  forwarded: boolean,
  parentType: string,
  leaves: MimeLeaf[],
  problems: MessageProblem[],
): void {
  const where = path ? `part ${path}` : 'message body';
  const ct = headerParamsOf(block.headers.get('content-type') ?? 'text/plain');
  const type = ct.value || 'text/plain';
  if (depth > MAX_DEPTH) {
    problems.push({ code: 'malformed_mime', detail: `${where}: MIME nesting deeper than ${MAX_DEPTH}` });
    return;
  }
  if (type.startsWith('multipart/')) {
    const boundary = ct.params.boundary;
    if (!boundary) {
      problems.push({ code: 'malformed_mime', detail: `${where}: ${type} without a boundary parameter` });
      return;
    }
    const delimiter = `--${boundary}`;
    const body = block.body;
    const parts: string[] = [];
    let closed = false;
    // Delimiters sit at line starts; find them with indexOf instead of splitting the body into lines.
    let at = body.startsWith(delimiter) ? 0 : nextDelimiter(body, delimiter, 0);
    while (at >= 0) {
      const after = at + delimiter.length;
      if (body.startsWith('--', after)) {
        closed = true;
        break;
      }
      const eol = body.indexOf('\n', after);
      if (eol < 0) break;
      if (body.slice(after, eol).trim() !== '') {
        at = nextDelimiter(body, delimiter, after);
        continue;
      }
      const next = nextDelimiter(body, delimiter, eol);
      const end = next < 0 ? body.length : next;
      // The line break before a delimiter belongs to the delimiter (RFC 2046).
      let partEnd = end;
      if (next >= 0) partEnd = body[end - 2] === '\r' ? end - 2 : end - 1;
      parts.push(body.slice(eol + 1, Math.max(eol + 1, partEnd)));
      at = next;
    }
    if (parts.length === 0) {
      problems.push({ code: 'malformed_mime', detail: `${where}: boundary of ${type} never appears` });
      return;
    }
    if (!closed)
      problems.push({ code: 'malformed_mime', detail: `${where}: ${type} has no closing boundary` });
    parts.forEach((text, i) => {
      const child = splitHeaders(text);
      const childPath = path ? `${path}.${i + 1}` : `${i + 1}`;
      checkHeaderBytes(child.rawHeader, `part ${childPath} header`, problems);
      walk(child, childPath, depth + 1, forwarded, type, leaves, problems);
    });
    return;
  }
  const transferEncoding = (block.headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  if (type === 'message/rfc822' && transferEncoding !== 'base64' && transferEncoding !== 'quoted-printable') {
    const inner = splitHeaders(block.body);
    walk(inner, path ? `${path}.1` : '1', depth + 1, true, '', leaves, problems);
    return;
  }
  const disposition = headerParamsOf(block.headers.get('content-disposition') ?? '');
  const charset = ct.params.charset ?? null;
  if (charset && !isKnownCharset(charset) && !['us-ascii', 'ascii'].includes(charset.toLowerCase()))
    problems.push({
      code: 'unknown_charset',
      detail: `${where}: charset '${charset.slice(0, 40)}' is unknown`,
    });
  if (transferEncoding === 'base64' && !isCleanBase64(block.body))
    problems.push({
      code: 'broken_base64',
      detail: `${where}: base64 body has invalid characters or length`,
    });
  if (block.body.length > HUGE_PART_BYTES)
    problems.push({
      code: 'huge_part',
      detail: `${where}: ${Math.round(block.body.length / 1048576)} MiB, not decoded for extraction`,
    });
  leaves.push({
    path,
    contentType: type,
    charset,
    transferEncoding,
    filename: disposition.params.filename ?? ct.params.name ?? null,
    disposition: disposition.value || null,
    flowed: (ct.params.format ?? '').toLowerCase() === 'flowed',
    body: block.body,
    forwarded,
    parentType,
  });
}

function nextDelimiter(body: string, delimiter: string, from: number): number {
  let i = body.indexOf(`\n${delimiter}`, from);
  while (i >= 0) {
    const after = i + 1 + delimiter.length;
    const rest = body.slice(after, after + 2);
    if (rest === '--' || rest === '' || /^[ \t\r\n]/.test(rest)) return i + 1;
    i = body.indexOf(`\n${delimiter}`, i + 1);
  }
  return -1;
}

// The body without whitespace is base64 letters, then at most two '=', in a multiple of four: tested in one pass
// without building that string.
function isCleanBase64(body: string): boolean {
  let count = 0;
  let padding = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 13 || c === 10 || c === 9 || c === 32) continue;
    count++;
    if (c === 61 /* = */) {
      if (++padding > 2) return false;
    } else if (padding > 0 || !isBase64Letter(c)) return false;
  }
  return count % 4 === 0;
}

function isBase64Letter(c: number): boolean {
  return (
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    (c >= 48 && c <= 57) ||
    c === 43 /* + */ ||
    c === 47 /* / */
  );
}
