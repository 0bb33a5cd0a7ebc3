import { describe, expect, it } from 'vitest';
import { blockPairs, type LinkRecord, scorePair, trainFellegiSunter } from './fellegi-sunter.ts';
import { jaroWinkler } from './jaro-winkler.ts';
import { createPrng } from './prng.ts';

const FIRST = ['john', 'maria', 'ana', 'li', 'omar', 'sofia', 'pedro', 'emma', 'yuki', 'noah'];
const LAST = [
  'smith',
  'silva',
  'chen',
  'garcia',
  'muller',
  'costa',
  'kowalski',
  'haddad',
  'tanaka',
  'okafor',
  'lima',
  'berg',
];

/** People, each seen one to three times with realistic gaps: missing email or phone, a typo in the name. */
function population(people: number, seed: number): { records: LinkRecord[]; person: number[] } {
  const rand = createPrng(seed);
  const records: LinkRecord[] = [];
  const person: number[] = [];
  for (let p = 0; p < people; p++) {
    // "john smith" is common on purpose: agreement on it must count for little.
    const name =
      p % 10 === 0
        ? 'john smith'
        : `${FIRST[Math.floor(rand() * FIRST.length)]} ${LAST[Math.floor(rand() * LAST.length)]}`;
    const email = `${name.replace(' ', '.')}${p}@mail.example`;
    const phone = `+35191${String(1000000 + p).slice(1)}`;
    const copies = 1 + Math.floor(rand() * 3);
    for (let c = 0; c < copies; c++) {
      const typo = rand() < 0.1 ? `${name.slice(0, -1)}e` : name;
      records.push({
        emails: rand() < 0.7 ? [email] : [],
        phones: rand() < 0.5 ? [phone] : [],
        names: rand() < 0.95 ? [typo] : [],
        addresses: [],
      });
      person.push(p);
    }
  }
  return { records, person };
}

describe('Fellegi-Sunter training', () => {
  const { records, person } = population(600, 7);
  const { byRule } = blockPairs(records);
  const model = trainFellegiSunter(records, byRule);

  it('learns that agreeing emails are likely among matches and rare by chance', () => {
    expect(model.m[0]![2]!).toBeGreaterThan(0.75);
    expect(model.u[0]![2]!).toBeLessThan(0.01);
    expect(model.prior).toBeLessThan(0.01);
    expect(model.sessions.map((s) => s.rule).sort()).toEqual(['email', 'name', 'phone']);
  });

  it('does not call every blocked pair a match (each session is blind to its own rule)', () => {
    const nameSession = model.sessions.find((s) => s.rule === 'name')!;
    expect(nameSession.matchShare).toBeLessThan(0.9);
  });

  it('separates matches from non-matches among blocked pairs', () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const seen = new Set<number>();
    for (const pairs of byRule.values())
      for (const [a, b] of pairs) {
        if (seen.has(a * records.length + b)) continue;
        seen.add(a * records.length + b);
        const p = scorePair(model, records[a]!, records[b]!).probability;
        const same = person[a] === person[b];
        if (p >= 0.9 && same) tp++;
        else if (p >= 0.9) fp++;
        else if (same) fn++;
      }
    expect(fp / Math.max(1, tp + fp)).toBeLessThan(0.02);
    expect(tp / Math.max(1, tp + fn)).toBeGreaterThan(0.6);
  });

  it('treats a missing value as neutral and a common name as weak evidence', () => {
    const a: LinkRecord = { emails: ['x@mail.example'], phones: [], names: ['john smith'], addresses: [] };
    const b: LinkRecord = { emails: [], phones: [], names: ['john smith'], addresses: [] };
    const rare: LinkRecord = { emails: [], phones: [], names: ['yuki okafor'], addresses: [] };
    const rare2: LinkRecord = { ...rare, emails: ['y@mail.example'] };
    const ab = scorePair(model, a, b);
    expect(ab.levels).toEqual([-1, -1, 2, -1]);
    expect(scorePair(model, rare2, rare).weight).toBeGreaterThan(ab.weight);
  });
});

describe('jaroWinkler', () => {
  it.each([
    ['martha', 'marhta', 0.961],
    ['dwayne', 'duane', 0.84],
    ['dixon', 'dicksonx', 0.813],
    ['same', 'same', 1],
    ['abc', '', 0],
  ])('%s ~ %s = %d', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 2);
  });
});
