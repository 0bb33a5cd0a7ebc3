import { type CustomerRow, type Diagnostic, type EvidenceOf, normalizeEmail } from '@salvage/core';
import {
  blockPairs,
  type FsModel,
  type LinkRecord,
  scorePair,
  trainFellegiSunter,
} from './fellegi-sunter.ts';
import { normalizeName } from './jaro-winkler.ts';
import { type BookingCluster, mergeRules } from './link-bookings.ts';
import type { PaymentCluster } from './link-payments.ts';
import { UnionFind } from './union-find.ts';

/** One person as linking found them: the target row (if any) and everything that names them. */
export interface CustomerCluster {
  businessId: string;
  row: CustomerRow | null;
  evidence: EvidenceOf<'customer'>[];
  bookings: BookingCluster[];
  payments: PaymentCluster[];
  /** Lowest match probability among the probabilistic links that built the cluster (1 when none were needed). */
  linkConfidence: number;
  /** Highest probability that this person is also someone kept apart (a possible duplicate). */
  duplicateRisk: number;
  linkRules: string[];
}

/** Probability at or above which two records are merged. */
export const MATCH_THRESHOLD = 0.9;
/** Probability at or above which records left apart are flagged as possible duplicates. */
export const POSSIBLE_DUPLICATE = 0.5;

type Node =
  | { kind: 'row'; row: CustomerRow }
  | { kind: 'customer'; ev: EvidenceOf<'customer'> }
  | { kind: 'booking'; cluster: BookingCluster }
  | { kind: 'payment'; cluster: PaymentCluster };

interface Aggregate {
  rowId: string | null;
  /** The platform's own customer ids the records carry (the row's id, metadata on Stripe objects and events). */
  accountIds: Set<string>;
  emails: Set<string>;
  phones: Set<string>;
  names: Set<string>;
  addresses: Set<string>;
}

/**
 * Links people: deterministic keys first (platform customer id, Stripe customer, exact email, the booking or payment a
 * mention belongs to), then a Fellegi-Sunter model trained on this business's own records, under constraints: two target
 * rows never merge, and two people with different emails and no shared phone stay apart.
 */
