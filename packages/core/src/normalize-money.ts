/** Currencies whose minor unit is not 1/100 (ISO 4217 and Stripe's zero-decimal list). */
const EXPONENTS: Record<string, number> = {
  bif: 0,
  clp: 0,
  djf: 0,
  gnf: 0,
  jpy: 0,
  kmf: 0,
  krw: 0,
  mga: 0,
  pyg: 0,
  rwf: 0,
  ugx: 0,
  vnd: 0,
  vuv: 0,
  xaf: 0,
  xof: 0,
  xpf: 0,
  isk: 0,
  bhd: 3,
  jod: 3,
  kwd: 3,
  omr: 3,
  tnd: 3,
};

const SYMBOLS: Record<string, string> = {
  $: 'usd',
  '€': 'eur',
  '£': 'gbp',
  '¥': 'jpy',
  A$: 'aud',
  C$: 'cad',
  NZ$: 'nzd',
  kr: 'sek',
  CHF: 'chf',
};

/** Digits after the decimal point in `currency` (lower-case ISO 4217). */
export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toLowerCase()] ?? 2;
}

export interface Money {
  amountMinor: number;
  currency: string;
}

/**
 * Reads an amount as people write it (`$1,234.50`, `1.234,50 €`, `EUR 12`, `12.5`) into integer minor units.
 * `fallbackCurrency` is used when the text names none. Null when no amount can be read.
 */
export function parseMoney(raw: string, fallbackCurrency: string): Money | null {
  const text = raw.trim();
  let currency = fallbackCurrency.toLowerCase();
  const code = /\b([A-Za-z]{3})\b/.exec(text);
  if (code?.[1] && /^[A-Z]{3}$/.test(code[1])) currency = code[1].toLowerCase();
  else {
    for (const [symbol, c] of Object.entries(SYMBOLS).sort((a, b) => b[0].length - a[0].length)) {
      if (text.includes(symbol)) {
        currency = c;
        break;
      }
    }
  }
  const number = /-?\d[\d.,' \u00a0]*/.exec(text)?.[0]?.trim();
  if (!number) return null;
  const exponent = currencyExponent(currency);
  const lastSep = Math.max(number.lastIndexOf('.'), number.lastIndexOf(','));
  let integer = number;
  let fraction = '';
  // A separator followed by exactly 3 digits is a thousands separator unless the currency has 3 decimals.
  if (lastSep >= 0) {
    const tail = number.slice(lastSep + 1).replace(/\D/g, '');
    if (tail.length !== 3 || exponent === 3) {
      integer = number.slice(0, lastSep);
      fraction = tail;
    }
  }
  const intDigits = integer.replace(/\D/g, '');
  if (!intDigits && !fraction) return null;
  const frac = (fraction + '000').slice(0, exponent);
  const negative = number.startsWith('-');
  const amountMinor = Number(intDigits || '0') * 10 ** exponent + Number(frac || '0');
  return { amountMinor: negative ? -amountMinor : amountMinor, currency };
}

/** Formats minor units for people: `formatMoney(12350, 'eur')` -> `123.50 EUR`. */
export function formatMoney(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const abs = Math.abs(amountMinor);
  const major = Math.floor(abs / 10 ** exponent);
  const minor = exponent ? `.${String(abs % 10 ** exponent).padStart(exponent, '0')}` : '';
  return `${sign}${major}${minor} ${currency.toUpperCase()}`;
}
