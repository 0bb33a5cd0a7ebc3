import { describe, expect, it } from 'vitest';
import { evidenceId } from './evidence-id.ts';
import { hashValue } from './hash.ts';

describe('evidenceId', () => {
  it('is the stable hash of source, entity, extractor and ordinal (ids already stored must not change)', () => {
    const source = { kind: 'imap', account: 'a@b', objectId: '<m@x>', version: 'abc' } as const;
    const extractor = { name: 'email.generic', version: '1' };
    expect(evidenceId(source, 'booking', extractor, 2)).toBe(
      hashValue(['imap', 'a@b', '<m@x>', 'abc', 'booking', 'email.generic', 2]).slice(0, 32),
    );
    expect(evidenceId(source, 'booking', extractor)).toBe('2fa992297bd426d827922653f11db725');
  });
});
