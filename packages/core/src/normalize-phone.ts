import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * A phone number in E.164 (`+14155550123`), read with the business's default region for numbers written without a
 * country code. Null when the text is not a valid number.
 */
export function normalizePhone(raw: string | null | undefined, defaultRegion: string): string | null {
  if (!raw) return null;
  const text = raw.trim().replace(/^tel:/i, '');
  if (!/\d/.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text, defaultRegion.toUpperCase() as CountryCode);
  if (!parsed?.isValid()) return null;
  return parsed.number;
}
