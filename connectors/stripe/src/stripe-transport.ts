import Stripe from 'stripe';
import { type RateBudget, sleep } from './rate-budget.ts';
import type { StripeConnectorConfig } from './stripe-config.ts';
import { isRetryable, StripeRequestError, wrapStripeError } from './stripe-request-error.ts';

/** Makes the SDK client for a key; tests and the CLI pass their own (pointed at the local server). */
export type MakeStripeClient = (key: string, config: StripeConnectorConfig) => Stripe;

/**
 * The default client: the official SDK, pointed at `apiBase` when set. Its own retries are off
 * (maxNetworkRetries 0) because every attempt must pass through the connector's rate budget; the connector retries
 * 429s, 5xx, dropped connections and garbled bodies itself.
 */
export const defaultMakeClient: MakeStripeClient = (key, config) => {
  const base = config.apiBase ? new URL(config.apiBase) : null;
  return new Stripe(key, {
    maxNetworkRetries: 0,
    timeout: config.timeoutMs,
    telemetry: false,
    appInfo: { name: 'salvage', version: '0.1.0' },
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  });
};

/** Retry timing; `random` in [0, 1) gives the jitter. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

/** Ms to wait before attempt `attempt + 1`: exponential, half of it jittered, at least what Retry-After asks. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, error: StripeRequestError): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + policy.random() * (exp / 2);
  const asked = error.retryAfterSeconds === undefined ? 0 : error.retryAfterSeconds * 1000;
  return Math.max(jittered, asked);
}

/** Counts a transport keeps, for progress and benchmarks. */
export interface TransportStats {
  requests: number;
  retries: number;
  rateLimited: number;
}

/** GET-only calls through the budget with retries; every failure comes out as a StripeRequestError. */
export interface StripeTransport {
  readonly stats: TransportStats;
  /** Runs one GET (`call`) against `path` (for the budget and error messages), retrying what is retryable. */
  get<T>(
    path: string,
    call: (options: Stripe.RequestOptions) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T>;
}

/** A transport for one account. `onRetry` hears each retry (for logs), with the wrapped error and the delay. */
export function createStripeTransport(input: {
  account: string | undefined;
  budget: RateBudget;
  policy: RetryPolicy;
  onRetry?: (error: StripeRequestError, attempt: number, delayMs: number) => void;
}): StripeTransport {
  const stats: TransportStats = { requests: 0, retries: 0, rateLimited: 0 };
  const options: Stripe.RequestOptions = input.account ? { stripeAccount: input.account } : {};
  return {
    stats,
    async get(path, call, signal) {
      for (let attempt = 1; ; attempt++) {
        await input.budget.acquire(path, signal);
        if (signal?.aborted) throw new StripeRequestError('aborted', { method: 'GET', path });
        stats.requests++;
        try {
          return await call(options);
        } catch (raw) {
          const error = wrapStripeError(raw, 'GET', path);
          if (error.kind === 'rate_limit') stats.rateLimited++;
          if (signal?.aborted) throw new StripeRequestError('aborted', { method: 'GET', path }, raw);
          if (!isRetryable(error) || attempt >= input.policy.maxAttempts) throw error;
          const delay = retryDelayMs(input.policy, attempt, error);
          // A 429 means the endpoint is saturated (perhaps by the live application): hold its other callers too.
          if (error.kind === 'rate_limit') input.budget.pause(path, Date.now() + delay);
          stats.retries++;
          input.onRetry?.(error, attempt, delay);
          await sleep(delay, signal);
        }
      }
    },
  };
}
