import { EXTRACTORS, type Observation } from './observation.ts';
import type { MailAddress, ParsedMessage } from './parse-message.ts';

/** What the generic extractor needs: the business's reference pattern and its own addresses. */
export interface GenericExtractOptions {
  referencePattern: string;
  ownAddresses: ReadonlySet<string>;
  /** True for a Sent folder: the counterpart is the recipient, whoever the sender is. */
  outbound: boolean;
}

/** Confidence of a reference found by pattern anywhere in a message (contracts: ~0.6). */
export const GENERIC_REFERENCE_CONFIDENCE = 0.6;
/** Confidence that the counterpart's address and display name are the customer's. */
export const GENERIC_IDENTITY_CONFIDENCE = 0.7;

// Machine senders are never a customer.
const ROBOT = /^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)([+@.-]|$)/i;

/**
 * The customer this message is with: the sender of inbound mail, the first outside recipient of mail the business
 * sent. Null when every party is the business itself.
 */
export function matchCounterpart(message: ParsedMessage, options: GenericExtractOptions): MailAddress | null {
  const fromOwn = message.from.some((a) => options.ownAddresses.has(a.address));
  const outside = (list: MailAddress[]) =>
    list.find((a) => !options.ownAddresses.has(a.address) && !ROBOT.test(a.address)) ?? null;
  if (options.outbound || fromOwn) return outside(message.to) ?? outside(message.cc);
  return outside(message.from);
}

/** Every distinct reference in the subject, text, HTML and forwarded parts, in order of appearance. */
export function matchReferences(message: ParsedMessage, referencePattern: string): string[] {
  const re = new RegExp(referencePattern, 'gu');
  const seen = new Set<string>();
  const haystack = [message.subject, message.text, ...message.forwardedText].join('\n');
  for (const m of haystack.matchAll(re)) if (m[0]) seen.add(m[0]);
  return [...seen];
}

/**
 * Generic signals: for each reference the message names, a booking observation with the counterpart as customer
 * (0.6), and the counterpart's identity (0.7). Mail naming no reference yields nothing: a newsletter is not a
 * customer. Pure.
 */
export function extractGeneric(message: ParsedMessage, options: GenericExtractOptions): Observation[] {
  const references = matchReferences(message, options.referencePattern);
  if (references.length === 0) return [];
  const who = matchCounterpart(message, options);
  const out: Observation[] = [];
  for (const reference of references) {
    out.push({
      entity: 'booking',
      fields: {
        reference,
        ...(who ? { customerEmail: who.address } : {}),
        ...(who?.name ? { customerName: who.name } : {}),
      },
      extractor: EXTRACTORS.generic,
      confidence: GENERIC_REFERENCE_CONFIDENCE,
      note: `reference matched ${options.referencePattern}`,
      rule: 'generic',
    });
  }
  if (who) {
    out.push({
      entity: 'customer',
      fields: { email: who.address, ...(who.name ? { fullName: who.name } : {}) },
      extractor: EXTRACTORS.generic,
      confidence: GENERIC_IDENTITY_CONFIDENCE,
      note: options.outbound ? 'recipient of mail the business sent' : 'sender of mail naming a booking',
      rule: 'generic',
    });
  }
  return out;
}
