import type { PaymentMethod } from '@salvage/core';
import {
  BUSINESS_SPECS,
  type BusinessSpec,
  LESSON_HOUR,
  LESSON_HOURS,
  LESSON_WEEKDAY,
  PLATFORM_DOMAIN,
  type ResourceKind,
} from './catalog.ts';
import { type GenerateOptions, type Timeline, timelineOf } from './options.ts';
import {
  drawEmail,
  drawName,
  drawPhone,
  formatPhone,
  internationalWays,
  varyEmail,
  varyName,
} from './people.ts';
import { BASE32HEX, BASE62, createRng, type Rng } from './prng.ts';
import { instantOf, wallAt as wallTimeAt } from './zone-clock.ts';

/**
 * The simulated world as plain data: every business, resource, customer, booking and payment with its whole history
 * (reschedules, cancellations, refunds, disputes) and where each left traces. Pure: the writers render it into the
 * truth, the SQL dumps, Stripe objects, mailboxes and calendars. Instants are epoch milliseconds.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A bookable resource and its Google calendar. */
export interface SimResource {
  id: string;
  businessId: string;
  name: string;
  slug: string;
  kind: ResourceKind;
  priceMinor: number;
  /** Google calendar id (a group calendar address). */
  calendarId: string;
  createdMs: number;
}

/** A business on the platform: zone, currency, Stripe account, mailbox and resources. */
export interface SimBusiness {
  id: string;
  key: string;
  name: string;
  timezone: string;
  currency: string;
  defaultRegion: 'US' | 'PT' | 'GB';
  stripeAccount: string;
  /** The mailbox the platform sends from and customers reply to. */
  mailbox: string;
  createdMs: number;
  resources: SimResource[];
}

/** A person as the platform knows them (canonical name, email and E.164 phone). */
export interface SimCustomer {
  id: string;
  businessId: string;
  fullName: string;
  email: string;
  /** A second address the same person sometimes books with. */
  altEmail: string | null;
  /** E.164. */
  phone: string;
  createdMs: number;
  address: { line1: string; city: string; postal_code: string; country: string };
  /** The platform's saved Stripe customer, once a signed-in card checkout made one. */
  stripe: { id: string; createdMs: number } | null;
  /** 'restored': signed up again on the restored database after the incident (not in the truth). */
  origin: 'platform' | 'restored';
}

/** One version of a booking's time slot, and when it was set. */
export interface SimSchedule {
  /** When this schedule was set (creation or reschedule). */
  atMs: number;
  startsMs: number;
  endsMs: number;
}

/** A refund of part or all of a payment. */
export interface SimRefund {
  id: string;
  atMs: number;
  amountMinor: number;
  reason: 'requested_by_customer' | 'duplicate' | null;
}

/** A chargeback on a card payment. */
export interface SimDispute {
  id: string;
  atMs: number;
  reason: 'fraudulent' | 'product_not_received' | 'duplicate' | 'general';
  /** Final status and when it was reached; 'needs_response' while open. */
  status: 'needs_response' | 'under_review' | 'won' | 'lost';
  closedMs: number | null;
}

/** The card behind a Stripe charge. */
export interface SimCard {
  brand: 'visa' | 'mastercard' | 'amex';
  last4: string;
  expMonth: number;
  expYear: number;
  fingerprint: string;
  country: string;
  funding: 'credit' | 'debit';
}

/** The Stripe side of a card payment: every id its objects carry, and what the payer typed. */
export interface SimStripePayment {
  customerId: string;
  /** True when this checkout created the Stripe customer (a guest checkout, or the first signed-in one). */
  createsCustomer: boolean;
  guest: boolean;
  paymentIntentId: string;
  chargeId: string;
  paymentMethodId: string;
  balanceTransactionId: string;
  checkoutSessionId: string | null;
  invoiceId: string | null;
  invoiceNumber: string | null;
  lineItemId: string;
  priceId: string;
  productId: string;
  card: SimCard;
  /** Name, email and phone as typed at checkout. */
  billing: { name: string; email: string; phone: string | null };
  /** 0: booking_id/booking_ref, 1: bookingId/bookingRef, 2: booking-id/booking-ref (metadata key drift). */
  metadataStyle: 0 | 1 | 2;
}

