import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ConfigIssue } from './errors.ts';
import { SOURCE_KINDS } from './evidence.ts';
import { TABLES } from './model.ts';
import { isValidTimeZone } from './normalize-time.ts';

/**
 * salvage.config.yaml (JSON is YAML too): the incident, the target, the workspace, the businesses and their sources.
 * Secrets never live here: only the names of environment variables (`keyEnv`, `passwordEnv`, `tokenEnv`, `urlEnv`).
 */

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable (A-Z, 0-9, _), not its value');

const instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 instant such as 2026-08-01T03:00:00Z',
});

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 48h, 2d or 90m')
  .transform(parseDuration);

/** Milliseconds in a duration written as `48h`, `2d`, `90m`, `30s` or `500ms`. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new RangeError(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    m[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Number(m[1]) * unit;
}

const regexText = z.string().refine(
  (s) => {
    try {
      new RegExp(s, 'u');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);

const database = z
  .strictObject({
    url: z.string().optional(),
    urlEnv: envName.optional(),
    pglite: z.string().optional(),
  })
  .refine((d) => [d.url, d.urlEnv, d.pglite].filter(Boolean).length === 1, {
    message:
      'give exactly one of url, urlEnv (an environment variable holding the URL) or pglite (a directory)',
  });

export const MESSAGE_KINDS = [
  'confirmation',
  'reschedule',
  'cancellation',
  'receipt',
  'reply',
  'other',
] as const;

export const RULE_FIELDS = [
  'reference',
  'bookingId',
  'resourceName',
  'startsAt',
  'endsAt',
  'totalAmount',
  'customerName',
  'customerEmail',
  'customerPhone',
  'status',
  'notes',
] as const;

/** A data-driven extraction rule shared by email and calendar: when `match` fits, pull `fields` with regexes. */
const extractionRule = z.strictObject({
  name: z.string().min(1),
  match: z
    .strictObject({
      from: regexText.optional(),
      subject: regexText.optional(),
      summary: regexText.optional(),
    })
    .default({}),
  kind: z.enum(MESSAGE_KINDS).default('other'),
  /** Field name -> regex; the value is the named group `value`, else the first group, else the whole match. */
  fields: z.partialRecord(z.enum(RULE_FIELDS), regexText).default({}),
  confidence: z.number().min(0).max(1).default(0.9),
});

const survivorship = z.record(z.string(), z.array(z.enum(SOURCE_KINDS)).min(1));

const ruleOverrides = z
  .strictObject({
    /** 'booking.startsAt' -> sources in order of trust, first wins. */
    survivorship: survivorship.default({}),
    tolerances: z
      .strictObject({
        amountMinor: z.number().int().min(0).default(0),
        timeMinutes: z.number().min(0).default(0),
      })
      .default({ amountMinor: 0, timeMinutes: 0 }),
  })
  .default({ survivorship: {}, tolerances: { amountMinor: 0, timeMinutes: 0 } });

const metadataKeys = z
  .strictObject({
    bookingId: z.array(z.string()).default(['booking_id', 'bookingId', 'booking-id']),
    reference: z
      .array(z.string())
      .default(['booking_ref', 'bookingRef', 'booking-ref', 'reference', 'booking_reference']),
    resource: z.array(z.string()).default(['resource', 'resource_name', 'resourceName']),
    startsAt: z.array(z.string()).default(['starts_at', 'start', 'check_in', 'startsAt']),
    endsAt: z.array(z.string()).default(['ends_at', 'end', 'check_out', 'endsAt']),
    customerId: z.array(z.string()).default(['customer_id', 'customerId']),
  })
  .prefault({});

const stripeSource = z.strictObject({
  /** The connected account (`acct_...`) for Stripe Connect; omit for the platform's own account. */
  account: z
    .string()
    .regex(/^acct_\w+$/, 'must be a Stripe account id such as acct_1Nv0FG2eZvKYlo2C')
    .optional(),
  keyEnv: envName,
  /** Where the Stripe API lives; only for tests and the demo's local server. */
  apiBase: z.url().optional(),
  metadataKeys,
  includeTestMode: z.boolean().default(false),
  /** Share of Stripe's rate limit this pull may take (the live application shares the rest). */
  requestShare: z.number().gt(0).max(1).default(0.5),
  /** Requests per second Stripe allows this account (live mode: 100). */
  accountRateLimit: z.number().positive().default(100),
});

const imapSource = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().positive().default(993),
  secure: z.boolean().default(true),
  user: z.string().min(1),
  passwordEnv: envName,
  mailboxes: z.array(z.string()).min(1).default(['INBOX']),
  rejectUnauthorized: z.boolean().default(true),
  /** PEM file of a CA (or self-signed certificate) to trust for this server, beside the system ones. */
  caFile: z.string().optional(),
});

