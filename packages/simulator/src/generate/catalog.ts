/**
 * The fixed cast of the simulated platform: its businesses, their resources and prices, and the name pools customers
 * are drawn from. Three zones (New York and Lisbon change clocks inside the backup-to-incident window), three currencies.
 */

/** How a resource is booked: by the hour on a day, as whole days (all-day, possibly several), or a weekly lesson. */
export type ResourceKind = 'hourly' | 'daily' | 'nightly' | 'lesson';

/** A resource as the catalog defines it: name, file slug, how it is booked, unit price in minor units. */
export interface ResourceSpec {
  name: string;
  slug: string;
  kind: ResourceKind;
  /** Price per hour (hourly), per day (daily), per night (nightly) or per seat (lesson), in minor units. */
  priceMinor: number;
}

/** A business as the catalog defines it, with its share of all bookings and of deposit payments. */
export interface BusinessSpec {
  key: string;
  name: string;
  timezone: string;
  currency: 'usd' | 'eur' | 'gbp';
  defaultRegion: 'US' | 'PT' | 'GB';
  /** Share of all bookings this business takes. */
  share: number;
  /** Share of its bookings paid by deposit then balance. */
  depositShare: number;
  resources: ResourceSpec[];
}

/** The platform's own domain: ICS UIDs are `<booking id>@PLATFORM_DOMAIN`. */
export const PLATFORM_DOMAIN = 'rentalhub.example';

/** The weekly lesson: Saturdays at 10:00 local time, two hours. */
export const LESSON_WEEKDAY = 6;
/** Local hour the lesson starts. */
export const LESSON_HOUR = 10;
/** Lesson length in hours. */
export const LESSON_HOURS = 2;

/** The platform's businesses, in manifest order. */
export const BUSINESS_SPECS: BusinessSpec[] = [
  {
    key: 'harbor-kayaks',
    name: 'Harbor Kayaks',
    timezone: 'America/New_York',
    currency: 'usd',
    defaultRegion: 'US',
    share: 0.4,
    depositShare: 0.05,
    resources: [
      { name: 'Single Kayak', slug: 'single-kayak', kind: 'hourly', priceMinor: 2500 },
      { name: 'Tandem Kayak', slug: 'tandem-kayak', kind: 'hourly', priceMinor: 3800 },
      { name: 'SUP Board', slug: 'sup-board', kind: 'hourly', priceMinor: 2200 },
      { name: 'Saturday Kayak Lesson', slug: 'kayak-lesson', kind: 'lesson', priceMinor: 6500 },
    ],
  },
  {
    key: 'serra-cabins',
    name: 'Cabanas da Serra',
    timezone: 'Europe/Lisbon',
    currency: 'eur',
    defaultRegion: 'PT',
    share: 0.3,
    depositShare: 0.55,
    resources: [
      { name: 'Cabana do Rio', slug: 'cabana-do-rio', kind: 'nightly', priceMinor: 11_500 },
      { name: 'Cabana da Serra', slug: 'cabana-da-serra', kind: 'nightly', priceMinor: 9_500 },
      { name: 'Casa Grande', slug: 'casa-grande', kind: 'nightly', priceMinor: 18_000 },
    ],
  },
  {
    key: 'lakeland-bikes',
    name: 'Lakeland Bike Hire',
    timezone: 'Europe/London',
    currency: 'gbp',
    defaultRegion: 'GB',
    share: 0.3,
    depositShare: 0.1,
    resources: [
      { name: 'E-Bike', slug: 'e-bike', kind: 'daily', priceMinor: 4_500 },
      { name: 'Mountain Bike', slug: 'mountain-bike', kind: 'daily', priceMinor: 3_000 },
      { name: 'Tandem Bike', slug: 'tandem-bike', kind: 'hourly', priceMinor: 1_500 },
    ],
  },
];

/** Given names customers are drawn from; some with diacritics on purpose. */
export const FIRST_NAMES = [
  'José',
  'Zoë',
  'Ana Luísa',
  'François',
  'Søren',
  'Łukasz',
  'Chloé',
  'Renée',
  'João',
  'Inês',
  'Björn',
  'Maël',
  'Emma',
  'Olivia',
  'Liam',
  'Noah',
  'Ava',
  'Sophia',
  'Mason',
  'Lucas',
  'Mia',
  'Ethan',
  'Harper',
  'James',
  'Amelia',
  'Oliver',
  'Isla',
  'George',
  'Freya',
  'Arthur',
  'Grace',
  'Daniel',
  'Sarah',
  'Michael',
  'Laura',
  'David',
  'Marta',
  'Pedro',
  'Beatriz',
  'Tiago',
  'Carolina',
  'Hannah',
  'Priya',
  'Wei',
  'Aisha',
  'Mateo',
  'Nora',
  'Elif',
  'Kenji',
];

/** Family names customers are drawn from; some with diacritics, apostrophes and particles. */
export const LAST_NAMES = [
  'Álvarez',
  'Müller',
  'Gonçalves',
  'Nuñez',
  'Øvergaard',
  'Dvořák',
  'Lefèvre',
  "O'Brien",
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Wilson',
  'Taylor',
  'Anderson',
  'Thomas',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Walker',
  'Hall',
  'Young',
  'Silva',
  'Santos',
  'Ferreira',
  'Pereira',
  'Costa',
  'Rodrigues',
  'Evans',
  'Hughes',
  'Wright',
  'Patel',
  'Khan',
  'Chen',
  'Nakamura',
  'Kowalski',
  'Van der Berg',
  'Schröder',
  'MacDonald',
];

/** Personal email domains. */
export const EMAIL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'proton.me', 'hey.com'];
/** Company domains for a person's second address (reserved .example names). */
export const WORK_DOMAINS = ['acme.example', 'globex.example', 'initech.example', 'umbrella.example'];
