import {
  type CompiledRule,
  compileRules,
  type ExtractionRule,
  matchFirstRule,
  normalizeRuleFields,
  type RuleCompileIssue,
  type RuleMatch,
} from '@salvage/core';
import { matchCounterpart } from './extract-generic.ts';
import { EXTRACTORS, type Observation } from './observation.ts';
import type { ParsedMessage } from './parse-message.ts';

/** Business settings template rules need to read values (times in its zone, money in its currency). */
export interface RuleExtractOptions {
  timezone: string;
  currency: string;
  defaultRegion: string;
  referencePattern: string;
  ownAddresses: ReadonlySet<string>;
  outbound: boolean;
}

const compiledCache = new WeakMap<
  readonly ExtractionRule[],
  { rules: CompiledRule[]; issues: RuleCompileIssue[] }
>();

/** The rules compiled once per config array (the shared engine in @salvage/core), with the ones that failed. */
export function compileEmailRules(rules: readonly ExtractionRule[]): {
  rules: CompiledRule[];
  issues: RuleCompileIssue[];
} {
  let c = compiledCache.get(rules);
  if (!c) {
    c = compileRules(rules);
    compiledCache.set(rules, c);
  }
  return c;
}

/** The rule document of a message: `From: Name <address>`, the subject, the text (or the HTML's) and forwarded parts. */
export function ruleDocument(message: ParsedMessage): { from: string; subject: string; text: string } {
  const first = message.from[0];
  return {
    from: first ? (first.name ? `${first.name} <${first.address}>` : first.address) : '',
    subject: message.subject,
    text: [message.text, ...message.forwardedText].filter(Boolean).join('\n\n'),
  };
}

/** Which configured rule fits the message, and the raw values it found (for `salvage rules test`). */
export function matchEmailRule(message: ParsedMessage, rules: readonly ExtractionRule[]): RuleMatch | null {
  return matchFirstRule(compileEmailRules(rules).rules, ruleDocument(message));
}

/**
 * Runs the configured template rules over a message: the first rule that fits (configs list specific templates
 * first) gives a booking observation at the rule's confidence, a customer one when it named the customer, and a
 * payment one for receipts. A template is the platform writing to the customer, so a customer the rule did not name
 * is the recipient. Pure.
 */
export function extractRules(
  message: ParsedMessage,
  rules: readonly ExtractionRule[],
  options: RuleExtractOptions,
): Observation[] {
  if (rules.length === 0) return [];
  const m = matchEmailRule(message, rules);
  if (!m) return [];
  const norm = normalizeRuleFields(m.fields, options);
  const extractor = EXTRACTORS.rule(m.rule);
  const booking = { ...norm.booking };
  const customer = { ...norm.customer };
  if (!booking.customerEmail) {
    const who = matchCounterpart(message, { ...options, outbound: true });
    if (who) {
      booking.customerEmail = who.address;
      customer.email ??= who.address;
      if (who.name && !booking.customerName) {
        booking.customerName = who.name;
        customer.fullName ??= who.name;
      }
    }
  }
  if (!booking.status) {
    if (m.kind === 'cancellation') booking.status = 'cancelled';
    else if (m.kind === 'confirmation' || m.kind === 'reschedule') booking.status = 'confirmed';
  }
  const issues = norm.issues.length ? `; unreadable: ${norm.issues.map((i) => i.field).join(', ')}` : '';
  const note = `rule ${m.rule} (${m.kind})${issues}`;
  const out: Observation[] = [];
  if (Object.keys(booking).length > 0)
    out.push({ entity: 'booking', fields: booking, extractor, confidence: m.confidence, note, rule: m.rule });
  if (customer.email || customer.phone)
    out.push({
      entity: 'customer',
      fields: customer,
      extractor,
      confidence: m.confidence,
      note,
      rule: m.rule,
    });
  if (m.kind === 'receipt' && booking.totalAmount !== undefined) {
    out.push({
      entity: 'payment',
      fields: {
        amount: booking.totalAmount,
        ...(booking.currency ? { currency: booking.currency } : {}),
        ...(booking.reference ? { bookingReference: booking.reference } : {}),
        ...(booking.customerEmail ? { customerEmail: booking.customerEmail } : {}),
        status: 'succeeded',
        ...(message.date ? { paidAt: message.date } : {}),
      },
      extractor,
      confidence: m.confidence,
      note,
      rule: m.rule,
    });
  }
  return out;
}
