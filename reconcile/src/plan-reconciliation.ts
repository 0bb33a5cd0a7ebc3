import {
  type BookingRow,
  type Conflict,
  type CustomerRow,
  type Decision,
  type Diagnostic,
  ENTITY_KINDS,
  type Evidence,
  type EvidenceOf,
  hashValue,
  type PaymentRow,
  type Plan,
  type PlanItem,
  type ResourceRow,
  TABLES,
  type TargetSnapshot,
} from '@salvage/core';
import {
  newRowId,
  planBooking,
  planCustomer,
  planPayment,
  signUpLead,
  survivorshipFor,
} from './build-items.ts';
import { compareText } from './compare.ts';
import type { ReconcileInput } from './input.ts';
import { type BookingCluster, matchBookings } from './link-bookings.ts';
import { type CustomerCluster, matchCustomers } from './link-customers.ts';
import { matchPayments, type PaymentCluster } from './link-payments.ts';
import { namePrior } from './name-spelling.ts';
import { orderByText } from './order-by-text.ts';
import { paymentsTotal, paymentsTotalPrior } from './payments-total.ts';

/**
 * The engine's one entry point: from the restored target, the evidence and the rules, the plan of inserts and updates
 * (never deletes) with calibrated confidence, dispositions and explanations. Pure: the same input gives the same plan,
 * whatever the order of the evidence; nothing is read from a clock, a file or a database.
 */
export function planReconciliation(input: ReconcileInput): Plan {
  const diagnostics: Diagnostic[] = [];
  const evidence = collectEvidence(input.evidence, diagnostics);
  const businessIds = new Set(input.snapshot.businesses.map((b) => b.id));
  const configured = new Map(input.config.businesses.map((b) => [b.id, b]));
  const byBusiness = new Map<string, Evidence[]>();
  for (const ev of evidence) {
    if (!businessIds.has(ev.businessId)) {
      diagnostics.push({
        level: 'error',
        code: 'unknown_business',
        message: `evidence names business ${ev.businessId}, which the target does not hold; add it to the target or fix the connector's business id`,
        evidenceIds: [ev.id],
      });
      continue;
    }
    const list = byBusiness.get(ev.businessId);
    if (list) list.push(ev);
    else byBusiness.set(ev.businessId, [ev]);
  }

  // One pass over the snapshot, not one per business.
  const rowsOf = new Map<string, Pick<TargetSnapshot, 'customers' | 'bookings' | 'payments' | 'resources'>>();
  for (const id of businessIds) rowsOf.set(id, { customers: [], bookings: [], payments: [], resources: [] });
  for (const r of input.snapshot.customers) rowsOf.get(r.business_id)?.customers.push(r);
  for (const r of input.snapshot.bookings) rowsOf.get(r.business_id)?.bookings.push(r);
  for (const r of input.snapshot.payments) rowsOf.get(r.business_id)?.payments.push(r);
  for (const r of input.snapshot.resources) rowsOf.get(r.business_id)?.resources.push(r);
  // The spelling prior for names: every customer name read or restored, with the address it came with, across
  // businesses (names are not local), from the same fields planCustomer reads a name from.
  const prior = namePrior(namedAddresses(evidence, input.snapshot.customers));
  const items: PlanItem[] = [];
  const texts = new Map<string, string>();
  for (const business of [...input.snapshot.businesses].sort((a, b) => compareText(a.id, b.id))) {
    const businessId = business.id;
    const cfg = configured.get(businessId);
    const rows = rowsOf.get(businessId)!;
    // A loop, not push(...spread): a large business plans more items than a call may take arguments.
    for (const item of planBusiness({
      businessId,
      currency: cfg?.currency ?? business.currency,
      evidence: byBusiness.get(businessId) ?? [],
      ...rows,
      input,
      ctx: { ...survivorshipFor(input.config.rules, cfg?.rules), namePrior: prior },
      diagnostics,
      texts,
    }))
      items.push(item);
  }

  const tableOrder = (t: string) => TABLES.indexOf(t as (typeof TABLES)[number]);
  items.sort(
    (a, b) =>
      tableOrder(a.table) - tableOrder(b.table) ||
      compareText(a.businessId, b.businessId) ||
      compareText(a.key.id, b.key.id) ||
      compareText(a.id, b.id),
  );
  // Only a re-plan carries decisions over: the set of a million item ids is made for one alone.
  const ids = input.previous ? new Set(items.map((i) => i.id)) : new Set<string>();
  const carried: Decision[] = (input.previous?.decisions ?? [])
    .filter((d) => ids.has(d.itemId))
    .sort((a, b) => compareText(a.itemId, b.itemId) || compareText(a.at, b.at));
  if (input.previous) {
    diagnostics.push({
      level: 'info',
      code: 'decisions_carried_over',
      message: `${carried.length} of ${input.previous.decisions.length} decision(s) carried over from plan ${input.previous.plan.id}; the rest were on items that changed`,
    });
  }
  diagnostics.sort(
    (a, b) =>
      compareText(a.code, b.code) ||
      compareText(a.message, b.message) ||
      compareText((a.evidenceIds ?? []).join(), (b.evidenceIds ?? []).join()),
  );
  return {
    formatVersion: 1,
    id: hashValue(['plan', input.target, input.asOf, items.map((i) => i.id)]).slice(0, 32),
    asOf: input.asOf,
    target: input.target,
    items,
    diagnostics,
    ...(input.previous ? { decisions: carried } : {}),
  };
}

