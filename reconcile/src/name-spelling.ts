import { normalizeName } from './jaro-winkler.ts';

/**
 * Spellings of one name: the same letters once case, diacritics, punctuation and token order are set aside, so
 * "Noah Jackson", "Jackson, Noah", "Noah JACKSON" and "Nóah Jackson" fall in one class. Typos do not.
 */
export function nameClass(name: string): string {
  return nameTokens(name).sort().join(' ');
}

/** A name's tokens as `nameClass` compares them, in written order. */
export function nameTokens(name: string): string[] {
  return normalizeName(name).split(' ').filter(Boolean);
}

/**
 * How well-formed a spelling is, higher is better: diacritics and letters such as ø or ł kept (they are lost when
 * typed in a hurry, never added), given-name-first order (no "Last, First" comma), and no shouted upper-case token.
 */
export function spellingScore(name: string): number {
  const decomposed = name.normalize('NFKD');
  const marks = decomposed.length - decomposed.replace(/[\u0300-\u036f]/g, '').length;
  const special = decomposed.replace(/[\u0300-\u036f]/g, '').replace(/[\p{ASCII}]/gu, '').length;
  const inverted = name.includes(',') ? 1 : 0;
  const shouted = name.split(/\s+/).some(isShouted) ? 1 : 0;
  return (marks + special) * 4 - inverted * 2 - shouted * 2;
}

function isShouted(token: string): boolean {
  return token.length > 1 && token === token.toUpperCase() && token !== token.toLowerCase();
}

/**
 * A spelling written the way names are stored: "Last, First" turned round and a shouted token ("WHITE", "O'BRIEN")
 * in capitalised form. These are how a name was typed, not what it is; every source value stays beside the written one.
 */
export function formatName(name: string): string {
  let out = name.trim().replace(/\s+/g, ' ');
  const comma = out.split(',');
  if (comma.length === 2 && comma[0]!.trim() && comma[1]!.trim())
    out = `${comma[1]!.trim()} ${comma[0]!.trim()}`;
  return out
    .split(' ')
    .map((t) =>
      isShouted(t)
        ? t.toLowerCase().replace(/(^|['’-])(\p{L})/gu, (_, p, c: string) => p + c.toUpperCase())
        : t,
    )
    .join(' ');
}

/**
 * How often each name token occurs across everything read: the spelling prior. A misspelling is the typist's own;
 * the right spelling is also somebody else's name, so a token nobody else uses is the likelier typo.
 */
export function countNameTokens(names: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of names) for (const t of nameTokens(n)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/**
 * Whether each token of a class is also used outside the claims at hand: `local` counts the tokens among this
 * record's own claims, `global` among all of them (this record's included).
 */
export function attested(
  cls: string,
  local: Map<string, number>,
  global: ReadonlyMap<string, number>,
): boolean {
  for (const t of cls.split(' ')) if ((global.get(t) ?? 0) <= (local.get(t) ?? 0)) return false;
  return true;
}