/** One payment towards a booking: in full, a deposit or the balance; by card, cash or bank transfer. */
export interface SimPayment {
  id: string;
  bookingId: string;
  kind: 'full' | 'deposit' | 'balance';
  method: PaymentMethod;
  amountMinor: number;
  createdMs: number;
  /** Null while a bank transfer is awaited. */
  paidMs: number | null;
  refunds: SimRefund[];
  dispute: SimDispute | null;
  stripe: SimStripePayment | null;
}

/** Staff touching a booking's calendar event by hand: adding a note, or deleting it. */
export interface SimStaffEdit {
  atMs: number;
  kind: 'note' | 'delete';
  note: string;
}

/** A booking with its whole history and where it left traces. */
export interface SimBooking {
  id: string;
  businessId: string;
  reference: string;
  customerId: string;
  resourceId: string;
  createdMs: number;
  schedules: SimSchedule[];
  cancelledMs: number | null;
  allDay: boolean;
  totalMinor: number;
  currency: string;
  notes: string | null;
  payments: SimPayment[];
  /** Name, email and phone as the customer typed them for this booking. */
  contact: { name: string; email: string; phone: string };
  /** Whether the platform's mails about it survive in the mailbox. */
  inEmail: boolean;
  /** Whether the platform put it on the resource's calendar. */
  onCalendar: boolean;
  calendarEventId: string;
  staffEdit: SimStaffEdit | null;
  /** Mail the customer sent back after the confirmation, hours later; null when none. */
  replyAfterMs: number | null;
  /** 'restored-new': made on the restored database after the restore (not in the truth). */
  origin: 'platform' | 'restored-new';
  /** Staff typed it in again on the restored database: its new row's id, customer and time. */
  reentered: { id: string; customerId: string; atMs: number } | null;
}

/** A calendar event staff made by hand (maintenance, owner use, a phoned-in hold): no booking behind it. */
export interface SimStaffBlock {
  id: string;
  resourceId: string;
  summary: string;
  startsMs: number;
  endsMs: number;
  createdMs: number;
  updatedMs: number;
  cancelled: boolean;
}

/** A weekly recurring lesson series with one skipped date (EXDATE) and one moved instance. */
export interface SimLessonSeries {
  id: string;
  resourceId: string;
  summary: string;
  firstStartMs: number;
  durationMs: number;
  untilMs: number;
  exdateStartMs: number;
  moved: { originalStartMs: number; startsMs: number; endsMs: number; updatedMs: number; id: string };
  createdMs: number;
}

/** The whole simulated platform, planned before anything is written. */
export interface World {
  options: GenerateOptions;
  timeline: Timeline;
  businesses: SimBusiness[];
  customers: SimCustomer[];
  bookings: SimBooking[];
  staffBlocks: SimStaffBlock[];
  lessons: SimLessonSeries[];
}

/** The template version in force at `ms`: the year splits evenly between the configured versions. */
export function templateVersionAt(world: World, ms: number): 1 | 2 | 3 {
  const n = world.options.noise.templateVersions;
  const { windowStartMs, incidentMs } = world.timeline;
  const share = (ms - windowStartMs) / (incidentMs - windowStartMs);
  return Math.min(n, Math.max(1, Math.floor(share * n) + 1)) as 1 | 2 | 3;
}

/** A Stripe-style id: prefix, then `length` base62 characters. */
export function stripeId(rng: Rng, prefix: string, length = 24): string {
  return `${prefix}_${rng.chars(length, BASE62)}`;
}

function localMidnight(ms: number, zone: string, addDays = 0): number {
  const w = wallTimeAt(ms, zone);
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + addDays));
  return instantOf(
    {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: 0,
      minute: 0,
      second: 0,
    },
    zone,
  );
}

function localTime(dayMs: number, zone: string, hour: number, minute = 0): number {
  const w = wallTimeAt(dayMs + 12 * HOUR, zone);
  return instantOf({ year: w.year, month: w.month, day: w.day, hour, minute, second: 0 }, zone);
}

function weekdayOf(ms: number, zone: string): number {
  const w = wallTimeAt(ms, zone);
  return new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
}

