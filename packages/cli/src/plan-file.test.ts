import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan, PlanItem } from '@salvage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readPlanFile, writePlanFile } from './plan-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'salvage-plan-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function item(n: number): PlanItem {
  return {
    kind: 'insert',
    id: `item-${n}`,
    table: 'customers',
    key: { id: `c-${n}` },
    businessId: 'b1',
    confidence: 0.9 + n / 1000,
    disposition: n % 2 ? 'review' : 'auto',
    fields: [
      {
        column: 'full_name',
        // A newline, quotes, braces at an item's indent and non-ASCII text must not end an item early.
        value: n === 1 ? 'Ana\n    }\nLima "Zé" {}' : `Person ${n}`,
        confidence: 0.95,
        rule: 'most-recent-contact',
        evidenceIds: [`e${n}`, `e${n + 1}`],
        alternatives:
          n === 2 ? [{ value: 'Other', evidenceIds: ['e9'], sources: ['email'], confidence: 0.2 }] : [],
        explanation: 'most-recent-contact: 1 agreeing source system(s) [email]',
      },
    ],
    evidenceIds: [`e${n}`],
    conflicts: [],
    dependsOn: n > 0 ? [`item-${n - 1}`] : [],
    summary: `new customer ${n}`,
    row: { id: `c-${n}`, full_name: `Person ${n}`, phone: null },
  };
}

function plan(items: PlanItem[]): Plan {
  return {
    formatVersion: 1,
    id: 'p1',
    asOf: '2026-08-01T00:00:00.000Z',
    target: { systemIdentifier: '1', databaseName: 'db', schemaFingerprint: 'f' },
    items,
    diagnostics: [{ level: 'warning', code: 'resource_unknown', message: 'x', evidenceIds: ['e1'] }],
    decisions: undefined,
  };
}

describe('plan files', () => {
  for (const [name, p] of [
    ['several items', plan([item(0), item(1), item(2)])],
    ['one item', plan([item(3)])],
    ['no items', plan([])],
  ] as const) {
    it(`writes ${name} as JSON.stringify(plan, null, 2) does, mode 0600, and reads it back either way`, async () => {
      const file = join(dir, `${name.replace(/ /g, '-')}.json`);
      writePlanFile(file, p);
      expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(p, null, 2)}\n`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const expected = JSON.parse(JSON.stringify(p));
      expect(await readPlanFile(file)).toEqual(expected);
      // A limit of 0 bytes forces the item-by-item reader that large files take.
      expect(await readPlanFile(file, 0)).toEqual(expected);
    });
  }

  it('reads a large file laid out otherwise whole, and says where an items block goes wrong', async () => {
    const compact = join(dir, 'compact.json');
    const p = plan([item(0), item(1)]);
    writeFileSync(compact, JSON.stringify(p));
    expect(await readPlanFile(compact, 0)).toEqual(JSON.parse(JSON.stringify(p)));
    const odd = join(dir, 'odd.json');
    writeFileSync(odd, JSON.stringify({ ...p, items: ['not an item'] }, null, 2));
    await expect(readPlanFile(odd, 0)).rejects.toThrow(/line 11: expected a plan item/);
    const cut = join(dir, 'cut.json');
    writeFileSync(cut, JSON.stringify(p, null, 2).split('\n').slice(0, 30).join('\n'));
    await expect(readPlanFile(cut, 0)).rejects.toThrow(/ends inside the plan's items/);
  });
});
