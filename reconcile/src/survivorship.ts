import type { Alternative, Conflict, FieldChoice, SourceKind, Value } from '@salvage/core';
import { round4, scoreConfidence } from './calibration.ts';
import { type Claim, compareNewestFirst, type SourceGroup, sourceGroup } from './claims.ts';
import { compareText } from './compare.ts';
import { NO_ALTERNATIVES, NO_EVIDENCE_IDS } from './empty-lists.ts';
import {
  formatName,
  type NamePrior,
  nameClass,
  restoreMarks,
  spellingScore,
  support,
} from './name-spelling.ts';
import { sortedUnique } from './sorted-unique.ts';

/**
 * Per-field survivorship: which of the claims about one column wins, why, how sure we are, and whether trusted
 * sources disagree beyond tolerance (a conflict, never a silent pick). Rule ids are stored in plans: never rename one.
 */

export const RULES = {
  confirmation: 'customer-confirmation',
  operator: 'operator-entry',
  configured: 'configured-priority',
  stripeAmounts: 'stripe-for-amounts',
  latestTimes: 'latest-calendar-or-email',
  cancellation: 'cancellation-from-trusted',
  contact: 'most-recent-contact',
  latest: 'latest-change',
  targetKept: 'target-kept',
  agreedName: 'most-agreed-name',
  earliestCreation: 'earliest-creation',
  refundsGrow: 'refunds-only-grow',
  account: 'account-record',
  accountKept: 'account-kept',
  deletionAlone: 'calendar-deletion-alone',
} as const;

/**
 * What a column is, for picking its default rule and tolerance. 'created': when the row came to be (the earliest
 * claim wins; sources stamp one moment seconds to minutes apart, which is no conflict). 'refund': an amount that only
 * grows (the largest claim is the newest state).
 */
export type ColumnKind = 'amount' | 'time' | 'status' | 'contact' | 'created' | 'refund' | 'other';

export interface SurvivorshipContext {
  /** Source kinds in order of trust per 'entity.field', from config (business rules over global rules). */
  survivorship: Record<string, SourceKind[]>;
  tolerances: { amountMinor: number; timeMinutes: number };
  /** Who uses each name token across all evidence and rows (`namePrior`): the spelling prior. */
  namePrior?: NamePrior;
  /** The email addresses of the record being planned, lower case: whose names are its own. */
  ownEmails?: ReadonlySet<string>;
}

export interface FieldDecision {
  /** Undefined when nothing at all speaks for the column. */
  choice?: FieldChoice;
  conflict?: Conflict;
  /** True when the chosen value differs from the target row's (or there is no target row). */
  changed: boolean;
  /** Latest observed time among the claims used, in ms. */
  latestAt: number;
}

// Two claims observed this close count as simultaneous: neither can be said to supersede the other.
const SIMULTANEOUS_MS = 60 * 60 * 1000;
const TRUSTED_CONFIDENCE = 0.8;

