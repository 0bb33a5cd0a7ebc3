import {
  type BookingFacts,
  type CustomerFacts,
  type Evidence,
  type Extractor,
  evidenceId,
  type SourceRef,
} from '@salvage/core';

/** The extractor stamped on calendar evidence; bump `version` when the mapping changes what it reads. */
export const CALENDAR_EXTRACTOR: Extractor = { name: 'calendar', version: '3' };

/** One calendar entry's observations before they become evidence. */
export interface CalendarObservation {
  businessId: string;
  source: SourceRef;
  observedAt: string;
  booking: Partial<BookingFacts>;
  customer: Partial<CustomerFacts>;
  confidence: number;
  rawRef: string | null;
  note?: string;
}

/**
 * A booking evidence, plus a customer evidence when the entry names a customer (email, name or phone). Ids are
 * stable: the same entry version always gives the same ids. Pure.
 */
export function buildEvidence(o: CalendarObservation): Evidence[] {
  const base = {
    businessId: o.businessId,
    source: o.source,
    observedAt: o.observedAt,
    extractor: CALENDAR_EXTRACTOR,
    confidence: Math.round(o.confidence * 1000) / 1000,
    rawRef: o.rawRef,
    ...(o.note ? { note: o.note } : {}),
  };
  const out: Evidence[] = [
    {
      ...base,
      id: evidenceId(o.source, 'booking', CALENDAR_EXTRACTOR),
      entity: 'booking',
      fields: o.booking,
    },
  ];
  if (o.customer.email || o.customer.fullName || o.customer.phone)
    out.push({
      ...base,
      id: evidenceId(o.source, 'customer', CALENDAR_EXTRACTOR),
      entity: 'customer',
      fields: o.customer,
    });
  return out;
}

/** Copies defined values only, so evidence never carries `undefined` for a fact the source did not give. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(value))
    if (v !== undefined && v !== null && v !== '') (out as Record<string, unknown>)[k] = v;
  return out;
}
