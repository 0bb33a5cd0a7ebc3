import {
  type Alternative,
  type BookingRow,
  type Conflict,
  type CustomerRow,
  canonicalValue,
  type Disposition,
  deterministicUuid,
  type Evidence,
  type FieldChoice,
  hashRow,
  hashValue,
  type PaymentRow,
  type PlanItem,
  type SourceKind,
  type TableName,
  type Value,
} from '@salvage/core';
import { round4 } from './calibration.ts';
import { type Claim, sourceGroup } from './claims.ts';
import { compareText } from './compare.ts';
import { NO_ALTERNATIVES, NO_EVIDENCE_IDS } from './empty-lists.ts';
import type { BookingCluster, ResourceResolver } from './link-bookings.ts';
import type { CustomerCluster } from './link-customers.ts';
import type { PaymentCluster } from './link-payments.ts';
import type { PaymentsTotal } from './payments-total.ts';
import { sortedUnique } from './sorted-unique.ts';
import {
  type ColumnKind,
  chooseField,
  type FieldDecision,
  RULES,
  type SurvivorshipContext,
} from './survivorship.ts';

/** Thresholds that turn an item's confidence into a disposition. */
export interface Thresholds {
  autoAccept: number;
  askCustomerBelow: number;
}

/** Column of the reference schema, the evidence field(s) that speak for it, and how to compare its values. */
interface ColumnSpec {
  column: string;
  /** Field name used in survivorship config keys ('booking.startsAt'). */
  field: string;
  kind: ColumnKind;
  /** Only set on insert (keys and creation facts never change on an existing row). */
  insertOnly?: boolean;
}

const CUSTOMER_COLUMNS: ColumnSpec[] = [
  { column: 'full_name', field: 'fullName', kind: 'contact' },
  { column: 'email', field: 'email', kind: 'contact' },
  { column: 'phone', field: 'phone', kind: 'contact' },
  { column: 'stripe_customer_id', field: 'stripeCustomerId', kind: 'other' },
  { column: 'created_at', field: 'createdAt', kind: 'created', insertOnly: true },
];

const BOOKING_COLUMNS: ColumnSpec[] = [
  { column: 'reference', field: 'reference', kind: 'other', insertOnly: true },
  { column: 'resource_id', field: 'resourceName', kind: 'other' },
  { column: 'starts_at', field: 'startsAt', kind: 'time' },
  { column: 'ends_at', field: 'endsAt', kind: 'time' },
  { column: 'status', field: 'status', kind: 'status' },
  { column: 'total_amount', field: 'totalAmount', kind: 'amount' },
  { column: 'currency', field: 'currency', kind: 'amount' },
  { column: 'notes', field: 'notes', kind: 'other' },
  { column: 'created_at', field: 'createdAt', kind: 'created', insertOnly: true },
];

const PAYMENT_COLUMNS: ColumnSpec[] = [
  { column: 'amount', field: 'amount', kind: 'amount' },
  { column: 'amount_refunded', field: 'amountRefunded', kind: 'refund' },
  { column: 'currency', field: 'currency', kind: 'amount' },
  { column: 'status', field: 'status', kind: 'amount' },
  { column: 'method', field: 'method', kind: 'other' },
  { column: 'stripe_payment_intent_id', field: 'stripePaymentIntentId', kind: 'other' },
  { column: 'stripe_charge_id', field: 'stripeChargeId', kind: 'other' },
  { column: 'paid_at', field: 'paidAt', kind: 'other' },
  { column: 'created_at', field: 'createdAt', kind: 'created', insertOnly: true },
];

/** What every claim of one evidence item shares, worked out once for the item rather than once per column. */
interface ClaimOrigin {
  ev: Evidence;
  objectKey: string;
  at: number;
  account: boolean;
}

function originOf(ev: Evidence): ClaimOrigin {
  return {
    ev,
    objectKey: `${ev.source.kind}|${ev.source.account}|${ev.source.objectId}`,
    at: Date.parse(ev.observedAt),
    account: ev.entity === 'customer' && 'customerId' in ev.fields && Boolean(ev.fields.customerId),
  };
}

function claimOf(o: ClaimOrigin, column: string, raw: unknown): Claim | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const ev = o.ev;
  return {
    value: canonicalValue(column, raw),
    evidenceId: ev.id,
    source: ev.source.kind,
    objectKey: o.objectKey,
    at: o.at,
    rank: ev.source.versionRank ?? 0,
    confidence: ev.confidence,
    account: o.account,
  };
}

function targetClaim(row: Record<string, unknown> | null, column: string, rowAt?: number): Claim | null {
  if (!row) return null;
  return {
    value: canonicalValue(column, row[column]),
    evidenceId: null,
    source: 'target',
    objectKey: 'target',
    at: rowAt ?? Date.parse(String(row.updated_at)),
    rank: 0,
    confidence: 1,
  };
}