export function matchCustomers(
  businessId: string,
  rows: CustomerRow[],
  customerEvidence: EvidenceOf<'customer'>[],
  bookings: BookingCluster[],
  payments: PaymentCluster[],
  diagnostics: Diagnostic[],
): { clusters: CustomerCluster[]; model: FsModel | null } {
  const nodes: Node[] = [
    ...rows.map((row) => ({ kind: 'row' as const, row })),
    ...customerEvidence.map((ev) => ({ kind: 'customer' as const, ev })),
    // Rows nobody mentions add nothing to linking: their customer is already the row's.
    ...bookings
      .filter((c) => c.evidence.length > 0)
      .map((cluster) => ({ kind: 'booking' as const, cluster })),
    ...payments
      .filter((c) => c.evidence.length > 0)
      .map((cluster) => ({ kind: 'payment' as const, cluster })),
  ];
  const uf = new UnionFind(nodes.length);
  const agg = nodes.map(aggregateOf);
  const rules = new Map<number, Set<string>>();
  const linkConf = new Map<number, number>();
  const canJoin = (ra: number, rb: number, probabilistic: boolean): boolean => {
    const a = agg[ra]!;
    const b = agg[rb]!;
    if (a.rowId && b.rowId && a.rowId !== b.rowId) return false;
    if (!probabilistic) return true;
    // The platform itself kept them as two accounts: a look-alike (a shared household phone, a common name) does not
    // make them one. An exact key (an address, a Stripe Customer) still may: someone who signed up again.
    if (twoAccounts(a, b)) return false;
    const emailsApart = a.emails.size > 0 && b.emails.size > 0 && ![...a.emails].some((e) => b.emails.has(e));
    const sharePhone = [...a.phones].some((p) => b.phones.has(p));
    return !(emailsApart && !sharePhone);
  };
  const join = (x: number, y: number, rule: string, probability = 1): boolean => {
    const ra = uf.find(x);
    const rb = uf.find(y);
    if (ra === rb) return true;
    if (!canJoin(ra, rb, probability < 1)) return false;
    const root = uf.union(ra, rb);
    const other = root === ra ? rb : ra;
    const a = agg[root]!;
    const b = agg[other]!;
    a.rowId ??= b.rowId;
    for (const k of ['accountIds', 'emails', 'phones', 'names', 'addresses'] as const)
      for (const v of b[k]) addTo(a, k, v);
    rules.set(root, mergeRules(rules.get(root), rules.get(other), rule));
    linkConf.set(root, Math.min(linkConf.get(ra) ?? 1, linkConf.get(rb) ?? 1, probability));
    return true;
  };

  // Deterministic keys.
  const owner = new Map<string, number>();
  const bookingNode = new Map<BookingCluster, number>();
  nodes.forEach((node, i) => {
    if (node.kind === 'booking') bookingNode.set(node.cluster, i);
  });
  const keyed = (i: number, key: string, rule: string) => {
    const o = owner.get(key);
    if (o === undefined) owner.set(key, i);
    else if (!join(o, i, rule)) {
      diagnostics.push({
        level: 'warning',
        code: 'customer_keys_disagree',
        message: `evidence ties two existing customers together by ${rule}; kept apart`,
      });
    }
  };
  nodes.forEach((node, i) => {
    for (const { key, rule } of deterministicKeys(node)) keyed(i, key, rule);
    // The same normalized address is the same person (Splink's usual first deterministic rule); two target rows
    // sharing one stay apart (the guard in join), and so do people behind a shared address the rows tell apart.
    for (const email of agg[i]!.emails) keyed(i, `email:${email}`, 'email');
    if (node.kind === 'payment' && node.cluster.booking) {
      const b = bookingNode.get(node.cluster.booking);
      if (b !== undefined) join(i, b, 'payment-of-booking');
    }
  });

  // Probabilistic linkage over the deterministic clusters that name someone.
  const roots = [...new Set(nodes.map((_, i) => uf.find(i)))].sort((a, b) => a - b);
  const records: LinkRecord[] = roots.map((r) => {
    const a = agg[r]!;
    return {
      emails: [...a.emails].sort(),
      phones: [...a.phones].sort(),
      names: [...a.names].sort(),
      addresses: [...a.addresses].sort(),
    };
  });
  let model: FsModel | null = null;
  const risk = new Map<number, number>();
  if (records.length > 1) {
    const { byRule, skippedBlocks } = blockPairs(records);
    if (skippedBlocks > 0) {
      diagnostics.push({
        level: 'info',
        code: 'customer_blocks_skipped',
        message: `${skippedBlocks} blocking group(s) too large to compare pairwise (shared values such as a front-desk email)`,
      });
    }
    model = trainFellegiSunter(records, byRule);
    const seen = new Set<number>();
    const scored: { a: number; b: number; p: number }[] = [];
    for (const pairs of byRule.values())
      for (const [a, b] of pairs) {
        const id = a * records.length + b;
        if (seen.has(id)) continue;
        seen.add(id);
        const p = scorePair(model, records[a]!, records[b]!).probability;
        if (p >= POSSIBLE_DUPLICATE) scored.push({ a, b, p });
      }
    scored.sort((x, y) => y.p - x.p || x.a - y.a || x.b - y.b);
    for (const { a, b, p } of scored) {
      if (p >= MATCH_THRESHOLD && join(roots[a]!, roots[b]!, 'fellegi-sunter', p)) continue;
      if (uf.find(roots[a]!) === uf.find(roots[b]!)) continue;
      // Two accounts the platform kept itself are not a duplicate to review.
      if (twoAccounts(agg[uf.find(roots[a]!)]!, agg[uf.find(roots[b]!)]!)) continue;
      for (const x of [roots[a]!, roots[b]!]) risk.set(x, Math.max(risk.get(x) ?? 0, p));
    }
  }

  const clusters = new Map<number, CustomerCluster>();
  const rowById = new Map(rows.map((r) => [r.id, r]));
  nodes.forEach((node, i) => {
    const root = uf.find(i);
    let c = clusters.get(root);
    if (!c) {
      const a = agg[root]!;
      c = {
        businessId,
        row: a.rowId ? (rowById.get(a.rowId) ?? null) : null,
        evidence: [],
        bookings: [],
        payments: [],
        linkConfidence: linkConf.get(root) ?? 1,
        duplicateRisk: 0,
        linkRules: [...(rules.get(root) ?? [])].sort(),
      };
      clusters.set(root, c);
    }
    const r = risk.get(i);
    if (r !== undefined) c.duplicateRisk = Math.max(c.duplicateRisk, r);
    if (node.kind === 'customer') c.evidence.push(node.ev);
    else if (node.kind === 'booking') c.bookings.push(node.cluster);
    else if (node.kind === 'payment') c.payments.push(node.cluster);
  });
  return { clusters: [...clusters.values()], model };
}