function collectEvidence(source: Iterable<Evidence>, diagnostics: Diagnostic[]): Evidence[] {
  const valid: Evidence[] = [];
  for (const ev of source) {
    const problem = validateEvidence(ev);
    if (problem) {
      diagnostics.push({
        level: 'warning',
        code: 'evidence_invalid',
        message: problem,
        evidenceIds: [String(ev?.id)],
      });
      continue;
    }
    valid.push(ev);
  }
  // Sorting by id makes every later step independent of the order evidence arrived in. The sort is stable, so copies
  // of one id stay in arrival order, and one pass keeps each id's newest observation (the first of equally new ones):
  // what a map by id gave, without a million-entry map.
  const sorted = orderByText(valid, (e) => e.id);
  const all: Evidence[] = [];
  for (const ev of sorted) {
    const last = all.length > 0 ? all[all.length - 1]! : undefined;
    if (last === undefined || last.id !== ev.id) all.push(ev);
    else if (last.observedAt < ev.observedAt) all[all.length - 1] = ev;
  }
  // An extractor that changed what it reads from an object bumps its version; re-pulling then stores the object's
  // evidence again under the new version. Only the newest extractor's reading of a source version speaks.
  const newest = new Map<string, string>();
  const readingOf = (ev: Evidence) =>
    `${ev.source.kind}|${ev.source.account}|${ev.source.objectId}|${ev.source.version}|${ev.entity}|${ev.extractor?.name}`;
  // Readings of different extractors never share a key, so only an extractor seen at more than one version can
  // supersede anything: the reading keys (a million strings at a million items, which showed in GC time) are built
  // for its evidence alone, each once.
  const versionsOf = new Map<string | undefined, string>();
  const revised = new Set<string | undefined>();
  for (const ev of all) {
    const name = ev.extractor?.name;
    const version = ev.extractor?.version ?? '';
    const seen = versionsOf.get(name);
    if (seen === undefined) versionsOf.set(name, version);
    else if (seen !== version) revised.add(name);
  }
  const keys = all.map((ev) => (revised.has(ev.extractor?.name) ? readingOf(ev) : null));
  for (let i = 0; i < all.length; i++) {
    const ev = all[i]!;
    const key = keys[i];
    if (key === null || key === undefined) continue;
    const seen = newest.get(key);
    if (seen === undefined || compareVersions(ev.extractor?.version ?? '', seen) > 0)
      newest.set(key, ev.extractor?.version ?? '');
  }
  const kept =
    revised.size === 0
      ? all
      : all.filter((ev, i) => {
          const key = keys[i];
          return key === null || key === undefined || newest.get(key) === (ev.extractor?.version ?? '');
        });
  if (kept.length < all.length) {
    diagnostics.push({
      level: 'info',
      code: 'evidence_superseded',
      message: `${all.length - kept.length} evidence item(s) read by an older version of their extractor were left out; a newer version read the same source objects`,
    });
  }
  return kept;
}