/** Chooses a column's value from evidence claims and the target row's current value (when the row exists). */
export function chooseField(args: {
  entity: 'customer' | 'booking' | 'payment';
  field: string;
  column: string;
  kind: ColumnKind;
  claims: Claim[];
  target: Claim | null;
  ctx: SurvivorshipContext;
}): FieldDecision {
  const { entity, field, column, kind, target, ctx } = args;
  // Evidence no newer than the target row is already reflected in it (or was overridden there on purpose).
  let fresh = args.claims;
  const stale: Claim[] = [];
  if (target) {
    fresh = [];
    for (const c of args.claims) (isNews(c, target, kind) ? fresh : stale).push(c);
  }
  if (fresh.length === 0) {
    if (!target) return { changed: false, latestAt: 0 };
    return {
      changed: false,
      latestAt: target.at,
      choice: {
        column,
        value: target.value,
        confidence: 0.99,
        rule: RULES.targetKept,
        evidenceIds: NO_EVIDENCE_IDS,
        alternatives: alternativesOf(stale, target.value),
        explanation: stale.length
          ? `kept the target row's value; ${stale.length} older observation(s) ignored`
          : "kept the target row's value; no evidence about it",
      },
    };
  }

  // Versions of one source object supersede each other: only each object's newest version speaks.
  const heads = fresh.length === 1 ? fresh : headsOf(fresh);

  let rule: string = RULES.latest;
  let pool: readonly Claim[] = heads;
  let priority = 0;
  const configured = ctx.survivorship[`${entity}.${field}`];
  const confirmations = fromSource(heads, 'confirmation');
  const operators = confirmations.length > 0 ? NO_CLAIMS : fromSource(heads, 'operator');
  let chosen: Claim | undefined;
  // Set by the name rule: the spelling written (when reformatted) and the class of spellings that agree with it.
  let written: string | undefined;
  let nameGroup: string | undefined;
  if (confirmations.length > 0) {
    rule = RULES.confirmation;
    pool = confirmations;
    priority = 1;
  } else if (operators.length > 0) {
    rule = RULES.operator;
    pool = operators;
    priority = 1;
  } else if (configured?.some((k) => heads.some((c) => c.source === k))) {
    rule = RULES.configured;
    const first = configured.find((k) => heads.some((c) => c.source === k))!;
    pool = fromSource(heads, first);
    priority = 1;
  } else if (kind === 'created') {
    rule = RULES.earliestCreation;
    chosen = firstBy(
      heads,
      (a, b) => compareText(String(a.value), String(b.value)) || compareNewestFirst(a, b),
    );
    priority = 1;
  } else if (kind === 'refund') {
    // Refunds are never taken back: the largest amount any version shows is the latest state (a payment intent, or
    // a charge read before its refund, shows less, not a rival).
    rule = RULES.refundsGrow;
    chosen =
      heads.length === 1
        ? heads[0]
        : [...heads].sort((a, b) => Number(b.value) - Number(a.value) || compareNewestFirst(a, b))[0];
    priority = 1;
  } else if (kind === 'amount') {
    const stripe = fromSource(heads, 'stripe');
    if (stripe.length > 0) {
      rule = RULES.stripeAmounts;
      pool = stripe;
      priority = 1;
    }
  } else if (kind === 'time') {
    const calOrMail = heads.filter((c) => {
      const g = sourceGroup(c.source);
      return g === 'calendar' || g === 'email';
    });
    if (calOrMail.length > 0) {
      rule = RULES.latestTimes;
      pool = calOrMail;
    }
  } else if (kind === 'status' && entity === 'booking') {
    const cancels = heads.filter((c) => c.value === 'cancelled' && c.confidence >= TRUSTED_CONFIDENCE);
    const standing = heads.filter((c) => c.value !== 'cancelled' && c.confidence >= TRUSTED_CONFIDENCE);
    // Google Calendar has no cancelled state of its own: a cancelled event is a deleted one, and staff delete events
    // by hand. The platform's own cancellations also reach its mail, its .ics export and Stripe; a deletion nothing
    // else bears out, while trusted sources say the booking stands, is a calendar tidied by hand.
    const deletionAlone = cancels.length > 0 && cancels.every((c) => c.source === 'google_calendar');
    const cancelled = cancels[0];
    if (deletionAlone && standing.length > 0) {
      rule = RULES.deletionAlone;
      pool = standing;
      priority = 1;
    } else if (deletionAlone && target) {
      // Nothing else since the backup speaks of the status: the restored row's stands, the deletion beside it.
      rule = RULES.deletionAlone;
      chosen = target;
      priority = 1;
    } else if (deletionAlone) {
      // A lost booking only a deleted Google event speaks of: it was made, and nothing says it was called off.
      return {
        changed: true,
        latestAt: 0,
        choice: {
          column,
          value: 'confirmed',
          confidence: 0.9,
          rule: RULES.deletionAlone,
          evidenceIds: NO_EVIDENCE_IDS,
          alternatives: alternativesOf(heads, 'confirmed'),
          explanation:
            'only Google Calendar shows a cancellation (a deleted event), which staff also do by hand; nothing else bears it out, so the booking stands',
        },
      };
    } else if (cancelled) {
      rule = RULES.cancellation;
      chosen = cancelled;
      priority = 1;
    }
  } else if (
    (kind === 'contact' || field === 'stripeCustomerId') &&
    entity === 'customer' &&
    heads.some((c) => c.account)
  ) {
    // The platform's own copy of the account says what the account holds (its contact details, and which Stripe
    // Customer is the account's rather than one a guest checkout made); the newest copy wins.
    rule = RULES.account;
    pool = heads.filter((c) => c.account);
    priority = 1;
  } else if (
    entity === 'customer' &&
    target &&
    ((kind === 'contact' && target.value !== null && target.value !== '') || field === 'stripeCustomerId')
  ) {
    // The restored row is the account as its owner last saved it. A booking's or a payment's contact (a second
    // address, a typo in a checkout form, the Stripe Customer a guest checkout made) is how that one booking was
    // made, not a change to the account: only the account's own record (above) changes it. Other values stay beside
    // it as alternatives.
    rule = RULES.accountKept;
    chosen = target;
    priority = 1;
  } else if (kind === 'contact' && field === 'fullName') {
    // Names are misspelt far more often than people rename. Spellings of one name (case, diacritics, "Last, First")
    // vote together. A spelling many other people's names bear out beats one with a token few or none use (a
    // misspelling is mostly the typist's own: a booking's one typo reaches its calendar event and its mails alike, so
    // counting systems alone lets it outvote the right name). Then the name most systems agree on (the target row
    // counts as a system), the more trusted reading, the newer; within it the best-formed spelling, written the way
    // names are stored.
    rule = RULES.agreedName;
    const all = [...heads, ...(target?.value ? [target] : [])];
    const classOf = new Map<Claim, string>();
    const votes = new Map<string, Set<string>>();
    for (const c of all) {
      const k = nameClass(String(c.value));
      classOf.set(c, k);
      const v = votes.get(k) ?? new Set<string>();
      v.add(sourceGroup(c.source));
      votes.set(k, v);
    }
    const known = new Map<string, number>();
    for (const k of votes.keys())
      known.set(k, ctx.namePrior && ctx.ownEmails ? support(k, ctx.namePrior, ctx.ownEmails) : 0);
    const rank = new Map<Claim, [number, number]>();
    for (const c of all) rank.set(c, [known.get(classOf.get(c)!)!, votes.get(classOf.get(c)!)!.size]);
    const best = firstBy(all, (a, b) => byNameRank(a, b, rank))!;
    nameGroup = classOf.get(best)!;
    // Each spelling scored once, not once per comparison (the score normalizes and splits the name).
    const spellings = all.filter((c) => classOf.get(c) === nameGroup);
    const score = new Map<Claim, number>();
    for (const c of spellings) score.set(c, spellingScore(String(c.value)));
    chosen = firstBy(
      spellings,
      (a, b) => score.get(b)! - score.get(a)! || b.confidence - a.confidence || compareNewestFirst(a, b),
    )!;
    if (chosen === target) chosen = heads.find((c) => c.value === target.value) ?? target;
    const formatted = restoreMarks(
      formatName(String(chosen.value)),
      all.map((c) => String(c.value)),
    );
    if (formatted !== chosen.value) written = formatted;
  } else if (kind === 'contact') {
    rule = RULES.contact;
  }
  chosen ??= pool[0]!;
  const value = written ?? chosen.value;

  // Spellings of the chosen name agree with it; any other value agrees only when equal. One pass over the heads,
  // with source systems as bits rather than Sets and no closure: this runs for every column of every item.
  let agreeMask = 0;
  let extractorConfidence = chosen.confidence;
  let latestAt = target && same(target.value, value) ? target.at : 0;
  const used: string[] = [];
  const disagreeing: Claim[] = [];
  for (const c of heads) {
    if (nameGroup === undefined ? same(c.value, value) : nameClass(String(c.value)) === nameGroup) {
      agreeMask |= groupBit(c.source);
      extractorConfidence = Math.max(extractorConfidence, c.confidence);
      latestAt = Math.max(latestAt, c.at);
      if (c.evidenceId !== null) used.push(c.evidenceId);
    } else disagreeing.push(c);
  }
  if (
    target &&
    (nameGroup === undefined ? same(target.value, value) : nameClass(String(target.value)) === nameGroup)
  )
    agreeMask |= TARGET_BIT;
  // A disagreeing source seen as late as the chosen one is a rival, not a superseded version; contact details
  // legitimately change, and a customer's confirmation or a cancellation settles the question.
  const rivals =
    disagreeing.length === 0 || (priority === 1 && rule !== RULES.stripeAmounts)
      ? NO_CLAIMS
      : disagreeing.filter((c) => {
          if (kind === 'contact' || sameValue(kind, c.value, value, ctx.tolerances)) return false;
          if (rule === RULES.stripeAmounts) return c.source === 'stripe';
          return c.at >= chosen.at - SIMULTANEOUS_MS && c.confidence >= TRUSTED_CONFIDENCE;
        });
  let olderMask = 0;
  let rivalMask = 0;
  for (const c of disagreeing)
    if (rivals.includes(c)) rivalMask |= groupBit(c.source);
    else olderMask |= groupBit(c.source);
  olderMask &= ~agreeMask;
  const confidence = scoreConfidence({
    agreeingSources: bitCount(agreeMask),
    olderDisagreeing: bitCount(olderMask),
    newerDisagreeing: rivals.length > 0 ? Math.max(1, bitCount(rivalMask)) : 0,
    extractorConfidence,
    priorityRule: priority,
  });
  const alternatives = alternativesOf(fresh, value, stale, target);
  const ignored = fresh.length + stale.length - used.length;
  const choice: FieldChoice = {
    column,
    value,
    confidence,
    rule,
    evidenceIds: used.length > 0 ? sortedUnique(used) : NO_EVIDENCE_IDS,
    alternatives,
    explanation:
      written === undefined
        ? explanationOf(rule, agreeMask, ignored)
        : `${explanationOf(rule, agreeMask, ignored)}; written as stored names are, from ${JSON.stringify(chosen.value)}`,
  };
  const conflict: Conflict | undefined =
    rivals.length > 0
      ? {
          column,
          message: `sources disagree on ${column} beyond tolerance: ${[...groups([chosen]), ...groups(rivals)].join(' vs ')}`,
          alternatives: alternativesOf(rivals, value),
        }
      : undefined;
  return { choice, conflict, changed: !target || !same(target.value, value), latestAt };
}

