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

/** Who uses each name token: up to `OWNER_CAP` distinct email addresses seen with a name holding it. */
export type NamePrior = ReadonlyMap<string, readonly string[]>;

const OWNER_CAP = 4;

/**
 * The spelling prior, from (name, email) pairs across everything read: a misspelling is the typist's own, used with
 * one person's addresses only; the right spelling is also other people's name. Addresses, not counts, tell people
 * apart, since one booking's typo is copied to many mails and events.
 */
export function namePrior(pairs: Iterable<readonly [name: string, email: string]>): NamePrior {
  const owners = new Map<string, string[]>();
  for (const [name, email] of pairs) {
    const who = email.trim().toLowerCase();
    if (!who) continue;
    for (const t of nameTokens(name)) {
      const list = owners.get(t);
      if (!list) owners.set(t, [who]);
      else if (list.length < OWNER_CAP && !list.includes(who)) list.push(who);
    }
  }
  return owners;
}

/** Whether every token of a class is also used by someone other than the owner of `own` addresses. */
export function attested(cls: string, prior: NamePrior, own: ReadonlySet<string>): boolean {
  for (const t of cls.split(' ')) if (!(prior.get(t) ?? []).some((e) => !own.has(e))) return false;
  return true;
}
