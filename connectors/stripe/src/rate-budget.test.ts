import { describe, expect, it } from 'vitest';
import { createRateBudget } from './rate-budget.ts';
import { StripeRequestError } from './stripe-request-error.ts';
import { retryDelayMs } from './stripe-transport.ts';

describe('rate budget', () => {
  it('spaces requests to the endpoint rate and the account rate', async () => {
    const budget = createRateBudget(50, 20);
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => budget.acquire('/v1/charges')));
    // Six slots at 20/s: the last at 250 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    const t1 = Date.now();
    await Promise.all(
      ['/a', '/b', '/c', '/d', '/e', '/f'].flatMap((p) => [budget.acquire(p), budget.acquire(p)]),
    );
    // Twelve requests on six endpoints are held to the 50/s account rate: at least 11 intervals of 20 ms.
    expect(Date.now() - t1).toBeGreaterThanOrEqual(200);
    expect(budget.granted).toBe(18);
  });

  it('rejects a waiting caller when aborted', async () => {
    const budget = createRateBudget(1, 1);
    await budget.acquire('/x');
    const abort = new AbortController();
    const waiting = budget.acquire('/x', abort.signal);
    abort.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('retry delay', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, random: () => 1 };
  const err = (retryAfterSeconds?: number) =>
    new StripeRequestError('rate_limit', {
      method: 'GET',
      path: '/v1/charges',
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  it('grows exponentially up to the cap, jittered in its upper half, and honours Retry-After', () => {
    expect(retryDelayMs(policy, 1, err())).toBe(100);
    expect(retryDelayMs(policy, 3, err())).toBe(400);
    expect(retryDelayMs(policy, 10, err())).toBe(1000);
    expect(retryDelayMs({ ...policy, random: () => 0 }, 3, err())).toBe(200);
    expect(retryDelayMs(policy, 1, err(3))).toBe(3000);
  });
});
