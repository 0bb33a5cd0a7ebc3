import { emailLocalPart } from '@salvage/core';
import { jaroWinkler } from './jaro-winkler.ts';
import { createPrng } from './prng.ts';

/**
 * A Fellegi-Sunter model for people, trained the way Splink trains one: u-probabilities from random pairs, the prior
 * from a deterministic rule over all pairs, m-probabilities by expectation-maximisation over blocked pairs, one session
 * per blocking rule, each blind to the comparison its own rule fixed (otherwise every blocked pair looks like a match).
 */

/** What the model compares: normalized values; several values per field when a record is already a cluster. */
export interface LinkRecord {
  emails: string[];
  phones: string[];
  /** Names normalized with `normalizeName`. */
  names: string[];
  addresses: string[];
}

/** Comparisons, in vector order, and how many levels each has (0 = disagree, highest = exact). */
export const COMPARISONS = ['email', 'phone', 'name', 'address'] as const;
const LEVELS = [3, 2, 3, 2];
const NAME_EXACT = 2;

export interface FsModel {
  /** Probability that two random records are the same person. */
  prior: number;
  /** m[c][level] and u[c][level]. */
  m: number[][];
  u: number[][];
  /** Share of records holding each name, for term-frequency adjustment of exact name matches. */
  nameFrequency: Map<string, number>;
  recordCount: number;
  /** Per blocking rule: pairs it produced and the share of them EM judged matches. */
  sessions: { rule: string; pairs: number; matchShare: number; iterations: number }[];
}

export interface PairScore {
  /** Comparison level per comparison; -1 when either side is missing the value (neutral). */
  levels: number[];
  /** Match weight in bits (log2 Bayes factor plus prior). */
  weight: number;
  probability: number;
}

/** Comparison vector of two records; -1 for a comparison where either side has no value. */
export function compareRecords(a: LinkRecord, b: LinkRecord): number[] {
  return [
    compareEmails(a.emails, b.emails),
    compareExact(a.phones, b.phones),
    compareNames(a.names, b.names),
    compareExact(a.addresses, b.addresses),
  ];
}

// The comparisons below look at the first four values of each side, by index rather than through sliced copies,
// and take each local part once: they run for every blocked and sampled pair.
function compareEmails(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return -1;
  let best = 0;
  const na = Math.min(4, a.length);
  const nb = Math.min(4, b.length);
  for (let i = 0; i < na; i++) {
    const x = a[i]!;
    const lx = emailLocalPart(x);
    for (let j = 0; j < nb; j++) {
      const y = b[j]!;
      if (x === y) return 2;
      if (lx.length >= 4 && lx === emailLocalPart(y)) best = 1;
    }
  }
  return best;
}

function compareExact(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return -1;
  for (let i = 0; i < Math.min(4, a.length); i++) if (b.includes(a[i]!)) return 1;
  return 0;
}

function compareNames(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return -1;
  let best = 0;
  const na = Math.min(4, a.length);
  const nb = Math.min(4, b.length);
  for (let i = 0; i < na; i++)
    for (let j = 0; j < nb; j++) {
      const x = a[i]!;
      const y = b[j]!;
      if (x === y) return NAME_EXACT;
      if (best < 1 && (jaroWinkler(x, y) >= 0.9 || (x.length === y.length && sameTokens(x, y)))) best = 1;
    }
  return best;
}

function sortedTokens(name: string): string {
  return name.split(' ').sort().join(' ');
}

/**
 * Whether two names of equal length hold the same tokens in some order. Reordered tokens hold the same characters,
 * so names whose character codes sum differently are told apart without splitting and sorting them (most pairs).
 */
function sameTokens(x: string, y: string): boolean {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x.charCodeAt(i) - y.charCodeAt(i);
  return sum === 0 && sortedTokens(x) === sortedTokens(y);
}

