import addressparser from 'nodemailer/lib/addressparser';
import { describe, expect, it } from 'vitest';
import { parseAddresses } from './parse-addresses.ts';

// Address headers from a fixed seed, mostly near the plain shapes parseAddresses reads itself (and some just outside).
function* samples(count: number): Generator<string> {
  let seed = 3;
  const next = (n: number) => {
    seed = (seed * 48271) % 2147483647;
    return seed % n;
  };
  const bits = [
    'a',
    'Z',
    '9',
    '.',
    '-',
    '_',
    '=?UTF-8?Q?x=C3=A9?=',
    ' ',
    '  ',
    "'",
    '!',
    '+',
    '@',
    '=',
    '?',
    '"',
    '(',
    ',',
    '<',
    '\u00e9',
  ];
  const locals = ['a', '.', '-', '+', '_', '%', '9', 'B', '"'];
  const domains = [
    'x.example',
    'a-b.c',
    'X.Y',
    '.a',
    'a.',
    'a..b',
    '-a',
    'xn--bcher-kva.example',
    '[127.0.0.1]',
  ];
  for (let k = 0; k < count; k++) {
    let name = '';
    for (let i = next(6); i >= 0; i--) name += bits[next(bits.length)];
    let local = '';
    for (let i = next(4); i >= 0; i--) local += locals[next(locals.length)];
    const address = `${local}@${domains[next(domains.length)]}`;
    const shape = next(4);
    yield shape === 0 ? address : shape === 1 ? `${name} <${address}>, ${address}` : `${name} <${address}>`;
  }
}

describe('parseAddresses', () => {
  it('splits headers as addressparser does', () => {
    for (const value of samples(50_000))
      expect(parseAddresses(value), JSON.stringify(value)).toEqual(addressparser(value));
  });
});
