import { describe, expect, it } from 'vitest';
import { attested, formatName, nameClass, namePrior, spellingScore } from './name-spelling.ts';

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

describe('attested', () => {
  it("calls a spelling attested only when every token is someone else's name too", () => {
    const prior = namePrior([
      ['Liam Davis', 'liam@example.com'],
      ['Lim Davis', 'liam@example.com'],
      ['Lim Davis', 'LIAM@example.com'],
      ['Liam Smith', 'smith@example.com'],
      ['Ava Davis', 'ava@example.com'],
    ]);
    const own = new Set(['liam@example.com']);
    expect(attested(nameClass('Liam Davis'), prior, own)).toBe(true);
    // "Lim" appears twice, but only with Liam's own address: his typo, however often it was copied.
    expect(attested(nameClass('Lim Davis'), prior, own)).toBe(false);
    // To anyone else, Liam's own spellings are somebody else's name.
    expect(attested(nameClass('Lim Davis'), prior, new Set(['ava@example.com']))).toBe(true);
  });
});
