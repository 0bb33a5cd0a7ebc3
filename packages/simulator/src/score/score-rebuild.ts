import { canonicalRow, canonicalValue, normalizeEmail, type TargetSnapshot, type Value } from '@salvage/core';
import { completeEndedBookings } from '../generate/snapshot.ts';
import type {
  AccuracyReport,
  ColumnScore,
  CustomerScore,
  EntityScore,
  FieldProvenanceRow,
  PaymentScore,
  Ratio,
  ReviewShare,
  RuleScore,
  ScoredEntity,
  ScoreExamples,
  ScoreInput,
} from './accuracy-report.ts';
import { EXAMPLE_LIMIT, SCORED_ENTITIES } from './accuracy-report.ts';
import { createPhoneKey, matchRecords, type RecordMatch } from './match-records.ts';
import { type CalibrationPair, scoreCalibration } from './score-calibration.ts';

/**
 * Columns whose accuracy makes the headline field accuracy: what the sources can tell. Link columns (customer_id,
 * booking_id) are compared through the match, so a rebuilt id is right when it stands for the truth's record.
 */
export const CORE_COLUMNS: Record<ScoredEntity, readonly string[]> = {
  customers: ['full_name', 'email', 'phone', 'stripe_customer_id'],
  bookings: ['customer_id', 'resource_id', 'starts_at', 'ends_at', 'status', 'total_amount', 'currency'],
  payments: [
    'booking_id',
    'customer_id',
    'amount',
    'amount_refunded',
    'currency',
    'status',
    'method',
    'stripe_payment_intent_id',
    'stripe_charge_id',
    'paid_at',
  ],
};

/** Columns reported one by one but left out of the headline: few sources carry them. */
export const EXTRA_COLUMNS: Record<ScoredEntity, readonly string[]> = {
  customers: ['created_at'],
  bookings: ['notes', 'created_at'],
  payments: ['created_at'],
};

/**
 * How far a rebuilt created_at may be from the truth's and still be right. No source records the instant the
 * platform inserted a row: a checkout is opened minutes before, a confirmation mailed seconds after, and Stripe
 * stamps whole seconds.
 */
export const CREATED_AT_TOLERANCE_MS = 10 * 60_000;

/**
 * Instants other than created_at (paid_at, starts_at) are right to the second: Stripe and iCalendar stamp whole
 * seconds, so no source can give back the milliseconds the platform's clock wrote.
 */
export const INSTANT_TOLERANCE_MS = 999;

const INSTANT_COLUMNS = new Set(['paid_at', 'starts_at', 'ends_at']);

/** Written columns never judged: ids salvage generates and the write time. */
const UNJUDGED_COLUMNS = new Set(['id', 'updated_at']);

/** approved_by of values written without a person seeing them. */
export const AUTO_ACCEPT = 'policy:auto-accept';

type Row = Record<string, Value>;

const ratio = (hit: number, of: number): Ratio => ({ hit, of, rate: of ? hit / of : null });

function canonical(snapshot: TargetSnapshot, entity: ScoredEntity): Row[] {
  return (snapshot[entity] as unknown as Record<string, unknown>[]).map((r) => canonicalRow(entity, r));
}

/** Where a link column points, for each entity's link columns. */
const LINKS: Record<string, ScoredEntity> = { customer_id: 'customers', booking_id: 'bookings' };

/**
 * Scores a rebuilt database against the simulator's truth (see AccuracyReport for every measure). Pure: the same
 * input gives the same report. Records are matched by natural keys (see matchRecords), never by generated ids.
 */
