import { normalizePhone } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { drawPhone, formatPhone, stripDiacritics, varyName } from './people.ts';
import { createRng } from './prng.ts';

describe('people', () => {
  it('writes one phone number six ways that all normalize back to the same E.164', () => {
    const rng = createRng(1, 'phones');
    for (const region of ['US', 'PT', 'GB'] as const) {
      for (let i = 0; i < 20; i++) {
        const e164 = drawPhone(rng, region);
        const ways = new Set<string>();
        for (let way = 0; way < 6; way++) {
          const written = formatPhone(e164, way);
          ways.add(written);
          expect({ written, n: normalizePhone(written, region) }).toEqual({ written, n: e164 });
        }
        expect(ways.size).toBe(6);
      }
    }
  });

  it('varies names: typos, lost diacritics, swapped order; never at rate 0', () => {
    const rng = createRng(2, 'names');
    expect(varyName(rng, 'José Álvarez', 0)).toBe('José Álvarez');
    const variants = new Set<string>();
    for (let i = 0; i < 200; i++) variants.add(varyName(rng, 'José Álvarez', 1));
    expect(variants).toContain('Jose Alvarez');
    expect(variants).toContain('Álvarez, José');
    expect(variants).toContain('José ÁLVAREZ');
    expect(variants.size).toBeGreaterThan(5);
    expect(stripDiacritics('Łukasz Øvergaard Dvořák')).toBe('Lukasz Overgaard Dvorak');
  });
});

describe('people: numbers from abroad', () => {
  it('writes them only in ways that carry the country code', async () => {
    const { internationalWays } = await import('./people.ts');
    const rng = createRng(4, 'abroad');
    for (const [region, other] of [
      ['US', 'GB'],
      ['PT', 'US'],
      ['GB', 'PT'],
    ] as const) {
      const e164 = drawPhone(rng, region);
      for (const way of internationalWays(e164))
        expect(normalizePhone(formatPhone(e164, way), other)).toBe(e164);
    }
  });
});