const NO_CLAIMS: readonly Claim[] = [];

// Source systems as bits, in the order their names sort, so a set of them is a number and its sorted list is known.
const GROUP_NAMES: readonly SourceGroup[] = [
  'calendar',
  'confirmation',
  'email',
  'operator',
  'stripe',
  'target',
];
const TARGET_BIT = 1 << GROUP_NAMES.indexOf('target');
const GROUP_LISTS: readonly string[] = Array.from({ length: 1 << GROUP_NAMES.length }, (_, mask) =>
  GROUP_NAMES.filter((_, i) => mask & (1 << i)).join(', '),
);

// Explanations repeat word for word across a plan (a rule, a set of systems, a count): each is built once, for all
// plans, rather than once per column. Index: systems mask * 64 + observations not used; larger counts are built.
const EXPLANATIONS = new Map<string, (string | undefined)[]>();

function explanationOf(rule: string, agreeMask: number, ignored: number): string {
  if (ignored >= 64) return buildExplanation(rule, agreeMask, ignored);
  let byKey = EXPLANATIONS.get(rule);
  if (!byKey) {
    byKey = new Array<string | undefined>(64 * 64).fill(undefined);
    EXPLANATIONS.set(rule, byKey);
  }
  const i = agreeMask * 64 + ignored;
  let text = byKey[i];
  if (text === undefined) {
    text = buildExplanation(rule, agreeMask, ignored);
    byKey[i] = text;
  }
  return text;
}