/** Item id: a hash of what the item does, so equal items in two plans have equal ids. */
export function itemId(kind: string, table: TableName, key: string, body: unknown): string {
  return hashValue(['plan-item', kind, table, key, body]).slice(0, 32);
}

/** auto at or above autoAccept, ask_customer below askCustomerBelow, review between or whenever there is a conflict. */
export function dispositionOf(confidence: number, conflicts: Conflict[], t: Thresholds): Disposition {
  if (conflicts.length > 0) return 'review';
  if (confidence >= t.autoAccept) return 'auto';
  if (confidence < t.askCustomerBelow) return 'ask_customer';
  return 'review';
}

const derived = (
  column: string,
  value: Value,
  rule: string,
  confidence: number,
  evidenceIds: string[] = NO_EVIDENCE_IDS,
  explanation?: string,
): FieldChoice => {
  // A property added after the literal, not a spread of a conditional one: a choice of each shape is made for every
  // column of every planned row.
  const choice: FieldChoice = {
    column,
    value,
    confidence: round4(confidence),
    rule,
    evidenceIds,
    alternatives: NO_ALTERNATIVES,
  };
  if (explanation) choice.explanation = explanation;
  return choice;
};

/** Result of planning one entity: the item (null when nothing changes) and the row as it would stand afterwards. */
export interface EntityOutcome<R> {
  item: PlanItem | null;
  rowAfter: R | null;
  id: string;
  status: 'new' | 'changed' | 'unchanged' | 'skipped';
}

interface EntityArgs {
  table: TableName;
  entity: 'customer' | 'booking' | 'payment';
  businessId: string;
  id: string;
  row: Record<string, Value> | null;
  specs: ColumnSpec[];
  claims: Map<string, Claim[]>;
  /** Columns computed outside survivorship (ids, foreign keys, fallbacks). */
  fixed: FieldChoice[];
  /** The fallback choice for a column no evidence speaks for, on insert; undefined when the column has none. */
  fallback: (column: string) => FieldChoice | undefined;
  evidence: Evidence[];
  ctx: SurvivorshipContext;
  thresholds: Thresholds;
  extraConflicts: Conflict[];
  dependsOn: string[];
  summary: (row: Record<string, Value>) => string;
  /** Multiplies the item's confidence (link probabilities, duplicate risk). */
  linkConfidence: number;
  /**
   * Columns that follow from others once survivorship has chosen (a payment's status from its refunds, a booking's
   * completion from its end): the choices returned replace those columns' own, and their conflicts.
   */
  adjust?: (chosen: ReadonlyMap<string, FieldChoice>) => FieldChoice[];
  /** How new the target row's content is, in ms, when its updated_at overstates it (see clockCompletedAt). */
  rowAt?: number;
}