export function scoreRebuild(input: ScoreInput): AccuracyReport {
  const { rebuilt, backup, provenance } = input;
  // Judged as of the rebuild: by then the platform's clock would have completed the bookings that ended.
  const truth = input.asOf
    ? { ...input.truth, bookings: completeEndedBookings(input.truth.bookings, Date.parse(input.asOf)) }
    : input.truth;
  const regions = input.phoneRegions ?? {};
  const limit = input.exampleLimit ?? EXAMPLE_LIMIT;
  const phoneKeyOf = createPhoneKey(regions);
  const match = matchRecords(truth, rebuilt, regions, phoneKeyOf);
  const preexisting = input.restored ?? backup;
  const notes: string[] = [];
  if (!backup) notes.push('no backup given: every truth record counts as one to recover');
  if (!preexisting)
    notes.push('no restored database given: every rebuilt record counts as added by the rebuild');
  if (!provenance)
    notes.push(
      'no field provenance: written-field accuracy, wrong auto-accepted values and calibration not measured',
    );

  const truthRows = Object.fromEntries(SCORED_ENTITIES.map((e) => [e, canonical(truth, e)])) as Record<
    ScoredEntity,
    Row[]
  >;
  const truthById = Object.fromEntries(
    SCORED_ENTITIES.map((e) => [e, new Map(truthRows[e].map((r) => [r.id as string, r]))]),
  ) as Record<ScoredEntity, Map<string, Row>>;
  const rebuiltRows = Object.fromEntries(SCORED_ENTITIES.map((e) => [e, canonical(rebuilt, e)])) as Record<
    ScoredEntity,
    Row[]
  >;
  const rebuiltById = Object.fromEntries(
    SCORED_ENTITIES.map((e) => [e, new Map(rebuiltRows[e].map((r) => [r.id as string, r]))]),
  ) as Record<ScoredEntity, Map<string, Row>>;
  const preIds = Object.fromEntries(
    SCORED_ENTITIES.map((e) => [e, new Set((preexisting?.[e] ?? []).map((r) => r.id))]),
  ) as Record<ScoredEntity, Set<string>>;
  const backupById = Object.fromEntries(
    SCORED_ENTITIES.map((e) => [
      e,
      new Map((backup ? canonical(backup, e) : []).map((r) => [r.id as string, r])),
    ]),
  ) as Record<ScoredEntity, Map<string, Row>>;

  // A rebuilt value as the truth would write it: links through the match, emails and phones normalized.
  const comparable = (column: string, value: Value, businessId: Value): Value => {
    const link = LINKS[column];
    if (link && typeof value === 'string') return match[link].get(value) ?? `unmatched:${value}`;
    if (column === 'email') return normalizeEmail(value as string | null);
    if (column === 'phone') return phoneKeyOf(value as string | null, String(businessId));
    return value;
  };
  const truthComparable = (column: string, value: Value, businessId: Value): Value => {
    if (column === 'email') return normalizeEmail(value as string | null);
    if (column === 'phone') return phoneKeyOf(value as string | null, String(businessId));
    return value;
  };
  const fieldRight = (column: string, rebuiltValue: Value, truthRow: Row): boolean => {
    const truthValue = truthRow[column] ?? null;
    const tolerance =
      column === 'created_at'
        ? CREATED_AT_TOLERANCE_MS
        : INSTANT_COLUMNS.has(column)
          ? INSTANT_TOLERANCE_MS
          : undefined;
    if (tolerance !== undefined && typeof rebuiltValue === 'string' && typeof truthValue === 'string')
      return Math.abs(Date.parse(rebuiltValue) - Date.parse(truthValue)) <= tolerance;
    return (
      comparable(column, rebuiltValue, truthRow.business_id ?? null) ===
      truthComparable(column, truthValue, truthRow.business_id ?? null)
    );
  };

  // Which truth bookings the sources can give back, by (business, reference).
  const recoverability = new Map(
    input.recoverability.map((r) => [`${r.businessId}|${r.reference.toUpperCase()}`, r]),
  );
  const recoverableCustomers = new Set<string>();
  for (const b of truth.bookings) {
    const rec = recoverability.get(`${b.business_id}|${b.reference.toUpperCase()}`);
    if (rec?.recoverable ?? true) recoverableCustomers.add(b.customer_id);
  }
  for (const c of truth.customers) if (c.stripe_customer_id) recoverableCustomers.add(c.id);

  const status = (
    entity: ScoredEntity,
    t: Row,
  ): { inBackup: boolean; changed: boolean; recoverable: boolean } => {
    const id = t.id as string;
    const old = backupById[entity].get(id);
    let inBackup = old !== undefined;
    let changed = old === undefined || !sameRow(old, t);
    let recoverable = true;
    if (entity === 'bookings') {
      const rec = recoverability.get(`${t.business_id}|${String(t.reference).toUpperCase()}`);
      if (rec) {
        inBackup = rec.inBackup;
        changed = rec.changedSinceBackup;
        recoverable = rec.recoverable;
      }
    } else if (entity === 'customers') recoverable = recoverableCustomers.has(id);
    else recoverable = t.stripe_payment_intent_id !== null || t.stripe_charge_id !== null;
    return { inBackup, changed, recoverable };
  };

  // How many rebuilt rows link to each rebuilt customer and booking.
  const inbound: Record<ScoredEntity, Map<string, number>> = {
    customers: new Map(),
    bookings: new Map(),
    payments: new Map(),
  };
  const countLink = (entity: ScoredEntity, id: Value) => {
    if (typeof id === 'string') inbound[entity].set(id, (inbound[entity].get(id) ?? 0) + 1);
  };
  for (const b of rebuiltRows.bookings) countLink('customers', b.customer_id ?? null);
  for (const p of rebuiltRows.payments) {
    countLink('customers', p.customer_id ?? null);
    countLink('bookings', p.booking_id ?? null);
  }

  const calibrationPairs: Record<ScoredEntity, CalibrationPair[]> = {
    customers: [],
    bookings: [],
    payments: [],
  };
  const scores = {} as Record<ScoredEntity, EntityScore>;
  const representatives = {} as Record<ScoredEntity, Map<string, Row>>;

  for (const entity of SCORED_ENTITIES) {
    const examples: ScoreExamples = {
      missing: [],
      spurious: [],
      duplicates: [],
      wrongFields: [],
      wrongAutoAccepted: [],
      wronglyMerged: [],
      wrongBookingLink: [],
    };
    const note = (list: string[], key: string) => {
      if (list.length < limit) list.push(key);
    };
    const label = (r: Row): string =>
      entity === 'bookings'
        ? String(r.reference)
        : entity === 'payments'
          ? String(r.stripe_payment_intent_id ?? r.stripe_charge_id ?? r.id)
          : String(r.id);

    // Rebuilt records grouped by what they stand for; unmatched bookings still group by their reference.
    const groups = new Map<string, Row[]>();
    for (const r of rebuiltRows[entity]) {
      const truthId = match[entity].get(r.id as string);
      const key = truthId
        ? `truth:${truthId}`
        : entity === 'bookings'
          ? `ref:${r.business_id}|${String(r.reference).toUpperCase()}`
          : `row:${r.id}`;
      const group = groups.get(key) ?? [];
      group.push(r);
      groups.set(key, group);
    }
    const reps = new Map<string, Row>();
    let duplicates = 0;
    let claimed = 0;
    let claimedRight = 0;
    for (const [key, group] of groups) {
      // Which of several rows stands for the record: the business's own row, else the one most rows link to,
      // else the one with most core fields right; never id order, which salvage's generated ids make arbitrary.
      if (group.length > 1) {
        const truthRow = key.startsWith('truth:') ? truthById[entity].get(key.slice(6)) : undefined;
        const rank = (r: Row): number[] => [
          preIds[entity].has(r.id as string) ? 1 : 0,
          inbound[entity].get(r.id as string) ?? 0,
          truthRow ? CORE_COLUMNS[entity].filter((c) => fieldRight(c, r[c] ?? null, truthRow)).length : 0,
        ];
        const ranks = new Map(group.map((r) => [r, rank(r)]));
        group.sort((a, b) => {
          const x = ranks.get(a)!;
          const y = ranks.get(b)!;
          return y[0]! - x[0]! || y[1]! - x[1]! || y[2]! - x[2]! || String(a.id).localeCompare(String(b.id));
        });
      }
      const pre = group.filter((r) => preIds[entity].has(r.id as string)).length;
      const extra = Math.max(0, group.length - Math.max(pre, 1));
      if (extra > 0) {
        duplicates += extra;
        note(examples.duplicates, label(group[Math.max(pre, 1)]!));
      }
      if (key.startsWith('truth:')) reps.set(key.slice(6), group[0]!);
      group.forEach((r, i) => {
        if (preIds[entity].has(r.id as string)) return;
        claimed++;
        if (key.startsWith('truth:') && i === 0) claimedRight++;
        else if (!key.startsWith('truth:')) note(examples.spurious, label(r));
      });
    }
    representatives[entity] = reps;

    const columns: Record<string, ColumnScore> = {};
    for (const c of CORE_COLUMNS[entity]) columns[c] = { hit: 0, of: 0, rate: null, core: true };
    for (const c of EXTRA_COLUMNS[entity]) columns[c] = { hit: 0, of: 0, rate: null, core: false };
    let toRecover = 0;
    let recallOf = 0;
    let recallHit = 0;
    for (const t of truthRows[entity]) {
      const s = status(entity, t);
      if (s.inBackup && !s.changed) continue;
      toRecover++;
      const rep = reps.get(t.id as string);
      let allCoreRight = rep !== undefined;
      if (rep) {
        for (const [column, score] of Object.entries(columns)) {
          const right = fieldRight(column, rep[column] ?? null, t);
          score.of++;
          if (right) score.hit++;
          else if (score.core) {
            allCoreRight = false;
            note(examples.wrongFields, `${label(t)}.${column}`);
          }
        }
      }
      if (!s.recoverable) continue;
      recallOf++;
      if (rep && (!s.inBackup || allCoreRight)) recallHit++;
      else note(examples.missing, label(t));
    }
    let coreHit = 0;
    let coreOf = 0;
    for (const score of Object.values(columns)) {
      score.rate = score.of ? score.hit / score.of : null;
      if (score.core) {
        coreHit += score.hit;
        coreOf += score.of;
      }
    }

    // Written fields, judged against the truth record their row stands for.
    let writtenHit = 0;
    let writtenOf = 0;
    let autoWrong = 0;
    let autoOf = 0;
    const rules = new Map<string, RuleScore>();
    for (const p of provenance ?? []) {
      if (p.table_name !== entity || UNJUDGED_COLUMNS.has(p.column_name)) continue;
      const correct = judgeWrittenField(entity, p);
      if (correct === null) continue;
      writtenOf++;
      if (correct) writtenHit++;
      calibrationPairs[entity].push({ confidence: Number(p.confidence), correct });
      const ruleKey = `${p.column_name}\u0000${p.rule}`;
      let rule = rules.get(ruleKey);
      if (!rule) {
        rule = {
          column: p.column_name,
          rule: p.rule,
          written: 0,
          wrong: 0,
          autoAccepted: 0,
          autoWrong: 0,
          meanConfidence: 0,
        };
        rules.set(ruleKey, rule);
      }
      rule.written++;
      rule.meanConfidence += Number(p.confidence);
      if (!correct) rule.wrong++;
      if (p.approved_by === AUTO_ACCEPT) {
        autoOf++;
        rule.autoAccepted++;
        if (!correct) rule.autoWrong++;
        if (!correct) {
          autoWrong++;
          const row = rebuiltById[entity].get(p.row_id);
          note(examples.wrongAutoAccepted, `${row ? label(row) : p.row_id}.${p.column_name}`);
        }
      }
    }

    scores[entity] = {
      truth: truthRows[entity].length,
      toRecover,
      recall: ratio(recallHit, recallOf),
      rebuilt: rebuiltRows[entity].length,
      claimed,
      precision: ratio(claimedRight, claimed),
      fieldAccuracy: ratio(coreHit, coreOf),
      columns,
      duplicates: ratio(duplicates, claimed),
      writtenFields: ratio(writtenHit, writtenOf),
      wrongAutoAccepted: ratio(autoWrong, autoOf),
      rules: [...rules.values()]
        .map((r) => ({ ...r, meanConfidence: r.meanConfidence / r.written }))
        .sort((a, b) => b.wrong - a.wrong || b.written - a.written || a.column.localeCompare(b.column)),
      reviewShare: reviewShareOf(entity, input),
      calibration: scoreCalibration(calibrationPairs[entity]),
      examples,
    };
  }

  // A written field is right when it equals the truth; a field of an added row that stands for nothing is wrong (the
  // row should not exist); a field of the business's own unmatched row cannot be judged (null).
  function judgeWrittenField(entity: ScoredEntity, p: FieldProvenanceRow): boolean | null {
    const truthId = match[entity].get(p.row_id);
    if (!truthId) return rebuiltById[entity].has(p.row_id) && !preIds[entity].has(p.row_id) ? false : null;
    const t = truthById[entity].get(truthId)!;
    if (!(p.column_name in t)) return null;
    return fieldRight(p.column_name, canonicalValue(p.column_name, toValue(p.value)), t);
  }

  const customers: CustomerScore = {
    ...scores.customers,
    wronglyMerged: scoreWronglyMerged(truth, rebuilt, match, scores.customers.examples, limit),
  };
  const payments: PaymentScore = {
    ...scores.payments,
    linkedToBooking: scoreBookingLinks(truthRows.payments, representatives.payments, match, (t) => {
      const s = status('payments', t);
      return !(s.inBackup && !s.changed) && s.recoverable;
    }),
  };
  for (const [, rep] of representatives.payments) {
    const t = truthById.payments.get(match.payments.get(rep.id as string)!);
    if (t?.booking_id && match.bookings.get(String(rep.booking_id)) !== t.booking_id)
      if (payments.examples.wrongBookingLink.length < limit)
        payments.examples.wrongBookingLink.push(
          String(t.stripe_payment_intent_id ?? t.stripe_charge_id ?? t.id),
        );
  }

  const sum = (pick: (s: EntityScore) => Ratio): Ratio => {
    const hit = SCORED_ENTITIES.reduce((n, e) => n + pick(scores[e]).hit, 0);
    const of = SCORED_ENTITIES.reduce((n, e) => n + pick(scores[e]).of, 0);
    return ratio(hit, of);
  };
  return {
    formatVersion: 1,
    customers,
    bookings: scores.bookings,
    payments,
    overall: {
      wrongAutoAccepted: sum((s) => s.wrongAutoAccepted),
      reviewShare: reviewShareOf(null, input),
      calibration: scoreCalibration(SCORED_ENTITIES.flatMap((e) => calibrationPairs[e])),
    },
    notes,
  };
}

