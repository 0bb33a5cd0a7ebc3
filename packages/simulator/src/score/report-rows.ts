import type { AccuracyReport, Ratio } from './accuracy-report.ts';
import { SCORED_ENTITIES } from './accuracy-report.ts';

/** A rate as a percentage with two decimals ('99.52%'), or '-' when nothing was measured. */
export function formatRate(r: Ratio | number | null): string {
  const rate = r === null || typeof r === 'number' ? r : r.rate;
  return rate === null ? '-' : `${(rate * 100).toFixed(2)}%`;
}

/** A rate with its counts: '99.52% (2089/2099)'. */
function withCounts(r: Ratio): string {
  return r.of ? `${formatRate(r)} (${r.hit}/${r.of})` : '-';
}

/**
 * The report as table rows, one per entity and one for all: recall, precision, field accuracy, duplicates, wrong
 * auto-accepted, review share and ECE. Percentages are strings so the table shows them as people read them.
 */
export function reportRows(report: AccuracyReport): Record<string, string>[] {
  const rows: Record<string, string>[] = SCORED_ENTITIES.map((entity) => {
    const s = report[entity];
    return {
      entity,
      recall: withCounts(s.recall),
      precision: withCounts(s.precision),
      'field accuracy': withCounts(s.fieldAccuracy),
      duplicates: withCounts(s.duplicates),
      'wrong auto-accepted': withCounts(s.wrongAutoAccepted),
      'review share': s.reviewShare.share === null ? '-' : formatRate(s.reviewShare.share),
      ECE: s.calibration.ece === null ? '-' : s.calibration.ece.toFixed(4),
    };
  });
  const o = report.overall;
  rows.push({
    entity: 'all',
    recall: '',
    precision: '',
    'field accuracy': '',
    duplicates: '',
    'wrong auto-accepted': withCounts(o.wrongAutoAccepted),
    'review share': o.reviewShare.share === null ? '-' : formatRate(o.reviewShare.share),
    ECE: o.calibration.ece === null ? '-' : o.calibration.ece.toFixed(4),
  });
  return rows;
}

/** The lines under the table: wrongly merged people, payments linked to their booking, notes. */
export function reportFootnotes(report: AccuracyReport): string[] {
  return [
    `customers wrongly merged: ${withCounts(report.customers.wronglyMerged)}`,
    `Stripe payments linked to the right booking: ${withCounts(report.payments.linkedToBooking)}`,
    ...report.notes.map((n) => `note: ${n}`),
  ];
}
