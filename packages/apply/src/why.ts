import { SalvageError, TABLES, type TableName } from '@salvage/core';
import { CompiledQuery, type Kysely } from 'kysely';
import { buildLedgerExists } from './audit-schema.ts';
import { guardDatabase } from './guard-database.ts';

/** Where one written value came from. */
export interface Provenance {
  batchId: string;
  planId: string;
  appliedAt: string;
  batchStatus: 'applied' | 'reverted';
  table: TableName;
  rowId: string;
  column: string;
  value: unknown;
  confidence: number;
  rule: string;
  evidenceIds: string[];
  /** 'policy:auto-accept' | 'operator:<name>' | 'customer:<ref>'. */
  approvedBy: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The provenance salvage recorded for a row (or one of its fields), oldest batch first: value, rule, evidence,
 * confidence and who approved it. Empty when salvage never wrote it. Throws UsageError-like SalvageError 'usage' for an
 * unknown table or a malformed id.
 */
// biome-ignore lint/suspicious/noExplicitAny: the target's schema is not typed here.
export async function why(db: Kysely<any>, table: string, id: string, field?: string): Promise<Provenance[]> {
  if (!(TABLES as readonly string[]).includes(table))
    throw new SalvageError('usage', `unknown table '${table}'; use one of ${TABLES.join(', ')}`);
  if (!UUID.test(id)) throw new SalvageError('usage', `'${id}' is not a row id (a uuid)`);
  const guarded = guardDatabase(db);
  try {
    const exists = await guarded.executeQuery<{ exists: boolean }>(buildLedgerExists());
    if (!exists.rows[0]?.exists) return [];
    const params: unknown[] = [table, id.toLowerCase()];
    if (field) params.push(field);
    const { rows } = await guarded.executeQuery<Record<string, unknown>>(
      CompiledQuery.raw(
        `select p."batch_id", b."plan_id", b."applied_at", b."status", p."row_id"::text as "row_id", p."column_name", p."value", p."confidence", p."rule", p."evidence_ids", p."approved_by" from "salvage"."field_provenance" p join "salvage"."batches" b on b."id" = p."batch_id" where p."table_name" = $1 and (p."chunk_row_ids" is null or $2::uuid = any(p."chunk_row_ids")) and p."row_id" = $2::uuid${field ? ' and p."column_name" = $3' : ''} order by b."applied_at", p."column_name"`,
        params,
      ),
    );
    return rows.map((r) => ({
      batchId: String(r.batch_id),
      planId: String(r.plan_id),
      appliedAt: new Date(r.applied_at as string).toISOString(),
      batchStatus: r.status as Provenance['batchStatus'],
      table: table as TableName,
      rowId: String(r.row_id),
      column: String(r.column_name),
      value: r.value,
      confidence: Number(r.confidence),
      rule: String(r.rule),
      evidenceIds: (r.evidence_ids as string[]) ?? [],
      approvedBy: String(r.approved_by),
    }));
  } finally {
    await guarded.destroy();
  }
}
