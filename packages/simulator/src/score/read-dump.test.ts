import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInsertStatement, readSqlDump } from './read-dump.ts';

describe('parseInsertStatement', () => {
  it('reads NULL, numbers and quoted strings with doubled quotes', () => {
    const parsed = parseInsertStatement(
      "INSERT INTO bookings (id, notes, total_amount, currency) VALUES ('b1', 'it''s, ok);', -1200, NULL);",
    );
    expect(parsed).toEqual({
      table: 'bookings',
      row: { id: 'b1', notes: "it's, ok);", total_amount: -1200, currency: null },
    });
  });

  it('asks for more text when a string runs past the line, and refuses what it does not know', () => {
    expect(parseInsertStatement("INSERT INTO customers (id, full_name) VALUES ('c1', 'line one")).toBe(
      'incomplete',
    );
    expect(parseInsertStatement('CREATE TABLE x (id int);')).toBeNull();
    expect(() => parseInsertStatement("INSERT INTO users (id) VALUES ('u');")).toThrow(/unknown table users/);
    expect(() => parseInsertStatement("INSERT INTO customers (id, email) VALUES ('c1');")).toThrow(
      /1 values for 2 columns/,
    );
    expect(() => parseInsertStatement('INSERT INTO customers (id) VALUES (now());')).toThrow(
      /unexpected literal/,
    );
  });
});

describe('readSqlDump', () => {
  it('reads rows over several lines into a canonical snapshot, and names the line of a bad one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salvage-dump-'));
    try {
      const file = join(dir, 'backup.sql');
      writeFileSync(
        file,
        [
          'BEGIN;',
          'CREATE TABLE payments (id uuid);',
          "INSERT INTO payments (id, amount, paid_at, currency) VALUES ('p1', 500, '2026-01-01T10:00:00Z', 'usd');",
          "INSERT INTO bookings (id, notes) VALUES ('b1', 'two",
          "lines');",
          'COMMIT;',
        ].join('\n'),
      );
      const snap = await readSqlDump(file);
      expect(snap.payments).toEqual([
        { id: 'p1', amount: 500, paid_at: '2026-01-01T10:00:00.000Z', currency: 'usd' },
      ]);
      expect(snap.bookings).toEqual([{ id: 'b1', notes: 'two\nlines' }]);

      writeFileSync(
        file,
        "BEGIN;\nINSERT INTO payments (id) VALUES ('p1');\nINSERT INTO payments (id) VALUES (x);\n",
      );
      await expect(readSqlDump(file)).rejects.toThrow(`${file}:3: unexpected literal`);
      writeFileSync(file, "INSERT INTO payments (id) VALUES ('p1\n");
      await expect(readSqlDump(file)).rejects.toThrow(/:1: a quoted string never ends/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
