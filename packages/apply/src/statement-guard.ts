/**
 * The one check every statement apply and revert send to the target passes (see guard-database.ts). It knows nothing
 * of who built a statement, so no code path can get around it: reads, inserts that never overwrite, updates,
 * transaction control and `CREATE ... IF NOT EXISTS` inside schema `salvage` pass; DELETE passes only in the shapes
 * revert builds, which can remove nothing but rows the undo journal says the batch inserted; TRUNCATE, DROP, ALTER and
 * the rest never do.
 */

/** A statement's verdict: allowed, or refused with the reason. */
export type StatementVerdict = { ok: true; kind: StatementKind } | { ok: false; reason: string };

export type StatementKind = 'transaction' | 'read' | 'insert' | 'update' | 'revert_delete' | 'audit_ddl';

/** Words that never appear, outside quotes, in a statement salvage sends to a target. */
const FORBIDDEN = new Set([
  'truncate',
  'drop',
  'alter',
  'grant',
  'revoke',
  'copy',
  'call',
  'execute',
  'vacuum',
  'cluster',
  'reindex',
  'merge',
  'comment',
  'security',
  'owner',
  'rename',
  'lo_unlink',
  'dblink_exec',
]);

/** The DELETE shapes there are, compacted (no spaces around punctuation): see buildRevertDelete and its legacy twin. */
const REVERT_DELETES = [
  /^delete from "(?:[^"]|"")+"\."(?:[^"]|"")+" where "((?:[^"]|"")+)"=any\(\$1::uuid\[\]\)and "\1" in\(select unnest\("row_ids"\)from "salvage"\."undo_chunks" where "batch_id"=\$2 and "table_name"=\$3 and "op"='insert' and "seq"=\$4\)$/,
  /^delete from "(?:[^"]|"")+"\."(?:[^"]|"")+" where "((?:[^"]|"")+)"=any\(\$1::uuid\[\]\)and "\1" in\(select "row_id" from "salvage"\."undo_journal" where "batch_id"=\$2 and "table_name"=\$3 and "op"='insert'\)$/,
];

interface Token {
  text: string;
  kind: 'word' | 'ident' | 'string' | 'punct' | 'param' | 'number';
}

/** Splits SQL into words, quoted identifiers, string literals, parameters and punctuation; comments are dropped. */
function tokenize(sql: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      // A comment is not executed: skip it, so a statement cannot hide a word from the checks in one.
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return 'unterminated comment';
      i = end + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) return 'unterminated quote';
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      tokens.push({ text: sql.slice(i, j + 1), kind: c === '"' ? 'ident' : 'string' });
      i = j + 1;
    } else if (c === '$') {
      if (sql[i + 1] === '$' || /[A-Za-z_]/.test(sql[i + 1] ?? '')) return 'dollar quoting is not allowed';
      let j = i + 1;
      while (j < sql.length && /\d/.test(sql[j]!)) j++;
      tokens.push({ text: sql.slice(i, j), kind: 'param' });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      tokens.push({ text: sql.slice(i, j).toLowerCase(), kind: 'word' });
      i = j;
    } else if (/\d/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[\d.eE]/.test(sql[j]!)) j++;
      tokens.push({ text: sql.slice(i, j), kind: 'number' });
      i = j;
    } else {
      tokens.push({ text: c, kind: 'punct' });
      i++;
    }
  }
  return tokens;
}

function words(tokens: Token[]): string[] {
  return tokens.filter((t) => t.kind === 'word').map((t) => t.text);
}

/** True when `tokens` start with the words and identifiers given (identifiers with their quotes). */
function startsWith(tokens: Token[], ...expected: string[]): boolean {
  return expected.every((e, i) => tokens[i]?.text === e);
}

/** True when the update words in a read are all row locks (`for update`, `for no key update`). */
function onlyRowLocks(tokens: Token[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.kind === 'word' && tokens[i]!.text === 'update') {
      const prev = tokens[i - 1]?.text;
      if (prev !== 'for' && prev !== 'key') return false;
    }
  }
  return true;
}

