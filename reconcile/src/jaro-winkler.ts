/**
 * Jaro-Winkler similarity in [0, 1] (1 = equal), with the usual prefix scale 0.1 over at most 4 characters. Used for
 * names, where typos and dropped letters are common and a shared prefix is a strong hint.
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  // Scratch flags shared by every call (cleared for the lengths used): two typed arrays per pair were a tenth of
  // customer linking's garbage. Nothing else holds them, so the function stays pure.
  if (scratchA.length < la) scratchA = new Uint8Array(Math.max(la, 2 * scratchA.length));
  if (scratchB.length < lb) scratchB = new Uint8Array(Math.max(lb, 2 * scratchB.length));
  const matchedA = scratchA;
  const matchedB = scratchB;
  matchedA.fill(0, 0, la);
  matchedB.fill(0, 0, lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (matchedB[j] || a.charCodeAt(i) !== b.charCodeAt(j)) continue;
      matchedA[i] = 1;
      matchedB[j] = 1;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!matchedA[i]) continue;
    while (!matchedB[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

let scratchA = new Uint8Array(64);
let scratchB = new Uint8Array(64);

// Letters NFKD leaves whole: typed without their stroke or as the two letters they stand for.
const LETTER_FOLDS: Record<string, string> = {
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ı: 'i',
  ß: 'ss',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  þ: 'th',
  Þ: 'TH',
};

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** A name reduced for comparison: lower case, accents stripped, punctuation dropped, single spaces. */
export function normalizeName(name: string): string {
  // Printable ASCII is its own NFKD form and holds no marks or folded letters: only the case and the separators change
  // (most names are, and this ran for every name mention).
  if (PRINTABLE_ASCII.test(name))
    return name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[øØłŁđĐıßæÆœŒþÞ]/g, (c) => LETTER_FOLDS[c] ?? c)
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
