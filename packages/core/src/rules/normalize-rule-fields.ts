import type { BookingFacts, CustomerFacts } from '../evidence.ts';
import type { BookingStatus } from '../model.ts';
import { normalizeEmail } from '../normalize-email.ts';
import { parseMoney } from '../normalize-money.ts';
import { normalizePhone } from '../normalize-phone.ts';
import { isValidTimeZone, parseTimeInZone, parseWallTime } from '../normalize-time.ts';
import type { RuleField } from './compile-rules.ts';

/** The business settings needed to read rule values: its zone, currency and phone region. */
export interface RuleValueContext {
  timezone: string;
  currency: string;
  defaultRegion: string;
}

/** A value a rule found but that could not be read; the field is left out. No customer data in `message`. */
export interface RuleFieldIssue {
  field: RuleField;
  message: string;
}

/** Rule values read into evidence fields: booking facts, customer facts, and what could not be read. */
export interface NormalizedRuleFields {
  booking: Partial<BookingFacts>;
  customer: Partial<CustomerFacts>;
  issues: RuleFieldIssue[];
}

const STATUS_WORDS: [RegExp, BookingStatus][] = [
  [/cancel/i, 'cancelled'],
  [/confirm|booked|paid|accepted/i, 'confirmed'],
  [/pending|tentative|request|awaiting/i, 'pending'],
  [/complete|finished|done/i, 'completed'],
];

/** A booking status from the words people use (`Cancelled`, `canceled`, `Confirmed`, `tentative`), or null. */
export function parseStatusWord(text: string): BookingStatus | null {
  for (const [pattern, status] of STATUS_WORDS) if (pattern.test(text)) return status;
  return null;
}

/**
 * Reads a time as templates write it: `2026-05-03 14:00`, `2026-05-03T14:00:00+01:00`, `2026-05-03`, optionally
 * followed by an IANA zone in parentheses, which wins over `zone`. Wall times are read in the zone, never the
 * machine's. `dateOnly` says the text had no time of day.
 */
export function parseRuleTime(text: string, zone: string): { instant: string; dateOnly: boolean } | null {
  let body = text.trim();
  let useZone = zone;
  const named = /\s*\(([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*)\)\s*$/.exec(body);
  if (named?.[1] && isValidTimeZone(named[1])) {
    useZone = named[1];
    body = body.slice(0, named.index).trim();
  }
  const instant = parseTimeInZone(body, useZone);
  if (!instant) return null;
  const wall = parseWallTime(body);
  return { instant, dateOnly: wall !== null && !/\d:\d/.test(body) };
}

/**
 * Turns the raw strings a rule found into normalized facts: email lower case, phone E.164, money in minor units,
 * times as UTC instants. An unreadable value becomes an issue, never a guess. Pure.
 */
export function normalizeRuleFields(
  raw: Partial<Record<RuleField, string>>,
  ctx: RuleValueContext,
): NormalizedRuleFields {
  const booking: Partial<BookingFacts> = {};
  const customer: Partial<CustomerFacts> = {};
  const issues: RuleFieldIssue[] = [];
  const dateOnly: boolean[] = [];
  for (const [field, value] of Object.entries(raw) as [RuleField, string | undefined][]) {
    if (value === undefined) continue;
    switch (field) {
      case 'reference':
        booking.reference = value.trim().toUpperCase();
        break;
      case 'bookingId':
        booking.bookingId = value.trim();
        break;
      case 'resourceName':
        booking.resourceName = value.replace(/\s+/g, ' ').trim();
        break;
      case 'startsAt':
      case 'endsAt': {
        const t = parseRuleTime(value, ctx.timezone);
        if (!t) {
          issues.push({ field, message: `${field} is not a date or time salvage can read` });
          break;
        }
        booking[field] = t.instant;
        dateOnly.push(t.dateOnly);
        break;
      }
      case 'totalAmount': {
        const money = parseMoney(value, ctx.currency);
        if (!money) {
          issues.push({ field, message: 'totalAmount is not an amount salvage can read' });
          break;
        }
        booking.totalAmount = money.amountMinor;
        booking.currency = money.currency;
        break;
      }
      case 'customerName': {
        const name = value.replace(/\s+/g, ' ').trim();
        booking.customerName = name;
        customer.fullName = name;
        break;
      }
      case 'customerEmail': {
        const email = normalizeEmail(value.replace(/^mailto:/i, ''));
        if (!email) {
          issues.push({ field, message: 'customerEmail is not an email address' });
          break;
        }
        booking.customerEmail = email;
        customer.email = email;
        break;
      }
      case 'customerPhone': {
        const phone = normalizePhone(value, ctx.defaultRegion);
        if (!phone) {
          issues.push({ field, message: 'customerPhone is not a phone number' });
          break;
        }
        booking.customerPhone = phone;
        customer.phone = phone;
        break;
      }
      case 'notes': {
        // A note is free text: kept as written, whitespace folded; an empty one says nothing.
        const notes = value.replace(/\s+/g, ' ').trim();
        if (notes) booking.notes = notes;
        break;
      }
      case 'status': {
        const status = parseStatusWord(value);
        if (!status) {
          issues.push({
            field,
            message: 'status is not a booking status (confirmed, cancelled, pending...)',
          });
          break;
        }
        booking.status = status;
        break;
      }
    }
  }
  if (dateOnly.length > 0 && dateOnly.every(Boolean)) booking.allDay = true;
  return { booking, customer, issues };
}
