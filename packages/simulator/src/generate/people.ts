import { normalizePhone } from '@salvage/core';
import { EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, WORK_DOMAINS } from './catalog.ts';
import type { Rng } from './prng.ts';

/**
 * How people write themselves down: names with typos, lost diacritics and swapped order; one phone number written five
 * ways; emails with stray capitals. The truth keeps the canonical form; evidence gets a variant.
 */

/** Letters without their diacritics, as a US keyboard or an old form would write them. */
export function stripDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ø/g, 'o')
    .replace(/Ø/g, 'O')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L');
}

/** A fresh full name. */
export function drawName(rng: Rng): string {
  return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
}

/** The name as someone typed it this time: a typo, no diacritics, "Last, First", upper-case surname, or as is. */
export function varyName(rng: Rng, name: string, typoRate: number): string {
  if (!rng.chance(typoRate)) return name;
  const parts = name.split(' ');
  const first = parts.slice(0, -1).join(' ') || name;
  const last = parts[parts.length - 1] ?? '';
  switch (rng.int(0, 4)) {
    case 0: {
      const letters = [...name];
      const i = rng.int(1, Math.max(1, letters.length - 3));
      if (letters[i] !== ' ' && letters[i + 1] !== ' ')
        [letters[i], letters[i + 1]] = [letters[i + 1]!, letters[i]!];
      return letters.join('');
    }
    case 1:
      return stripDiacritics(name);
    case 2:
      return `${last}, ${first}`;
    case 3:
      return `${first} ${last.toUpperCase()}`;
    default: {
      const letters = [...name];
      const i = rng.int(1, Math.max(1, letters.length - 2));
      if (letters[i] !== ' ') letters.splice(i, 1);
      return letters.join('');
    }
  }
}

function slugPart(text: string): string {
  return stripDiacritics(text)
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

/** An email address for a name; `work` picks a company domain (a second address of the same person). */
export function drawEmail(rng: Rng, name: string, work = false): string {
  const parts = name.split(' ');
  const first = slugPart(parts[0] ?? 'guest');
  const last = slugPart(parts[parts.length - 1] ?? 'guest');
  const domain = work ? rng.pick(WORK_DOMAINS) : rng.pick(EMAIL_DOMAINS);
  const local = rng.pick([`${first}.${last}`, `${first}${last}`, `${first[0]}${last}`, `${first}_${last}`]);
  return `${local}${rng.int(1, 999)}@${domain}`;
}

/** The email as typed this time: mostly as is, sometimes with capitals. */
export function varyEmail(rng: Rng, email: string): string {
  if (!rng.chance(0.15)) return email;
  const [local, domain] = email.split('@') as [string, string];
  return `${local.charAt(0).toUpperCase()}${local.slice(1)}@${domain.charAt(0).toUpperCase()}${domain.slice(1)}`;
}

/** A valid phone number in E.164 for a region (US numbers in the 555-01xx range reserved for fiction). */
export function drawPhone(rng: Rng, region: 'US' | 'PT' | 'GB'): string {
  for (;;) {
    const candidate =
      region === 'US'
        ? `+1${rng.pick(['212', '415', '617', '207', '802'])}55501${rng.int(0, 99).toString().padStart(2, '0')}`
        : region === 'PT'
          ? `+3519${rng.pick(['1', '2', '3', '6'])}${rng.int(0, 9_999_999).toString().padStart(7, '0')}`
          : `+447${rng.pick(['400', '700', '911', '800'])}${rng.int(0, 999_999).toString().padStart(6, '0')}`;
    // Keep only numbers libphonenumber calls valid, so every written form can be read back.
    if (normalizePhone(candidate, region) === candidate) return candidate;
  }
}

/** The five ways people write a phone number (plus E.164 itself); `way` 0-5 picks one. */
export function formatPhone(e164: string, way: number): string {
  if (e164.startsWith('+1')) {
    const d = e164.slice(2);
    const [a, b, c] = [d.slice(0, 3), d.slice(3, 6), d.slice(6)];
    return [
      `+1 ${a} ${b} ${c}`,
      `(${a}) ${b}-${c}`,
      `${a}.${b}.${c}`,
      `${a}${b}${c}`,
      `1-${a}-${b}-${c}`,
      e164,
    ][way % 6]!;
  }
  if (e164.startsWith('+351')) {
    const d = e164.slice(4);
    const [a, b, c] = [d.slice(0, 3), d.slice(3, 6), d.slice(6)];
    return [
      `+351 ${a} ${b} ${c}`,
      `${a}${b}${c}`,
      `00351${d}`,
      `${a} ${b} ${c}`,
      `(+351) ${a}-${b}-${c}`,
      e164,
    ][way % 6]!;
  }
  const d = e164.slice(3);
  const [a, b] = [d.slice(0, 4), d.slice(4)];
  return [
    `+44 ${a} ${b}`,
    `0${a} ${b}`,
    `0${a}${b}`,
    `0044 ${a} ${b.slice(0, 3)} ${b.slice(3)}`,
    `+44 (0)${a} ${b}`,
    e164,
  ][way % 6]!;
}

/** The ways (for formatPhone) that carry the country code with '+', so the number reads right from any region. */
export function internationalWays(e164: string): number[] {
  if (e164.startsWith('+1')) return [0, 5];
  // '00' dialling works from Europe but not from the US (011), so only the '+' forms.
  return [0, 4, 5];
}
