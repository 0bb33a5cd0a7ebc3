/**
 * Created-range slices: a stream's window [gte, lt) in unix seconds, cut into slices paged concurrently. A slice's
 * state is its range, the last id read (Stripe's `starting_after` cursor, newest first) and whether it is done. The
 * stream's checkpoint is the list of its slices. Pure.
 */
export interface SliceState {
  gte: number;
  lt: number;
  /** The last object id read in this slice; the next page starts after it. */
  after?: string;
  done: boolean;
}

export interface StreamCheckpoint {
  v: 1;
  slices: SliceState[];
}

/** Cuts [gte, lt) into `count` slices of equal length (fewer when the range is shorter than `count` seconds). */
export function planSlices(gte: number, lt: number, count: number): SliceState[] {
  if (lt <= gte) return [];
  const n = Math.max(1, Math.min(count, lt - gte));
  const out: SliceState[] = [];
  for (let i = 0; i < n; i++) {
    const a = gte + Math.floor(((lt - gte) * i) / n);
    const b = gte + Math.floor(((lt - gte) * (i + 1)) / n);
    if (b > a) out.push({ gte: a, lt: b, done: false });
  }
  return out;
}

function isSlice(v: unknown): v is SliceState {
  if (!v || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  return (
    Number.isInteger(s.gte) &&
    Number.isInteger(s.lt) &&
    typeof s.done === 'boolean' &&
    (s.after === undefined || typeof s.after === 'string')
  );
}

/** Reads a stored checkpoint; null when it is absent or not one this connector wrote. */
export function parseStreamCheckpoint(state: unknown): StreamCheckpoint | null {
  if (!state || typeof state !== 'object') return null;
  const s = state as Record<string, unknown>;
  if (s.v !== 1 || !Array.isArray(s.slices) || !s.slices.every(isSlice)) return null;
  return { v: 1, slices: s.slices.map((x) => ({ ...x })) };
}

/**
 * The slices to read for [gte, lt) given an earlier checkpoint: its slices as they were, plus new slices for any part
 * of the range they do not cover (a later run with a wider window). Without a checkpoint, a fresh plan.
 */
export function resumeSlices(previous: unknown, gte: number, lt: number, count: number): SliceState[] {
  const prev = parseStreamCheckpoint(previous);
  if (!prev || prev.slices.length === 0) return planSlices(gte, lt, count);
  const lo = Math.min(...prev.slices.map((s) => s.gte));
  const hi = Math.max(...prev.slices.map((s) => s.lt));
  return [
    ...(gte < lo ? planSlices(gte, lo, count) : []),
    ...prev.slices,
    ...(lt > hi ? planSlices(hi, lt, count) : []),
  ];
}