function buildExplanation(rule: string, agreeMask: number, ignored: number): string {
  return (
    `${rule}: ${bitCount(agreeMask)} agreeing source system(s) [${GROUP_LISTS[agreeMask]}]` +
    (ignored > 0
      ? `; ${ignored} observation(s) not used (older versions, older than the row, or rivals)`
      : '')
  );
}

function groupBit(kind: SourceKind | 'target'): number {
  return 1 << GROUP_NAMES.indexOf(sourceGroup(kind));
}

function bitCount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}

/** The first of `list` that nothing later orders before: `[...list].sort(order)[0]` without copying or sorting. */
function firstBy<T>(list: readonly T[], order: (a: T, b: T) => number): T | undefined {
  let best = list[0];
  for (let i = 1; i < list.length; i++) if (order(list[i]!, best!) < 0) best = list[i];
  return best;
}

/** Names: more widely borne out first, then more systems agreeing, more trusted, newer. */
function byNameRank(a: Claim, b: Claim, rank: Map<Claim, [number, number]>): number {
  const [pa, va] = rank.get(a)!;
  const [pb, vb] = rank.get(b)!;
  return pb - pa || vb - va || b.confidence - a.confidence || compareNewestFirst(a, b);
}

/**
 * Whether a claim is newer than the target row. Refunds only grow, and a Stripe charge is dated by its creation, not
 * by the refund it shows: a larger refund than the row's is news however old the object's date.
 */
