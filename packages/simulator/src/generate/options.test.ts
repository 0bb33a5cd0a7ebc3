import { describe, expect, it } from 'vitest';
import { DEFAULT_NOISE, HIGH_NOISE, parseNoise, resolveOptions, timelineOf } from './options.ts';

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

describe('parseNoise', () => {
  it('reads presets and knobs on top of them', () => {
    expect(parseNoise('default')).toEqual(DEFAULT_NOISE);
    expect(parseNoise('high')).toEqual(HIGH_NOISE);
    const n = parseNoise('typoRate=0.3, missing.email=0.4');
    expect(n.typoRate).toBe(0.3);
    expect(n.missing).toEqual({ ...DEFAULT_NOISE.missing, email: 0.4 });
    expect(n.guestCheckoutRate).toBe(DEFAULT_NOISE.guestCheckoutRate);
    expect(parseNoise('high,typoRate=0.1')).toEqual({ ...HIGH_NOISE, typoRate: 0.1 });
  });

  it('names the knob that is unknown, malformed or out of range', () => {
    expect(() => parseNoise('typos=0.3')).toThrow(/unknown knob typos/);
    expect(() => parseNoise('missing.fax=0.3')).toThrow(/unknown knob missing\.fax/);
    expect(() => parseNoise('typoRate')).toThrow(/'typoRate' is not knob=value/);
    expect(() => parseNoise('typoRate=1.5')).toThrow(/typoRate must be a share from 0 to 1/);
    expect(() => parseNoise('templateVersions=4')).toThrow(/templateVersions must be 1, 2 or 3/);
  });
});
