import {
  type BookingFacts,
  type CompiledRule,
  type CustomerFacts,
  matchFirstRule,
  normalizeEmail,
  normalizeRuleFields,
  type RuleValueContext,
} from '@salvage/core';

/** What the text of a calendar entry is read with: the compiled rules, the reference pattern, the business zone. */
export interface TextReading {
  rules: readonly CompiledRule[];
  /** The business's booking reference pattern (BK-[A-Z0-9]{6}). */
  referencePattern: RegExp;
  values: RuleValueContext;
}

/** Facts read from a summary and description, and how: a configured rule, or a generic reference match. */
export interface TextFacts {
  booking: Partial<BookingFacts>;
  customer: Partial<CustomerFacts>;
  /** The rule that fired, or 'generic-reference'. */
  via?: string;
  /** The extractor confidence the reading deserves (the rule's, or 0.6 for a bare reference match). */
  confidence?: number;
  issues: string[];
}

/** The generic reference confidence: a pattern match in free text, not a template (see the evidence conventions). */
export const GENERIC_REFERENCE_CONFIDENCE = 0.6;

/**
 * Reads an event's summary and description through the shared rules engine (match.summary tests the summary; field
 * patterns search summary and description), falling back to the business's reference pattern. Pure.
 */
export function readBookingText(
  summary: string | undefined,
  description: string | undefined,
  reading: TextReading,
): TextFacts {
  const text = [summary ?? '', description ?? ''].join('\n');
  const doc = summary === undefined ? { text, subject: '' } : { text, summary, subject: summary };
  const match = matchFirstRule(reading.rules, doc);
  if (match && Object.keys(match.fields).length > 0) {
    const n = normalizeRuleFields(match.fields, reading.values);
    return {
      booking: n.booking,
      customer: n.customer,
      via: match.rule,
      confidence: match.confidence,
      issues: n.issues.map((i) => `rule ${match.rule}: ${i.message}`),
    };
  }
  const reference = reading.referencePattern.exec(text)?.[0];
  if (!reference) return { booking: {}, customer: {}, issues: [] };
  return {
    booking: { reference },
    customer: {},
    via: 'generic-reference',
    confidence: GENERIC_REFERENCE_CONFIDENCE,
    issues: [],
  };
}

/** The customer among attendees: the first with an address that is not the organizer nor a room or resource. */
export function pickAttendee(
  attendees: readonly {
    email?: string | null;
    name?: string | null;
    self?: boolean | null;
    resource?: boolean | null;
    organizer?: boolean | null;
    role?: string | null;
  }[],
  organizerEmail: string | undefined,
): { email?: string; name?: string } | null {
  const organizer = organizerEmail ? normalizeEmail(organizerEmail) : null;
  for (const a of attendees) {
    if (a.self || a.resource || a.organizer || a.role === 'NON-PARTICIPANT') continue;
    const email = a.email ? normalizeEmail(a.email) : null;
    if (email && email === organizer) continue;
    if (!email && !a.name) continue;
    const out: { email?: string; name?: string } = {};
    if (email) out.email = email;
    if (a.name?.trim()) out.name = a.name.replace(/\s+/g, ' ').trim();
    return out;
  }
  return null;
}
