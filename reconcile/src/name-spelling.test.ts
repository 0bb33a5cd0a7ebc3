import { describe, expect, it } from 'vitest';
import { formatName, nameClass, namePrior, restoreMarks, spellingScore, support } from './name-spelling.ts';

describe('nameClass', () => {
  it.each([
    ['Noah Jackson', 'Jackson, Noah'],
    ['Noah Jackson', 'Noah JACKSON'],
    ['Liam Dvořák', 'Liam Dvorak'],
    ["Björn O'Brien", "Bjorn O'BRIEN"],
  ])('puts %s and %s in one class', (a, b) => {
    expect(nameClass(a)).toBe(nameClass(b));
  });

  it.each([
    ['Liam Davis', 'Lim Davis'],
    ['Aisha Wilson', 'Aihsa Wilson'],
    ['Ana Lima', 'Ana Lima Souza'],
  ])('keeps %s and the typo or other name %s apart', (a, b) => {
    expect(nameClass(a)).not.toBe(nameClass(b));
  });
});

describe('spellingScore', () => {
  it('prefers diacritics kept, given name first and no shouted token', () => {
    const best = (names: string[]) => [...names].sort((a, b) => spellingScore(b) - spellingScore(a))[0];
    expect(best(['Liam Dvorak', 'Liam Dvořák'])).toBe('Liam Dvořák');
    expect(best(['Jackson, Noah', 'Noah Jackson'])).toBe('Noah Jackson');
    expect(best(['Daniel MARTIN', 'Daniel Martin'])).toBe('Daniel Martin');
    expect(best(["Björn O'BRIEN", "Björn O'Brien"])).toBe("Björn O'Brien");
  });
});

describe('nameClass folds letters NFKD leaves whole', () => {
  it.each([
    ['Sophia Øvergaard', 'Sophia Overgaard'],
    ['Łukasz Anderson', 'Lukasz Anderson'],
    ['Jörg Strauß', 'Jorg Strauss'],
  ])('puts %s and %s in one class', (a, b) => {
    expect(nameClass(a)).toBe(nameClass(b));
  });

  it('prefers the spelling that keeps ø', () => {
    expect(spellingScore('Sophia Øvergaard')).toBeGreaterThan(spellingScore('Sophia Overgaard'));
  });
});

describe('formatName', () => {
  it.each([
    ['Freya WHITE', 'Freya White'],
    ['Kowalski, Hannah', 'Hannah Kowalski'],
    ["Björn O'BRIEN", "Björn O'Brien"],
    ['Berg, Ana Luísa Van der', 'Ana Luísa Van der Berg'],
    ['Ana SMITH-JONES', 'Ana Smith-Jones'],
    ['Zoë JACKSON', 'Zoë Jackson'],
  ])('writes %s as %s', (typed, stored) => {
    expect(formatName(typed)).toBe(stored);
  });

  it('leaves a well-formed name and a one-letter initial alone', () => {
    expect(formatName('Daniel J Martin')).toBe('Daniel J Martin');
    expect(formatName('MacDonald')).toBe('MacDonald');
  });
});

describe('support', () => {
  const own = new Set(['liam@example.com']);
  const prior = namePrior([
    ['Liam Davis', 'liam@example.com'],
    ['Lim Davis', 'liam@example.com'],
    ['Lim Davis', 'LIAM@example.com'],
    ['Lim Smith', 'lim.smith@example.com'],
    ...Array.from({ length: 9 }, (_, i) => [`Liam Moore`, `liam${i}@example.com`] as const),
    ...Array.from({ length: 9 }, (_, i) => [`Ava Davis`, `ava${i}@example.com`] as const),
  ]);

  it('ranks a spelling many other people use above a typo, however often the typo was copied', () => {
    expect(support(nameClass('Liam Davis'), prior, own)).toBeGreaterThan(
      support(nameClass('Lim Davis'), prior, own),
    );
  });

  it('gives a token only the person at hand uses no support', () => {
    expect(
      support(nameClass('Lim Davis'), prior, new Set(['liam@example.com', 'lim.smith@example.com'])),
    ).toBe(0);
  });

  it('puts two common names in one tier, so votes decide between them', () => {
    expect(support(nameClass('Liam Davis'), prior, own)).toBe(support(nameClass('Ava Davis'), prior, own));
  });
});

describe('restoreMarks', () => {
  it("puts back a token's diacritics from the person's other spellings", () => {
    expect(restoreMarks('Sophia Overgaard', ['Sohpia Øvergaard', 'Sophia Overgaard'])).toBe(
      'Sophia Øvergaard',
    );
    expect(restoreMarks('Liam Dvorak', ['Dvořák, Liam'])).toBe('Liam Dvořák');
  });

  it('leaves a name alone when no other spelling carries marks, and never takes a shouted token', () => {
    expect(restoreMarks('Liam Dvorak', ['Liam Dvorak', 'Lim Dvorak'])).toBe('Liam Dvorak');
    expect(restoreMarks('Noah Muller', ['Noah MÜLLER'])).toBe('Noah Muller');
  });
});