// Rows are flat and canonical: equal when every column of either holds the same value.
function sameRow(a: Row, b: Row): boolean {
  for (const k in a) if (a[k] !== (b[k] ?? null)) return false;
  for (const k in b) if (b[k] !== (a[k] ?? null)) return false;
  return true;
}

// jsonb gives back strings, numbers, booleans and null; anything else is kept as its JSON text so it compares unequal.
function toValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

function scoreWronglyMerged(
  truth: TargetSnapshot,
  rebuilt: TargetSnapshot,
  match: RecordMatch,
  examples: ScoreExamples,
  limit: number,
): Ratio {
  const truthCustomerOf = new Map(truth.bookings.map((b) => [b.id, b.customer_id]));
  const people = new Map<string, Set<string>>();
  for (const b of rebuilt.bookings) {
    const t = match.bookings.get(b.id);
    const person = t ? truthCustomerOf.get(t) : undefined;
    if (!person) continue;
    const set = people.get(b.customer_id) ?? new Set<string>();
    set.add(person);
    people.set(b.customer_id, set);
  }
  let merged = 0;
  for (const [customerId, set] of [...people].sort(([a], [b]) => a.localeCompare(b))) {
    if (set.size < 2) continue;
    merged++;
    if (examples.wronglyMerged.length < limit) examples.wronglyMerged.push(customerId);
  }
  return ratio(merged, people.size);
}