/** Blocking keys of a record per rule: rules are 'email', 'phone' and 'name' (first and last name token). */
export function blockingKeys(r: LinkRecord): { rule: 'email' | 'phone' | 'name'; key: string }[] {
  const keys: { rule: 'email' | 'phone' | 'name'; key: string }[] = [];
  for (const e of new Set(r.emails)) keys.push({ rule: 'email', key: e });
  for (const p of new Set(r.phones)) keys.push({ rule: 'phone', key: p });
  const nameKeys = new Set<string>();
  for (const n of r.names) {
    const t = n.split(' ').filter(Boolean);
    if (t.length === 0) continue;
    nameKeys.add(t.length === 1 ? t[0]! : `${t[0]}|${t[t.length - 1]}`);
  }
  for (const k of nameKeys) keys.push({ rule: 'name', key: k });
  return keys;
}

/** Candidate pairs (i < j) per blocking rule; blocks larger than `maxBlock` are skipped so cost stays near-linear. */
export function blockPairs(
  records: LinkRecord[],
  maxBlock = 200,
): { byRule: Map<string, Array<[number, number]>>; skippedBlocks: number } {
  const blocks = new Map<string, number[]>();
  records.forEach((r, i) => {
    for (const { rule, key } of blockingKeys(r)) {
      const k = `${rule}\u0000${key}`;
      const list = blocks.get(k);
      if (list) list.push(i);
      else blocks.set(k, [i]);
    }
  });
  const byRule = new Map<string, Array<[number, number]>>();
  const seen = new Map<string, Set<number>>();
  let skippedBlocks = 0;
  for (const [k, members] of blocks) {
    if (members.length < 2) continue;
    if (members.length > maxBlock) {
      skippedBlocks++;
      continue;
    }
    const rule = k.slice(0, k.indexOf('\u0000'));
    let pairs = byRule.get(rule);
    let dedupe = seen.get(rule);
    if (!pairs || !dedupe) {
      pairs = [];
      dedupe = new Set();
      byRule.set(rule, pairs);
      seen.set(rule, dedupe);
    }
    for (let x = 0; x < members.length; x++)
      for (let y = x + 1; y < members.length; y++) {
        const a = Math.min(members[x]!, members[y]!);
        const b = Math.max(members[x]!, members[y]!);
        const id = a * records.length + b;
        if (dedupe.has(id)) continue;
        dedupe.add(id);
        pairs.push([a, b]);
      }
  }
  return { byRule, skippedBlocks };
}

const RULE_BLINDS: Record<string, number> = { email: 0, phone: 1, name: 2 };

