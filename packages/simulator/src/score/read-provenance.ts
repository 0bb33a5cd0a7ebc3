import { type Kysely, sql } from 'kysely';
import type { FieldProvenanceRow } from './accuracy-report.ts';

/**
 * Reads salvage.field_provenance from a target, or null when the target has no such table or view (nothing applied
 * yet). Rows of batches marked reverted are left out when salvage.batches exists: their values are no longer there.
 */
// biome-ignore lint/suspicious/noExplicitAny: the target's schema is not typed here.
export async function readFieldProvenance(db: Kysely<any>): Promise<FieldProvenanceRow[] | null> {
  const { rows: found } = await sql<{ provenance: boolean; batches: boolean }>`
    select to_regclass('salvage.field_provenance') is not null as provenance,
           to_regclass('salvage.batches') is not null as batches`.execute(db);
  if (!found[0]?.provenance) return null;
  const reverted = found[0].batches
    ? sql`where p.batch_id not in (select id from salvage.batches where status = 'reverted')`
    : sql``;
  const { rows } = await sql<FieldProvenanceRow>`
    select p.batch_id::text as batch_id, p.table_name, p.row_id::text as row_id, p.column_name, p.value,
           p.confidence::float8 as confidence, p.rule, p.evidence_ids, p.approved_by
    from salvage.field_provenance p ${reverted}
    order by p.batch_id, p.table_name, p.row_id, p.column_name`.execute(db);
  return rows.map((r) => ({
    ...r,
    confidence: Number(r.confidence),
    evidence_ids: r.evidence_ids ?? [],
  }));
}
