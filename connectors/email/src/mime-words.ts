/**
 * RFC 2047 encoded words in header values, decoded as libmime's `decodeWords` (what mailparser uses) decodes them,
 * with a shortcut for the common cases. Pure.
 */

import libmime from 'libmime';
import { decodeQWordBytes } from './quoted-printable.ts';

// libmime's own pattern for one encoded word, anchored: the whole value is a single word.
const ONE_WORD = /^=\?([\w_\-*]+)\?([QqBb])\?([^?]*)\?=$/;

/**
 * `libmime.decodeWords(value)`, the same string for every input. A value without `=?` (or libmime's join marker) is
 * returned as is; a value that is one encoded word skips libmime's five joining passes (they need two words), and
 * a UTF-8 Q word is decoded here. Everything else goes to libmime.
 */
export function decodeMimeWords(value: string): string {
  const marker = value.includes('\x00');
  if (!marker && !value.includes('=?')) return value;
  const one = marker ? null : ONE_WORD.exec(value);
  if (!one) return libmime.decodeWords(value);
  const [, charset = '', encoding = '', text = ''] = one;
  if ((encoding === 'Q' || encoding === 'q') && charset.toLowerCase() === 'utf-8') {
    const bytes = decodeQWordBytes(text);
    if (bytes) return bytes.toString('utf-8');
  }
  return libmime.decodeWord(charset, encoding, text);
}
