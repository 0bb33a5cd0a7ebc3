/** Code-unit order of two strings: stable across locales and much cheaper than localeCompare on hot paths. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
