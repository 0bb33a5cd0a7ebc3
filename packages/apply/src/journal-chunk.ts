/**
 * The undo journal's packed form: one `salvage.undo_chunks` row per written chunk (one table, one op, up to a chunk of
 * rows) instead of one journal row per written row, since per-row journal rows were half of an apply's database time.
 * A chunk holds its row ids as a uuid array (what revert's DELETE checks), the columns it records, a small `meta` of
 * values shared by its rows, and `rows`, a JSON array with one entry per row id, in the same order:
 *
 *   [approver, values, evidenceIds, fieldRefs]                      for an insert
 *   [approver, values, evidenceIds, fieldRefs, prior, baseHash]     for an update
 *
 * `approver` indexes meta.a (who approved the row); `values` and `prior` are canonical values, one per column;
 * `fieldRefs` has one entry per column: a number indexing meta.m ([confidence, rule]) when the field has all of the
 * row's evidence ids, as most do, or [meta index, evidence indexes...] when it has a subset. An insert stores no hash:
 * its written row is `values` (every reference column), which revert compares with the row as it is now. Nor does an
 * update: `baseHash` is the plan's hash of the row before it (checked before writing), so a row is still as written
 * when its changed columns hold `values` and, with `prior` put back, it hashes to `baseHash`.
 */

/** One written field's provenance: column, value written, confidence, rule and evidence ids. */
export type FieldProvenanceTuple = [
  column: string,
  value: unknown,
  confidence: number,
  rule: string,
  evidenceIds: string[],
];

/** Where one column's value came from, before packing. */
export interface FieldSource {
  confidence: number;
  rule: string;
  evidenceIds: readonly string[];
}

/** One written row, before packing; `prior` and `baseHash` only for updates. */
export interface ChunkRow {
  rowId: string;
  approvedBy: string;
  /** Canonical values written, one per chunk column. */
  values: unknown[];
  /** Where each value came from, one per chunk column. */
  sources: readonly FieldSource[];
  prior?: unknown[];
  /** The hash of the whole row before the update (the item's baseRowHash). */
  baseHash?: string;
}

/** A chunk ready for buildInsertChunk: `meta` and `rows` are JSON text. */
export interface PackedChunk {
  seq: number;
  table: string;
  op: 'insert' | 'update';
  rowIds: string[];
  columns: readonly string[];
  meta: string;
  rows: string;
}

/** A packed row's entry read back: what revert and `salvage why` need. */
export interface JournalEntry {
  rowId: string;
  approvedBy: string;
  values: unknown[];
  fields: FieldProvenanceTuple[];
  prior: Record<string, unknown> | null;
  baseHash: string | null;
}

/** Packs the rows of one chunk; pure. Shared approvers and (confidence, rule) pairs are stored once in meta. */
export function packChunk(
  seq: number,
  table: string,
  op: 'insert' | 'update',
  columns: readonly string[],
  rows: readonly ChunkRow[],
): PackedChunk {
  const approvers: string[] = [];
  const approverIndex = new Map<string, number>();
  const pairs: [number, string][] = [];
  const pairIndex = new Map<string, Map<number, number>>();
  const entries: unknown[] = new Array(rows.length);
  const rowIds: string[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    rowIds[r] = row.rowId;
    let a = approverIndex.get(row.approvedBy);
    if (a === undefined) {
      a = approvers.length;
      approverIndex.set(row.approvedBy, a);
      approvers.push(row.approvedBy);
    }
    // The row's evidence ids once, in first-seen order; a field with all of them needs no list of its own. Most rows
    // give every field the same list, so that case skips the union.
    const first = row.sources[0]?.evidenceIds ?? [];
    let evidence: readonly string[] = first;
    let evidenceIndex: Map<string, number> | undefined;
    for (const source of row.sources)
      if (source.evidenceIds !== first && !sameIds(source.evidenceIds, first)) {
        const union: string[] = [];
        evidenceIndex = new Map();
        for (const other of row.sources)
          for (const id of other.evidenceIds)
            if (!evidenceIndex.has(id)) {
              evidenceIndex.set(id, union.length);
              union.push(id);
            }
        evidence = union;
        break;
      }
    const refs: unknown[] = new Array(row.sources.length);
    for (let c = 0; c < row.sources.length; c++) {
      const source = row.sources[c]!;
      let byConfidence = pairIndex.get(source.rule);
      if (!byConfidence) {
        byConfidence = new Map();
        pairIndex.set(source.rule, byConfidence);
      }
      let m = byConfidence.get(source.confidence);
      if (m === undefined) {
        m = pairs.length;
        byConfidence.set(source.confidence, m);
        pairs.push([source.confidence, source.rule]);
      }
      refs[c] =
        !evidenceIndex || source.evidenceIds.length === evidence.length
          ? m
          : [m, ...source.evidenceIds.map((id) => evidenceIndex.get(id)!)];
    }
    entries[r] =
      op === 'insert'
        ? [a, row.values, evidence, refs]
        : [a, row.values, evidence, refs, row.prior ?? [], row.baseHash ?? ''];
  }
  const packed = JSON.stringify(entries);
  // JSON.stringify returns a large result as a rope of parts; the driver flattens it when it measures the parameter,
  // on the way out, while the database waits. Flatten it here, while the chunk is built and the previous one written.
  Buffer.byteLength(packed);
  return {
    seq,
    table,
    op,
    rowIds,
    columns,
    meta: JSON.stringify({ a: approvers, m: pairs }),
    rows: packed,
  };
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The chunk's shared values, as stored in its `meta` column. */
export interface ChunkMeta {
  a: string[];
  m: [number, string][];
}

/** Reads one packed row back (the inverse of packChunk for that row); pure. */
export function unpackEntry(
  op: 'insert' | 'update',
  columns: readonly string[],
  meta: ChunkMeta,
  rowId: string,
  entry: unknown,
): JournalEntry {
  const [a, values, evidence, refs, prior, baseHash] = entry as [
    number,
    unknown[],
    string[],
    (number | number[])[],
    unknown[] | undefined,
    string | undefined,
  ];
  const fields: FieldProvenanceTuple[] = columns.map((column, c) => {
    const ref = refs[c]!;
    const [m, ids] =
      typeof ref === 'number' ? [ref, evidence] : [ref[0]!, ref.slice(1).map((i) => evidence[i]!)];
    const [confidence, rule] = meta.m[m]!;
    return [column, values[c] ?? null, confidence, rule, ids];
  });
  let priorValues: Record<string, unknown> | null = null;
  if (op === 'update') {
    priorValues = {};
    for (let c = 0; c < columns.length; c++) priorValues[columns[c]!] = prior?.[c] ?? null;
  }
  return {
    rowId,
    approvedBy: meta.a[a]!,
    values,
    fields,
    prior: priorValues,
    baseHash: op === 'update' ? (baseHash ?? null) : null,
  };
}