function deterministicKeys(node: Node): { key: string; rule: string }[] {
  const keys: { key: string; rule: string }[] = [];
  const add = (prefix: string, v: string | null | undefined, rule: string) => {
    if (v) keys.push({ key: `${prefix}:${v.toLowerCase()}`, rule });
  };
  switch (node.kind) {
    case 'row':
      add('cid', node.row.id, 'customerId');
      add('scus', node.row.stripe_customer_id, 'stripeCustomerId');
      break;
    case 'customer':
      add('cid', node.ev.fields.customerId, 'customerId');
      add('scus', node.ev.fields.stripeCustomerId, 'stripeCustomerId');
      break;
    case 'booking':
      add('cid', node.cluster.row?.customer_id, 'customerId');
      for (const ev of node.cluster.evidence) {
        add('cid', ev.fields.customerId, 'customerId');
        add('scus', ev.fields.stripeCustomerId, 'stripeCustomerId');
      }
      break;
    case 'payment':
      add('cid', node.cluster.row?.customer_id, 'customerId');
      for (const ev of node.cluster.evidence) {
        add('cid', ev.fields.customerId, 'customerId');
        add('scus', ev.fields.stripeCustomerId, 'stripeCustomerId');
      }
      break;
  }
  return keys;
}

function aggregateOf(node: Node): Aggregate {
  const a: Aggregate = {
    rowId: null,
    accountIds: NONE,
    emails: NONE,
    phones: NONE,
    names: NONE,
    addresses: NONE,
  };
  switch (node.kind) {
    case 'row':
      a.rowId = node.row.id;
      addAccount(a, node.row.id);
      addEmail(a, node.row.email);
      addName(a, node.row.full_name);
      addPhone(a, node.row.phone);
      break;
    case 'customer':
      addAccount(a, node.ev.fields.customerId);
      addEmail(a, node.ev.fields.email);
      addName(a, node.ev.fields.fullName);
      addPhone(a, node.ev.fields.phone);
      if (node.ev.fields.address)
        addTo(a, 'addresses', node.ev.fields.address.toLowerCase().replace(/\s+/g, ' ').trim());
      break;
    case 'booking':
      addAccount(a, node.cluster.row?.customer_id);
      for (const ev of node.cluster.evidence) {
        addAccount(a, ev.fields.customerId);
        addEmail(a, ev.fields.customerEmail);
        addName(a, ev.fields.customerName);
        addPhone(a, ev.fields.customerPhone);
      }
      break;
    case 'payment':
      addAccount(a, node.cluster.row?.customer_id);
      for (const ev of node.cluster.evidence) {
        addAccount(a, ev.fields.customerId);
        addEmail(a, ev.fields.customerEmail);
      }
      break;
  }
  return a;
}

// Most nodes hold one or two of the five kinds of value: the others share one empty set, never added to, and a set of
// their own is made on the first add (five sets a node were the largest allocation in linking at 100k evidence).
const NONE: Set<string> = new Set();

function addTo(a: Aggregate, k: 'accountIds' | 'emails' | 'phones' | 'names' | 'addresses', v: string): void {
  if (a[k] === NONE) a[k] = new Set();
  a[k].add(v);
}

// Module-level rather than closures per node: tsx's keepNames wraps every named closure, which showed in profiles.
function addEmail(a: Aggregate, v: string | null | undefined): void {
  const e = normalizeEmail(v);
  if (e) addTo(a, 'emails', e);
}

/** True when both carry platform customer ids and share none: the platform kept them as two accounts. */
function twoAccounts(a: Aggregate, b: Aggregate): boolean {
  if (a.accountIds.size === 0 || b.accountIds.size === 0) return false;
  for (const id of a.accountIds) if (b.accountIds.has(id)) return false;
  return true;
}

function addAccount(a: Aggregate, v: string | null | undefined): void {
  if (v) addTo(a, 'accountIds', v.toLowerCase());
}

function addName(a: Aggregate, v: string | null | undefined): void {
  const n = v ? normalizeName(v) : '';
  if (n) addTo(a, 'names', n);
}

function addPhone(a: Aggregate, v: string | null | undefined): void {
  if (v) addTo(a, 'phones', v);
}
