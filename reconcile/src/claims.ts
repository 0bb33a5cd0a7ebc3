import type { SourceKind, Value } from '@salvage/core';
import { compareText } from './compare.ts';

/** A value one source (or the target row) gives for one column, with what ordering and trust need. */
export interface Claim {
  value: Value;
  /** null for the target row's own value. */
  evidenceId: string | null;
  source: SourceKind | 'target';
  /** Source object identity: versions of one object supersede each other. */
  objectKey: string;
  /** observedAt in ms (the target row: its updated_at). */
  at: number;
  /** The source's own version order (SEQUENCE, updated ms, event created); 0 when unknown. */
  rank: number;
  /** Extractor confidence, in [0, 1]. */
  confidence: number;
  /**
   * True when the claim comes from the platform's own copy of a customer's account: a source that names the
   * platform's customer id on the person (a Stripe Customer's metadata). Its contact details are the account's; a
   * booking's contact (a work address used once, a misspelt name at checkout) is not.
   */
  account?: boolean;
}

/** Source kinds grouped by the system they come from: agreement counts systems, not copies within one. */
export type SourceGroup = 'stripe' | 'email' | 'calendar' | 'confirmation' | 'operator' | 'target';

/** The system a source kind belongs to. */
export function sourceGroup(kind: SourceKind | 'target'): SourceGroup {
  switch (kind) {
    case 'stripe':
      return 'stripe';
    case 'imap':
    case 'gmail':
    case 'mbox':
    case 'maildir':
    case 'eml':
      return 'email';
    case 'google_calendar':
    case 'ics':
      return 'calendar';
    case 'confirmation':
      return 'confirmation';
    case 'operator':
      return 'operator';
    default:
      return 'target';
  }
}

/** Newest first: observed time, then the source's own version rank, then extractor confidence, then id for ties. */
export function compareNewestFirst(a: Claim, b: Claim): number {
  // Signs rather than differences: a difference of timestamps or confidences is a heap number for each comparison a
  // sort makes. A NaN difference falls through to the next key, as `b.at - a.at || ...` does.
  const at = b.at - a.at;
  if (at) return at > 0 ? 1 : -1;
  const rank = b.rank - a.rank;
  if (rank) return rank > 0 ? 1 : -1;
  const confidence = b.confidence - a.confidence;
  if (confidence) return confidence > 0 ? 1 : -1;
  return compareText(a.evidenceId ?? '', b.evidenceId ?? '');
}
