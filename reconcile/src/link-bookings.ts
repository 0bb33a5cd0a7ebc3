import type { BookingRow, CustomerRow, Diagnostic, EvidenceOf } from '@salvage/core';
import { jaroWinkler, normalizeName } from './jaro-winkler.ts';
import { UnionFind } from './union-find.ts';

/** One booking as linking found it: the target row (if any) and every observation of it. */
export interface BookingCluster {
  businessId: string;
  row: BookingRow | null;
  evidence: EvidenceOf<'booking'>[];
  /** How the members were tied together: 'bookingId', 'reference', 'calendarUid', 'fuzzy', 'restored-row-match'. */
  linkRules: string[];
  /** Probability that the members are one booking (1 for deterministic keys). */
  linkConfidence: number;
}

/** Resolves a resource named by evidence to its id in the target, or null when the business has no such resource. */
export type ResourceResolver = (ev: EvidenceOf<'booking'>) => string | null;

const UID_WITH_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@/i;

/**
 * The rules that tied a cluster, after a join: the surviving root's set with the other's and the join's own rule added,
 * in place (a new set per join was a set and two spreads for every key at a million evidence items).
 */
export function mergeRules(
  root: Set<string> | undefined,
  other: Set<string> | undefined,
  rule: string,
): Set<string> {
  const rules = root ?? new Set<string>();
  if (other) for (const r of other) rules.add(r);
  rules.add(rule);
  return rules;
}

/** Keys that identify a booking for certain: the platform id, the reference, the calendar UID. */
export function bookingKeys(fields: {
  bookingId?: string;
  reference?: string;
  calendarUid?: string;
}): { key: string; rule: string }[] {
  const keys: { key: string; rule: string }[] = [];
  if (fields.bookingId) keys.push({ key: `id:${fields.bookingId.toLowerCase()}`, rule: 'bookingId' });
  if (fields.reference) keys.push({ key: `ref:${fields.reference.toUpperCase()}`, rule: 'reference' });
  if (fields.calendarUid) {
    keys.push({ key: `uid:${fields.calendarUid}`, rule: 'calendarUid' });
    const m = UID_WITH_ID.exec(fields.calendarUid);
    if (m?.[1]) keys.push({ key: `id:${m[1].toLowerCase()}`, rule: 'calendarUid' });
  }
  return keys;
}

/**
 * Links one business's booking evidence to the target's bookings and to each other: deterministic keys first (never
 * joining two existing rows), then evidence without keys by resource, overlapping time, customer and amount, then
 * evidence-only bookings to rows staff re-entered on the restored database.
 */
export function matchBookings(
  businessId: string,
  rows: BookingRow[],
  evidence: EvidenceOf<'booking'>[],
  resolveResource: ResourceResolver,
  customerById: Map<string, CustomerRow>,
  diagnostics: Diagnostic[],
): { clusters: BookingCluster[]; byKey: Map<string, BookingCluster> } {
  const n = rows.length + evidence.length;
  const uf = new UnionFind(n);
  const rowOf = new Map<number, number>(); // root -> row index
  rows.forEach((_, i) => {
    rowOf.set(i, i);
  });
  const keyOwner = new Map<string, number>();
  const rulesOf = new Map<number, Set<string>>();
  const join = (a: number, b: number, rule: string, evidenceId?: string): void => {
    const ra = uf.find(a);
    const rb = uf.find(b);
    if (ra === rb) return;
    const rowA = rowOf.get(ra);
    const rowB = rowOf.get(rb);
    if (rowA !== undefined && rowB !== undefined) {
      diagnostics.push({
        level: 'warning',
        code: 'booking_keys_disagree',
        message: `evidence ties two existing bookings together by ${rule}; kept apart`,
        evidenceIds: evidenceId ? [evidenceId] : [],
      });
      return;
    }
    const root = uf.union(ra, rb);
    const row = rowA ?? rowB;
    if (row !== undefined) rowOf.set(root, row);
    rulesOf.set(root, mergeRules(rulesOf.get(root), rulesOf.get(root === ra ? rb : ra), rule));
  };
  const claim = (node: number, key: string, rule: string, evidenceId?: string): void => {
    const owner = keyOwner.get(key);
    if (owner === undefined) keyOwner.set(key, node);
    else join(owner, node, rule, evidenceId);
  };
  rows.forEach((r, i) => {
    claim(i, `id:${r.id.toLowerCase()}`, 'bookingId');
    claim(i, `ref:${r.reference.toUpperCase()}`, 'reference');
  });
  // Each evidence's keys are made once, for linking and again for byKey below.
  const keysOf = new Map<EvidenceOf<'booking'>, { key: string; rule: string }[]>();
  evidence.forEach((ev, j) => {
    const keys = bookingKeys(ev.fields);
    keysOf.set(ev, keys);
    for (const { key, rule } of keys) claim(rows.length + j, key, rule, ev.id);
  });

  const groups = new Map<number, { row: BookingRow | null; evidence: EvidenceOf<'booking'>[] }>();
  const groupOf = (node: number) => {
    const root = uf.find(node);
    let g = groups.get(root);
    if (!g) {
      const ri = rowOf.get(root);
      g = { row: ri === undefined ? null : rows[ri]!, evidence: [] };
      groups.set(root, g);
    }
    return g;
  };
  for (let i = 0; i < rows.length; i++) groupOf(i);
  evidence.forEach((ev, j) => {
    groupOf(rows.length + j).evidence.push(ev);
  });

  let clusters: BookingCluster[] = [...groups.entries()].map(([root, g]) => ({
    businessId,
    row: g.row,
    evidence: g.evidence,
    linkRules: [...(rulesOf.get(root) ?? [])].sort(),
    linkConfidence: 1,
  }));

  clusters = matchWithoutKeys(clusters, resolveResource, customerById);

  const byKey = new Map<string, BookingCluster>();
  for (const c of clusters) {
    if (c.row) {
      byKey.set(`id:${c.row.id.toLowerCase()}`, c);
      byKey.set(`ref:${c.row.reference.toUpperCase()}`, c);
    }
    for (const ev of c.evidence)
      for (const { key } of keysOf.get(ev) ?? bookingKeys(ev.fields)) if (!byKey.has(key)) byKey.set(key, c);
  }
  return { clusters, byKey };
}