/** Orders dotted version strings numerically ('10' after '9', '1.2.0' after '1.2'); other text by code points. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) {
      if (Number(x) !== Number(y)) return Number(x) - Number(y);
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function validateEvidence(ev: Evidence): string | null {
  if (!ev || typeof ev.id !== 'string' || ev.id === '')
    return 'evidence without an id; re-run the connector that made it';
  if (!ENTITY_KINDS.includes(ev.entity)) return `evidence ${ev.id}: unknown entity '${String(ev.entity)}'`;
  if (!ev.source || typeof ev.source.kind !== 'string') return `evidence ${ev.id}: no source`;
  if (Number.isNaN(Date.parse(ev.observedAt)))
    return `evidence ${ev.id}: observedAt '${ev.observedAt}' is not an instant`;
  if (!ev.fields || typeof ev.fields !== 'object') return `evidence ${ev.id}: no fields`;
  for (const k of ['startsAt', 'endsAt', 'paidAt', 'createdAt'] as const) {
    const v = (ev.fields as Record<string, unknown>)[k];
    if (v !== undefined && (typeof v !== 'string' || Number.isNaN(Date.parse(v))))
      return `evidence ${ev.id}: field ${k} is not an instant; the extractor that made it needs fixing`;
  }
  return null;
}

interface BusinessArgs {
  businessId: string;
  currency: string;
  evidence: Evidence[];
  customers: CustomerRow[];
  bookings: BookingRow[];
  payments: PaymentRow[];
  resources: ResourceRow[];
  input: ReconcileInput;
  ctx: ReturnType<typeof survivorshipFor>;
  diagnostics: Diagnostic[];
  /** Explanations already written, for `shareTexts`. */
  texts: Map<string, string>;
}