function isNews(c: Claim, target: Claim, kind: ColumnKind): boolean {
  return c.at > target.at || (kind === 'refund' && Number(c.value) > Number(target.value ?? 0));
}

// Agreement and change are exact (values are canonical); tolerance only decides whether a rival is a conflict.
// Module-level rather than per call: tsx's keepNames wraps every named closure, which showed in profiles.
function same(a: Value, b: Value): boolean {
  return a === b;
}

// No new array when no claim is from the source (the usual answer for confirmations and operator entries).
function fromSource(heads: readonly Claim[], source: string): readonly Claim[] {
  return heads.some((c) => c.source === source) ? heads.filter((c) => c.source === source) : NO_CLAIMS;
}

/** Each source object's newest version, newest first. */
function headsOf(fresh: Claim[]): Claim[] {
  const sorted = [...fresh].sort(compareNewestFirst);
  // Most objects have one version among a column's few claims: the sorted copy is the answer unless a key repeats,
  // which a scan over the claims before tells at this size without a Map.
  if (sorted.length > 16) {
    const current = new Map<string, Claim>();
    for (const c of sorted) if (!current.has(c.objectKey)) current.set(c.objectKey, c);
    return current.size === sorted.length ? sorted : [...current.values()];
  }
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    const c = sorted[i]!;
    let repeat = false;
    for (let j = 0; j < n; j++)
      if (sorted[j]!.objectKey === c.objectKey) {
        repeat = true;
        break;
      }
    if (!repeat) sorted[n++] = c;
  }
  sorted.length = n;
  return sorted;
}

function groups(claims: readonly Claim[]): Set<SourceGroup> {
  return new Set(claims.map((c) => sourceGroup(c.source)));
}

/**
 * Values other than the chosen one among `claims`, then `more`, then `target`, each with its evidence and sources,
 * sorted for stable plans.
 */
function alternativesOf(
  claims: readonly Claim[],
  chosen: Value,
  more: readonly Claim[] = NO_CLAIMS,
  target: Claim | null = null,
): Alternative[] {
  // Usually every claim agrees: no Map, no strings.
  if (
    !claims.some((c) => !same(c.value, chosen)) &&
    !more.some((c) => !same(c.value, chosen)) &&
    (target === null || same(target.value, chosen))
  )
    return NO_ALTERNATIVES;
  const byValue = new Map<
    string,
    { value: Value; ids: Set<string>; sources: Set<string>; confidence: number }
  >();
  const add = (c: Claim) => {
    if (same(c.value, chosen)) return;
    const k = JSON.stringify(c.value);
    let alt = byValue.get(k);
    if (!alt) {
      alt = { value: c.value, ids: new Set(), sources: new Set(), confidence: 0 };
      byValue.set(k, alt);
    }
    if (c.evidenceId) alt.ids.add(c.evidenceId);
    alt.sources.add(c.source);
    alt.confidence = Math.max(alt.confidence, c.confidence);
  };
  for (const c of claims) add(c);
  for (const c of more) add(c);
  if (target) add(target);
  return [...byValue.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, a]) => ({
      value: a.value,
      evidenceIds: [...a.ids].sort(),
      sources: [...a.sources].sort(),
      confidence: round4(a.confidence),
    }));
}

/** Equality within tolerance: amounts by minor units, times by minutes, everything else exactly. */
export function sameValue(
  kind: ColumnKind,
  a: Value,
  b: Value,
  tol: { amountMinor: number; timeMinutes: number },
): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (kind === 'amount' && typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= tol.amountMinor;
  if (kind === 'time' && typeof a === 'string' && typeof b === 'string') {
    return Math.abs(Date.parse(a) - Date.parse(b)) <= tol.timeMinutes * 60_000;
  }
  return false;
}
