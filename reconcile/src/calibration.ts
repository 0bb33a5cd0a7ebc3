/**
 * Calibrated confidence: a Platt (logistic) fit from a value's features to the probability that it is right. The
 * coefficients are constants learned offline on simulator incidents by scripts/fit-calibration.ts and checked in here;
 * re-run that script and paste its output when the engine or the simulator changes.
 */

/** What the engine knows about one chosen value when it scores it. */
export interface ConfidenceFeatures {
  /** Distinct source systems whose current claim agrees with the value (the value's own source included). */
  agreeingSources: number;
  /** Distinct systems whose current claim disagrees but is older than the chosen one (superseded). */
  olderDisagreeing: number;
  /** Distinct systems whose current claim disagrees and is about as new as the chosen one. */
  newerDisagreeing: number;
  /** Best extractor confidence among the agreeing evidence. */
  extractorConfidence: number;
  /** 1 when a priority rule chose the value (Stripe for amounts, the customer's own confirmation), else 0. */
  priorityRule: number;
}

/** Platt coefficients: intercept and one weight per feature transform. */
export const CALIBRATION: Readonly<
  Record<
    | 'intercept'
    | 'logAgreeing'
    | 'extractorLogit'
    | 'olderDisagreeing'
    | 'newerDisagreeing'
    | 'priorityRule'
    | 'plattA'
    | 'plattB',
    number
  >
> = {
  intercept: 0.4,
  logAgreeing: 1.6,
  extractorLogit: 0.85,
  olderDisagreeing: -0.9,
  newerDisagreeing: -2.5,
  priorityRule: 0.8,
  /** Platt scaling of the feature score, fitted on labelled simulator values: p = sigmoid(plattA * z + plattB). */
  plattA: 0.6328,
  plattB: 3.9041,
} as const;

/** Probability in (0, 1) that a value with these features is right. */
export function scoreConfidence(f: ConfidenceFeatures, c: typeof CALIBRATION = CALIBRATION): number {
  const ext = Math.min(0.999, Math.max(0.501, f.extractorConfidence));
  const z =
    c.intercept +
    c.logAgreeing * Math.log(Math.max(1, f.agreeingSources)) +
    c.extractorLogit * Math.log(ext / (1 - ext)) +
    c.olderDisagreeing * f.olderDisagreeing +
    c.newerDisagreeing * f.newerDisagreeing +
    c.priorityRule * f.priorityRule;
  return round4(1 / (1 + Math.exp(-(c.plattA * z + c.plattB))));
}

/** Confidences are rounded so plans hash the same on every platform. */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