function planBusiness(a: BusinessArgs): PlanItem[] {
  const { businessId, diagnostics } = a;
  const thresholds = a.input.config.thresholds;
  const bookingEv = a.evidence.filter((e): e is EvidenceOf<'booking'> => e.entity === 'booking');
  const paymentEv = a.evidence.filter((e): e is EvidenceOf<'payment'> => e.entity === 'payment');
  const customerEv = a.evidence.filter((e): e is EvidenceOf<'customer'> => e.entity === 'customer');

  const resourceById = new Map(a.resources.map((r) => [r.id.toLowerCase(), r]));
  const resourceByName = new Map<string, ResourceRow>();
  for (const r of a.resources) {
    resourceByName.set(r.name.trim().toLowerCase(), r);
    if (r.calendar_id) resourceByName.set(r.calendar_id.trim().toLowerCase(), r);
  }
  const resourceNames = new Map(a.resources.map((r) => [r.id, r.name]));
  const unresolved = new Set<string>();
  const resolveResource = (ev: EvidenceOf<'booking'>): string | null => {
    const f = ev.fields;
    const hit =
      (f.resourceId ? resourceById.get(f.resourceId.toLowerCase()) : undefined) ??
      (f.resourceName ? resourceByName.get(f.resourceName.trim().toLowerCase()) : undefined);
    if (!hit && (f.resourceId || f.resourceName)) unresolved.add(f.resourceName ?? f.resourceId ?? '');
    return hit?.id ?? null;
  };
  const customerById = new Map(a.customers.map((c) => [c.id, c]));

  const { clusters: bookingClusters, byKey } = matchBookings(
    businessId,
    a.bookings,
    bookingEv,
    resolveResource,
    customerById,
    diagnostics,
  );
  const paymentClusters = matchPayments(businessId, a.payments, paymentEv, byKey, diagnostics);
  const { clusters: customerClusters } = matchCustomers(
    businessId,
    a.customers,
    customerEv,
    bookingClusters,
    paymentClusters,
    diagnostics,
  );
  if (unresolved.size > 0) {
    diagnostics.push({
      level: 'warning',
      code: 'resource_unknown',
      message: `business ${businessId}: ${unresolved.size} resource name(s) in evidence match no resource in the target; add them or fix the calendar's resource in the config`,
    });
  }

  // Ids: the target row's, else an original id the evidence carries, else a hash of the strongest key.
  const usedIds = new Set<string>([
    ...a.customers.map((c) => c.id),
    ...a.bookings.map((b) => b.id),
    ...a.payments.map((p) => p.id),
  ]);
  const customerIdOf = new Map<CustomerCluster, string>();
  // Each cluster's anchor is computed once, for the order and for its id.
  const customersInOrder = sortClusters(customerClusters, customerAnchor);
  for (const { c, anchor } of customersInOrder) customerIdOf.set(c, c.row?.id ?? pickId(c, anchor, usedIds));
  const customerOfBooking = new Map<BookingCluster, CustomerCluster>();
  const customerOfPayment = new Map<PaymentCluster, CustomerCluster>();
  for (const c of customerClusters) {
    for (const b of c.bookings) customerOfBooking.set(b, c);
    for (const p of c.payments) customerOfPayment.set(p, c);
  }

  const items: PlanItem[] = [];
  const customerItem = new Map<CustomerCluster, string | null>();
  const customerConfidence = new Map<CustomerCluster, number>();
  const leadMs = signUpLead(customerClusters);
  if (leadMs > 0)
    diagnostics.push({
      level: 'info',
      code: 'sign_up_lead',
      message: `business ${businessId}: new customers without a source's creation time are dated ${Math.round(leadMs / 1000)} s before their first observation, the median gap for its restored customers first seen since the evidence begins`,
    });
  for (const { c } of customersInOrder) {
    const named =
      c.row ||
      c.evidence.length > 0 ||
      c.bookings.some((b) => b.evidence.length > 0 || b.row) ||
      c.payments.some((p) => p.evidence.length > 0);
    if (!named) continue;
    if (
      c.row &&
      c.evidence.length === 0 &&
      c.bookings.every((b) => b.evidence.length === 0) &&
      c.payments.every((p) => p.evidence.length === 0)
    )
      continue;
    if (
      !c.row &&
      c.bookings.length === 0 &&
      c.payments.length === 0 &&
      c.evidence.every((e) => !e.fields.email && !e.fields.fullName && !e.fields.phone)
    )
      continue;
    const out = planCustomer(
      c,
      customerIdOf.get(c)!,
      a.ctx,
      thresholds,
      leadMs,
      a.input.config.incident?.restoredAt,
    );
    customerItem.set(c, out.item && out.item.kind === 'insert' ? out.item.id : null);
    customerConfidence.set(c, out.item?.kind === 'insert' ? out.item.confidence : c.linkConfidence);
    if (out.item) items.push(shareTexts(out.item, a.texts));
  }

  // Bookings: plan each, then look for one resource held twice at once.
  const totalPrior = paymentsTotalPrior(a.bookings, a.payments);
  const paymentsOf = new Map<BookingCluster, PaymentCluster[]>();
  for (const p of paymentClusters) {
    if (!p.booking) continue;
    const list = paymentsOf.get(p.booking);
    if (list) list.push(p);
    else paymentsOf.set(p.booking, [p]);
  }
  const bookingOut = new Map<BookingCluster, { id: string; itemId: string | null; row: BookingRow | null }>();
  const planned: {
    cluster: BookingCluster;
    id: string;
    run: (extra: Conflict[]) => ReturnType<typeof planBooking>;
  }[] = [];
  const untouched: { id: string; row: BookingRow }[] = [];
  for (const { c: b, anchor } of sortClusters(bookingClusters, bookingAnchor)) {
    if (b.evidence.length === 0) {
      // A row no evidence mentions stays as it is; it still counts for links and double bookings.
      if (b.row) {
        bookingOut.set(b, { id: b.row.id, itemId: null, row: b.row });
        untouched.push({ id: b.row.id, row: b.row });
      }
      continue;
    }
    const id = b.row?.id ?? bookingNewId(anchor, businessId, usedIds);
    const cc = customerOfBooking.get(b);
    const customer = cc
      ? {
          id: customerIdOf.get(cc)!,
          itemId: customerItem.get(cc) ?? null,
          confidence: cc.row
            ? cc.linkConfidence
            : Math.min(cc.linkConfidence, customerConfidence.get(cc) ?? 1),
        }
      : null;
    const total = paymentsTotal(paymentsOf.get(b) ?? [], totalPrior);
    planned.push({
      cluster: b,
      id,
      run: (extra) =>
        planBooking(
          b,
          id,
          customer?.id && (cc?.row || customerItem.has(cc!)) ? customer : null,
          resolveResource,
          resourceNames,
          a.currency,
          total,
          a.ctx,
          thresholds,
          extra,
          a.input.asOf,
          a.input.config.incident?.backupTakenAt,
        ),
    });
  }
  const first = planned.map((p) => ({ p, out: p.run([]) }));
  const overlaps = findDoubleBookings(
    [...first.map(({ p, out }) => ({ id: p.id, row: out.rowAfter })), ...untouched],
    a.bookings,
  );
  for (const { p, out: firstOut } of first) {
    const extra = overlaps.get(p.id) ?? [];
    const out = extra.length > 0 ? p.run(extra) : firstOut;
    if (out.problem) {
      diagnostics.push({
        level: 'warning',
        code: out.problem,
        message: `a booking seen in ${p.cluster.evidence.length} observation(s) could not be planned (${out.problem.replace(/_/g, ' ')}); review its evidence`,
        evidenceIds: p.cluster.evidence.map((e) => e.id).slice(0, 20),
      });
      continue;
    }
    if (extra.length > 0 && !out.item) {
      diagnostics.push({ level: 'warning', code: 'resource_double_booked', message: extra[0]!.message });
    }
    bookingOut.set(p.cluster, {
      id: p.id,
      itemId: out.item?.kind === 'insert' ? out.item.id : null,
      row: out.rowAfter,
    });
    if (out.item) items.push(shareTexts(out.item, a.texts));
  }

  for (const { c: p, anchor } of sortClusters(paymentClusters, paymentAnchor)) {
    if (p.evidence.length === 0) continue;
    const id = p.row?.id ?? paymentNewId(anchor, businessId, usedIds);
    const b = p.booking ? bookingOut.get(p.booking) : undefined;
    const cc = customerOfPayment.get(p) ?? (p.booking ? customerOfBooking.get(p.booking) : undefined);
    const customer =
      cc && (cc.row || customerItem.has(cc))
        ? { id: customerIdOf.get(cc)!, itemId: customerItem.get(cc) ?? null }
        : null;
    const out = planPayment(
      p,
      id,
      b ? { id: b.id, itemId: b.itemId } : null,
      customer,
      a.currency,
      a.ctx,
      thresholds,
    );
    if (out.item) items.push(shareTexts(out.item, a.texts));
  }
  holdCustomersWithTheirBookings(items);
  return items;
}

