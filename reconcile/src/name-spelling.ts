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

const OWNER_CAP = 32;

/**
 * The spelling prior, from (name, email) pairs across everything read: a misspelling is mostly the typist's own, the
 * right spelling is many other people's name too. Addresses, not counts, tell people apart, since one booking's typo
 * is copied to many mails and events.
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

/**
 * How widely a class of spellings is borne out, as a tier: log2 of one plus the fewest other people (addresses
 * outside `own`) any of its tokens is used by. A common typo ("Aihsa" for Aisha) recurs among a few people; the name
 * itself among many. Tiers, not counts, so that two real names compare equal and the votes decide between them.
 */
export function support(cls: string, prior: NamePrior, own: ReadonlySet<string>): number {
  let fewest = Number.POSITIVE_INFINITY;
  for (const t of cls.split(' ')) {
    let others = 0;
    for (const e of prior.get(t) ?? []) if (!own.has(e)) others++;
    fewest = Math.min(fewest, others);
  }
  return Number.isFinite(fewest) ? Math.floor(Math.log2(fewest + 1)) : 0;
}

/**
 * Puts back the diacritics and letters such as ø a spelling lost, token by token, from the other spellings seen for
 * the same person ("Sophia Overgaard" and "Sohpia Øvergaard" give "Sophia Øvergaard"): marks are lost in a hurry,
 * never added, so a token's marked form among a person's own claims is the one they write.
 */
export function restoreMarks(name: string, others: readonly string[]): string {
  const marked = new Map<string, string>();
  for (const o of others)
    for (const t of o.replace(/,/g, ' ').split(/\s+/)) {
      const key = normalizeName(t);
      if (!key || isShouted(t)) continue;
      const best = marked.get(key);
      if (spellingScore(t) > (best === undefined ? 0 : spellingScore(best))) marked.set(key, t);
    }
  return name
    .split(' ')
    .map((t) => {
      const better = marked.get(normalizeName(t));
      return better && spellingScore(better) > spellingScore(t) && !isShouted(t) ? better : t;
    })
    .join(' ');
}
