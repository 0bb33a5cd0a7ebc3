import { describe, expect, it } from 'vitest';
import { createQuotaBudget } from './quota-budget.ts';

describe('createQuotaBudget', () => {
  it('spends a burst at once, then waits in proportion to the units', async () => {
    let now = 0;
    const slept: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
    };
    const budget = createQuotaBudget(100, clock);
    for (let i = 0; i < 20; i++) await budget.take(5); // 100 units: the first second's burst
    expect(slept).toEqual([]);
    await budget.take(50);
    expect(slept).toEqual([500]);
    expect(budget.spent()).toBe(150);
  });

  it('serializes concurrent takers so the rate holds', async () => {
    let now = 0;
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
    const budget = createQuotaBudget(10, clock);
    await Promise.all(Array.from({ length: 6 }, () => budget.take(5)));
    // 30 units at 10/s with a 10-unit burst: 2 seconds of waiting.
    expect(now).toBe(2000);
  });
});