/**
 * A new customer no Stripe account vouches for, whose every booking and payment waits for a person, waits with
 * them: seen only through those doubtful records, written alone they would be a person nobody booked as (a calendar
 * entry's attendee for a booking that may be someone else's).
 */
function holdCustomersWithTheirBookings(items: PlanItem[]): void {
  const dependents = new Map<string, PlanItem[]>();
  for (const item of items)
    for (const dep of item.dependsOn) {
      const list = dependents.get(dep);
      if (list) list.push(item);
      else dependents.set(dep, [item]);
    }
  for (const item of items) {
    if (item.table !== 'customers' || item.kind !== 'insert' || item.disposition !== 'auto') continue;
    if (item.row?.stripe_customer_id) continue;
    const deps = dependents.get(item.id);
    if (!deps || deps.some((d) => d.disposition === 'auto')) continue;
    item.conflicts.push({
      column: 'id',
      message: `known only through ${deps.map((d) => `${d.table} ${d.key.id}`).join(', ')}, which wait(s) for a person; held with them rather than written alone`,
      alternatives: [],
    });
    item.disposition = 'review';
  }
}

/**
 * Overlapping live bookings on one resource: a conflict on each booking involved. Resources the target already shows
 * holding overlapping bookings take several at once (rooms of a type, a fleet of kayaks) and raise nothing.
 */
