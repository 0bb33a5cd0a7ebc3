import { describe, expect, it } from 'vitest';
import { AUDIT_DDL, buildInsertChunk, buildPreferLz4 } from './audit-schema.ts';
import { packChunk } from './journal-chunk.ts';
import { checkStatement } from './statement-guard.ts';
import {
  buildInsertRows,
  buildLegacyRevertDelete,
  buildReadReferencingColumns,
  buildRevertDelete,
  buildSelectRows,
  buildTryLock,
  buildUpdateRows,
  buildWaitLock,
} from './statements.ts';
import { REFERENCE_COLUMNS, resolveTargetMapping } from './target-mapping.ts';

const mapping = resolveTargetMapping();
const customers = mapping.tables.customers;
const types = Object.fromEntries(REFERENCE_COLUMNS.customers.map((c) => [c, 'text']));
const ID = '0b5de872-ad95-5ac4-ba4c-0f7581d23175';

describe('checkStatement', () => {
  it.each(
    (
      [
        ['truncate customers', /TRUNCATE/],
        ['TRUNCATE TABLE "public"."customers"', /TRUNCATE/],
        ['drop table customers', /DROP/],
        ['alter table customers add column x int', /ALTER/],
        ['delete from customers', /only sent by revert/],
        ['delete from "public"."customers" where "id" = any($1::uuid[])', /only sent by revert/],
        [
          'delete from "public"."customers" where "id" = any($1::uuid[]) and "id" in (select "row_id" from "salvage"."undo_journal" where "batch_id" = $2 and "table_name" = $3 and "op" = \'update\')',
          /only sent by revert/,
        ],
        [
          'delete from "public"."customers" where "id" = any($1::uuid[]) and "id" in (select unnest("row_ids") from "salvage"."undo_chunks" where "batch_id" = $2 and "table_name" = $3 and "op" = \'update\' and "seq" = $4)',
          /only sent by revert/,
        ],
        [
          'delete from "public"."customers" where "id" = any($1::uuid[]) and "id" in (select unnest("row_ids") from "salvage"."undo_chunks" where "batch_id" = $2 and "table_name" = $3 and "op" = \'insert\')',
          /only sent by revert/,
        ],
        ['select 1; drop table customers', /DROP|one statement/],
        ['select 1; select 2', /one statement/],
        ['update customers set email = null', /without WHERE/],
        [
          'insert into customers select * from x on conflict (id) do update set email = excluded.email',
          /DO UPDATE/,
        ],
        ['create table public.x (id int)', /only in schema 'salvage'/],
        ['create table if not exists "public"."x" (id int)', /only in schema 'salvage'/],
        ['with d as (delete from customers returning *) select * from d', /may not write/],
        ['select * into copy_of from customers', /COPY|may not write/],
        ['copy customers from stdin', /COPY/],
        ['do $$ begin delete from customers; end $$', /dollar|DO|never/],
        ['grant all on customers to public', /GRANT/],
        ['select 1 /* drop */', /.*/],
      ] as const
    ).map(([sql, reason]) => ({ sql, reason })),
  )('refuses $sql', ({ sql, reason }) => {
    const verdict = checkStatement(sql);
    if (sql === 'select 1 /* drop */') {
      // A comment is not executed; the statement is a plain read.
      expect(verdict).toEqual({ ok: true, kind: 'read' });
      return;
    }
    expect(verdict.ok).toBe(false);
    expect(verdict.ok === false && verdict.reason).toMatch(reason);
  });

  it('passes every statement the builders make, each as the kind it is', () => {
    const kinds = [
      buildSelectRows(customers, [ID], true),
      buildInsertRows(customers, types, [{ id: ID, full_name: 'O\'Brien "x"' }]),
      buildUpdateRows(customers, types, ['email'], [{ id: ID, values: { email: null } }]),
      buildRevertDelete(customers, 'batch-1', 1, [ID]),
      buildLegacyRevertDelete(customers, 'batch-1', [ID]),
      buildTryLock(),
      buildWaitLock(),
      buildReadReferencingColumns(customers),
      buildInsertChunk('b', packChunk(1, 'customers', 'insert', ['id'], [])),
      buildPreferLz4(),
    ].map((q) => checkStatement(q.sql));
    expect(kinds).toEqual([
      { ok: true, kind: 'read' },
      { ok: true, kind: 'insert' },
      { ok: true, kind: 'update' },
      { ok: true, kind: 'revert_delete' },
      { ok: true, kind: 'revert_delete' },
      { ok: true, kind: 'read' },
      { ok: true, kind: 'read' },
      { ok: true, kind: 'read' },
      { ok: true, kind: 'insert' },
      { ok: true, kind: 'read' },
    ]);
    for (const ddl of AUDIT_DDL) expect(checkStatement(ddl)).toEqual({ ok: true, kind: 'audit_ddl' });
  });

  it('passes the revert delete for a mapped table too', () => {
    const m = resolveTargetMapping({
      tables: { customers: { schema: 'app', name: 'clients', columns: { id: 'client_id' } } },
    });
    expect(checkStatement(buildRevertDelete(m.tables.customers, 'b', 3, [ID]).sql)).toEqual({
      ok: true,
      kind: 'revert_delete',
    });
  });
});
