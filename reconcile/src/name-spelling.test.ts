import { describe, expect, it } from 'vitest';
import { nameClass, spellingScore } from './name-spelling.ts';

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