function findDoubleBookings(
  rows: { id: string; row: BookingRow | null }[],
  target: BookingRow[],
): Map<string, Conflict[]> {
  const shared = new Set<string>();
  const byTarget = new Map<string, BookingRow[]>();
  for (const r of target) {
    if (r.status === 'cancelled') continue;
    const list = byTarget.get(r.resource_id);
    if (list) list.push(r);
    else byTarget.set(r.resource_id, [r]);
  }
  for (const [resource, list] of byTarget) {
    list.sort((x, y) => compareText(x.starts_at, y.starts_at));
    let end = '';
    for (const r of list) {
      if (end && r.starts_at < end) {
        shared.add(resource);
        break;
      }
      if (r.ends_at > end) end = r.ends_at;
    }
  }
  const byResource = new Map<string, { id: string; row: BookingRow }[]>();
  for (const { id, row } of rows) {
    if (!row || row.status === 'cancelled') continue;
    const list = byResource.get(row.resource_id);
    if (list) list.push({ id, row });
    else byResource.set(row.resource_id, [{ id, row }]);
  }
  const out = new Map<string, Conflict[]>();
  for (const [resource, list] of byResource) {
    if (shared.has(resource)) continue;
    list.sort((x, y) => compareText(x.row.starts_at, y.row.starts_at) || compareText(x.id, y.id));
    let open: { id: string; row: BookingRow } | null = null;
    for (const cur of list) {
      if (open && cur.row.starts_at < open.row.ends_at) {
        for (const [self, other] of [
          [cur, open],
          [open, cur],
        ] as const) {
          const conflicts = out.get(self.id) ?? [];
          conflicts.push({
            column: 'starts_at',
            message: `resource double-booked: overlaps booking ${other.row.reference} (${other.row.starts_at} to ${other.row.ends_at})`,
            alternatives: [],
          });
          out.set(self.id, conflicts);
        }
      }
      if (!open || cur.row.ends_at > open.row.ends_at) open = cur;
    }
  }
  return out;
}

/**
 * Makes the item's field explanations the same strings as equal ones already planned. Explanations repeat word for
 * word across items (a few thousand distinct among hundreds of thousands), and each was its own string built from
 * parts, which at a million evidence items was a large share of the plan's memory. The plan's JSON is unchanged.
 */
function shareTexts(item: PlanItem, texts: Map<string, string>): PlanItem {
  for (const f of item.fields) {
    if (f.explanation === undefined) continue;
    const shared = texts.get(f.explanation);
    if (shared === undefined) texts.set(f.explanation, f.explanation);
    else f.explanation = shared;
  }
  return item;
}

/** Clusters in the order of their anchors, each with its anchor. */
function sortClusters<T>(list: T[], anchor: (c: T) => string): { c: T; anchor: string }[] {
  return orderByText(
    list.map((c) => ({ c, anchor: anchor(c) })),
    (x) => x.anchor,
  );
}

function customerAnchor(c: CustomerCluster): string {
  if (c.row) return `0:${c.row.id}`;
  const ids = [
    ...c.evidence.map((e) => e.fields.customerId),
    ...c.bookings.flatMap((b) => b.evidence.map((e) => e.fields.customerId)),
    ...c.payments.flatMap((p) => p.evidence.map((e) => e.fields.customerId)),
  ]
    .filter((x): x is string => Boolean(x))
    .sort();
  if (ids[0]) return `1:${ids[0]}`;
  const stripe = [
    ...c.evidence.map((e) => e.fields.stripeCustomerId),
    ...c.bookings.flatMap((b) => b.evidence.map((e) => e.fields.stripeCustomerId)),
    ...c.payments.flatMap((p) => p.evidence.map((e) => e.fields.stripeCustomerId)),
  ]
    .filter((x): x is string => Boolean(x))
    .sort();
  if (stripe[0]) return `2:${stripe[0]}`;
  const emails = [
    ...c.evidence.map((e) => e.fields.email),
    ...c.bookings.flatMap((b) => b.evidence.map((e) => e.fields.customerEmail)),
    ...c.payments.flatMap((p) => p.evidence.map((e) => e.fields.customerEmail)),
  ]
    .filter((x): x is string => Boolean(x))
    .sort();
  if (emails[0]) return `3:${emails[0]}`;
  const refs = c.bookings.map(bookingAnchor).sort();
  if (refs[0]) return `4:${refs[0]}`;
  const evIds = [
    ...c.evidence.map((e) => e.id),
    ...c.payments.flatMap((p) => p.evidence.map((e) => e.id)),
  ].sort();
  return `5:${evIds[0] ?? ''}`;
}

