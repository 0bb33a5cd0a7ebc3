/**
 * The strings sorted, each once: what `[...new Set(list)].sort()` gives, as a new array of exactly that length (an
 * array grown by push keeps spare capacity, up to 17 slots for a few ids, which a plan holds for its lifetime).
 * Sorts `list` in place.
 */
export function sortedUnique(list: string[]): string[] {
  if (list.length < 2) return list.slice();
  list.sort();
  let n = 1;
  for (let i = 1; i < list.length; i++) if (list[i] !== list[n - 1]) list[n++] = list[i]!;
  return list.slice(0, n);
}
