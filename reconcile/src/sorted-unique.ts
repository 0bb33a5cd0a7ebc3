/** The strings sorted, each once: what `[...new Set(list)].sort()` gives, sorting `list` in place. */
export function sortedUnique(list: string[]): string[] {
  if (list.length < 2) return list;
  list.sort();
  let n = 1;
  for (let i = 1; i < list.length; i++) if (list[i] !== list[n - 1]) list[n++] = list[i]!;
  list.length = n;
  return list;
}