function planEntity(a: EntityArgs): { item: PlanItem | null; rowAfter: Record<string, Value> } {
  const decisions: { spec: ColumnSpec; d: FieldDecision }[] = [];
  for (const spec of a.specs) {
    if (spec.insertOnly && a.row) continue;
    const d = chooseField({
      entity: a.entity,
      field: spec.field,
      column: spec.column,
      kind: spec.kind,
      claims: a.claims.get(spec.column) ?? [],
      target: targetClaim(a.row, spec.column, a.rowAt),
      ctx: a.ctx,
    });
    decisions.push({ spec, d });
  }
  if (a.adjust) {
    const chosen = new Map<string, FieldChoice>();
    for (const { spec, d } of decisions) {
      const choice = d.choice ?? a.fallback(spec.column);
      if (choice) chosen.set(spec.column, choice);
    }
    for (const replacement of a.adjust(chosen)) {
      const i = decisions.findIndex(({ spec }) => spec.column === replacement.column);
      if (i < 0) continue;
      const { spec, d } = decisions[i]!;
      const before = a.row ? canonicalValue(spec.column, a.row[spec.column]) : undefined;
      decisions[i] = {
        spec,
        d: { choice: replacement, changed: !a.row || before !== replacement.value, latestAt: d.latestAt },
      };
    }
  }
  const conflicts = [...a.extraConflicts, ...decisions.flatMap(({ d }) => (d.conflict ? [d.conflict] : []))];
  // Loops rather than spreads into Math.max and sets of a few ids: this runs for every planned entity.
  const evidenceIds = () => sortedUnique(a.evidence.map((e) => e.id));
  if (!a.row) {
    const fields: FieldChoice[] = [...a.fixed];
    for (const { spec, d } of decisions) {
      const choice = d.choice ?? a.fallback(spec.column) ?? derived(spec.column, null, 'no-evidence', 0.5);
      fields.push(choice);
    }
    let latest = 0;
    for (const { d } of decisions) latest = Math.max(latest, d.latestAt);
    for (const e of a.evidence) latest = Math.max(latest, Date.parse(e.observedAt));
    const created = fields.find((f) => f.column === 'created_at');
    const updatedAt = new Date(latest || Date.parse(String(created?.value ?? 0))).toISOString();
    fields.push(derived('updated_at', updatedAt, 'latest-observation', 1));
    const row: Record<string, Value> = {};
    for (const f of fields) row[f.column] = f.value;
    const confidence = round4(lowestMaterialConfidence(fields, Number.POSITIVE_INFINITY) * a.linkConfidence);
    fields.sort((x, y) => compareText(x.column, y.column));
    const item: PlanItem = {
      kind: 'insert',
      id: itemId('insert', a.table, a.id, row),
      table: a.table,
      key: { id: a.id },
      businessId: a.businessId,
      confidence,
      disposition: dispositionOf(confidence, conflicts, a.thresholds),
      fields,
      evidenceIds: evidenceIds(),
      conflicts,
      dependsOn: sortedUnique([...a.dependsOn]),
      summary: a.summary(row),
      row,
    };
    return { item, rowAfter: row };
  }
  const fields: FieldChoice[] = [];
  for (const f of a.fixed) if (f.value !== a.row[f.column]) fields.push(f);
  for (const { d } of decisions) if (d.changed && d.choice) fields.push(d.choice);
  const rowAfter = { ...a.row };
  if (fields.length === 0) return { item: null, rowAfter };
  let latest = Date.parse(String(a.row.updated_at));
  for (const { d } of decisions) if (d.changed) latest = Math.max(latest, d.latestAt);
  fields.push(derived('updated_at', new Date(latest).toISOString(), 'latest-observation', 1));
  fields.sort((x, y) => compareText(x.column, y.column));
  const changes = fields.map((f) => ({ column: f.column, from: a.row![f.column] ?? null, to: f.value }));
  for (const c of changes) rowAfter[c.column] = c.to;
  const baseRowHash = hashRow(a.table, a.row);
  const confidence = round4(lowestMaterialConfidence(fields, 1) * a.linkConfidence);
  const fieldIds: string[] = [];
  for (const f of fields) for (const id of f.evidenceIds) fieldIds.push(id);
  const usedIds = sortedUnique(fieldIds);
  const item: PlanItem = {
    kind: 'update',
    id: itemId('update', a.table, a.id, { baseRowHash, changes }),
    table: a.table,
    key: { id: a.id },
    businessId: a.businessId,
    confidence,
    disposition: dispositionOf(confidence, conflicts, a.thresholds),
    fields,
    evidenceIds: usedIds.length > 0 ? usedIds : evidenceIds(),
    conflicts,
    dependsOn: sortedUnique([...a.dependsOn]),
    summary: a.summary(rowAfter),
    baseRowHash,
    changes,
  };
  return { item, rowAfter };
}

// Bookkeeping columns, and columns left empty because no source spoke of them, do not decide whether a person must
// look at an item: the item claims nothing there.
const IMMATERIAL = new Set(['created_at', 'updated_at', 'notes']);
function material(f: FieldChoice): boolean {
  return !IMMATERIAL.has(f.column) && !(f.rule === 'no-evidence' && f.value === null);
}

/** `Math.min(start, ...confidences of the material fields)`. */
function lowestMaterialConfidence(fields: readonly FieldChoice[], start: number): number {
  let low = start;
  for (const f of fields) if (material(f)) low = Math.min(low, f.confidence);
  return low;
}

function pushClaim(map: Map<string, Claim[]>, column: string, c: Claim | null): void {
  if (!c) return;
  const list = map.get(column);
  if (list) list.push(c);
  else map.set(column, [c]);
}

/**
 * A new customer existed by the time anything about them or their bookings and payments was seen: the account comes
 * first, then the booking. A Stripe Customer is often made later (at a later booking's card payment), so its creation
 * time stands only when nothing was seen well before it.
 */
// Systems stamp one moment (a sign-up, its first mail, its Stripe Customer) seconds to minutes apart.
const SAME_MOMENT_MS = 15 * 60_000;

function createdByFirstSeen(
  chosen: ReadonlyMap<string, FieldChoice>,
  c: CustomerCluster,
  toleranceMinutes: number,
  leadMs: number,
): FieldChoice[] {
  const current = chosen.get('created_at');
  const seen = earliestObservation(clusterEvidence(c), leadMs);
  if (seen.value === null) return [];
  // A source's own creation time minutes after the first mail is the same moment stamped twice: it stands.
  const sameMoment = Math.max(toleranceMinutes * 60_000, SAME_MOMENT_MS);
  if (
    current?.value &&
    Date.parse(String(current.value)) <= Date.parse(String(seen.value)) + leadMs + sameMoment
  )
    return [];
  return [
    {
      ...seen,
      explanation:
        current?.value != null
          ? `the first observation of this customer or their bookings (${seen.evidenceIds[0]}) predates the creation time a source gave (${String(current.value)}); a customer exists before their first booking`
          : seen.explanation,
      alternatives: current?.value != null ? [...current.alternatives, altOf(current)] : [],
    },
  ];
}

