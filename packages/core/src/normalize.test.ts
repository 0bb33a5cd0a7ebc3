import { describe, expect, it } from 'vitest';
import { emailLocalPart, normalizeEmail } from './normalize-email.ts';
import { formatMoney, parseMoney } from './normalize-money.ts';
import { normalizePhone } from './normalize-phone.ts';

describe('normalizeEmail', () => {
  it.each([
    ['  Ana.Lima@Example.COM ', 'ana.lima@example.com'],
    ['Ana Lima <ANA@example.com>', 'ana@example.com'],
    ['mailto:bob@example.org', 'bob@example.org'],
    ['not an email', null],
    ['', null],
  ])('%j -> %j', (raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
  });

  it('drops +tags from the local part', () => {
    expect(emailLocalPart('ana.lima+kayak@example.com')).toBe('ana.lima');
  });
});

describe('normalizePhone', () => {
  it.each([
    ['(415) 555-2671', 'US', '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['+1 415 555 2671', 'PT', '+14155552671'],
    ['001 415 555 2671', 'PT', '+14155552671'],
    ['912 345 678', 'PT', '+351912345678'],
    ['07911 123456', 'GB', '+447911123456'],
    ['12', 'US', null],
    ['call me', 'US', null],
  ])('%j in %s -> %j', (raw, region, expected) => {
    expect(normalizePhone(raw, region)).toBe(expected);
  });
});

describe('parseMoney', () => {
  it.each([
    ['$1,234.50', 'eur', { amountMinor: 123450, currency: 'usd' }],
    ['1.234,50 €', 'usd', { amountMinor: 123450, currency: 'eur' }],
    ['EUR 12', 'usd', { amountMinor: 1200, currency: 'eur' }],
    ['12.5', 'gbp', { amountMinor: 1250, currency: 'gbp' }],
    ['¥1,200', 'usd', { amountMinor: 1200, currency: 'jpy' }],
    ['KWD 1.250', 'usd', { amountMinor: 1250, currency: 'kwd' }],
    ['no amount', 'usd', null],
  ])('%j -> %j', (raw, fallback, expected) => {
    expect(parseMoney(raw, fallback)).toEqual(expected);
  });

  it('formats minor units for people', () => {
    expect(formatMoney(12350, 'eur')).toBe('123.50 EUR');
    expect(formatMoney(1200, 'jpy')).toBe('1200 JPY');
  });
});