/** Trains m, u and the prior from the records themselves; deterministic for a given input order. */
export function trainFellegiSunter(
  records: LinkRecord[],
  byRule: Map<string, Array<[number, number]>>,
  options: { randomPairs?: number; iterations?: number } = {},
): FsModel {
  const n = records.length;
  const nameCounts = new Map<string, number>();
  for (const r of records)
    for (const name of new Set(r.names)) nameCounts.set(name, (nameCounts.get(name) ?? 0) + 1);
  const nameFrequency = new Map<string, number>();
  for (const [k, c] of nameCounts) nameFrequency.set(k, c / Math.max(1, n));

  // u: how often comparisons agree by chance, from random pairs (smoothed so a level never seen is not impossible).
  const u = LEVELS.map((l) => new Array<number>(l).fill(0.1));
  const rand = createPrng(0x5a17 ^ n);
  const totalPairs = (n * (n - 1)) / 2;
  const budget = options.randomPairs ?? 20_000;
  const count = (i: number, j: number) => {
    const v = compareRecords(records[i]!, records[j]!);
    for (let c = 0; c < v.length; c++) if (v[c]! >= 0) u[c]![v[c]!]! += 1;
  };
  if (totalPairs <= budget) {
    // Few records: every pair, rather than a sample that would miss or repeat the rare agreements.
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) count(i, j);
  } else {
    for (let s = 0; s < budget; s++) {
      const i = Math.floor(rand() * n);
      let j = Math.floor(rand() * (n - 1));
      if (j >= i) j++;
      count(i, j);
    }
  }
  for (const row of u) normalizeRow(row);

  // Prior: pairs sharing an email (a deterministic rule with high precision), over all pairs, allowing for its recall.
  const emailPairs = byRule.get('email')?.length ?? 0;
  const phonePairs = byRule.get('phone')?.length ?? 0;
  const rulePairs = emailPairs > 0 ? emailPairs : phonePairs;
  const prior = totalPairs > 0 ? clamp(rulePairs / 0.8 / totalPairs, 1e-9, 0.5) : 0.5;

  // m: EM per blocking rule, blind to the comparison the rule fixed; averaged over the sessions that saw each one.
  const mSum = LEVELS.map((l) => new Array<number>(l).fill(0));
  const mSessions = new Array<number>(LEVELS.length).fill(0);
  const sessions: FsModel['sessions'] = [];
  for (const rule of [...byRule.keys()].sort()) {
    const pairs = byRule.get(rule)!;
    if (pairs.length < 20) continue;
    const blind = RULE_BLINDS[rule] ?? -1;
    const vectors = pairs.map(([a, b]) => compareRecords(records[a]!, records[b]!));
    const m = defaultM();
    let lambda = 0.5;
    let it = 0;
    for (; it < (options.iterations ?? 20); it++) {
      const acc = LEVELS.map((l) => new Array<number>(l).fill(0.01));
      let matchMass = 0;
      // The log terms depend only on the level, not the pair: taken once per iteration, the same values as per pair.
      const prior = Math.log(lambda / (1 - lambda));
      const logRatios = m.map((row, c) => row.map((x, l) => Math.log(x / u[c]![l]!)));
      for (const v of vectors) {
        let logRatio = prior;
        for (let c = 0; c < v.length; c++) {
          const lv = v[c]!;
          if (lv >= 0 && c !== blind) logRatio += logRatios[c]![lv]!;
        }
        const p = 1 / (1 + Math.exp(-logRatio));
        matchMass += p;
        for (let c = 0; c < v.length; c++) {
          const lv = v[c]!;
          if (lv >= 0 && c !== blind) acc[c]![lv]! += p;
        }
      }
      const newLambda = clamp(matchMass / vectors.length, 1e-6, 1 - 1e-6);
      let delta = Math.abs(newLambda - lambda);
      acc.forEach((row, c) => {
        if (c === blind) return;
        normalizeRow(row);
        row.forEach((x, l) => {
          delta = Math.max(delta, Math.abs(x - m[c]![l]!));
        });
        m[c] = row;
      });
      lambda = newLambda;
      if (delta < 1e-5) break;
    }
    sessions.push({ rule, pairs: pairs.length, matchShare: lambda, iterations: it });
    m.forEach((row, c) => {
      if (c === blind) return;
      mSessions[c]! += 1;
      row.forEach((x, l) => {
        mSum[c]![l]! += x;
      });
    });
  }
  const fallback = defaultM();
  const m = mSum.map((row, c) => (mSessions[c]! > 0 ? row.map((x) => x / mSessions[c]!) : fallback[c]!));
  return { prior, m, u, nameFrequency, recordCount: n, sessions };
}

/** Weight and probability that two records are one person; missing values add nothing (neutral). */
export function scorePair(model: FsModel, a: LinkRecord, b: LinkRecord): PairScore {
  const levels = compareRecords(a, b);
  let weight = Math.log2(model.prior / (1 - model.prior));
  levels.forEach((lv, c) => {
    if (lv < 0) return;
    let u = model.u[c]![lv]!;
    if (c === 2 && lv === NAME_EXACT) {
      // Term-frequency adjustment: agreeing on a common name says less than agreeing on a rare one.
      const shared = a.names.find((x) => b.names.includes(x));
      const tf = shared ? (model.nameFrequency.get(shared) ?? 0) : 0;
      u = Math.max(u, tf, 1 / Math.max(1, model.recordCount));
    }
    weight += Math.log2(model.m[c]![lv]! / u);
  });
  const probability = 1 / (1 + 2 ** -weight);
  return { levels, weight, probability };
}

// Starting m before EM (and the fallback when no session saw a comparison): agreement is likely among matches.
function defaultM(): number[][] {
  return [
    [0.05, 0.05, 0.9],
    [0.15, 0.85],
    [0.05, 0.15, 0.8],
    [0.3, 0.7],
  ];
}

function normalizeRow(row: number[]): void {
  const total = row.reduce((s, x) => s + x, 0);
  for (let i = 0; i < row.length; i++) row[i] = row[i]! / total;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
