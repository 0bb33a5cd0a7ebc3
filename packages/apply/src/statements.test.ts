import { describe, expect, it } from 'vitest';
import { toArrayLiteral } from './statements.ts';

describe('toArrayLiteral', () => {
  it('quotes strings, escapes quotes and backslashes, and writes NULL, booleans, numbers, dates and JSON', () => {
    expect(
      toArrayLiteral([null, undefined, true, false, 3, 2.5, 'plain', 'a"b\\c', '', new Date(0), { x: 'y' }]),
    ).toBe('{NULL,NULL,t,f,3,2.5,"plain","a\\"b\\\\c","","1970-01-01T00:00:00.000Z","{\\"x\\":\\"y\\"}"}');
    expect(toArrayLiteral([])).toBe('{}');
  });
});
