/**
 * A token bucket that refuses rather than waits: the server's view of a rate limit. `ratePerSecond` tokens refill
 * continuously up to `capacity` (default one second's worth, like Stripe's limiter).
 */
export interface RefusingBucket {
  /** Takes a token if there is one; false when the caller is over the limit. */
  tryTake(nowMs: number): boolean;
}

/** A bucket that starts full. */
export function createRefusingBucket(ratePerSecond: number, capacity = ratePerSecond): RefusingBucket {
  let tokens = capacity;
  let lastMs = Number.NaN;
  return {
    tryTake(nowMs) {
      if (!Number.isNaN(lastMs))
        tokens = Math.min(capacity, tokens + ((nowMs - lastMs) / 1000) * ratePerSecond);
      lastMs = nowMs;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    },
  };
}
