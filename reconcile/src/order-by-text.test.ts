import { describe, expect, it } from 'vitest';
import { orderByText } from './order-by-text.ts';
import { createPrng } from './prng.ts';

const byComparator = (keys: string[]) =>
  keys.map((k, i) => ({ k, i })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));

function check(keys: string[]): void {
  const items = keys.map((k, i) => ({ k, i }));
  expect(orderByText(items, (x) => x.k)).toEqual(byComparator(keys));
}

describe('orderByText', () => {
  const rand = createPrng(7);
  const pick = (alphabet: string, n: number) =>
    Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');

  it('orders hashed ids as a comparator sort does', () => {
    check(Array.from({ length: 5000 }, () => pick('0123456789abcdef', 32)));
  });

  it('orders keys that share a long prefix, end early, repeat, or leave the ASCII range', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => {
      const tail = pick(i % 3 === 0 ? 'ab' : 'abcé中\u{1F600}', Math.floor(rand() * 12));
      return `evidence:${i % 5 === 0 ? '' : tail}`;
    });
    keys.push(...keys.slice(0, 400)); // equal keys keep the order they came in
    keys.push('evidence:', 'evidence', '');
    check(keys);
  });

  it('finishes ties in the packed prefix by the whole key', () => {
    // 26 letters at 5 bits, 8 packed at this size: every key ties on its first 8 and differs after.
    check(Array.from({ length: 2000 }, () => `${'q'.repeat(8)}${pick('abcdefghijklmnopqrstuvwxyz', 6)}`));
    check(Array.from({ length: 2000 }, () => `x${pick('ab', 1)}${'z'.repeat(30)}${pick('ab', 3)}`));
  });

  it('handles short lists, one key and no keys', () => {
    check([]);
    check(['b', 'a']);
    check(Array.from({ length: 100 }, () => 'same'));
  });
});
