/**
 * What the generator can be asked for: a scale, a seed, the incident's timeline and the noise knobs. Everything has a
 * default, so `resolveOptions({ scale: 'small', seed: 1 })` describes a complete incident.
 */

export const SCALES = ['small', 'medium', 'large'] as const;
/** One of SCALES. */
export type Scale = (typeof SCALES)[number];

/** Noise knobs: shares are probabilities in [0, 1]. */
export interface NoiseOptions {
  /** Share of bookings with no trace in each source (paid in cash or by bank; mail deleted; never on a calendar). */
  missing: { stripe: number; email: number; calendar: number };
  /** Share of names and free-text values written with a typo, a lost diacritic or swapped order. */
  typoRate: number;
  /** Share of customers who also book under a second email address. */
  duplicateCustomerRate: number;
  /** Share of card checkouts made as a guest, each creating a new Stripe customer. */
  guestCheckoutRate: number;
  /** How many email template versions the platform used over the year (1 to 3), each replacing the previous. */
  templateVersions: number;
  /** Share of calendar events staff edited by hand, and share they deleted. */
  staffEditRate: number;
  staffDeleteRate: number;
  /** Share of bookings that leave no trace anywhere (paid in cash, no mail, no calendar): unrecoverable. */
  unrecoverableRate: number;
}

/** A fully resolved generator request (see resolveOptions for defaults). */
export interface GenerateOptions {
  scale: Scale;
  seed: number;
  /** When the data was lost (ISO instant). Default 2026-11-04T14:20:00Z, after both the EU and US DST changes. */
  incidentAt: string;
  /** Days between the backup and the incident. Default 90. */
  backupAgeDays: number;
  /** Hours after the incident when the business started running on the restored backup. Default 20. */
  restoredAfterHours: number;
  /** Hours after the restore when evidence was pulled. Default 72. */
  pulledAfterHours: number;
  /** Bookings made in the year up to the incident, over all businesses. Default from the scale. */
  bookings: number;
  noise: NoiseOptions;
}

/** Bookings per scale: small for CI and the demo, medium ~10k, large ~135k bookings (about 1M evidence items). */
export const SCALE_BOOKINGS: Record<Scale, number> = { small: 300, medium: 10_000, large: 135_000 };

/** The defaults for every noise knob. */
export const DEFAULT_NOISE: NoiseOptions = {
  missing: { stripe: 0.12, email: 0.15, calendar: 0.2 },
  typoRate: 0.08,
  duplicateCustomerRate: 0.06,
  guestCheckoutRate: 0.25,
  templateVersions: 3,
  staffEditRate: 0.08,
  staffDeleteRate: 0.03,
  unrecoverableRate: 0.02,
};

/** The knobs turned up: more missing sources, typos, duplicates, guests and staff edits, for seeing how accuracy degrades. */
export const HIGH_NOISE: NoiseOptions = {
  missing: { stripe: 0.25, email: 0.3, calendar: 0.35 },
  typoRate: 0.25,
  duplicateCustomerRate: 0.15,
  guestCheckoutRate: 0.4,
  templateVersions: 3,
  staffEditRate: 0.15,
  staffDeleteRate: 0.06,
  unrecoverableRate: 0.04,
};

/**
 * Reads a noise spec as the CLI takes it: 'default', 'high', or comma-separated knobs on top of the defaults
 * ('typoRate=0.3,missing.email=0.4'; a leading 'high,' starts from the high preset). Throws RangeError naming the
 * knob that is unknown or out of range.
 */