function clusterEvidence(c: CustomerCluster): Evidence[] {
  return [...c.evidence, ...c.bookings.flatMap((b) => b.evidence), ...c.payments.flatMap((p) => p.evidence)];
}

/**
 * Visits what clusterEvidence lists, in the same order, without copying it: signUpLead and planCustomer read every
 * cluster's evidence once, and the copies showed in GC time at a million evidence items.
 */
function eachClusterEvidence(c: CustomerCluster, visit: (ev: Evidence) => void): void {
  for (const ev of c.evidence) visit(ev);
  for (const b of c.bookings) for (const ev of b.evidence) visit(ev);
  for (const p of c.payments) for (const ev of p.evidence) visit(ev);
}

// Fewer restored customers than this first seen inside the evidence window, and no lead is learned.
const SIGN_UP_LEAD_SAMPLES = 5;
// A longer median gap says the sample is not sign-ups followed by a booking: no lead is learned either.
const SIGN_UP_LEAD_MAX_MS = 60 * 60_000;

/**
 * How long before their first observation a person's account is made, learned from the business's own restored
 * customers that were created after its evidence begins (so the workspace holds their first observation): the
 * median gap between their created_at and that observation. People sign up, then book, and the confirmation comes
 * after, so the earliest observation of a new customer is late by about this much. 0 when fewer than
 * SIGN_UP_LEAD_SAMPLES such customers exist or the median is negative or over SIGN_UP_LEAD_MAX_MS.
 */
export function signUpLead(clusters: readonly CustomerCluster[]): number {
  let windowStart = Number.POSITIVE_INFINITY;
  const firstSeen = new Map<CustomerCluster, number>();
  for (const c of clusters) {
    let first = Number.POSITIVE_INFINITY;
    eachClusterEvidence(c, (ev) => {
      first = Math.min(first, seenAt(ev));
    });
    firstSeen.set(c, first);
    windowStart = Math.min(windowStart, first);
  }
  const gaps: number[] = [];
  for (const c of clusters) {
    if (!c.row) continue;
    const created = Date.parse(c.row.created_at);
    const first = firstSeen.get(c)!;
    if (Number.isFinite(first) && created >= windowStart) gaps.push(first - created);
  }
  if (gaps.length < SIGN_UP_LEAD_SAMPLES) return 0;
  gaps.sort((x, y) => x - y);
  const mid = gaps.length >> 1;
  const median = gaps.length % 2 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
  return median > 0 && median <= SIGN_UP_LEAD_MAX_MS ? Math.round(median / 1000) * 1000 : 0;
}

function altOf(f: FieldChoice): Alternative {
  return { value: f.value, evidenceIds: f.evidenceIds, sources: [], confidence: f.confidence };
}

/**
 * When an evidence shows its subject existed: its observation, or the creation of the booking or payment it describes
 * when the source dates that earlier (a calendar entry made with the booking and edited since is observed at its
 * last edit).
 */
function seenAt(ev: Evidence): number {
  const observed = Date.parse(ev.observedAt);
  const created = ev.entity === 'customer' ? Number.NaN : Date.parse(ev.fields.createdAt ?? '');
  return Number.isNaN(created) ? observed : Math.min(created, observed);
}

function earliestObservation(evidence: Evidence[], leadMs = 0): FieldChoice {
  let first: Evidence | undefined;
  let firstAt = Number.POSITIVE_INFINITY;
  for (const ev of evidence) {
    const at = seenAt(ev);
    if (at < firstAt || (at === firstAt && first && compareText(ev.id, first.id) < 0))
      [first, firstAt] = [ev, at];
  }
  return derived(
    'created_at',
    first ? new Date(firstAt - leadMs).toISOString() : null,
    'earliest-observation',
    0.9,
    first ? [first.id] : [],
    leadMs > 0
      ? `no source gave a creation time; the earliest observation less ${Math.round(leadMs / 1000)} s stands in for it (the median gap between sign-up and first observation of this business's restored customers)`
      : 'no source gave a creation time; the earliest observation stands in for it',
  );
}

/** The Stripe Customers among `evidence` that were created at or after `since`. */
function stripeCustomersMadeSince(evidence: Iterable<Evidence>, since: string): Set<string> {
  const made = new Set<string>();
  const at = Date.parse(since);
  for (const ev of evidence)
    if (
      ev.entity === 'customer' &&
      ev.source.kind === 'stripe' &&
      ev.fields.stripeCustomerId === ev.source.objectId &&
      ev.fields.createdAt &&
      Date.parse(ev.fields.createdAt) >= at
    )
      made.add(ev.source.objectId);
  return made;
}

