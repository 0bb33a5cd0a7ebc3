/**
 * Quoted-printable decoders (RFC 2045 6.7) over latin1 strings (one char per byte), written as char-code loops: the
 * libraries' versions test a regex and parse a substring at every `=`, which showed in profiles. Pure.
 */

/**
 * Decodes the way our MIME scan always has: soft line breaks removed, `=XX` (either case) as a byte, everything else,
 * a stray `=` included, kept as is. Trailing spaces stay.
 */
export function decodeQuotedPrintable(body: string): Buffer {
  return decodeEscapes(body.replace(/=\r?\n/g, ''));
}

/**
 * Decodes exactly as libqp's `decode` (the library mailparser uses), byte for byte: spaces and tabs at line ends
 * dropped, then soft line breaks (also a final `=`), then `=XX` escapes.
 */
export function decodeQuotedPrintableAsLibqp(body: string): Buffer {
  return decodeEscapes(libqpSoftText(body));
}

// Reused between calls for text parts up to this size: a fresh Buffer per part showed as GC and buffer-pool churn.
const SCRATCH_BYTES = 64 * 1024;
let scratch: Buffer | null = null;

/** `decodeQuotedPrintableAsLibqp(body).toString(encoding)`, without a Buffer per call. */
export function decodeQuotedPrintableTextAsLibqp(body: string, encoding: 'latin1' | 'utf8'): string {
  const text = libqpSoftText(body);
  if (text.length > SCRATCH_BYTES) return decodeEscapes(text).toString(encoding);
  scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
  return scratch.toString(encoding, 0, decodeEscapesInto(text, scratch));
}

function libqpSoftText(body: string): string {
  return body.replace(/[\t ]+$/gm, '').replace(/=(?:\r?\n|$)/g, '');
}

function decodeEscapes(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length);
  return out.subarray(0, decodeEscapesInto(text, out));
}

// Writes the bytes `text` stands for into `out` (at least text.length long) and returns how many.
function decodeEscapesInto(text: string, out: Buffer): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 61 /* = */) {
      // Past the end charCodeAt gives NaN, which is no hex digit.
      const hi = hexDigit(text.charCodeAt(i + 1));
      const lo = hexDigit(text.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = c & 0xff;
  }
  return n;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * The bytes of an RFC 2047 Q-encoded word's text, exactly as libmime's `decodeWord` reads them: spaces after a `=`
 * closed up, `_` and whitespace as spaces, then `=XX` escapes. For ASCII text only (libmime encodes anything else as
 * UTF-8 first); returns null for text that is not ASCII.
 */
export function decodeQWordBytes(text: string): Buffer | null {
  const spaced = text.replace(/=\s+([0-9a-fA-F])/g, '=$1').replace(/[_\s]/g, ' ');
  if (!/^[\x00-\x7f]*$/.test(spaced)) return null;
  return decodeEscapes(spaced);
}