function scoreBookingLinks(
  truthPayments: Row[],
  reps: Map<string, Row>,
  match: RecordMatch,
  inScope: (t: Row) => boolean,
): Ratio {
  let hit = 0;
  let of = 0;
  for (const t of truthPayments) {
    if (t.booking_id === null || !inScope(t)) continue;
    of++;
    const rep = reps.get(t.id as string);
    if (rep && typeof rep.booking_id === 'string' && match.bookings.get(rep.booking_id) === t.booking_id)
      hit++;
  }
  return ratio(hit, of);
}

/**
 * Share of items sent to a person. From the plan's dispositions when a plan is given; else from provenance, one item
 * per written row, by who approved it ('operator:' review, 'customer:' ask the customer). `entity` null: all three.
 */
function reviewShareOf(entity: ScoredEntity | null, input: ScoreInput): ReviewShare {
  const inScope = (table: string) =>
    entity === null ? (SCORED_ENTITIES as readonly string[]).includes(table) : table === entity;
  let items = 0;
  let review = 0;
  let askCustomer = 0;
  let source: ReviewShare['source'] = 'none';
  if (input.plan) {
    source = 'plan';
    for (const item of input.plan.items) {
      if (!inScope(item.table)) continue;
      items++;
      if (item.disposition === 'review') review++;
      else if (item.disposition === 'ask_customer') askCustomer++;
    }
  } else if (input.provenance) {
    source = 'provenance';
    const approver = new Map<string, string>();
    for (const p of input.provenance)
      if (inScope(p.table_name)) approver.set(`${p.batch_id}|${p.table_name}|${p.row_id}`, p.approved_by);
    for (const by of approver.values()) {
      items++;
      if (by.startsWith('operator:')) review++;
      else if (by.startsWith('customer:')) askCustomer++;
    }
  }
  return { source, items, review, askCustomer, share: items ? (review + askCustomer) / items : null };
}
