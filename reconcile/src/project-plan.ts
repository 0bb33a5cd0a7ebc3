import { hashRow, type Plan, type TableName, type TargetSnapshot } from '@salvage/core';

/** What happened to each item when a plan was projected onto a snapshot. */
export interface ProjectionResult {
  snapshot: TargetSnapshot;
  applied: string[];
  /** Items whose precondition failed: an update's base row is missing or changed, an insert's key is taken. */
  refused: { itemId: string; reason: 'base_row_changed' | 'row_missing' | 'key_taken' }[];
}

/**
 * The snapshot as it would stand after the plan's items (all, or those `accept` keeps), computed in memory: a new
 * value, the input is not changed. Preconditions are checked as apply checks them; a failed one is a result.
 */
export function projectPlan(
  snapshot: TargetSnapshot,
  plan: Plan,
  accept: (itemId: string) => boolean = () => true,
): ProjectionResult {
  const next: TargetSnapshot = {
    businesses: [...snapshot.businesses],
    resources: [...snapshot.resources],
    customers: [...snapshot.customers],
    bookings: [...snapshot.bookings],
    payments: [...snapshot.payments],
  };
  const applied: string[] = [];
  const refused: ProjectionResult['refused'] = [];
  for (const item of plan.items) {
    if (!accept(item.id)) continue;
    const rows = next[item.table as TableName] as unknown as Record<string, unknown>[];
    const at = rows.findIndex((r) => r.id === item.key.id);
    if (item.kind === 'insert') {
      if (at >= 0) {
        refused.push({ itemId: item.id, reason: 'key_taken' });
        continue;
      }
      rows.push({ ...item.row });
    } else {
      if (at < 0) {
        refused.push({ itemId: item.id, reason: 'row_missing' });
        continue;
      }
      const row = rows[at]!;
      if (hashRow(item.table, row) !== item.baseRowHash) {
        refused.push({ itemId: item.id, reason: 'base_row_changed' });
        continue;
      }
      const updated = { ...row };
      for (const c of item.changes) updated[c.column] = c.to;
      rows[at] = updated;
    }
    applied.push(item.id);
  }
  return { snapshot: next, applied, refused };
}
