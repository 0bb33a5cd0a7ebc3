import type { Alternative } from '@salvage/core';

// Most fields of a plan have no alternatives, and derived ones cite no evidence: each such field shares one frozen
// empty array rather than holding its own (an empty array per field was about a tenth of a plan's memory). Frozen,
// so code that tried to add to one would throw instead of changing every field; the plan's JSON is the same.

/** The shared empty evidence-id list. */
export const NO_EVIDENCE_IDS = Object.freeze([]) as unknown as string[];
/** The shared empty list of alternatives. */
export const NO_ALTERNATIVES = Object.freeze([]) as unknown as Alternative[];
