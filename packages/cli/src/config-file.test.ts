import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config-file.ts';

describe('loadConfig', () => {
  it('reads source paths relative to the config file, not to the directory salvage runs in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'salvage-config-'));
    const file = join(dir, 'salvage.config.yaml');
    writeFileSync(
      file,
      `incident: { backupTakenAt: 2026-08-01T00:00:00Z, incidentAt: 2026-11-01T00:00:00Z }
target: { pglite: target }
businesses:
  - id: 00000000-0000-4000-8000-000000000001
    name: Harbor
    timezone: America/New_York
    currency: usd
    email: { mbox: [mail/INBOX.mbox, /abs/Sent.mbox], maildir: [md], eml: [loose/a.eml] }
    calendar:
      ics:
        - { path: cal/kayak.ics, resource: Kayak }
        - { url: 'https://example.com/feed.ics', resource: Cabin }
`,
    );
    const config = loadConfig(file);
    const b = config.businesses[0]!;
    expect(b.email!.mbox).toEqual([join(dir, 'mail/INBOX.mbox'), '/abs/Sent.mbox']);
    expect(b.email!.maildir).toEqual([join(dir, 'md')]);
    expect(b.email!.eml).toEqual([join(dir, 'loose/a.eml')]);
    expect(b.calendar!.ics).toEqual([
      { path: join(dir, 'cal/kayak.ics'), resource: 'Kayak' },
      { url: 'https://example.com/feed.ics', resource: 'Cabin' },
    ]);
  });
});