function customerEvidenceIds(c: CustomerCluster): string[] {
  return [
    ...c.evidence.map((e) => e.id),
    ...c.bookings.flatMap((b) => b.evidence.map((e) => e.id)),
    ...c.payments.flatMap((p) => p.evidence.map((e) => e.id)),
  ].sort();
}

function pickId(c: CustomerCluster, anchor: string, used: Set<string>): string {
  if (anchor.startsWith('1:') && !used.has(anchor.slice(2))) {
    used.add(anchor.slice(2));
    return anchor.slice(2);
  }
  let id = newRowId('customers', c.businessId, anchor);
  // Two people left apart may share an anchor (a family email): the second gets its own id from its evidence.
  if (used.has(id)) id = newRowId('customers', c.businessId, `${anchor}|${customerEvidenceIds(c)[0] ?? ''}`);
  used.add(id);
  return id;
}

function bookingAnchor(b: BookingCluster): string {
  if (b.row) return `0:${b.row.id}`;
  const ids = b.evidence
    .map((e) => e.fields.bookingId?.toLowerCase())
    .filter((x): x is string => Boolean(x))
    .sort();
  if (ids[0]) return `1:${ids[0]}`;
  const refs = b.evidence
    .map((e) => e.fields.reference?.toUpperCase())
    .filter((x): x is string => Boolean(x))
    .sort();
  if (refs[0]) return `2:${refs[0]}`;
  const uids = b.evidence
    .map((e) => e.fields.calendarUid)
    .filter((x): x is string => Boolean(x))
    .sort();
  if (uids[0]) return `3:${uids[0]}`;
  return `4:${b.evidence.map((e) => e.id).sort()[0] ?? ''}`;
}

function bookingNewId(anchor: string, businessId: string, used: Set<string>): string {
  if (anchor.startsWith('1:') && /^[0-9a-f-]{36}$/.test(anchor.slice(2)) && !used.has(anchor.slice(2))) {
    used.add(anchor.slice(2));
    return anchor.slice(2);
  }
  const id = newRowId('bookings', businessId, anchor);
  used.add(id);
  return id;
}

function paymentAnchor(p: PaymentCluster): string {
  if (p.row) return `0:${p.row.id}`;
  const keys = p.evidence
    .flatMap((e) => [
      e.fields.paymentId && `1:${e.fields.paymentId}`,
      e.fields.stripePaymentIntentId && `2:${e.fields.stripePaymentIntentId}`,
      e.fields.stripeChargeId && `3:${e.fields.stripeChargeId}`,
    ])
    .filter((x): x is string => Boolean(x))
    .sort();
  return keys[0] ?? `4:${p.evidence.map((e) => e.id).sort()[0] ?? ''}`;
}

function paymentNewId(anchor: string, businessId: string, used: Set<string>): string {
  if (anchor.startsWith('1:') && /^[0-9a-f-]{36}$/.test(anchor.slice(2)) && !used.has(anchor.slice(2))) {
    used.add(anchor.slice(2));
    return anchor.slice(2);
  }
  const id = newRowId('payments', businessId, anchor);
  used.add(id);
  return id;
}

/** (name, email) pairs of every customer mention and restored customer, read as they are iterated. */
function* namedAddresses(evidence: Evidence[], rows: CustomerRow[]): Generator<[string, string]> {
  for (const ev of evidence) {
    const f = ev.fields as {
      fullName?: string;
      customerName?: string;
      email?: string;
      customerEmail?: string;
    };
    const name = ev.entity === 'customer' ? f.fullName : ev.entity === 'booking' ? f.customerName : undefined;
    const email = ev.entity === 'customer' ? f.email : f.customerEmail;
    if (name && email) yield [name, email];
  }
  for (const r of rows) if (r.full_name && r.email) yield [r.full_name, r.email];
}