/** The first lesson start (Saturday 10:00 local) on or after `ms`. */
function nextLesson(ms: number, zone: string): number {
  let day = localMidnight(ms, zone);
  for (let i = 0; i < 8; i++) {
    if (weekdayOf(day + 12 * HOUR, zone) === LESSON_WEEKDAY) {
      const start = localTime(day, zone, LESSON_HOUR);
      if (start >= ms) return start;
    }
    day = localMidnight(day + 36 * HOUR, zone);
  }
  throw new Error('no Saturday within eight days');
}

/** A schedule for a booking of `kind` made at `madeMs`: its start, end and units (hours, days, nights or seats). */
function drawSchedule(
  rng: Rng,
  kind: ResourceKind,
  madeMs: number,
  zone: string,
): { startsMs: number; endsMs: number; units: number } {
  switch (kind) {
    case 'hourly': {
      const day = localMidnight(madeMs, zone, rng.int(0, 30) + (rng.chance(0.3) ? 0 : 1));
      const hours = rng.weighted([
        [1, 3],
        [2, 5],
        [3, 2],
        [4, 1],
      ] as const);
      const startsMs = localTime(day, zone, rng.int(8, 17 - hours), rng.chance(0.3) ? 30 : 0);
      if (startsMs < madeMs + HOUR) return drawSchedule(rng, kind, madeMs + DAY, zone);
      return { startsMs, endsMs: startsMs + hours * HOUR, units: hours };
    }
    case 'daily': {
      const startsMs = localMidnight(madeMs, zone, rng.int(1, 30));
      const days = rng.weighted([
        [1, 6],
        [2, 2],
        [3, 1],
        [7, 1],
      ] as const);
      return { startsMs, endsMs: localMidnight(startsMs, zone, days), units: days };
    }
    case 'nightly': {
      const startsMs = localMidnight(madeMs, zone, rng.int(5, 120));
      const nights = rng.int(2, 7);
      return { startsMs, endsMs: localMidnight(startsMs, zone, nights), units: nights };
    }
    case 'lesson': {
      const startsMs = nextLesson(madeMs + rng.int(1, 50) * DAY, zone);
      return {
        startsMs,
        endsMs: startsMs + LESSON_HOURS * HOUR,
        units: rng.weighted([
          [1, 4],
          [2, 2],
          [3, 1],
        ] as const),
      };
    }
  }
}

/** Moves a schedule by whole days, keeping its local wall times and length (across DST too). */
function shiftSchedule(s: { startsMs: number; endsMs: number }, days: number, zone: string, allDay: boolean) {
  if (allDay) {
    const span = Math.round((s.endsMs - s.startsMs) / DAY);
    const startsMs = localMidnight(s.startsMs + 12 * HOUR, zone, days);
    return { startsMs, endsMs: localMidnight(startsMs + 12 * HOUR, zone, span) };
  }
  const w = wallTimeAt(s.startsMs, zone);
  const startsMs = localTime(localMidnight(s.startsMs, zone, days), zone, w.hour, w.minute);
  return { startsMs, endsMs: startsMs + (s.endsMs - s.startsMs) };
}

function drawCard(rng: Rng, country: string): SimCard {
  return {
    brand: rng.weighted([
      ['visa', 6],
      ['mastercard', 3],
      ['amex', 1],
    ] as const),
    last4: rng.chars(4, '0123456789'),
    expMonth: rng.int(1, 12),
    expYear: rng.int(2027, 2031),
    fingerprint: rng.chars(16, BASE62),
    country,
    funding: rng.chance(0.7) ? 'credit' : 'debit',
  };
}

const STREETS = [
  'Harbor St',
  'Rua das Flores',
  'Mill Lane',
  'Oak Avenue',
  'Rua do Sol',
  'High Street',
  'Pine Road',
];
const CITIES: Record<string, string[]> = {
  US: ['Portland', 'Boston', 'Burlington', 'New York'],
  PT: ['Lisboa', 'Porto', 'Coimbra', 'Braga'],
  GB: ['Kendal', 'Keswick', 'Manchester', 'York'],
};

function phoneRegionOf(e164: string): 'US' | 'PT' | 'GB' {
  return e164.startsWith('+1') ? 'US' : e164.startsWith('+351') ? 'PT' : 'GB';
}

