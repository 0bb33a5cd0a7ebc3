import { describe, expect, it } from 'vitest';
import { scoreCalibration } from './score-calibration.ts';

const pairs = (confidence: number, right: number, wrong: number) => [
  ...Array.from({ length: right }, () => ({ confidence, correct: true })),
  ...Array.from({ length: wrong }, () => ({ confidence, correct: false })),
];

describe('scoreCalibration', () => {
  it('is 0 for perfectly calibrated values', () => {
    // 0.9 right 9 times in 10, 0.55 right 11 times in 20 (0.55 exactly).
    const c = scoreCalibration([...pairs(0.9, 9, 1), ...pairs(0.55, 11, 9)]);
    expect(c.pairs).toBe(30);
    expect(c.ece).toBeCloseTo(0, 12);
  });

  it('weighs each bin by its share of values', () => {
    // Bin [0.9, 1): confidence 0.95, accuracy 0.5 -> gap 0.45, weight 20/40.
    // Bin [0.3, 0.4): confidence 0.3, accuracy 0.7 -> gap 0.4, weight 20/40.
    const c = scoreCalibration([...pairs(0.95, 10, 10), ...pairs(0.3, 14, 6)]);
    expect(c.ece).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.4, 12);
    expect(c.bins[9]).toMatchObject({ lower: 0.9, upper: 1, count: 20, accuracy: 0.5 });
    expect(c.bins[9]!.meanConfidence).toBeCloseTo(0.95, 12);
    expect(c.bins[3]).toMatchObject({ count: 20, accuracy: 0.7 });
    expect(c.bins[3]!.meanConfidence).toBeCloseTo(0.3, 12);
    expect(c.bins[0]).toEqual({ lower: 0, upper: 0.1, count: 0, meanConfidence: null, accuracy: null });
  });

  it('averages confidence inside a bin before comparing (not per value)', () => {
    // One bin [0.8, 0.9): mean confidence 0.85, accuracy 0.5 -> ECE 0.35.
    const c = scoreCalibration([
      { confidence: 0.8, correct: true },
      { confidence: 0.9 - 1e-9, correct: false },
    ]);
    expect(c.bins[8]!.count).toBe(2);
    expect(c.ece).toBeCloseTo(0.35, 6);
  });

  it('puts confidence 1 in the last bin and clamps out-of-range values', () => {
    const c = scoreCalibration([
      { confidence: 1, correct: true },
      { confidence: 1.5, correct: true },
      { confidence: -0.2, correct: false },
    ]);
    expect(c.bins[9]!.count).toBe(2);
    expect(c.bins[0]!.count).toBe(1);
    expect(c.ece).toBeCloseTo(0, 12);
  });

  it('is null with nothing to measure', () => {
    const c = scoreCalibration([]);
    expect(c).toMatchObject({ pairs: 0, ece: null });
    expect(c.bins).toHaveLength(10);
  });
});
