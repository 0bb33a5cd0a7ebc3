import { describe, expect, it } from 'vitest';
import { normalizeName } from './jaro-winkler.ts';
import { createPrng } from './prng.ts';

/** normalizeName as it was before printable ASCII took a shorter path: the reference for it. */
function reference(name: string): string {
  return normalizeName(`${name}\u00e9`).replace(/e$/, '').trim();
}

describe('normalizeName', () => {
  it('reduces names as the spec says', () => {
    expect(normalizeName('  José  MARÍA-Ørsted ')).toBe('jose maria orsted');
    expect(normalizeName("O'Brien,  Łukasz\tSmith")).toBe('o brien lukasz smith');
    expect(normalizeName('Anna  Silva')).toBe('anna silva');
    expect(normalizeName('--')).toBe('');
  });

  it('gives printable ASCII the same reduction as the full path', () => {
    const rand = createPrng(3);
    const chars = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    for (let n = 0; n < 3000; n++) {
      const name = Array.from({ length: Math.floor(rand() * 20) }, () => chars[Math.floor(rand() * 95)]).join(
        '',
      );
      expect(normalizeName(name), JSON.stringify(name)).toBe(reference(name));
    }
  });
});
