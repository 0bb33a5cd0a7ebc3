import { describe, expect, it } from 'vitest';
import { type ChunkMeta, packChunk, unpackEntry } from './journal-chunk.ts';

const A = '0b5de872-ad95-5ac4-ba4c-0f7581d23175';
const B = '1c6ef983-be06-5bd5-8b5d-1f8692e34286';

describe('packChunk and unpackEntry', () => {
  it('round-trip inserts: shared rules and approvers once, a subset of the evidence by index', () => {
    const all = { confidence: 0.97, rule: 'r.all', evidenceIds: ['e1', 'e2'] };
    const packed = packChunk(
      3,
      'customers',
      'insert',
      ['id', 'email', 'phone'],
      [
        {
          rowId: A,
          approvedBy: 'policy:auto-accept',
          values: [A, 'a@example.test', null],
          sources: [all, { confidence: 0.8, rule: 'r.email', evidenceIds: ['e2'] }, all],
        },
        {
          rowId: B,
          approvedBy: 'operator:alice',
          values: [B, 'b@example.test', '+15550100'],
          sources: [all, all, all],
        },
      ],
    );
    expect(packed).toMatchObject({ seq: 3, table: 'customers', op: 'insert', rowIds: [A, B] });
    const meta = JSON.parse(packed.meta) as ChunkMeta;
    expect(meta).toEqual({
      a: ['policy:auto-accept', 'operator:alice'],
      m: [
        [0.97, 'r.all'],
        [0.8, 'r.email'],
      ],
    });
    const rows = JSON.parse(packed.rows) as unknown[];
    const first = unpackEntry('insert', packed.columns, meta, A, rows[0]);
    expect(first).toEqual({
      rowId: A,
      approvedBy: 'policy:auto-accept',
      values: [A, 'a@example.test', null],
      fields: [
        ['id', A, 0.97, 'r.all', ['e1', 'e2']],
        ['email', 'a@example.test', 0.8, 'r.email', ['e2']],
        ['phone', null, 0.97, 'r.all', ['e1', 'e2']],
      ],
      prior: null,
      baseHash: null,
    });
    expect(unpackEntry('insert', packed.columns, meta, B, rows[1]).approvedBy).toBe('operator:alice');
  });

  it('round-trip updates with their prior values and base row hash', () => {
    const packed = packChunk(
      1,
      'customers',
      'update',
      ['phone', 'updated_at'],
      [
        {
          rowId: A,
          approvedBy: 'customer:BK-1',
          values: ['+15550100', '2026-07-01T00:00:00.000Z'],
          sources: [
            { confidence: 0.9, rule: 'r.phone', evidenceIds: ['e9'] },
            { confidence: 0.9, rule: 'r.phone', evidenceIds: ['e9'] },
          ],
          prior: [null, '2026-05-01T10:00:00.000Z'],
          baseHash: 'h1',
        },
      ],
    );
    const entry = unpackEntry(
      'update',
      packed.columns,
      JSON.parse(packed.meta) as ChunkMeta,
      A,
      (JSON.parse(packed.rows) as unknown[])[0],
    );
    expect(entry.prior).toEqual({ phone: null, updated_at: '2026-05-01T10:00:00.000Z' });
    expect(entry.baseHash).toBe('h1');
    expect(entry.fields[1]).toEqual(['updated_at', '2026-07-01T00:00:00.000Z', 0.9, 'r.phone', ['e9']]);
  });
});
