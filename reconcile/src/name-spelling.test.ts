import { describe, expect, it } from 'vitest';
import { attested, countNameTokens, formatName, nameClass, spellingScore } from './name-spelling.ts';

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
  it('calls a spelling attested only when every token is used beyond the claims at hand', () => {
    const global = countNameTokens(['Liam Davis', 'Liam Davis', 'Liam Smith', 'Ava Davis', 'Lim Davis']);
    const local = countNameTokens(['Liam Davis', 'Lim Davis']);
    expect(attested(nameClass('Liam Davis'), local, global)).toBe(true);
    expect(attested(nameClass('Lim Davis'), local, global)).toBe(false);
  });
});