/** Plans one customer: an insert for a new person, an update for changed contact details, or nothing. */
export function planCustomer(
  c: CustomerCluster,
  id: string,
  ctx: SurvivorshipContext,
  thresholds: Thresholds,
  signUpLeadMs = 0,
  liveSince?: string,
): EntityOutcome<CustomerRow> {
  const claims = new Map<string, Claim[]>();
  const evidence: Evidence[] = [...c.evidence];
  // A Customer that Checkout made for a guest is not the one the platform keeps on the person: set its id aside,
  // whichever evidence names it (the charge and payment intent of a guest checkout do not say it was one).
  const guestIds = new Set<string>();
  eachClusterEvidence(c, (ev) => {
    if ('stripeCustomerGuest' in ev.fields && ev.fields.stripeCustomerGuest && ev.fields.stripeCustomerId)
      guestIds.add(ev.fields.stripeCustomerId);
  });
  // A Stripe Customer the platform made for a person it already had, after it went live again on the restored
  // database (`liveSince`): the live platform wrote that row itself, so whether the row keeps the id is its call.
  const liveMade = c.row && liveSince ? stripeCustomersMadeSince(clusterEvidence(c), liveSince) : undefined;
  const stripeClaim = (o: ClaimOrigin, id: string | undefined) =>
    id && (guestIds.has(id) || liveMade?.has(id)) ? null : claimOf(o, 'stripe_customer_id', id);
  for (const ev of c.evidence) {
    const o = originOf(ev);
    pushClaim(claims, 'full_name', claimOf(o, 'full_name', ev.fields.fullName));
    pushClaim(claims, 'email', claimOf(o, 'email', ev.fields.email));
    pushClaim(claims, 'phone', claimOf(o, 'phone', ev.fields.phone));
    pushClaim(claims, 'stripe_customer_id', stripeClaim(o, ev.fields.stripeCustomerId));
    pushClaim(claims, 'created_at', claimOf(o, 'created_at', ev.fields.createdAt));
  }
  for (const b of c.bookings)
    for (const ev of b.evidence) {
      if (
        !ev.fields.customerName &&
        !ev.fields.customerEmail &&
        !ev.fields.customerPhone &&
        !ev.fields.stripeCustomerId
      )
        continue;
      evidence.push(ev);
      const o = originOf(ev);
      pushClaim(claims, 'full_name', claimOf(o, 'full_name', ev.fields.customerName));
      pushClaim(claims, 'email', claimOf(o, 'email', ev.fields.customerEmail));
      pushClaim(claims, 'phone', claimOf(o, 'phone', ev.fields.customerPhone));
      pushClaim(claims, 'stripe_customer_id', stripeClaim(o, ev.fields.stripeCustomerId));
    }
  for (const p of c.payments)
    for (const ev of p.evidence) {
      if (!ev.fields.customerEmail && !ev.fields.stripeCustomerId) continue;
      evidence.push(ev);
      const o = originOf(ev);
      pushClaim(claims, 'email', claimOf(o, 'email', ev.fields.customerEmail));
      pushClaim(claims, 'stripe_customer_id', stripeClaim(o, ev.fields.stripeCustomerId));
    }
  const row = c.row as unknown as Record<string, Value> | null;
  const extraConflicts: Conflict[] = [];
  if (!c.row && c.duplicateRisk >= 0.5) {
    extraConflicts.push({
      column: 'id',
      message: `may be the same person as another customer (match probability ${round4(c.duplicateRisk)}); kept apart`,
      alternatives: [],
    });
  }
  // Made only for a column that needs one: most columns have evidence, and an update keeps the row's values.
  const fallback = (column: string): FieldChoice | undefined => {
    switch (column) {
      case 'full_name':
        return derived('full_name', '', 'no-evidence', 0.3, [], 'no source named this person');
      case 'email':
        return derived('email', null, 'no-evidence', 0.9);
      case 'phone':
        return derived('phone', null, 'no-evidence', 0.9);
      case 'stripe_customer_id':
        return derived('stripe_customer_id', null, 'no-evidence', 0.95);
      case 'created_at':
        return earliestObservation(evidence, signUpLeadMs);
    }
    return undefined;
  };
  const fixed = c.row
    ? []
    : [
        derived(
          'id',
          id,
          c.evidence.some((e) => e.fields.customerId === id) ? 'original-id' : 'generated-id',
          1,
        ),
        derived('business_id', c.businessId, 'business', 1),
      ];
  // Whose names this record's are, for the spelling prior: every address it was seen with.
  const ownEmails = new Set<string>();
  for (const claim of claims.get('email') ?? []) ownEmails.add(String(claim.value).trim().toLowerCase());
  if (c.row?.email) ownEmails.add(c.row.email.trim().toLowerCase());
  const { item, rowAfter } = planEntity({
    table: 'customers',
    entity: 'customer',
    businessId: c.businessId,
    id,
    row,
    specs: CUSTOMER_COLUMNS,
    claims,
    fixed,
    fallback,
    evidence,
    ctx: { ...ctx, ownEmails },
    thresholds,
    extraConflicts,
    dependsOn: [],
    linkConfidence: c.linkConfidence,
    adjust: c.row
      ? undefined
      : (chosen) => createdByFirstSeen(chosen, c, ctx.tolerances.timeMinutes, signUpLeadMs),
    summary: (r) => `${c.row ? 'changed' : 'new'} customer ${r.full_name || r.email || id}`,
  });
  return {
    item,
    rowAfter: rowAfter as unknown as CustomerRow,
    id,
    status: c.row ? (item ? 'changed' : 'unchanged') : 'new',
  };
}

