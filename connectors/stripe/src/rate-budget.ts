/**
 * The request budget a pull spends: one bucket for the account and one per endpoint, each a reservation-style token
 * bucket (callers queue for evenly spaced slots, so a burst never exceeds the rate Stripe measures). Waiting honours
 * an abort signal.
 */
export interface RateBudget {
  /** Resolves when one request to `endpoint` may be sent; rejects with the signal's reason when aborted. */
  acquire(endpoint: string, signal?: AbortSignal): Promise<void>;
  /** Holds every request to `endpoint` (or all, with '*') until `untilMs`: after a 429 with Retry-After. */
  pause(endpoint: string, untilMs: number): void;
  /** Requests granted so far. */
  readonly granted: number;
}

/** Sleeps `ms`, or rejects early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Bucket {
  /** Next free slot, ms. */
  nextMs: number;
  intervalMs: number;
  pausedUntilMs: number;
}

/** A budget of `accountPerSecond` overall and `endpointPerSecond` per endpoint. `clock` is injectable for tests. */
export function createRateBudget(
  accountPerSecond: number,
  endpointPerSecond: number,
  clock: () => number = Date.now,
): RateBudget {
  const account: Bucket = { nextMs: 0, intervalMs: 1000 / accountPerSecond, pausedUntilMs: 0 };
  const endpoints = new Map<string, Bucket>();
  let granted = 0;
  // Reserve the next slot at or after `earliest`; returns when it is.
  const reserve = (b: Bucket, earliest: number): number => {
    const at = Math.max(b.nextMs, earliest, b.pausedUntilMs);
    b.nextMs = at + b.intervalMs;
    return at;
  };
  return {
    async acquire(endpoint, signal) {
      let e = endpoints.get(endpoint);
      if (!e) {
        e = { nextMs: 0, intervalMs: 1000 / endpointPerSecond, pausedUntilMs: 0 };
        endpoints.set(endpoint, e);
      }
      // The endpoint slot first, then the account slot from then on: a slow endpoint does not hold account slots.
      const endpointAt = reserve(e, clock());
      await sleep(endpointAt - clock(), signal);
      const accountAt = reserve(account, clock());
      await sleep(accountAt - clock(), signal);
      granted++;
    },
    pause(endpoint, untilMs) {
      if (endpoint === '*') account.pausedUntilMs = Math.max(account.pausedUntilMs, untilMs);
      else {
        const e = endpoints.get(endpoint);
        if (e) e.pausedUntilMs = Math.max(e.pausedUntilMs, untilMs);
      }
    },
    get granted() {
      return granted;
    },
  };
}