export function parseNoise(spec: string): NoiseOptions {
  const parts = spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  let base = DEFAULT_NOISE;
  if (parts[0] === 'default' || parts[0] === 'high') {
    base = parts[0] === 'high' ? HIGH_NOISE : DEFAULT_NOISE;
    parts.shift();
  }
  const noise: NoiseOptions = { ...base, missing: { ...base.missing } };
  for (const part of parts) {
    const m = /^([A-Za-z.]+)=([0-9.]+)$/.exec(part);
    if (!m) throw new RangeError(`noise: '${part}' is not knob=value (such as typoRate=0.3)`);
    const [, key, raw] = m as unknown as [string, string, string];
    const value = Number(raw);
    if (key.startsWith('missing.')) {
      const source = key.slice('missing.'.length);
      if (!(source in noise.missing))
        throw new RangeError(`noise: unknown knob ${key} (missing.stripe, missing.email, missing.calendar)`);
      noise.missing[source as keyof NoiseOptions['missing']] = value;
    } else if (key in noise && key !== 'missing') {
      (noise as unknown as Record<string, number>)[key] = value;
    } else {
      throw new RangeError(
        `noise: unknown knob ${key} (${Object.keys(DEFAULT_NOISE)
          .filter((k) => k !== 'missing')
          .join(', ')}, missing.<source>)`,
      );
    }
  }
  return resolveOptions({ noise }).noise;
}

/** Input for resolveOptions: scale and seed, the rest optional. */
export type GenerateOptionsInput = Partial<Omit<GenerateOptions, 'noise'>> & {
  noise?: Partial<Omit<NoiseOptions, 'missing'>> & { missing?: Partial<NoiseOptions['missing']> };
};

/** Fills in defaults and checks ranges; throws RangeError naming the bad option. */
export function resolveOptions(input: GenerateOptionsInput): GenerateOptions {
  const scale = input.scale ?? 'small';
  if (!SCALES.includes(scale))
    throw new RangeError(`scale must be one of ${SCALES.join(', ')}, not ${scale}`);
  const seed = input.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`seed must be an integer from 0 to 4294967295, not ${seed}`);
  const noise: NoiseOptions = {
    ...DEFAULT_NOISE,
    ...input.noise,
    missing: { ...DEFAULT_NOISE.missing, ...input.noise?.missing },
  };
  for (const [name, value] of [
    ['missing.stripe', noise.missing.stripe],
    ['missing.email', noise.missing.email],
    ['missing.calendar', noise.missing.calendar],
    ['typoRate', noise.typoRate],
    ['duplicateCustomerRate', noise.duplicateCustomerRate],
    ['guestCheckoutRate', noise.guestCheckoutRate],
    ['staffEditRate', noise.staffEditRate],
    ['staffDeleteRate', noise.staffDeleteRate],
    ['unrecoverableRate', noise.unrecoverableRate],
  ] as const) {
    if (!(value >= 0 && value <= 1))
      throw new RangeError(`noise.${name} must be a share from 0 to 1, not ${value}`);
  }
  if (![1, 2, 3].includes(noise.templateVersions))
    throw new RangeError(`noise.templateVersions must be 1, 2 or 3, not ${noise.templateVersions}`);
  const incidentAt = input.incidentAt ?? '2026-11-04T14:20:00.000Z';
  if (Number.isNaN(Date.parse(incidentAt)))
    throw new RangeError(`incidentAt is not an instant: ${incidentAt}`);
  const bookings = input.bookings ?? SCALE_BOOKINGS[scale];
  if (!Number.isInteger(bookings) || bookings < 10)
    throw new RangeError(`bookings must be an integer of at least 10, not ${bookings}`);
  return {
    scale,
    seed,
    incidentAt: new Date(incidentAt).toISOString(),
    backupAgeDays: input.backupAgeDays ?? 90,
    restoredAfterHours: input.restoredAfterHours ?? 20,
    pulledAfterHours: input.pulledAfterHours ?? 72,
    bookings,
    noise,
  };
}

/** The incident's instants, as epoch milliseconds. */
export interface Timeline {
  windowStartMs: number;
  backupTakenMs: number;
  incidentMs: number;
  restoredMs: number;
  pulledMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The timeline: a year of history before the incident; the backup at 03:00 UTC `backupAgeDays` earlier. */
export function timelineOf(options: GenerateOptions): Timeline {
  const incidentMs = Date.parse(options.incidentAt);
  const backupDay = Math.floor((incidentMs - options.backupAgeDays * DAY) / DAY) * DAY;
  const restoredMs = incidentMs + options.restoredAfterHours * HOUR;
  return {
    windowStartMs: incidentMs - 365 * DAY,
    backupTakenMs: backupDay + 3 * HOUR,
    incidentMs,
    restoredMs,
    pulledMs: restoredMs + options.pulledAfterHours * HOUR,
  };
}
