import {
  type EntityFacts,
  type EntityKind,
  type Evidence,
  type Extractor,
  evidenceId,
  fromUnixSeconds,
  normalizePhone,
  type SourceRef,
} from '@salvage/core';
import type { StripeConnectorConfig } from './stripe-config.ts';

/** The extractor every Stripe evidence names; bump the version when mapping changes what evidence says. */
export const STRIPE_EXTRACTOR: Extractor = { name: 'stripe', version: '5' };

/** A raw Stripe object as JSON gives it. */
export type StripeRaw = Record<string, unknown>;

/** What the mappers need to know besides the object: whose it is, and which version of it this is. */
export interface MapContext {
  businessId: string;
  /** Stripe account id, or 'platform' for the platform's own account. */
  account: string;
  config: Pick<
    StripeConnectorConfig,
    'metadataKeys' | 'referencePattern' | 'timezone' | 'defaultRegion' | 'includeTestMode'
  >;
  /** Which version: a content hash for listed objects, the event id for event snapshots. */
  version: string;
  /** Orders versions of one object: the pull's upper bound for listed objects, the event's created (ms) otherwise. */
  versionRank: number;
  /** When the state was observed; default the object's `created`. */
  observedAt?: string;
  /** The raw material the evidence points at. */
  rawRef: string | null;
}

/** A value the source gave: strings trimmed and non-empty, numbers finite. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
export function obj(v: unknown): StripeRaw | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as StripeRaw) : undefined;
}
/** An id whether the field holds the id or the expanded object. */
export function idOf(v: unknown): string | undefined {
  return str(v) ?? str(obj(v)?.id);
}
export function unixToIso(v: unknown): string | undefined {
  const n = num(v);
  return n === undefined || n <= 0 ? undefined : fromUnixSeconds(n);
}

/** Drops absent values: evidence never carries null as a guess. */
export function compact<T extends object>(fields: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(fields))
    if (v !== undefined && v !== null && v !== '') (out as StripeRaw)[k] = v;
  return out;
}

/** One evidence about `entity` read from `object` in this version. */
export function makeEvidence<E extends EntityKind>(
  ctx: MapContext,
  object: StripeRaw,
  entity: E,
  fields: Partial<EntityFacts[E]>,
  options: { confidence: number; note?: string; ordinal?: number },
): Evidence {
  const source: SourceRef = {
    kind: 'stripe',
    account: ctx.account,
    objectId: String(object.id),
    version: ctx.version,
    versionRank: ctx.versionRank,
  };
  const observedAt = ctx.observedAt ?? unixToIso(object.created) ?? new Date(ctx.versionRank).toISOString();
  return {
    id: evidenceId(source, entity, STRIPE_EXTRACTOR, options.ordinal ?? 0),
    businessId: ctx.businessId,
    source,
    entity,
    fields: compact(fields),
    observedAt,
    extractor: STRIPE_EXTRACTOR,
    confidence: options.confidence,
    rawRef: ctx.rawRef,
    ...(options.note ? { note: options.note } : {}),
  } as Evidence;
}

const phoneCache = new Map<string, string | null>();
/**
 * normalizePhone, remembered: a business's customers repeat the same few formats and numbers, and libphonenumber is
 * the costliest step of mapping. The cache is bounded (cleared past 10,000 entries), so memory stays flat.
 */
export function phoneOf(text: string, region: string): string | undefined {
  const key = `${region}|${text}`;
  let hit = phoneCache.get(key);
  if (hit === undefined) {
    if (phoneCache.size >= 10_000) phoneCache.clear();
    hit = normalizePhone(text, region);
    phoneCache.set(key, hit);
  }
  return hit ?? undefined;
}
