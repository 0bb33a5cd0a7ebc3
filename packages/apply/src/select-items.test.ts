import type { Decision, InsertItem, PlanItem } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { selectItems } from './select-items.ts';

function item(id: string, disposition: PlanItem['disposition'], dependsOn: string[] = []): InsertItem {
  return {
    kind: 'insert',
    id,
    table: 'customers',
    key: { id: `00000000-0000-4000-8000-${id.padStart(12, '0')}` },
    businessId: 'b',
    confidence: 0.9,
    disposition,
    fields: [
      { column: 'full_name', value: 'A', confidence: 0.9, rule: 'r', evidenceIds: ['e'], alternatives: [] },
    ],
    evidenceIds: ['e'],
    conflicts: [],
    dependsOn,
    summary: id,
    row: { id, full_name: 'A' },
  };
}

const d = (
  itemId: string,
  kind: Decision['kind'],
  at = '2026-01-01T00:00:00Z',
  values?: Decision['values'],
): Decision => ({
  itemId,
  kind,
  by: 'operator:a',
  at,
  ...(values ? { values } : {}),
});

describe('selectItems', () => {
  it('writes auto items, decided approvals and edits; leaves out undecided and rejected', () => {
    const s = selectItems(
      [
        item('1', 'auto'),
        item('2', 'review'),
        item('3', 'ask_customer'),
        item('4', 'review'),
        item('5', 'auto'),
      ],
      [d('3', 'approve'), d('4', 'edit', undefined, { full_name: 'B' }), d('5', 'reject')],
    );
    expect(s.write.map((w) => [w.item.id, w.approvedBy])).toEqual([
      ['1', 'policy:auto-accept'],
      ['3', 'operator:a'],
      ['4', 'operator:a'],
    ]);
    expect(s.write[2]!.item.kind === 'insert' && s.write[2]!.item.row.full_name).toBe('B');
    expect(s.write[2]!.item.fields).toEqual([
      expect.objectContaining({ column: 'full_name', rule: 'operator_edit', value: 'B' }),
    ]);
    expect(s.excluded.map((e) => [e.item.id, e.reason])).toEqual([
      ['2', 'undecided'],
      ['5', 'rejected'],
    ]);
  });

  it('the latest decision counts', () => {
    const s = selectItems(
      [item('1', 'review')],
      [d('1', 'approve', '2026-01-02T00:00:00Z'), d('1', 'reject', '2026-01-01T00:00:00Z')],
    );
    expect(s.write).toHaveLength(1);
    const r = selectItems(
      [item('1', 'review')],
      [d('1', 'approve', '2026-01-01T00:00:00Z'), d('1', 'reject', '2026-01-02T00:00:00Z')],
    );
    expect(r.write).toHaveLength(0);
  });

  it('leaves out, transitively, items whose dependency is not written', () => {
    const s = selectItems(
      [item('1', 'review'), item('2', 'auto', ['1']), item('3', 'auto', ['2']), item('4', 'auto', ['x'])],
      [],
    );
    expect(s.write.map((w) => w.item.id)).toEqual(['4']);
    expect(
      s.excluded
        .filter((e) => e.reason === 'dependency_not_written')
        .map((e) => e.item.id)
        .sort(),
    ).toEqual(['2', '3']);
  });

  it('reports decisions it cannot apply', () => {
    const s = selectItems([item('1', 'review')], [d('9', 'approve'), d('1', 'edit', undefined, { nope: 1 })]);
    expect(s.invalid.map((i) => i.itemId).sort()).toEqual(['1', '9']);
    expect(s.write).toHaveLength(0);
  });
});
