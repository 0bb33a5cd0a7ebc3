import { describe, expect, it } from 'vitest';
import { createRng, hashLabel } from './prng.ts';

describe('prng', () => {
  it('repeats for the same seed and label, and differs for another', () => {
    const a = createRng(7, 'x');
    const b = createRng(7, 'x');
    const c = createRng(7, 'y');
    const sa = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(sa);
    expect(hashLabel('b1')).not.toBe(hashLabel('b2'));
  });

  it('stays in range and is roughly uniform', () => {
    const rng = createRng(3);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const x = rng.int(0, 9);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(9);
      buckets[x]++;
    }
    for (const n of buckets) expect(Math.abs(n - 2000)).toBeLessThan(250);
    expect(rng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
