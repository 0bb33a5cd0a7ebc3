import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** One message cut from an mbox file, with where it sits so a read can resume after it. */
export interface MboxMessage {
  raw: Buffer;
  /** Byte offset of its From_ line. */
  offset: number;
  /** Byte offset just past it: resume here. */
  nextOffset: number;
  /** The date on the From_ line (when the mail system stored it), or null. */
  storedAt: string | null;
}

const FROM = Buffer.from('From ');

/**
 * Streams an mbox file (Google Takeout, mboxrd/mboxo) message by message from `startOffset`, never holding more
 * than one message and one read chunk in memory. Splits on `From ` lines that start a new message, and unescapes
 * `>From ` body lines.
 */
export async function* readMbox(path: string, startOffset = 0): AsyncGenerator<MboxMessage> {
  const size = (await stat(path)).size;
  if (startOffset >= size) return;
  let pending: Buffer = Buffer.alloc(0);
  let pendingStart = startOffset;
  let searchFrom = 0;
  const stream = createReadStream(path, { start: startOffset, highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const cut = findSeparator(pending, Math.max(searchFrom, 1));
      if (cut < 0) {
        searchFrom = Math.max(0, pending.length - 256);
        break;
      }
      const message = pending.subarray(0, cut);
      if (isFromLine(message)) yield toMessage(message, pendingStart);
      pendingStart += cut;
      pending = pending.subarray(cut);
      searchFrom = 1;
    }
  }
  if (pending.length > 0 && isFromLine(pending)) yield toMessage(pending, pendingStart);
}

/** Index of the `F` of the next `\nFrom ` line that looks like an mbox separator, or -1. */
function findSeparator(buf: Buffer, from: number): number {
  let i = from;
  for (;;) {
    const nl = buf.indexOf(0x0a, i - 1);
    if (nl < 0 || nl + 1 + FROM.length > buf.length) return -1;
    const start = nl + 1;
    if (buf.compare(FROM, 0, FROM.length, start, start + FROM.length) === 0) {
      const eol = buf.indexOf(0x0a, start);
      if (eol < 0) return -1; // need the whole line to judge it
      if (looksLikeSeparator(buf.subarray(start, eol).toString('latin1'))) return start;
    }
    i = start + 1;
  }
}

function looksLikeSeparator(line: string): boolean {
  // `From sender@x Sat Jan  1 00:00:00 2022` (or with +0000): a body line would be escaped as `>From `.
  return (
    /^From \S+ .*\d{1,2}:\d{2}(:\d{2})?.*\d{4}\s*$/.test(line.trimEnd()) ||
    /^From \S+\s*$/.test(line.trimEnd())
  );
}

function isFromLine(buf: Buffer): boolean {
  return buf.length >= FROM.length && buf.compare(FROM, 0, FROM.length, 0, FROM.length) === 0;
}

function toMessage(block: Buffer, offset: number): MboxMessage {
  const eol = block.indexOf(0x0a);
  const fromLine = block
    .subarray(0, eol < 0 ? block.length : eol)
    .toString('latin1')
    .trimEnd();
  let body = eol < 0 ? Buffer.alloc(0) : block.subarray(eol + 1);
  // The blank line before the next From_ belongs to the file format, not the message.
  if (body.length >= 2 && body[body.length - 1] === 0x0a && body[body.length - 2] === 0x0a)
    body = body.subarray(0, -1);
  else if (body.length >= 3 && body.subarray(-3).toString('latin1') === '\n\r\n') body = body.subarray(0, -2);
  const raw = unescapeFrom(body);
  const when = fromLine.replace(/^From \S+\s*/, '');
  const ms = when ? Date.parse(when) : Number.NaN;
  return {
    raw,
    offset,
    nextOffset: offset + block.length,
    storedAt: Number.isNaN(ms) ? null : new Date(ms).toISOString(),
  };
}

function unescapeFrom(body: Buffer): Buffer {
  if (body.indexOf('\n>') < 0 && !(body[0] === 0x3e)) return body;
  const text = body.toString('latin1').replace(/^>(>*From )/gm, '$1');
  return Buffer.from(text, 'latin1');
}
