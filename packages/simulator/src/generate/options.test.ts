import { describe, expect, it } from 'vitest';
import { DEFAULT_NOISE, resolveOptions, timelineOf } from './options.ts';

describe('options', () => {
  it('fills defaults and puts the EU and US DST changes between the backup and the incident', () => {
    const o = resolveOptions({ scale: 'small', seed: 1 });
    expect(o.noise).toEqual(DEFAULT_NOISE);
    expect(o.bookings).toBe(300);
    const t = timelineOf(o);
    expect(t.backupTakenMs).toBeLessThan(Date.parse('2026-10-25T01:00:00Z'));
    expect(t.incidentMs).toBeGreaterThan(Date.parse('2026-11-01T06:00:00Z'));
    expect(t.incidentMs - t.backupTakenMs).toBeGreaterThan(89 * 86_400_000);
    expect(t.pulledMs).toBeGreaterThan(t.restoredMs);
  });

  it('names the bad option', () => {
    expect(() => resolveOptions({ seed: -1 })).toThrow(/seed/);
    expect(() => resolveOptions({ noise: { typoRate: 2 } })).toThrow(/noise.typoRate/);
    expect(() => resolveOptions({ noise: { missing: { email: -0.1 } } })).toThrow(/missing.email/);
    expect(() => resolveOptions({ scale: 'huge' as never })).toThrow(/scale/);
  });
});
