import { describe, expect, it } from 'vitest';
import { planSlices, resumeSlices } from './slices.ts';

describe('created-range slices', () => {
  it('cuts a range into contiguous slices that cover it exactly', () => {
    const s = planSlices(100, 1100, 8);
    expect(s).toHaveLength(8);
    expect(s[0]!.gte).toBe(100);
    expect(s.at(-1)!.lt).toBe(1100);
    for (let i = 1; i < s.length; i++) expect(s[i]!.gte).toBe(s[i - 1]!.lt);
    expect(planSlices(5, 8, 8)).toHaveLength(3);
    expect(planSlices(5, 5, 8)).toEqual([]);
  });

  it('resumes stored slices as they were, and adds slices for a wider window', () => {
    const stored = {
      v: 1,
      slices: [
        { gte: 100, lt: 200, after: 'ch_9', done: false },
        { gte: 200, lt: 300, done: true },
      ],
    };
    expect(resumeSlices(stored, 100, 300, 4)).toEqual(stored.slices);
    const wider = resumeSlices(stored, 100, 400, 2);
    expect(wider.slice(0, 2)).toEqual(stored.slices);
    expect(wider.slice(2)).toEqual([
      { gte: 300, lt: 350, done: false },
      { gte: 350, lt: 400, done: false },
    ]);
    expect(resumeSlices({ v: 2 }, 0, 10, 2)).toEqual(planSlices(0, 10, 2));
  });
});