/** Plans one booking; `customer` is the planned id of its customer and the item that creates it (if new). */
export function planBooking(
  b: BookingCluster,
  id: string,
  customer: { id: string; itemId: string | null; confidence: number } | null,
  resolveResource: ResourceResolver,
  resourceNames: Map<string, string>,
  currency: string,
  paymentsTotal: PaymentsTotal | null,
  ctx: SurvivorshipContext,
  thresholds: Thresholds,
  extraConflicts: Conflict[],
  asOf: string,
  backupTakenAt?: string,
): EntityOutcome<BookingRow> & { problem?: string } {
  const claims = new Map<string, Claim[]>();
  const latestEnd = Math.max(0, ...b.evidence.map((ev) => Date.parse(ev.fields.endsAt ?? '') || 0));
  for (const ev of b.evidence) {
    const f = ev.fields;
    const o = originOf(ev);
    pushClaim(claims, 'reference', claimOf(o, 'reference', f.reference?.toUpperCase()));
    pushClaim(claims, 'resource_id', claimOf(o, 'resource_id', resolveResource(ev)));
    pushClaim(claims, 'starts_at', claimOf(o, 'starts_at', f.startsAt));
    pushClaim(claims, 'ends_at', claimOf(o, 'ends_at', f.endsAt));
    if (!isHousekeepingDelete(ev, latestEnd)) pushClaim(claims, 'status', claimOf(o, 'status', f.status));
    pushClaim(claims, 'total_amount', claimOf(o, 'total_amount', f.totalAmount));
    pushClaim(claims, 'currency', claimOf(o, 'currency', f.currency?.toLowerCase()));
    pushClaim(claims, 'notes', claimOf(o, 'notes', f.notes));
    pushClaim(claims, 'created_at', claimOf(o, 'created_at', f.createdAt));
  }
  const row = b.row as unknown as Record<string, Value> | null;
  if (!row) {
    if (!customer)
      return { item: null, rowAfter: null, id, status: 'skipped', problem: 'booking_without_customer' };
    if (!claims.get('resource_id'))
      return { item: null, rowAfter: null, id, status: 'skipped', problem: 'booking_without_resource' };
    if (!claims.get('starts_at') || !claims.get('ends_at'))
      return { item: null, rowAfter: null, id, status: 'skipped', problem: 'booking_without_times' };
  }
  // Made only for a column that needs one: most columns have evidence, and an update keeps the row's values.
  const fallback = (column: string): FieldChoice | undefined => {
    switch (column) {
      case 'reference':
        return derived(
          'reference',
          `BK-${hashValue(['reference', id]).slice(0, 6).toUpperCase()}`,
          'generated-reference',
          0.5,
          [],
          'no source gave a reference; a new one was made from the booking id',
        );
      case 'status':
        return derived('status', 'confirmed', 'default-status', 0.9, [], 'no source gave a status');
      case 'total_amount':
        return paymentsTotal
          ? derived(
              'total_amount',
              paymentsTotal.value,
              'sum-of-payments',
              paymentsTotal.confidence,
              paymentsTotal.evidenceIds,
              paymentsTotal.explanation,
            )
          : derived('total_amount', 0, 'no-evidence', 0.3);
      case 'currency':
        return derived('currency', currency, 'business-currency', 0.97);
      case 'notes':
        return derived('notes', null, 'no-evidence', 0.99);
      case 'created_at':
        return earliestObservation(b.evidence);
    }
    return undefined;
  };
  const fixed: FieldChoice[] = [];
  if (!row) {
    const original = b.evidence.some((e) => e.fields.bookingId?.toLowerCase() === id);
    fixed.push(derived('id', id, original ? 'original-id' : 'generated-id', 1));
    fixed.push(derived('business_id', b.businessId, 'business', 1));
    fixed.push(
      derived(
        'customer_id',
        customer!.id,
        'linked-customer',
        customer!.confidence,
        [],
        `person linked by ${b.linkRules.join(', ') || 'the booking itself'}`,
      ),
    );
  }
  const dependsOn = customer?.itemId && !row ? [customer.itemId] : [];
  const rowAt = b.row ? clockCompletedAt(b.row, backupTakenAt) : undefined;
  const { item, rowAfter } = planEntity({
    table: 'bookings',
    entity: 'booking',
    businessId: b.businessId,
    id,
    row,
    specs: BOOKING_COLUMNS,
    claims,
    fixed,
    fallback,
    evidence: b.evidence,
    ctx,
    thresholds,
    extraConflicts,
    dependsOn,
    linkConfidence: b.linkConfidence,
    // The live target's own clock completes its rows; salvage completes only what it inserts, and what it reopens
    // on a row that clock completed (a reschedule seen since the backup says 'confirmed' of a booking that ended).
    adjust: (chosen) =>
      !row || rowAt !== undefined || chosen.get('status')?.rule !== RULES.targetKept
        ? completedAfterEnd(chosen, asOf)
        : [],
    rowAt,
    summary: (r) =>
      `${row ? 'changed' : 'new'} booking ${r.reference}, ${resourceNames.get(String(r.resource_id)) ?? 'unknown resource'}, ${String(r.starts_at).slice(0, 10)} to ${String(r.ends_at).slice(0, 10)}${r.status === 'cancelled' ? ' (cancelled)' : ''}`,
  });
  return {
    item,
    rowAfter: rowAfter as unknown as BookingRow,
    id,
    status: row ? (item ? 'changed' : 'unchanged') : 'new',
  };
}