/**
 * Judges one statement, context-free. Pure: the same SQL always gets the same verdict, so a test can replay every
 * statement a run sent and check each.
 */
export function checkStatement(sql: string): StatementVerdict {
  const trimmed = sql.trim().replace(/;$/, '').trim();
  const tokens = tokenize(trimmed);
  if (typeof tokens === 'string') return { ok: false, reason: tokens };
  if (tokens.length === 0) return { ok: false, reason: 'empty statement' };
  if (tokens.some((t) => t.text === ';')) return { ok: false, reason: 'one statement at a time' };
  const ws = words(tokens);
  const bad = ws.find((w) => FORBIDDEN.has(w));
  if (bad) return { ok: false, reason: `${bad.toUpperCase()} is never sent to a target` };
  const first = ws[0];
  const has = (w: string) => ws.includes(w);

  if (
    ['begin', 'commit', 'rollback', 'savepoint', 'release'].includes(first ?? '') ||
    startsWith(tokens, 'start', 'transaction')
  ) {
    if (has('delete') || has('insert') || has('update') || has('create'))
      return { ok: false, reason: 'transaction control must stand alone' };
    return { ok: true, kind: 'transaction' };
  }
  if (first === 'select' || first === 'with') {
    if (has('delete') || has('insert') || has('create') || has('into') || !onlyRowLocks(tokens))
      return { ok: false, reason: 'a read may not write' };
    return { ok: true, kind: 'read' };
  }
  if (first === 'insert') {
    if (!startsWith(tokens, 'insert', 'into')) return { ok: false, reason: 'malformed insert' };
    if (has('delete') || has('create')) return { ok: false, reason: 'an insert may not delete or create' };
    // ON CONFLICT ... DO UPDATE would overwrite a row the plan never saw: only DO NOTHING is allowed.
    const conflict = ws.indexOf('conflict');
    if (conflict >= 0 && ws.slice(conflict).includes('update'))
      return {
        ok: false,
        reason: 'ON CONFLICT DO UPDATE overwrites rows salvage did not check; use DO NOTHING',
      };
    return { ok: true, kind: 'insert' };
  }
  if (first === 'update') {
    if (has('delete') || has('insert') || has('create')) return { ok: false, reason: 'malformed update' };
    if (!ws.includes('where')) return { ok: false, reason: 'an update without WHERE would touch every row' };
    return { ok: true, kind: 'update' };
  }
  if (first === 'delete') {
    const compact = tokens
      .map((t, i) => (i > 0 && t.kind !== 'punct' && tokens[i - 1]!.kind !== 'punct' ? ` ${t.text}` : t.text))
      .join('');
    if (REVERT_DELETES.some((shape) => shape.test(compact))) return { ok: true, kind: 'revert_delete' };
    return {
      ok: false,
      reason: 'DELETE is only sent by revert, for rows the undo journal says its batch inserted',
    };
  }
  if (first === 'create') {
    if (
      startsWith(tokens, 'create', 'schema', 'if', 'not', 'exists', '"salvage"') ||
      startsWith(tokens, 'create', 'table', 'if', 'not', 'exists', '"salvage"', '.') ||
      startsWith(tokens, 'create', 'or', 'replace', 'view', '"salvage"', '.') ||
      (startsWith(tokens, 'create', 'index', 'if', 'not', 'exists') &&
        tokens[6]?.text === 'on' &&
        tokens[7]?.text === '"salvage"' &&
        tokens[8]?.text === '.')
    ) {
      if (tokens.length > 6 && tokens[1]!.text === 'schema')
        return { ok: false, reason: 'CREATE SCHEMA must stand alone' };
      return { ok: true, kind: 'audit_ddl' };
    }
    return { ok: false, reason: "salvage creates objects only in schema 'salvage', with IF NOT EXISTS" };
  }
  return { ok: false, reason: `${(first ?? tokens[0]!.text).toUpperCase()} is never sent to a target` };
}
