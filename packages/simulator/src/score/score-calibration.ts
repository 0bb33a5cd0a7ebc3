import type { Calibration, ReliabilityBin } from './accuracy-report.ts';

/** Bins of the reliability table and of the expected calibration error. */
export const CALIBRATION_BINS = 10;

/** One judged value: the confidence it was written with, and whether it equals the truth. */
export interface CalibrationPair {
  confidence: number;
  correct: boolean;
}

/**
 * Expected calibration error over CALIBRATION_BINS equal-width bins of confidence, with the reliability table:
 * ECE = sum over bins of (n_bin / n) * |accuracy_bin - meanConfidence_bin|. Confidence 1 falls in the last bin;
 * values outside [0, 1] are clamped, as a confidence cannot mean more than certainty.
 */
export function scoreCalibration(pairs: Iterable<CalibrationPair>): Calibration {
  const count = new Array<number>(CALIBRATION_BINS).fill(0);
  const confidenceSum = new Array<number>(CALIBRATION_BINS).fill(0);
  const correctSum = new Array<number>(CALIBRATION_BINS).fill(0);
  let n = 0;
  for (const { confidence, correct } of pairs) {
    const c = Number.isFinite(confidence) ? Math.min(1, Math.max(0, confidence)) : 0;
    const bin = Math.min(CALIBRATION_BINS - 1, Math.floor(c * CALIBRATION_BINS));
    count[bin]!++;
    confidenceSum[bin]! += c;
    if (correct) correctSum[bin]!++;
    n++;
  }
  let ece = 0;
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < CALIBRATION_BINS; b++) {
    const k = count[b]!;
    const meanConfidence = k ? confidenceSum[b]! / k : null;
    const accuracy = k ? correctSum[b]! / k : null;
    if (k) ece += (k / n) * Math.abs(accuracy! - meanConfidence!);
    bins.push({
      lower: b / CALIBRATION_BINS,
      upper: (b + 1) / CALIBRATION_BINS,
      count: k,
      meanConfidence,
      accuracy,
    });
  }
  return { pairs: n, ece: n ? ece : null, bins };
}