const gmailSource = z.strictObject({
  userId: z.string().default('me'),
  /** Environment variable holding an OAuth access token with the gmail.readonly scope. */
  tokenEnv: envName,
  rootUrl: z.url().optional(),
});

const emailSources = z.strictObject({
  imap: z.array(imapSource).default([]),
  gmail: z.array(gmailSource).default([]),
  mbox: z.array(z.string()).default([]),
  maildir: z.array(z.string()).default([]),
  eml: z.array(z.string()).default([]),
  rules: z.array(extractionRule).default([]),
  /** The business's own addresses, so its mail is not taken for a customer's (IMAP users are added automatically). */
  ownAddresses: z.array(z.string()).default([]),
});

const googleCalendar = z.strictObject({
  calendarId: z.string().min(1),
  /** The resource (by name) whose bookings this calendar mirrors. */
  resource: z.string().min(1),
  /** Environment variable holding an OAuth access token with the calendar.readonly scope. */
  tokenEnv: envName,
  rootUrl: z.url().optional(),
});

const icsSource = z
  .strictObject({ path: z.string().optional(), url: z.url().optional(), resource: z.string().min(1) })
  .refine((s) => Boolean(s.path) !== Boolean(s.url), { message: 'give exactly one of path or url' });

const calendarSources = z.strictObject({
  google: z.array(googleCalendar).default([]),
  ics: z.array(icsSource).default([]),
  rules: z.array(extractionRule).default([]),
});

const business = z.strictObject({
  /** The business's id in the target database. */
  id: z.uuid({ message: 'must be the business id (a uuid) from the target database' }),
  name: z.string().min(1),
  timezone: z
    .string()
    .refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Lisbon' }),
  currency: z
    .string()
    .regex(/^[a-zA-Z]{3}$/, 'must be an ISO 4217 code such as eur')
    .transform((c) => c.toLowerCase()),
  /** Region for phone numbers written without a country code (ISO 3166 alpha-2). */
  defaultRegion: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter region such as US')
    .transform((r) => r.toUpperCase())
    .default('US'),
  referencePattern: regexText.default('BK-[A-Z0-9]{6}'),
  stripe: stripeSource.optional(),
  email: emailSources.optional(),
  calendar: calendarSources.optional(),
  rules: ruleOverrides,
});

const pgIdentifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'must be a PostgreSQL identifier such as app or client_accounts');

/** One reference table in a target whose schema differs: its name, column names, id generation and enum values. */
const mappedTable = z.strictObject({
  schema: pgIdentifier.optional(),
  name: pgIdentifier.optional(),
  /** Reference column -> the target's column. */
  columns: z.record(z.string(), pgIdentifier).optional(),
  /** plan: the plan's deterministic uuid (default); random: a fresh uuid at apply time, references rewritten. */
  idGeneration: z.enum(['plan', 'random']).optional(),
  /** Reference column -> (reference value -> the target's value), e.g. status: { confirmed: CONFIRMED }. */
  enums: z.record(z.string(), z.record(z.string(), z.string())).optional(),
});

/** How the reference schema maps onto the target; omitted means the target is in the reference schema. */
const targetMapping = z.strictObject({
  /** Default PostgreSQL schema of the application's tables (public). */
  schema: pgIdentifier.optional(),
  tables: z.partialRecord(z.enum(TABLES), mappedTable).optional(),
});

export type TargetMappingConfig = z.output<typeof targetMapping>;

