import {
  type BookingRow,
  type CustomerRow,
  normalizeEmail,
  normalizePhone,
  type PaymentRow,
  type TargetSnapshot,
} from '@salvage/core';

/**
 * Which truth record each rebuilt record stands for, found by natural keys only, never by ids salvage generated:
 * bookings by (business, reference); payments by Stripe payment intent, else Stripe charge, else (business, booking
 * reference, amount, paid_at); customers by (business, email), else (business, phone), else the truth customer most of
 * their bookings belong to. A key shared by several truth records matches none of them (the next key is tried).
 */
export interface RecordMatch {
  /** Rebuilt id -> truth id. */
  customers: Map<string, string>;
  bookings: Map<string, string>;
  payments: Map<string, string>;
}

/** Region used for phones when the business has none configured. */
const FALLBACK_REGION = 'US';

/** A phone as E.164 when it parses, else its digits: the same number written five ways compares equal. */
export function phoneKey(raw: string | null, region: string | undefined): string | null {
  if (!raw) return null;
  const e164 = normalizePhone(raw, region ?? FALLBACK_REGION);
  if (e164) return e164;
  const digits = raw.replace(/\D/g, '');
  return digits || null;
}

/** A phone's key for a business (see phoneKey), memoized: parsing with libphonenumber dominates scoring time. */
export type PhoneKeyOf = (raw: string | null, businessId: string) => string | null;

/** A memoized phoneKey over the businesses' default regions. */
export function createPhoneKey(phoneRegions: Record<string, string>): PhoneKeyOf {
  const memo = new Map<string, string | null>();
  return (raw, businessId) => {
    if (!raw) return null;
    const region = phoneRegions[businessId] ?? FALLBACK_REGION;
    const k = `${region}|${raw}`;
    let key = memo.get(k);
    if (key === undefined) {
      key = phoneKey(raw, region);
      memo.set(k, key);
    }
    return key;
  };
}

/** Keys to truth ids, keeping only keys that name exactly one truth record. */
class UniqueIndex {
  readonly #ids = new Map<string, string | null>();
  add(key: string | null, id: string): void {
    if (key === null) return;
    const seen = this.#ids.get(key);
    if (seen === undefined) this.#ids.set(key, id);
    else if (seen !== id) this.#ids.set(key, null);
  }
  get(key: string | null): string | undefined {
    if (key === null) return undefined;
    return this.#ids.get(key) ?? undefined;
  }
}

const bookingKey = (b: Pick<BookingRow, 'business_id' | 'reference'>): string =>
  `${b.business_id}|${b.reference.trim().toUpperCase()}`;

function paymentFallbackKey(p: PaymentRow, reference: string | undefined): string | null {
  if (reference === undefined) return null;
  const paid = p.paid_at === null ? 'unpaid' : new Date(p.paid_at).toISOString();
  return `${p.business_id}|${reference.trim().toUpperCase()}|${Number(p.amount)}|${paid}`;
}

/** Matches every rebuilt customer, booking and payment to the truth record it stands for, where there is one. */
export function matchRecords(
  truth: TargetSnapshot,
  rebuilt: TargetSnapshot,
  phoneRegions: Record<string, string> = {},
  phoneKeyOf: PhoneKeyOf = createPhoneKey(phoneRegions),
): RecordMatch {
  const bookings = matchBookings(truth.bookings, rebuilt.bookings);
  const payments = matchPayments(truth, rebuilt);
  const customers = matchCustomers(truth.customers, rebuilt, bookings, truth.bookings, phoneKeyOf);
  return { customers, bookings, payments };
}

function matchBookings(truth: BookingRow[], rebuilt: BookingRow[]): Map<string, string> {
  const index = new UniqueIndex();
  for (const t of truth) index.add(bookingKey(t), t.id);
  const out = new Map<string, string>();
  for (const r of rebuilt) {
    const id = index.get(bookingKey(r));
    if (id) out.set(r.id, id);
  }
  return out;
}

function matchPayments(truth: TargetSnapshot, rebuilt: TargetSnapshot): Map<string, string> {
  const truthRef = new Map(truth.bookings.map((b) => [b.id, b.reference]));
  const rebuiltRef = new Map(rebuilt.bookings.map((b) => [b.id, b.reference]));
  const byIntent = new UniqueIndex();
  const byCharge = new UniqueIndex();
  const byFallback = new UniqueIndex();
  for (const t of truth.payments) {
    byIntent.add(t.stripe_payment_intent_id, t.id);
    byCharge.add(t.stripe_charge_id, t.id);
    byFallback.add(paymentFallbackKey(t, t.booking_id ? truthRef.get(t.booking_id) : undefined), t.id);
  }
  const out = new Map<string, string>();
  for (const r of rebuilt.payments) {
    const id =
      byIntent.get(r.stripe_payment_intent_id) ??
      byCharge.get(r.stripe_charge_id) ??
      byFallback.get(paymentFallbackKey(r, r.booking_id ? rebuiltRef.get(r.booking_id) : undefined));
    if (id) out.set(r.id, id);
  }
  return out;
}

function matchCustomers(
  truth: CustomerRow[],
  rebuilt: TargetSnapshot,
  bookingMatch: Map<string, string>,
  truthBookings: BookingRow[],
  phoneKeyOf: PhoneKeyOf,
): Map<string, string> {
  const byEmail = new UniqueIndex();
  const scoped = (businessId: string, key: string | null) => (key === null ? null : `${businessId}|${key}`);
  for (const t of truth) byEmail.add(scoped(t.business_id, normalizeEmail(t.email)), t.id);
  // Built on first need: parsing every truth phone costs more than the rest of the match.
  let byPhone: UniqueIndex | undefined;
  const phoneIndex = (): UniqueIndex => {
    if (!byPhone) {
      byPhone = new UniqueIndex();
      for (const t of truth) byPhone.add(scoped(t.business_id, phoneKeyOf(t.phone, t.business_id)), t.id);
    }
    return byPhone;
  };
  const truthCustomerOfBooking = new Map(truthBookings.map((b) => [b.id, b.customer_id]));
  // Votes: rebuilt customer -> truth customer -> how many of its bookings belong to that truth customer.
  const votes = new Map<string, Map<string, number>>();
  for (const b of rebuilt.bookings) {
    const truthBooking = bookingMatch.get(b.id);
    const truthCustomer = truthBooking ? truthCustomerOfBooking.get(truthBooking) : undefined;
    if (!truthCustomer) continue;
    const tally = votes.get(b.customer_id) ?? new Map<string, number>();
    tally.set(truthCustomer, (tally.get(truthCustomer) ?? 0) + 1);
    votes.set(b.customer_id, tally);
  }
  const out = new Map<string, string>();
  for (const r of rebuilt.customers) {
    const id =
      byEmail.get(scoped(r.business_id, normalizeEmail(r.email))) ??
      (r.phone ? phoneIndex().get(scoped(r.business_id, phoneKeyOf(r.phone, r.business_id))) : undefined) ??
      majority(votes.get(r.id));
    if (id) out.set(r.id, id);
  }
  return out;
}

// The most frequent truth customer; ties go to the smallest id so the match is stable.
function majority(tally: Map<string, number> | undefined): string | undefined {
  if (!tally) return undefined;
  let best: string | undefined;
  let bestCount = 0;
  for (const [id, n] of tally) {
    if (n > bestCount || (n === bestCount && best !== undefined && id < best)) {
      best = id;
      bestCount = n;
    }
  }
  return best;
}
