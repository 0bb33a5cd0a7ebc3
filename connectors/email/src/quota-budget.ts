/** A token bucket over quota units (Gmail counts 5 units a messages.get, 2 a history.list). */
export interface QuotaBudget {
  /** Waits until `units` can be spent without exceeding the rate, then spends them. */
  take(units: number): Promise<void>;
  /** Units spent so far. */
  spent(): number;
}

/**
 * A budget of `unitsPerSecond`, with a burst of one second's worth. `sleep` and `now` are injectable so tests
 * need not wait. Gmail allows 250 units/s per user; the default share leaves room for the live mailbox.
 */
export function createQuotaBudget(
  unitsPerSecond: number,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> } = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  },
): QuotaBudget {
  let tokens = unitsPerSecond;
  let last = clock.now();
  let total = 0;
  let chain: Promise<void> = Promise.resolve();
  return {
    take(units) {
      const next = chain.then(async () => {
        for (;;) {
          const now = clock.now();
          tokens = Math.min(unitsPerSecond, tokens + ((now - last) / 1000) * unitsPerSecond);
          last = now;
          if (tokens >= units) {
            tokens -= units;
            total += units;
            return;
          }
          await clock.sleep(Math.ceil(((units - tokens) / unitsPerSecond) * 1000));
        }
      });
      chain = next.catch(() => {});
      return next;
    },
    spent: () => total,
  };
}