/** Plans one payment against its booking and customer (planned ids, and the items that create them if new). */
export function planPayment(
  p: PaymentCluster,
  id: string,
  booking: { id: string; itemId: string | null } | null,
  customer: { id: string; itemId: string | null } | null,
  currency: string,
  ctx: SurvivorshipContext,
  thresholds: Thresholds,
): EntityOutcome<PaymentRow> {
  const claims = new Map<string, Claim[]>();
  for (const ev of p.evidence) {
    const f = ev.fields;
    const o = originOf(ev);
    pushClaim(claims, 'amount', claimOf(o, 'amount', f.amount));
    pushClaim(claims, 'amount_refunded', claimOf(o, 'amount_refunded', f.amountRefunded));
    pushClaim(claims, 'currency', claimOf(o, 'currency', f.currency?.toLowerCase()));
    pushClaim(claims, 'status', claimOf(o, 'status', f.status));
    pushClaim(
      claims,
      'method',
      claimOf(o, 'method', f.method ?? (ev.source.kind === 'stripe' ? 'card' : undefined)),
    );
    pushClaim(
      claims,
      'stripe_payment_intent_id',
      claimOf(o, 'stripe_payment_intent_id', f.stripePaymentIntentId),
    );
    pushClaim(claims, 'stripe_charge_id', claimOf(o, 'stripe_charge_id', f.stripeChargeId));
    pushClaim(claims, 'paid_at', claimOf(o, 'paid_at', f.paidAt));
    pushClaim(claims, 'created_at', claimOf(o, 'created_at', f.createdAt));
  }
  const row = p.row as unknown as Record<string, Value> | null;
  // Made only for a column that needs one: most columns have evidence, and an update keeps the row's values.
  const fallback = (column: string): FieldChoice | undefined => {
    switch (column) {
      case 'amount':
        return derived('amount', 0, 'no-evidence', 0.3);
      case 'amount_refunded':
        return derived('amount_refunded', 0, 'no-refund-seen', 0.9);
      case 'currency':
        return derived('currency', currency, 'business-currency', 0.97);
      case 'status':
        return derived('status', 'succeeded', 'default-status', 0.7);
      case 'method':
        return derived('method', 'other', 'no-evidence', 0.6);
      case 'stripe_payment_intent_id':
        return derived('stripe_payment_intent_id', null, 'no-evidence', 0.99);
      case 'stripe_charge_id':
        return derived('stripe_charge_id', null, 'no-evidence', 0.99);
      case 'paid_at':
        return derived('paid_at', null, 'no-evidence', 0.9);
      case 'created_at':
        return earliestObservation(p.evidence);
    }
    return undefined;
  };
  const fixed: FieldChoice[] = [];
  if (!row) {
    fixed.push(
      derived(
        'id',
        id,
        p.evidence.some((e) => e.fields.paymentId === id) ? 'original-id' : 'generated-id',
        1,
      ),
    );
    fixed.push(derived('business_id', p.businessId, 'business', 1));
    fixed.push(
      derived(
        'booking_id',
        booking?.id ?? null,
        booking ? `booking-by-${p.bookingRule}` : 'no-booking-found',
        booking ? 0.99 : 0.8,
      ),
    );
    fixed.push(
      derived('customer_id', customer?.id ?? null, customer ? 'linked-customer' : 'no-customer-found', 0.97),
    );
  } else {
    // An existing payment gains a booking or customer only where it had none: never re-pointed silently.
    if (!p.row?.booking_id && booking)
      fixed.push(derived('booking_id', booking.id, `booking-by-${p.bookingRule}`, 0.99));
    if (!p.row?.customer_id && customer)
      fixed.push(derived('customer_id', customer.id, 'linked-customer', 0.97));
  }
  const dependsOn = [booking?.itemId, customer?.itemId].filter((x): x is string => Boolean(x));
  const { item, rowAfter } = planEntity({
    table: 'payments',
    entity: 'payment',
    businessId: p.businessId,
    id,
    row,
    specs: PAYMENT_COLUMNS,
    claims,
    fixed,
    fallback,
    evidence: p.evidence,
    ctx,
    thresholds,
    extraConflicts: [],
    dependsOn,
    linkConfidence: 1,
    adjust: statusFromRefunds,
    summary: (r) =>
      `${row ? 'changed' : 'new'} payment ${r.stripe_payment_intent_id ?? r.stripe_charge_id ?? id}, ${r.amount} ${r.currency}`,
  });
  return {
    item,
    rowAfter: rowAfter as unknown as PaymentRow,
    id,
    status: row ? (item ? 'changed' : 'unchanged') : 'new',
  };
}

