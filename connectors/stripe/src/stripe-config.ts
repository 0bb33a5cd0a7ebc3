import type { ConfigIssue } from '@salvage/core';
import { z } from 'zod';

/**
 * The Stripe connector's config for one business: the business's `stripe` block from salvage.config.yaml plus who the
 * business is (for evidence and messages) and tuning knobs with defaults. Secrets are never here, only `keyEnv`.
 */
export const stripeConnectorConfigSchema = z.strictObject({
  businessId: z.string().min(1),
  businessName: z.string().min(1),
  timezone: z.string().default('UTC'),
  defaultRegion: z.string().default('US'),
  referencePattern: z.string().default('BK-[A-Z0-9]{6}'),
  /** Connected account for Stripe Connect (sent as Stripe-Account); omitted for the platform's own account. */
  account: z
    .string()
    .regex(/^acct_\w+$/)
    .optional(),
  keyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable'),
  /** Where the API lives (the local server in tests and the demo); default https://api.stripe.com. */
  apiBase: z.url().optional(),
  metadataKeys: z
    .strictObject({
      bookingId: z.array(z.string()).default(['booking_id', 'bookingId', 'booking-id']),
      reference: z
        .array(z.string())
        .default(['booking_ref', 'bookingRef', 'booking-ref', 'reference', 'booking_reference']),
      resource: z.array(z.string()).default(['resource', 'resource_name', 'resourceName']),
      startsAt: z.array(z.string()).default(['starts_at', 'start', 'check_in', 'startsAt']),
      endsAt: z.array(z.string()).default(['ends_at', 'end', 'check_out', 'endsAt']),
      customerId: z.array(z.string()).default(['customer_id', 'customerId']),
      /** What the payment paid for: values deposit, balance (remainder, final) or full (in_full, total). */
      paymentKind: z
        .array(z.string())
        .default(['payment_kind', 'paymentKind', 'payment_type', 'paymentType']),
    })
    .prefault({}),
  includeTestMode: z.boolean().default(false),
  /** Share of the account's rate limit this pull may take; the live application keeps the rest. */
  requestShare: z.number().gt(0).max(1).default(0.5),
  /** Requests per second Stripe allows the account (live mode: 100). */
  accountRateLimit: z.number().positive().default(100),
  /** Requests per second Stripe allows one endpoint (25). */
  endpointRateLimit: z.number().positive().default(25),
  /** Created-range slices paged concurrently per stream. */
  slicesPerStream: z.number().int().min(1).max(64).default(8),
  /** Objects per page, 1..100. */
  pageSize: z.number().int().min(1).max(100).default(100),
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).default(8),
      baseDelayMs: z.number().min(0).default(500),
      maxDelayMs: z.number().min(0).default(30_000),
    })
    .prefault({}),
  /**
   * At most one checkpoint per stream in this many ms (a stream's last one is always written). Each checkpoint is a
   * workspace transaction; 0 writes one after every page.
   */
  checkpointIntervalMs: z.number().int().min(0).default(1000),
  /** Per-request timeout, ms. */
  timeoutMs: z.number().int().positive().default(30_000),
});

export type StripeConnectorConfig = z.output<typeof stripeConnectorConfigSchema>;
export type StripeConnectorConfigInput = z.input<typeof stripeConnectorConfigSchema>;

/** Validates a raw config into a StripeConnectorConfig, or the issues with dotted paths. Pure. */
export function parseStripeConfig(
  raw: unknown,
): { ok: true; config: StripeConnectorConfig } | { ok: false; issues: ConfigIssue[] } {
  const res = stripeConnectorConfigSchema.safeParse(raw);
  if (res.success) return { ok: true, config: res.data };
  return {
    ok: false,
    issues: res.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  };
}
