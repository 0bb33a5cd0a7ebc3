import type { Decision, PlanItem, Value } from '@salvage/core';
import { REFERENCE_COLUMNS } from './target-mapping.ts';

/** An item that will be written, as decided: edits folded in, and who approved it. */
export interface SelectedItem {
  item: PlanItem;
  /** 'policy:auto-accept', or the deciding decision's `by` ('operator:alice', 'customer:<ref>'). */
  approvedBy: string;
  /** Columns whose value an edit decision chose instead of the plan. */
  editedColumns: string[];
}

/** Why an item is left out. */
export interface ExcludedItem {
  item: PlanItem;
  reason: 'rejected' | 'undecided' | 'dependency_not_written';
  /** For dependency_not_written: the ids of the items it needs. */
  missing?: string[];
}

export interface InvalidDecision {
  itemId: string;
  reason: string;
}

/** What a plan plus its decisions amount to: the items to write and those left out, with why. */
export interface ItemSelection {
  write: SelectedItem[];
  excluded: ExcludedItem[];
  invalid: InvalidDecision[];
}

/** The auto-accept policy's name in provenance. */
export const AUTO_ACCEPT = 'policy:auto-accept';

/**
 * Decides, without I/O, which items an apply writes: auto items unless rejected; review and ask_customer items only
 * with an approve or edit decision (the latest by `at` counts); rejected never; an item whose dependency is not written
 * is left out too. Undecided items are listed so the caller can refuse them or, with onlyDecided, skip them.
 */
export function selectItems(items: readonly PlanItem[], decisions: readonly Decision[]): ItemSelection {
  // Nothing decided and every item auto, as in a plan applied under the auto-accept policy: all of them are written,
  // and no lookup by id is needed (at 600,000 items those maps took seconds before the transaction began).
  if (decisions.length === 0 && items.every((i) => i.disposition === 'auto'))
    return {
      write: items.map((item) => ({ item, approvedBy: AUTO_ACCEPT, editedColumns: [] })),
      excluded: [],
      invalid: [],
    };
  const latest = new Map<string, Decision>();
  for (const d of decisions) {
    const prev = latest.get(d.itemId);
    if (!prev || prev.at <= d.at) latest.set(d.itemId, d);
  }
  const byId = new Map<string, PlanItem>();
  for (const item of items) byId.set(item.id, item);
  const invalid: InvalidDecision[] = [];
  for (const d of latest.values()) {
    const item = byId.get(d.itemId);
    if (!item) {
      invalid.push({ itemId: d.itemId, reason: 'decision for an item that is not in this plan' });
      continue;
    }
    if (d.kind === 'edit') {
      const known = new Set<string>(REFERENCE_COLUMNS[item.table]);
      const columns = Object.keys(d.values ?? {});
      if (columns.length === 0) invalid.push({ itemId: d.itemId, reason: 'edit decision without values' });
      for (const c of columns) {
        if (!known.has(c) || c === 'id')
          invalid.push({
            itemId: d.itemId,
            reason: `edit of '${c}', which is not an editable column of ${item.table}`,
          });
      }
    }
  }
  const bad = new Set(invalid.map((i) => i.itemId));

  const chosen = new Map<string, SelectedItem>();
  const excluded: ExcludedItem[] = [];
  for (const item of items) {
    const d = latest.get(item.id);
    if (d?.kind === 'reject') {
      excluded.push({ item, reason: 'rejected' });
    } else if (d && !bad.has(item.id)) {
      chosen.set(item.id, applyDecision(item, d));
    } else if (item.disposition === 'auto' && !bad.has(item.id)) {
      chosen.set(item.id, { item, approvedBy: AUTO_ACCEPT, editedColumns: [] });
    } else {
      excluded.push({ item, reason: 'undecided' });
    }
  }
  // Leave out, transitively, what needs an item that is not written; items outside the plan are assumed present. When
  // every item of the plan is chosen, none can miss one: skip the pass.
  let changed = chosen.size < byId.size;
  while (changed) {
    changed = false;
    for (const [id, s] of chosen) {
      // Most items need nothing missing: allocate the list only when something is.
      let missing: string[] | undefined;
      for (const dep of s.item.dependsOn)
        if (byId.has(dep) && !chosen.has(dep)) {
          if (missing) missing.push(dep);
          else missing = [dep];
        }
      if (missing) {
        chosen.delete(id);
        excluded.push({ item: s.item, reason: 'dependency_not_written', missing });
        changed = true;
      }
    }
  }
  const write: SelectedItem[] = [];
  for (const item of items) {
    const s = chosen.get(item.id);
    if (s) write.push(s);
  }
  return { write, excluded, invalid };
}

function applyDecision(item: PlanItem, d: Decision): SelectedItem {
  if (d.kind !== 'edit' || !d.values) return { item, approvedBy: d.by, editedColumns: [] };
  const values: Record<string, Value> = d.values;
  const editedColumns = Object.keys(values);
  const fields = item.fields.filter((f) => !(f.column in values));
  for (const column of editedColumns) {
    fields.push({
      column,
      value: values[column]!,
      confidence: 1,
      rule: 'operator_edit',
      evidenceIds: [],
      alternatives: [],
    });
  }
  if (item.kind === 'insert') {
    return { item: { ...item, row: { ...item.row, ...values }, fields }, approvedBy: d.by, editedColumns };
  }
  const changes = item.changes
    .filter((c) => !(c.column in values))
    .concat(editedColumns.map((column) => ({ column, from: null, to: values[column]! })));
  return { item: { ...item, changes, fields }, approvedBy: d.by, editedColumns };
}