/**
 * Staff tidy calendars by deleting events that are over, and a deleted Google event reads as cancelled. A booking is
 * not cancelled after it ended, so a calendar's cancellation observed after the end (its own, else the latest any
 * source gives) is housekeeping, not news about the booking.
 */
function isHousekeepingDelete(ev: BookingCluster['evidence'][number], latestEnd: number): boolean {
  if (ev.fields.status !== 'cancelled' || sourceGroup(ev.source.kind) !== 'calendar') return false;
  const end = Date.parse(ev.fields.endsAt ?? '') || latestEnd;
  return end > 0 && Date.parse(ev.observedAt) > end;
}

/**
 * The platform's clock completes a confirmed booking when it ends, stamping updated_at with the end. On a restored
 * row that ended after the backup, that stamp is the clock catching up, not news: the row holds what the backup
 * did, so evidence since the backup (a cancellation, a reschedule the backup never saw) is newer than it.
 */
function clockCompletedAt(row: BookingRow, backupTakenAt: string | undefined): number | undefined {
  if (!backupTakenAt || row.status !== 'completed') return undefined;
  const updated = Date.parse(row.updated_at);
  if (updated !== Date.parse(row.ends_at)) return undefined;
  const backup = Date.parse(backupTakenAt);
  return backup < updated ? backup : undefined;
}

/**
 * A lost confirmed booking that has ended by `asOf` is completed: the platform's own clock would have moved it there,
 * so no source says so. Cancelled and pending bookings stay as they are.
 */
function completedAfterEnd(chosen: ReadonlyMap<string, FieldChoice>, asOf: string): FieldChoice[] {
  const status = chosen.get('status');
  const ends = chosen.get('ends_at');
  if (status?.value !== 'confirmed' || typeof ends?.value !== 'string') return [];
  if (Date.parse(ends.value) > Date.parse(asOf)) return [];
  return [
    {
      ...status,
      value: 'completed',
      rule: 'completed-after-end',
      confidence: round4(Math.min(status.confidence, ends.confidence)),
      explanation: `confirmed, and it ended (${ends.value}) before the plan's time (${asOf})`,
    },
  ];
}

/**
 * A paid payment's status follows from its refunds: refunded in full, in part, or not at all. Stripe objects state
 * it differently (a payment intent stays 'succeeded' after a refund), so their status claims are not rivals.
 */
function statusFromRefunds(chosen: ReadonlyMap<string, FieldChoice>): FieldChoice[] {
  const status = chosen.get('status');
  const amount = chosen.get('amount');
  const refunded = chosen.get('amount_refunded');
  if (!status || !['succeeded', 'partially_refunded', 'refunded'].includes(String(status.value))) return [];
  if (typeof amount?.value !== 'number' || typeof refunded?.value !== 'number') return [];
  const value =
    refunded.value <= 0 ? 'succeeded' : refunded.value >= amount.value ? 'refunded' : 'partially_refunded';
  return [
    {
      ...status,
      value,
      rule: 'status-from-refunds',
      confidence: round4(Math.min(status.confidence, amount.confidence, refunded.confidence)),
      evidenceIds: [...new Set([...status.evidenceIds, ...refunded.evidenceIds])].sort(),
      alternatives: status.alternatives.filter((alt) => alt.value !== value),
      explanation: `paid; ${refunded.value} of ${amount.value} refunded`,
    },
  ];
}

/** A deterministic id for a new row, from the strongest key the evidence gives. */
export function newRowId(table: TableName, businessId: string, anchor: string): string {
  return deterministicUuid(`${table}:${businessId}:${anchor}`);
}

/** Survivorship config for a business: its own rules over the global ones. */
export function survivorshipFor(
  global: {
    survivorship: Record<string, SourceKind[]>;
    tolerances: { amountMinor: number; timeMinutes: number };
  },
  business:
    | { survivorship: Record<string, SourceKind[]>; tolerances: { amountMinor: number; timeMinutes: number } }
    | undefined,
): SurvivorshipContext {
  return {
    survivorship: { ...global.survivorship, ...(business?.survivorship ?? {}) },
    tolerances: {
      amountMinor: Math.max(global.tolerances.amountMinor, business?.tolerances.amountMinor ?? 0),
      timeMinutes: Math.max(global.tolerances.timeMinutes, business?.tolerances.timeMinutes ?? 0),
    },
  };
}
