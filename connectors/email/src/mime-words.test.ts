import libmime from 'libmime';
import { describe, expect, it } from 'vitest';
import { decodeMimeWords } from './mime-words.ts';

// Header values made of encoded words and plain text, from a fixed seed: one word alone most often, since that is the
// case decodeMimeWords reads itself.
function* samples(count: number): Generator<string> {
  let seed = 11;
  const next = (n: number) => {
    seed = (seed * 48271) % 2147483647;
    return seed % n;
  };
  const pick = <T>(list: readonly T[]): T => list[next(list.length)] as T;
  const charsets = ['utf-8', 'UTF-8', 'Utf-8', 'utf8', 'iso-8859-1', 'windows-1252', 'utf-8*en', 'x-bad'];
  const qBits = [
    'a',
    'Z',
    '_',
    '=',
    '=C3',
    '=A9',
    '=c3=a9',
    '=3',
    '=3D',
    '= 41',
    '=\t4',
    ' ',
    '\t',
    '\u00e9',
    '.',
  ];
  const bText = ['w6k=', 'w6k', 'QUJD', 'QUJD====', '****', 'w6nDqQ==', ''];
  const word = () => {
    const encoding = pick(['Q', 'q', 'B', 'b']);
    let text = '';
    if (encoding === 'Q' || encoding === 'q') for (let i = next(8); i > 0; i--) text += pick(qBits);
    else text = pick(bText);
    return `=?${pick(charsets)}?${encoding}?${text}?=`;
  };
  for (let k = 0; k < count; k++) {
    const shape = next(6);
    if (shape < 3) yield word();
    else if (shape === 3) yield `${word()} ${word()}`;
    else if (shape === 4) yield `Customer ${word()} <a@b.example>`;
    else yield pick(['plain', '', 'a =? b', 'x\x00y =?utf-8?Q?a?=', '=?utf-8?Q?a=?=']);
  }
}

describe('decodeMimeWords', () => {
  it('gives what libmime.decodeWords gives', () => {
    for (const value of samples(20_000))
      expect(decodeMimeWords(value), JSON.stringify(value)).toBe(libmime.decodeWords(value));
  });

  it('decodes a UTF-8 Q word itself', () => {
    expect(decodeMimeWords('=?UTF-8?Q?Customer_7_=C3=87elik?=')).toBe('Customer 7 \u00c7elik');
  });
});