interface Sketch {
  cluster: BookingCluster;
  resourceId: string | null;
  start: number;
  end: number;
  amount: number | null;
  strong: boolean;
  /** Emails and normalized names of the person, computed only when a candidate is scored. */
  people?: { emails: Set<string>; names: Set<string> };
}

function sketch(c: BookingCluster, resolveResource: ResourceResolver): Sketch {
  if (c.evidence.length === 0 && c.row) {
    return {
      cluster: c,
      resourceId: c.row.resource_id,
      start: Date.parse(c.row.starts_at),
      end: Date.parse(c.row.ends_at),
      amount: c.row.total_amount,
      strong: true,
    };
  }
  let withTime: EvidenceOf<'booking'> | undefined;
  let withResource: EvidenceOf<'booking'> | undefined;
  let resourceId: string | null = null;
  let amount: number | null = c.row?.total_amount ?? null;
  let strong = c.row !== null;
  for (const e of c.evidence) {
    if (e.fields.startsAt && e.fields.endsAt && (!withTime || e.observedAt > withTime.observedAt))
      withTime = e;
    if (!withResource || e.observedAt > withResource.observedAt) {
      const r = resolveResource(e);
      if (r !== null) {
        withResource = e;
        resourceId = r;
      }
    }
    if (amount === null && typeof e.fields.totalAmount === 'number') amount = e.fields.totalAmount;
    if (e.fields.bookingId || e.fields.reference) strong = true;
  }
  return {
    cluster: c,
    resourceId: c.row?.resource_id ?? resourceId,
    start: Date.parse(c.row?.starts_at ?? withTime?.fields.startsAt ?? ''),
    end: Date.parse(c.row?.ends_at ?? withTime?.fields.endsAt ?? ''),
    amount,
    strong,
  };
}

function peopleOf(
  s: Sketch,
  customerById: Map<string, CustomerRow>,
): { emails: Set<string>; names: Set<string> } {
  if (s.people) return s.people;
  const emails = new Set<string>();
  const names = new Set<string>();
  const rowCustomer = s.cluster.row ? customerById.get(s.cluster.row.customer_id) : undefined;
  if (rowCustomer?.email) emails.add(rowCustomer.email);
  if (rowCustomer?.full_name) names.add(normalizeName(rowCustomer.full_name));
  for (const e of s.cluster.evidence) {
    if (e.fields.customerEmail) emails.add(e.fields.customerEmail);
    if (e.fields.customerName) names.add(normalizeName(e.fields.customerName));
  }
  s.people = { emails, names };
  return s.people;
}

const DAY = 86_400_000;
// Stays longer than this are indexed by their first days only; candidates are still checked for real overlap.
const MAX_INDEXED_DAYS = 62;

function timed(s: Sketch): boolean {
  return s.resourceId !== null && Number.isFinite(s.start) && Number.isFinite(s.end);
}

