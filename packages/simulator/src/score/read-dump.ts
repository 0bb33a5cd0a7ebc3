import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  canonicalRow,
  emptySnapshot,
  SalvageError,
  TABLES,
  type TableName,
  type TargetSnapshot,
} from '@salvage/core';

/**
 * Reads the simulator's backup.sql / restored.sql back as a snapshot without a database: they are written by
 * writeSqlDump as one `INSERT INTO t (cols) VALUES (literals);` per row, literals being NULL, numbers or single-quoted
 * strings with quotes doubled. Loading them into PGlite instead costs seconds of start-up per dump on a small machine.
 */

const HEAD = /^INSERT INTO (\w+) \(([^)]*)\) VALUES \(/;

/** Outcome of parsing one INSERT: the row, or 'incomplete' when a quoted string runs on to the next line. */
export type ParsedInsert = { table: TableName; row: Record<string, unknown> } | 'incomplete' | null;

/** Parses one INSERT statement of a simulator dump; null when the text is not one (a statement of another kind). */
export function parseInsertStatement(text: string): ParsedInsert {
  const head = HEAD.exec(text);
  if (!head) return null;
  const table = head[1] as TableName;
  if (!(TABLES as readonly string[]).includes(table)) throw new Error(`unknown table ${table}`);
  const columns = head[2]!.split(',').map((c) => c.trim());
  const values: unknown[] = [];
  let i = head[0].length;
  for (;;) {
    if (text.startsWith('NULL', i)) {
      values.push(null);
      i += 4;
    } else if (text[i] === "'") {
      let out = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf("'", j);
        if (q < 0) return 'incomplete';
        out += text.slice(j, q);
        if (text[q + 1] === "'") {
          out += "'";
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      values.push(out);
    } else {
      const num = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 40));
      if (!num) throw new Error(`unexpected literal at character ${i}`);
      values.push(Number(num[0]));
      i += num[0].length;
    }
    if (text.startsWith(', ', i)) i += 2;
    else if (text.startsWith(');', i)) break;
    else throw new Error(`expected ", " or ");" at character ${i}`);
  }
  if (values.length !== columns.length)
    throw new Error(`${values.length} values for ${columns.length} columns`);
  return { table, row: Object.fromEntries(columns.map((c, k) => [c, values[k]])) };
}

/** Reads a simulator SQL dump into a canonical snapshot; throws SalvageError 'dump_unreadable' naming file and line. */
export async function readSqlDump(file: string): Promise<TargetSnapshot> {
  const snapshot = emptySnapshot();
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  let pending = '';
  let startLine = 0;
  for await (const line of lines) {
    n++;
    if (!pending && !line.startsWith('INSERT INTO ')) continue;
    if (!pending) startLine = n;
    pending = pending ? `${pending}\n${line}` : line;
    let parsed: ParsedInsert;
    try {
      parsed = parseInsertStatement(pending);
    } catch (error) {
      throw new SalvageError(
        'dump_unreadable',
        `${file}:${startLine}: ${(error as Error).message}; regenerate it with \`salvage simulate\``,
        { cause: error },
      );
    }
    if (parsed === 'incomplete') continue;
    pending = '';
    if (parsed) (snapshot[parsed.table] as unknown[]).push(canonicalRow(parsed.table, parsed.row));
  }
  if (pending)
    throw new SalvageError(
      'dump_unreadable',
      `${file}:${startLine}: a quoted string never ends; the file is cut short`,
    );
  return snapshot;
}
