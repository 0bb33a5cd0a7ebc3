// @ts-expect-error libqp ships no types; decode(string | Buffer) => Buffer is all we use.
import libqp from 'libqp';
import { describe, expect, it } from 'vitest';
import {
  decodeQuotedPrintable,
  decodeQuotedPrintableAsLibqp,
  decodeQuotedPrintableTextAsLibqp,
} from './quoted-printable.ts';

// The scan's decoder as it was written before the char-code loop: the reference for "nothing changed".
function scanDecoderBefore(body: string): Buffer {
  const soft = body.replace(/=\r?\n/g, '');
  const out = Buffer.alloc(soft.length);
  let n = 0;
  for (let i = 0; i < soft.length; i++) {
    const c = soft.charCodeAt(i);
    if (c === 61 && i + 2 < soft.length && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      out[n++] = Number.parseInt(soft.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      out[n++] = c & 0xff;
    }
  }
  return out.subarray(0, n);
}

// Short strings over the characters quoted-printable decoding cares about, from a fixed seed.
function* samples(count: number): Generator<string> {
  const alphabet = [
    '=',
    '=',
    'A',
    'f',
    '0',
    '9',
    'g',
    'G',
    ' ',
    '\t',
    '\r',
    '\n',
    '\r\n',
    '=\r\n',
    '\xe9',
    'x',
    '_',
  ];
  let seed = 7;
  const next = () => {
    seed = (seed * 48271) % 2147483647;
    return seed;
  };
  for (let k = 0; k < count; k++) {
    let s = '';
    const length = next() % 24;
    for (let i = 0; i < length; i++) s += alphabet[next() % alphabet.length];
    yield s;
  }
}

const EDGES = [
  '',
  '=',
  '==',
  '=4',
  '=41',
  '=4g',
  '==41',
  '=\r\n41',
  '=\n',
  'a  \r\nb',
  'a =\r\n',
  'a=',
  '=e9=E9=c3=A9',
];

describe('quoted-printable decoders', () => {
  it('decode as libqp does, byte for byte', () => {
    for (const s of [...EDGES, ...samples(20_000)])
      expect(decodeQuotedPrintableAsLibqp(s).toString('hex'), JSON.stringify(s)).toBe(
        (libqp.decode(s) as Buffer).toString('hex'),
      );
  });

  it('decode as the MIME scan always has (trailing spaces kept)', () => {
    expect(decodeQuotedPrintable('a  \r\nb=\r\nc=3D').toString('latin1')).toBe('a  \r\nbc=');
    for (const s of [...EDGES, ...samples(20_000)])
      expect(decodeQuotedPrintable(s).toString('hex'), JSON.stringify(s)).toBe(
        scanDecoderBefore(s).toString('hex'),
      );
  });

  it('decode to text as libqp then toString do, short parts and parts past the reused buffer alike', () => {
    const long = '=C3=87elik caf=E9 '.repeat(5_000);
    for (const s of [...EDGES, ...samples(5_000), long])
      for (const encoding of ['latin1', 'utf8'] as const)
        expect(decodeQuotedPrintableTextAsLibqp(s, encoding), JSON.stringify(s.slice(0, 40))).toBe(
          (libqp.decode(s) as Buffer).toString(encoding),
        );
  });
});