/** Plans the whole world for `options`. Deterministic: the same options give the same world. */
export function planWorld(options: GenerateOptions): World {
  const timeline = timelineOf(options);
  const rng = createRng(options.seed, 'world');
  const noise = options.noise;
  const businesses: SimBusiness[] = [];
  const customers: SimCustomer[] = [];
  const bookings: SimBooking[] = [];
  const staffBlocks: SimStaffBlock[] = [];
  const lessons: SimLessonSeries[] = [];
  const usedRefs = new Set<string>();
  /** Customers who signed up again on the restored database, by business and email. */
  const signedUpAgain = new Map<string, SimCustomer>();
  const businessCreatedMs = timeline.windowStartMs - 400 * DAY;

  for (const spec of BUSINESS_SPECS) {
    const business: SimBusiness = {
      id: rng.uuid(),
      key: spec.key,
      name: spec.name,
      timezone: spec.timezone,
      currency: spec.currency,
      defaultRegion: spec.defaultRegion,
      stripeAccount: `acct_1${rng.chars(15, BASE62)}`,
      mailbox: `bookings@${spec.key}.example`,
      createdMs: businessCreatedMs,
      resources: [],
    };
    businesses.push(business);
    for (const [i, r] of spec.resources.entries()) {
      business.resources.push({
        id: rng.uuid(),
        businessId: business.id,
        name: r.name,
        slug: r.slug,
        kind: r.kind,
        priceMinor: r.priceMinor,
        calendarId: `${rng.chars(26, BASE32HEX)}@group.calendar.google.com`,
        createdMs: businessCreatedMs + (i + 1) * DAY,
      });
    }
    planBusiness(rng.next(), spec, business);
  }

  function newCustomer(brng: Rng, business: SimBusiness, createdMs: number, origin: SimCustomer['origin']) {
    const fullName = drawName(brng);
    const region = brng.chance(0.85) ? business.defaultRegion : brng.pick(['US', 'PT', 'GB'] as const);
    const c: SimCustomer = {
      id: brng.uuid(),
      businessId: business.id,
      fullName,
      email: drawEmail(brng, fullName),
      altEmail: brng.chance(noise.duplicateCustomerRate) ? drawEmail(brng, fullName, true) : null,
      phone: drawPhone(brng, region),
      createdMs,
      address: {
        line1: `${brng.int(1, 240)} ${brng.pick(STREETS)}`,
        city: brng.pick(CITIES[region]!),
        postal_code: brng.chars(5, '0123456789'),
        country: region,
      },
      stripe: null,
      origin,
    };
    customers.push(c);
    return c;
  }

  function newReference(brng: Rng): string {
    for (;;) {
      const ref = `BK-${brng.chars(6, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
      if (!usedRefs.has(ref)) {
        usedRefs.add(ref);
        return ref;
      }
    }
  }

  function planBusiness(subSeed: number, spec: BusinessSpec, business: SimBusiness): void {
    const brng = createRng(options.seed, `business:${spec.key}:${Math.floor(subSeed * 1e9)}`);
    const count = Math.max(5, Math.round(options.bookings * spec.share));
    const span = timeline.incidentMs - timeline.windowStartMs;
    const times: number[] = [];
    for (let i = 0; i < count; i++) times.push(timeline.windowStartMs + Math.floor(brng.next() * span));
    // A few bookings on the restored database between the restore and the pull.
    const after = Math.max(3, Math.round((count * (timeline.pulledMs - timeline.restoredMs)) / (365 * DAY)));
    for (let i = 0; i < after; i++)
      times.push(timeline.restoredMs + Math.floor(brng.next() * (timeline.pulledMs - timeline.restoredMs)));
    times.sort((a, b) => a - b);
    const own: SimCustomer[] = [];

    for (const madeMs of times) {
      const origin: SimBooking['origin'] = madeMs >= timeline.restoredMs ? 'restored-new' : 'platform';
      // Changes to a booking happen while the platform runs: before the incident, or after the restore.
      const changeLimit = origin === 'platform' ? timeline.incidentMs : timeline.pulledMs;
      let customer: SimCustomer;
      if (own.length > 0 && brng.chance(0.3)) {
        customer = own[Math.floor(Math.sqrt(brng.next()) * own.length)]!;
      } else {
        customer = newCustomer(
          brng,
          business,
          madeMs - brng.int(1, 10) * MINUTE,
          origin === 'platform' ? 'platform' : 'restored',
        );
        own.push(customer);
      }
      if (
        origin === 'restored-new' &&
        customer.origin === 'platform' &&
        customer.createdMs > timeline.backupTakenMs
      ) {
        // Not in the backup: on the restored database this customer signs up again.
        const known = customer;
        customer =
          signedUpAgain.get(`${known.businessId} ${known.email}`) ?? newCustomerAgain(brng, known, madeMs);
      }
      const resource = brng.weighted(
        business.resources.map((r) => [r, r.kind === 'lesson' ? 1 : 3] as const),
      );
      const allDay = resource.kind === 'daily' || resource.kind === 'nightly';
      const first = drawSchedule(brng, resource.kind, madeMs, business.timezone);
      const totalMinor = resource.priceMinor * first.units;
      const schedules: SimSchedule[] = [{ atMs: madeMs, startsMs: first.startsMs, endsMs: first.endsMs }];
      // Reschedules (some twice): moved by days, decided before the start.
      if (brng.chance(0.12)) {
        const times = brng.chance(0.3) ? 2 : 1;
        for (let i = 0; i < times; i++) {
          const prev = schedules[schedules.length - 1]!;
          const atMs =
            prev.atMs + Math.floor(brng.next() * Math.max(0, prev.startsMs - prev.atMs - HOUR) * 0.8);
          if (atMs >= changeLimit || atMs <= prev.atMs) break;
          let shift = brng.int(-10, 14) || 7;
          let next = shiftSchedule(prev, shift, business.timezone, allDay);
          while (next.startsMs <= atMs + HOUR) {
            shift += 7;
            next = shiftSchedule(prev, shift, business.timezone, allDay);
          }
          if (resource.kind === 'lesson') {
            const s = nextLesson(next.startsMs - 12 * HOUR, business.timezone);
            next = { startsMs: s, endsMs: s + LESSON_HOURS * HOUR };
          }
          schedules.push({ atMs, ...next });
        }
      }
      const last = schedules[schedules.length - 1]!;
      let cancelledMs: number | null = null;
      if (brng.chance(0.1)) {
        const at = last.atMs + Math.floor(brng.next() * Math.max(0, last.startsMs - last.atMs));
        if (at < changeLimit && at > last.atMs) cancelledMs = at;
      }
      const bookingId = brng.uuid();
      const useAlt = customer.altEmail !== null && brng.chance(0.5);
      const contact = {
        name: varyName(brng, customer.fullName, noise.typoRate),
        email: varyEmail(brng, useAlt ? customer.altEmail! : customer.email),
        phone: formatPhone(
          customer.phone,
          phoneRegionOf(customer.phone) === business.defaultRegion
            ? brng.int(0, 5)
            : brng.pick(internationalWays(customer.phone)),
        ),
      };
      // A booking that leaves no trace: paid in cash, its mail deleted, never on a calendar.
      const ghost = origin === 'platform' && brng.chance(noise.unrecoverableRate);
      const payments = planPayments(
        brng,
        business,
        resource.kind,
        customer,
        bookingId,
        madeMs,
        last,
        totalMinor,
        contact,
        changeLimit,
        ghost,
      );
      // Refunds on cancellation: full, half, or none (inside the no-refund window).
      if (cancelledMs !== null) {
        const policy = brng.weighted([
          ['full', 5],
          ['partial', 3],
          ['none', 2],
        ] as const);
        const paidBefore = payments.filter((p) => p.paidMs !== null && p.paidMs <= cancelledMs!);
        // Payments not yet made when it was cancelled never happen.
        for (let i = payments.length - 1; i >= 0; i--) {
          const p = payments[i]!;
          if (p.createdMs > cancelledMs) payments.splice(i, 1);
          else if (p.paidMs === null || p.paidMs > cancelledMs) {
            p.paidMs = null;
          }
        }
        const paid = paidBefore.reduce((s, p) => s + p.amountMinor, 0);
        let toRefund = policy === 'full' ? paid : policy === 'partial' ? Math.round(paid / 2) : 0;
        for (const p of paidBefore) {
          if (toRefund <= 0) break;
          const amount = Math.min(p.amountMinor, toRefund);
          toRefund -= amount;
          p.refunds.push({
            id: stripeId(brng, 're'),
            atMs: cancelledMs + brng.int(1, 90) * MINUTE,
            amountMinor: amount,
            reason: 'requested_by_customer',
          });
        }
      } else if (brng.chance(0.04)) {
        // A goodwill partial refund after the rental (rain, a puncture).
        const p = payments.find((x) => x.paidMs !== null);
        const atMs = last.endsMs + brng.int(2, 48) * HOUR;
        if (p && atMs < changeLimit)
          p.refunds.push({
            id: stripeId(brng, 're'),
            atMs,
            amountMinor: Math.round(p.amountMinor * 0.2),
            reason: null,
          });
      }
      // Disputes: a few card charges, opened weeks later.
      for (const p of payments) {
        if (p.stripe && p.paidMs !== null && p.refunds.length === 0 && brng.chance(0.015)) {
          const atMs = p.paidMs + brng.int(10, 40) * DAY;
          if (atMs >= timeline.pulledMs) continue;
          const closedMs = atMs + brng.int(20, 60) * DAY;
          const closed = closedMs < timeline.pulledMs;
          p.dispute = {
            id: stripeId(brng, 'du'),
            atMs,
            reason: brng.pick(['fraudulent', 'product_not_received', 'duplicate', 'general'] as const),
            status: closed
              ? brng.chance(0.6)
                ? 'won'
                : 'lost'
              : brng.pick(['needs_response', 'under_review'] as const),
            closedMs: closed ? closedMs : null,
          };
        }
      }
      const inEmail = !ghost && !brng.chance(noise.missing.email);
      const onCalendar = !ghost && !brng.chance(noise.missing.calendar);
      let staffEdit: SimStaffEdit | null = null;
      if (onCalendar && brng.chance(noise.staffEditRate + noise.staffDeleteRate)) {
        const atMs = madeMs + brng.int(1, 20) * DAY;
        if (atMs < timeline.pulledMs)
          staffEdit = {
            atMs,
            kind: brng.chance(noise.staffDeleteRate / (noise.staffEditRate + noise.staffDeleteRate || 1))
              ? 'delete'
              : 'note',
            note: brng.pick([
              'paid cash',
              'needs life jackets x2',
              'called to confirm',
              'late arrival',
              'VIP',
              'dog OK',
            ]),
          };
      }
      const booking: SimBooking = {
        id: bookingId,
        businessId: business.id,
        reference: newReference(brng),
        customerId: customer.id,
        resourceId: resource.id,
        createdMs: madeMs,
        schedules,
        cancelledMs,
        allDay,
        totalMinor,
        currency: business.currency,
        notes: brng.chance(0.15)
          ? brng.pick(['Arriving late', 'Two children', 'Birthday!', 'Needs a helmet', 'Vegetarian'])
          : null,
        payments,
        contact,
        inEmail,
        onCalendar,
        calendarEventId: brng.chars(26, BASE32HEX),
        staffEdit,
        replyAfterMs: inEmail && brng.chance(0.12) ? brng.int(1, 30) * HOUR : null,
        origin,
        reentered: null,
      };
      // Staff re-enter upcoming bookings they know of on the restored database, with a new id.
      if (
        origin === 'platform' &&
        madeMs > timeline.backupTakenMs &&
        cancelledMs === null &&
        last.startsMs > timeline.restoredMs &&
        brng.chance(0.25)
      ) {
        const atMs =
          timeline.restoredMs + Math.floor(brng.next() * (timeline.pulledMs - timeline.restoredMs));
        let customerId = customer.id;
        if (customer.createdMs > timeline.backupTakenMs) {
          // The customer is not in the backup: they sign up again (a new row) unless staff already did.
          const again = signedUpAgain.get(`${customer.businessId} ${customer.email}`);
          customerId = again?.id ?? newCustomerAgain(brng, customer, atMs).id;
        }
        booking.reentered = { id: brng.uuid(), customerId, atMs };
      }
      bookings.push(booking);
    }

    // Staff-made blocks: maintenance and owner use, about one a month per resource.
    for (const resource of business.resources) {
      if (resource.kind === 'lesson') continue;
      const n = Math.max(2, Math.round(12 * Math.min(1, count / 200)));
      for (let i = 0; i < n; i++) {
        const createdMs =
          timeline.windowStartMs + Math.floor(brng.next() * (timeline.pulledMs - timeline.windowStartMs));
        const day = localMidnight(createdMs, business.timezone, brng.int(1, 20));
        const allDayBlock = resource.kind !== 'hourly';
        const startsMs = allDayBlock ? day : localTime(day, business.timezone, 8);
        staffBlocks.push({
          id: brng.chars(26, BASE32HEX),
          resourceId: resource.id,
          summary: brng.pick([
            'Maintenance',
            'Owner use',
            'Hold: phone booking (Smith)',
            'Deep clean',
            'Repair',
          ]),
          startsMs,
          endsMs: allDayBlock ? localMidnight(day, business.timezone, 1) : startsMs + 2 * HOUR,
          createdMs,
          updatedMs: createdMs + brng.int(0, 3) * DAY,
          cancelled: brng.chance(0.1),
        });
      }
    }
    // The weekly lesson series on the lesson resource.
    for (const resource of business.resources) {
      if (resource.kind !== 'lesson') continue;
      const firstStartMs = nextLesson(timeline.windowStartMs, business.timezone);
      const weeks = Math.floor((timeline.pulledMs + 60 * DAY - firstStartMs) / (7 * DAY));
      const exWeek = brng.int(10, 30);
      const movedWeek = exWeek + brng.int(2, 8);
      const exdateStartMs = shiftSchedule(
        { startsMs: firstStartMs, endsMs: firstStartMs },
        exWeek * 7,
        business.timezone,
        false,
      ).startsMs;
      const movedOrig = shiftSchedule(
        { startsMs: firstStartMs, endsMs: firstStartMs },
        movedWeek * 7,
        business.timezone,
        false,
      ).startsMs;
      const movedStart = movedOrig + HOUR;
      const seriesId = brng.chars(26, BASE32HEX);
      const iso = new Date(movedOrig)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
      lessons.push({
        id: seriesId,
        resourceId: resource.id,
        summary: 'Saturday kayak lesson (group)',
        firstStartMs,
        durationMs: LESSON_HOURS * HOUR,
        untilMs: shiftSchedule(
          { startsMs: firstStartMs, endsMs: firstStartMs },
          weeks * 7,
          business.timezone,
          false,
        ).startsMs,
        exdateStartMs,
        moved: {
          originalStartMs: movedOrig,
          startsMs: movedStart,
          endsMs: movedStart + LESSON_HOURS * HOUR,
          updatedMs: movedOrig - 3 * DAY,
          id: `${seriesId}_${iso}`,
        },
        createdMs: firstStartMs - 10 * DAY,
      });
    }
  }

  function newCustomerAgain(brng: Rng, original: SimCustomer, atMs: number): SimCustomer {
    const c: SimCustomer = {
      ...original,
      id: brng.uuid(),
      fullName: varyName(brng, original.fullName, 0.5),
      altEmail: null,
      createdMs: atMs - brng.int(1, 30) * MINUTE,
      stripe: null,
      origin: 'restored',
    };
    customers.push(c);
    signedUpAgain.set(`${c.businessId} ${c.email}`, c);
    return c;
  }

  function planPayments(
    brng: Rng,
    business: SimBusiness,
    kind: ResourceKind,
    customer: SimCustomer,
    bookingId: string,
    madeMs: number,
    schedule: SimSchedule,
    totalMinor: number,
    contact: SimBooking['contact'],
    changeLimit: number,
    ghost: boolean,
  ): SimPayment[] {
    const spec = BUSINESS_SPECS.find((s) => s.key === business.key)!;
    const offStripe = ghost || brng.chance(noise.missing.stripe);
    const payments: SimPayment[] = [];
    const card = (
      atMs: number,
      amountMinor: number,
      kindOf: SimPayment['kind'],
      viaInvoice: boolean,
    ): SimPayment => {
      const guest = !viaInvoice && brng.chance(noise.guestCheckoutRate);
      let customerId: string;
      let createsCustomer = false;
      if (guest) {
        customerId = stripeId(brng, 'cus', 14);
        createsCustomer = true;
      } else if (customer.stripe && customer.stripe.createdMs <= atMs) {
        customerId = customer.stripe.id;
      } else {
        customerId = stripeId(brng, 'cus', 14);
        customer.stripe = { id: customerId, createdMs: atMs - 2 * MINUTE };
        createsCustomer = true;
      }
      return {
        id: brng.uuid(),
        bookingId,
        kind: kindOf,
        method: 'card',
        amountMinor,
        createdMs: atMs,
        paidMs: atMs + brng.int(20, 240) * 1000,
        refunds: [],
        dispute: null,
        stripe: {
          customerId,
          createsCustomer,
          guest,
          paymentIntentId: stripeId(brng, 'pi'),
          chargeId: stripeId(brng, 'ch'),
          paymentMethodId: stripeId(brng, 'pm'),
          balanceTransactionId: stripeId(brng, 'txn'),
          checkoutSessionId: viaInvoice ? null : `cs_test_a1${brng.chars(56, BASE62)}`,
          invoiceId: viaInvoice ? stripeId(brng, 'in') : null,
          invoiceNumber: viaInvoice
            ? `${brng.chars(8, 'ABCDEF0123456789')}-${brng.int(1, 9).toString().padStart(4, '0')}`
            : null,
          lineItemId: stripeId(brng, viaInvoice ? 'il' : 'li'),
          priceId: stripeId(brng, 'price'),
          productId: stripeId(brng, 'prod', 14),
          card: drawCard(brng, customer.address.country),
          billing: {
            name: guest ? varyName(brng, customer.fullName, noise.typoRate * 2) : contact.name,
            email: contact.email,
            phone: brng.chance(0.7) ? contact.phone : null,
          },
          metadataStyle: (madeMs - timeline.windowStartMs < 120 * DAY
            ? 0
            : madeMs - timeline.windowStartMs < 250 * DAY
              ? 1
              : brng.chance(0.5)
                ? 2
                : 0) as 0 | 1 | 2,
        },
      };
    };
    const offline = (
      method: PaymentMethod,
      atMs: number,
      amountMinor: number,
      kindOf: SimPayment['kind'],
      paidMs: number | null,
    ): SimPayment => ({
      id: brng.uuid(),
      bookingId,
      kind: kindOf,
      method,
      amountMinor,
      createdMs: atMs,
      paidMs,
      refunds: [],
      dispute: null,
      stripe: null,
    });
    const deposit = kind !== 'lesson' && brng.chance(spec.depositShare);
    if (offStripe) {
      if (!ghost && brng.chance(0.5)) {
        const paidMs = madeMs + brng.int(1, 5) * DAY;
        payments.push(
          offline('bank_transfer', madeMs, totalMinor, 'full', paidMs < changeLimit ? paidMs : null),
        );
      } else if (schedule.startsMs < changeLimit) {
        payments.push(offline('cash', schedule.startsMs, totalMinor, 'full', schedule.startsMs));
      }
      return payments;
    }
    if (!deposit) {
      payments.push(card(madeMs, totalMinor, 'full', false));
      return payments;
    }
    const depositMinor = Math.round(totalMinor * 0.3);
    payments.push(card(madeMs, depositMinor, 'deposit', false));
    const balanceMs = Math.max(madeMs + HOUR, schedule.startsMs - 14 * DAY);
    if (brng.chance(0.6)) {
      if (balanceMs < changeLimit) payments.push(card(balanceMs, totalMinor - depositMinor, 'balance', true));
    } else if (schedule.startsMs < changeLimit) {
      payments.push(
        offline('cash', schedule.startsMs, totalMinor - depositMinor, 'balance', schedule.startsMs),
      );
    }
    return payments;
  }

  return { options, timeline, businesses, customers, bookings, staffBlocks, lessons };
}

/** The schedule in force at `ms` (the last one set by then). */
export function scheduleAt(booking: SimBooking, ms: number): SimSchedule {
  let current = booking.schedules[0]!;
  for (const s of booking.schedules) if (s.atMs <= ms) current = s;
  return current;
}

/** Where the platform hosts its calendars' ICS exports and its own domain. */
export const PLATFORM = { domain: PLATFORM_DOMAIN, mailFrom: `no-reply@${PLATFORM_DOMAIN}` };