/** Sketches by resource and day, so finding overlapping stays costs the stays of those days, not all of them. */
function dayIndex(list: Sketch[]): (s: Sketch) => Sketch[] {
  // Resource, then day number: no key string per stay and day.
  const index = new Map<string | null, Map<number, Sketch[]>>();
  for (const s of list) {
    const first = Math.floor(s.start / DAY);
    const last = Math.min(Math.floor(s.end / DAY), first + MAX_INDEXED_DAYS);
    let days = index.get(s.resourceId);
    if (!days) {
      days = new Map();
      index.set(s.resourceId, days);
    }
    for (let d = first; d <= last; d++) {
      const bucket = days.get(d);
      if (bucket) bucket.push(s);
      else days.set(d, [s]);
    }
  }
  return (s) => {
    const found = new Set<Sketch>();
    const days = index.get(s.resourceId);
    if (!days) return [];
    const first = Math.floor(s.start / DAY);
    const last = Math.min(Math.floor(s.end / DAY), first + MAX_INDEXED_DAYS);
    for (let d = first; d <= last; d++) {
      for (const c of days.get(d) ?? []) if (c !== s && c.start < s.end && s.start < c.end) found.add(c);
    }
    return [...found];
  };
}

function matchWithoutKeys(
  clusters: BookingCluster[],
  resolveResource: ResourceResolver,
  customerById: Map<string, CustomerRow>,
): BookingCluster[] {
  const sketches = clusters.map((c) => sketch(c, resolveResource));
  const people = (s: Sketch) => peopleOf(s, customerById);
  const absorbed = new Set<BookingCluster>();
  // Evidence with no key: the calendar event staff made by hand, a mail without a reference.
  const weak = sketches.filter((s) => !s.strong && timed(s));
  if (weak.length > 0) {
    const candidatesOf = dayIndex(sketches.filter((s) => s.strong && timed(s)));
    for (const s of weak) {
      const best = bestCandidate(s, candidatesOf(s), 3, people);
      if (!best) continue;
      best.target.cluster.evidence.push(...s.cluster.evidence);
      best.target.cluster.linkRules = [...new Set([...best.target.cluster.linkRules, 'fuzzy'])].sort();
      best.target.cluster.linkConfidence = Math.min(
        best.target.cluster.linkConfidence,
        best.score >= 5 ? 0.97 : 0.85,
      );
      absorbed.add(s.cluster);
    }
  }
  // Evidence-only bookings that staff re-entered on the restored database under a new reference.
  const free = sketches.filter((s) => s.cluster.row && s.cluster.evidence.length === 0 && timed(s));
  const orphans = sketches.filter((s) => !s.cluster.row && s.strong && !absorbed.has(s.cluster) && timed(s));
  if (free.length > 0 && orphans.length > 0) {
    const candidatesOf = dayIndex(free);
    for (const s of orphans) {
      const candidates = candidatesOf(s).filter((c) => c.cluster.row && !absorbed.has(c.cluster));
      const best = bestCandidate(s, candidates, 5, people);
      if (!best || !customerAgrees(people(s), people(best.target))) continue;
      best.target.cluster.evidence.push(...s.cluster.evidence);
      best.target.cluster.linkRules = [
        ...new Set([...best.target.cluster.linkRules, ...s.cluster.linkRules, 'restored-row-match']),
      ].sort();
      best.target.cluster.linkConfidence = Math.min(best.target.cluster.linkConfidence, 0.9);
      absorbed.add(s.cluster);
    }
  }
  return absorbed.size > 0 ? clusters.filter((c) => !absorbed.has(c)) : clusters;
}

function customerAgrees(
  a: { emails: Set<string>; names: Set<string> },
  b: { emails: Set<string>; names: Set<string> },
): boolean {
  for (const e of a.emails) if (b.emails.has(e)) return true;
  for (const x of a.names) for (const y of b.names) if (jaroWinkler(x, y) >= 0.9) return true;
  return false;
}

function bestCandidate(
  s: Sketch,
  candidates: Sketch[],
  minScore: number,
  people: (s: Sketch) => { emails: Set<string>; names: Set<string> },
): { target: Sketch; score: number } | null {
  const scored = candidates
    .map((c) => ({ target: c, score: similarity(s, c, people) }))
    .sort((a, b) => b.score - a.score);
  const first = scored[0];
  if (!first || first.score < minScore) return null;
  if (scored[1] && scored[1].score === first.score) return null;
  return first;
}

function similarity(
  a: Sketch,
  b: Sketch,
  people: (s: Sketch) => { emails: Set<string>; names: Set<string> },
): number {
  const pa = people(a);
  const pb = people(b);
  let score = 1;
  if (a.start === b.start && a.end === b.end) score += 2;
  if (pa.emails.size > 0 && pb.emails.size > 0)
    score += [...pa.emails].some((e) => pb.emails.has(e)) ? 3 : -3;
  if (pa.names.size > 0 && pb.names.size > 0) {
    let best = 0;
    for (const x of pa.names) for (const y of pb.names) best = Math.max(best, jaroWinkler(x, y));
    score += best >= 0.9 ? 2 : best < 0.7 ? -2 : 0;
  }
  if (a.amount !== null && b.amount !== null) score += a.amount === b.amount ? 1 : -1;
  return score;
}
