import { describe, expect, it } from 'vitest';
import { parseConfig, parseDuration } from './config.ts';
import { configTemplate } from './config-template.ts';

const base = `
incident:
  backupTakenAt: 2026-08-01T03:00:00Z
  incidentAt: 2026-10-30T14:00:00Z
target:
  urlEnv: SALVAGE_TARGET_URL
businesses:
  - id: 00000000-0000-4000-8000-000000000001
    name: Harbor Kayaks
    timezone: America/New_York
    currency: USD
`;

function issues(text: string) {
  const r = parseConfig(text);
  if (r.ok) throw new Error('expected the config to be refused');
  return r.issues;
}

describe('parseConfig', () => {
  it('accepts a minimal config and fills defaults', () => {
    const r = parseConfig(base);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.incident.overlap).toBe(2 * 86_400_000);
    expect(r.config.businesses[0]!.currency).toBe('usd');
    expect(r.config.businesses[0]!.defaultRegion).toBe('US');
    expect(r.config.thresholds).toEqual({ autoAccept: 0.95, askCustomerBelow: 0.6 });
  });

  it('accepts JSON', () => {
    const json = JSON.stringify({
      incident: { backupTakenAt: '2026-08-01T03:00:00Z', incidentAt: '2026-10-30T14:00:00Z' },
      target: { pglite: './restored' },
      businesses: [
        { id: '00000000-0000-4000-8000-000000000001', name: 'X', timezone: 'UTC', currency: 'eur' },
      ],
    });
    expect(parseConfig(json).ok).toBe(true);
  });

  it('accepts the init template', () => {
    const r = parseConfig(configTemplate());
    expect(r.ok ? [] : r.issues).toEqual([]);
  });

  it('names the path of a wrong type', () => {
    expect(issues(base.replace('currency: USD', 'currency: 12'))).toEqual([
      { path: 'businesses.0.currency', message: expect.stringMatching(/string/) },
    ]);
  });

  it('names a missing field', () => {
    expect(issues(base.replace('    timezone: America/New_York\n', ''))).toEqual([
      { path: 'businesses.0.timezone', message: 'is required' },
    ]);
  });

  it('names an unknown key', () => {
    expect(
      issues(base.replace('    name: Harbor Kayaks', '    name: Harbor Kayaks\n    colour: blue')),
    ).toEqual([{ path: 'businesses.0', message: "unknown key 'colour'" }]);
  });

  it('refuses a literal Stripe key wherever it stands', () => {
    const text = `${base}    stripe:\n      keyEnv: sk_live_51Habc123\n`;
    expect(issues(text)).toEqual([
      { path: 'businesses.0.stripe.keyEnv', message: expect.stringMatching(/literal secret/) },
    ]);
  });

  it('refuses a literal password', () => {
    const text = `${base}    email:\n      imap:\n        - host: imap.example.com\n          user: a@b.c\n          password: hunter2\n          passwordEnv: IMAP_PW\n`;
    expect(issues(text)).toEqual([
      {
        path: 'businesses.0.email.imap.0.password',
        message: expect.stringMatching(/literal secret.*passwordEnv/),
      },
    ]);
  });

  it('refuses a database URL with a password', () => {
    const text = base.replace('urlEnv: SALVAGE_TARGET_URL', 'url: postgres://app:s3cret@db.internal/prod');
    expect(issues(text)).toEqual([{ path: 'target.url', message: expect.stringMatching(/urlEnv/) }]);
  });

  it('refuses an unknown time zone and an incident before the backup', () => {
    expect(issues(base.replace('America/New_York', 'Mars/Olympus'))[0]).toEqual({
      path: 'businesses.0.timezone',
      message: expect.stringMatching(/IANA/),
    });
    expect(issues(base.replace('2026-10-30T14:00:00Z', '2026-07-01T00:00:00Z'))[0]!.message).toMatch(
      /after backupTakenAt/,
    );
  });

  it('reports YAML syntax errors as one issue', () => {
    expect(issues('incident: [unclosed')).toEqual([
      { path: '', message: expect.stringMatching(/not valid YAML/) },
    ]);
  });
});

describe('parseDuration', () => {
  it('reads units', () => {
    expect(parseDuration('48h')).toBe(172_800_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(() => parseDuration('2 days')).toThrow();
  });
});
