import { normalizeName } from './jaro-winkler.ts';

/**
 * Spellings of one name: the same letters once case, diacritics, punctuation and token order are set aside, so
 * "Noah Jackson", "Jackson, Noah", "Noah JACKSON" and "Nóah Jackson" fall in one class. Typos do not.
 */
export function nameClass(name: string): string {
  return normalizeName(name).split(' ').filter(Boolean).sort().join(' ');
}

/**
 * How well-formed a spelling is, higher is better: diacritics kept (they are lost when typed in a hurry, never
 * added), given-name-first order (no "Last, First" comma), and no shouted upper-case token.
 */
export function spellingScore(name: string): number {
  const decomposed = name.normalize('NFKD');
  const diacritics = decomposed.length - decomposed.replace(/[\u0300-\u036f]/g, '').length;
  const inverted = name.includes(',') ? 1 : 0;
  const shouted = name
    .split(/\s+/)
    .some((t) => t.length > 1 && t === t.toUpperCase() && t !== t.toLowerCase())
    ? 1
    : 0;
  return diacritics * 4 - inverted * 2 - shouted * 2;
}
