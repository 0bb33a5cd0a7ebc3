import { describe, expect, it } from 'vitest';
import type { ExtractionRule } from '../config.ts';
import { compileRules } from './compile-rules.ts';
import { extractRuleValue, matchFirstRule, matchRules } from './match-rules.ts';
import { normalizeRuleFields, parseRuleTime, parseStatusWord } from './normalize-rule-fields.ts';

function rule(partial: Partial<ExtractionRule> & { name: string }): ExtractionRule {
  return { match: {}, kind: 'other', fields: {}, confidence: 0.9, ...partial };
}

const confirmation = rule({
  name: 'v1-confirmation',
  match: { subject: '^Booking confirmed: BK-' },
  kind: 'confirmation',
  fields: {
    reference: 'Reference:[ \\t]*(?<value>BK-[A-Z0-9]{6})',
    customerName: '^Name:[ \\t]*([^\\r\\n]+)',
    customerEmail: 'Email:[ \\t]*\\S+',
    startsAt: 'Start:[ \\t]*(?<value>[^\\r\\n]+)',
  },
  confidence: 0.92,
});
const calendarRule = rule({
  name: 'calendar-summary',
  match: { summary: 'BK-' },
  fields: { reference: 'BK-[A-Z0-9]{6}', customerPhone: 'tel:(?<value>[+\\d ]+)' },
});

describe('compileRules', () => {
  it('reports a bad pattern by rule and path and keeps the others', () => {
    const { rules, issues } = compileRules([rule({ name: 'bad', fields: { reference: '(' } }), calendarRule]);
    expect(rules.map((r) => r.rule.name)).toEqual(['calendar-summary']);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ rule: 'bad', path: 'fields.reference' });
  });
});

describe('extractRuleValue', () => {
  it('prefers the named group value, then the first group, then the whole match', () => {
    expect(extractRuleValue(/a(?<value>b+)(c)/u, 'xabbc')).toBe('bb');
    expect(extractRuleValue(/a(x)?(b+)/u, 'abb')).toBe('bb');
    expect(extractRuleValue(/ab+/u, 'zabb')).toBe('abb');
    expect(extractRuleValue(/a(\s*)/u, 'a   ')).toBeNull();
    expect(extractRuleValue(/q/u, 'abc')).toBeNull();
  });
});

describe('matchRules', () => {
  const { rules } = compileRules([confirmation, calendarRule]);
  const body =
    'Hello,\nReference: BK-AB12CD\nName:  Ana  Lima \nEmail: ANA@Example.com\nStart: 2026-05-03 14:00\n';

  it('matches on the parts named in match and reads fields from the text', () => {
    const found = matchRules(rules, { subject: 'Booking confirmed: BK-AB12CD', text: body });
    expect(found).toEqual([
      {
        rule: 'v1-confirmation',
        kind: 'confirmation',
        confidence: 0.92,
        fields: {
          reference: 'BK-AB12CD',
          customerName: 'Ana  Lima',
          customerEmail: 'Email: ANA@Example.com',
          startsAt: '2026-05-03 14:00',
        },
      },
    ]);
  });

  it('never fits a rule on a part the document lacks', () => {
    expect(matchRules(rules, { text: body })).toEqual([]);
    expect(
      matchRules(rules, { summary: 'Ana BK-ZZ99ZZ', text: 'Ana BK-ZZ99ZZ tel:+351 912 345 678' }),
    ).toEqual([
      {
        rule: 'calendar-summary',
        kind: 'other',
        confidence: 0.9,
        fields: { reference: 'BK-ZZ99ZZ', customerPhone: '+351 912 345 678' },
      },
    ]);
  });

  it('matchFirstRule prefers a rule that found fields over an earlier catch-all', () => {
    const { rules: ordered } = compileRules([rule({ name: 'catch-all' }), calendarRule]);
    expect(matchFirstRule(ordered, { summary: 'BK-AAAAAA', text: 'BK-AAAAAA' })?.rule).toBe(
      'calendar-summary',
    );
    expect(matchFirstRule(ordered, { summary: 'x', text: 'nothing' })?.rule).toBe('catch-all');
    expect(matchFirstRule([], { text: 'x' })).toBeNull();
  });
});

describe('normalizeRuleFields', () => {
  const ctx = { timezone: 'Europe/Lisbon', currency: 'eur', defaultRegion: 'PT' };

  it('normalizes each kind of field', () => {
    const out = normalizeRuleFields(
      {
        reference: ' bk-ab12cd ',
        customerName: ' Ana   Lima ',
        customerEmail: 'mailto:ANA@Example.COM',
        customerPhone: '912 345 678',
        startsAt: '2026-07-03 14:00',
        endsAt: '2026-07-03T16:00:00+01:00',
        totalAmount: '€1.234,50',
        status: 'Canceled',
        notes: '  Arriving   late ',
      },
      ctx,
    );
    expect(out.issues).toEqual([]);
    expect(out.booking).toEqual({
      reference: 'BK-AB12CD',
      customerName: 'Ana Lima',
      customerEmail: 'ana@example.com',
      customerPhone: '+351912345678',
      startsAt: '2026-07-03T13:00:00.000Z',
      endsAt: '2026-07-03T15:00:00.000Z',
      totalAmount: 123450,
      currency: 'eur',
      status: 'cancelled',
      notes: 'Arriving late',
    });
    expect(out.customer).toEqual({ fullName: 'Ana Lima', email: 'ana@example.com', phone: '+351912345678' });
  });

  it('reads a zone in parentheses and all-day dates', () => {
    expect(parseRuleTime('2026-01-10 09:30 (America/New_York)', 'Europe/Lisbon')).toEqual({
      instant: '2026-01-10T14:30:00.000Z',
      dateOnly: false,
    });
    const out = normalizeRuleFields({ startsAt: '2026-01-10', endsAt: '2026-01-12' }, ctx);
    expect(out.booking).toEqual({
      startsAt: '2026-01-10T00:00:00.000Z',
      endsAt: '2026-01-12T00:00:00.000Z',
      allDay: true,
    });
  });

  it('turns unreadable values into issues, never guesses', () => {
    const out = normalizeRuleFields(
      { startsAt: 'next Tuesday', customerEmail: 'not an email', totalAmount: 'free', status: 'maybe' },
      ctx,
    );
    expect(out.booking).toEqual({});
    expect(out.issues.map((i) => i.field).sort()).toEqual([
      'customerEmail',
      'startsAt',
      'status',
      'totalAmount',
    ]);
    expect(parseStatusWord('Tentative')).toBe('pending');
  });
});