export const configSchema = z
  .strictObject({
    incident: z
      .strictObject({
        backupTakenAt: instant,
        incidentAt: instant,
        /** How far before the backup to read too, for clocks and late writes: 48h, 2d. */
        overlap: duration.default(2 * 86_400_000),
        /** When the business started running on the restored backup, if it has. */
        restoredAt: instant.optional(),
      })
      .refine((i) => Date.parse(i.incidentAt) > Date.parse(i.backupTakenAt), {
        message: 'incidentAt must be after backupTakenAt',
      }),
    target: database,
    targetMapping: targetMapping.optional(),
    workspace: z
      .strictObject({ dir: z.string().optional(), url: z.string().optional(), urlEnv: envName.optional() })
      .refine((w) => [w.dir, w.url, w.urlEnv].filter(Boolean).length <= 1, {
        message: 'give at most one of dir, url or urlEnv',
      })
      .default({}),
    thresholds: z
      .strictObject({
        /** Items at or above this confidence are written without review. */
        autoAccept: z.number().min(0).max(1).default(0.95),
        /** Items below this confidence are sent to the customer to confirm; between the two, to review. */
        askCustomerBelow: z.number().min(0).max(1).default(0.6),
      })
      .refine((t) => t.askCustomerBelow <= t.autoAccept, {
        message: 'askCustomerBelow must not exceed autoAccept',
      })
      .default({ autoAccept: 0.95, askCustomerBelow: 0.6 }),
    rules: ruleOverrides,
    confirm: z
      .strictObject({
        /** Public base URL of the confirmation server, used in links. */
        baseUrl: z.url().default('http://127.0.0.1:8787'),
        /** Environment variable holding the HMAC key that signs links. */
        signingKeyEnv: envName.default('SALVAGE_CONFIRM_KEY'),
        from: z.string().default('salvage@localhost'),
        smtp: z
          .strictObject({
            host: z.string().default('127.0.0.1'),
            port: z.number().int().positive().default(587),
            secure: z.boolean().default(false),
            user: z.string().optional(),
            passwordEnv: envName.optional(),
          })
          .default({ host: '127.0.0.1', port: 587, secure: false }),
        linkTtl: duration.default(14 * 86_400_000),
      })
      .optional(),
    businesses: z.array(business).min(1, 'list at least one business'),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.businesses.forEach((b, i) => {
      if (seen.has(b.id))
        ctx.addIssue({ code: 'custom', path: ['businesses', i, 'id'], message: 'duplicate business id' });
      seen.add(b.id);
    });
  });

export type Config = z.output<typeof configSchema>;
export type BusinessConfig = Config['businesses'][number];
export type ExtractionRule = z.output<typeof extractionRule>;
export type StripeSourceConfig = z.output<typeof stripeSource>;
export type ImapSourceConfig = z.output<typeof imapSource>;
/** The `email` block of a business (IMAP, Gmail, exports, rules), for the email connector's parseConfig. */
export const emailSourcesSchema = emailSources;
export type EmailSourcesConfig = z.output<typeof emailSources>;
export type GmailSourceConfig = z.output<typeof gmailSource>;
export type GoogleCalendarConfig = z.output<typeof googleCalendar>;
/** The `calendar` block of a business (Google calendars, .ics files and feeds, rules), for the calendar connector. */
export const calendarSourcesSchema = calendarSources;
export type CalendarSourcesConfig = z.output<typeof calendarSources>;
export type IcsSourceConfig = z.output<typeof icsSource>;
export type RuleOverrides = z.output<typeof ruleOverrides>;
export type DatabaseConfig = z.output<typeof database>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; issues: ConfigIssue[] };

const SECRET_VALUE = /^(sk|rk|pk)_(live|test)_\w+|^whsec_\w+|^ya29\.|^xox[bap]-|^ghp_\w+/;
const SECRET_KEY = /^(password|passwd|secret|apiKey|api_key|key|token|accessToken|clientSecret|privateKey)$/i;

/**
 * Finds literal secrets before validation, so the message says the right thing: a Stripe key, an OAuth token or a
 * password written into the file, or a database URL with a password in it.
 */
export function findLiteralSecrets(value: unknown, path: (string | number)[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const here = path.join('.');
  if (typeof value === 'string') {
    const key = String(path[path.length - 1] ?? '');
    if (SECRET_VALUE.test(value.trim())) {
      issues.push({
        path: here,
        message:
          'holds a literal secret: put it in an environment variable and give its name in a ...Env field',
      });
    } else if (SECRET_KEY.test(key) && value.length > 0) {
      issues.push({
        path: here,
        message: `holds a literal secret: use ${key}Env with the name of an environment variable`,
      });
    } else if (/^postgres(ql)?:\/\/[^/@\s]*:[^/@\s]+@/.test(value)) {
      issues.push({
        path: here,
        message:
          'holds a database URL with a password: put the URL in an environment variable and use urlEnv',
      });
    }
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) issues.push(...findLiteralSecrets(v, [...path, i]));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) issues.push(...findLiteralSecrets(v, [...path, k]));
  }
  return issues;
}

/** Validates an already parsed config object. */
export function validateConfig(raw: unknown): ConfigResult {
  const secrets = findLiteralSecrets(raw);
  if (secrets.length > 0) return { ok: false, issues: secrets };
  const result = configSchema.safeParse(raw);
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: describeIssue(issue),
    })),
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'is required';
  return issue.message.replace(/^Invalid input: /, '');
}

/** Parses and validates the text of salvage.config.yaml (or .json). */
export function parseConfig(text: string): ConfigResult {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return { ok: false, issues: [{ path: '', message: `not valid YAML or JSON: ${message}` }] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      issues: [{ path: '', message: 'must be a mapping with incident, target and businesses' }],
    };
  }
  return validateConfig(raw);
}
