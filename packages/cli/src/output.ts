/** Human output goes to stdout (or stderr for notes); with --json, stdout holds exactly one JSON document. */
export interface Output {
  json: boolean;
  /** A line for people; suppressed under --json. */
  line(text?: string): void;
  /** A note for people on stderr, shown under --json too. */
  note(text: string): void;
  /** The machine-readable result; printed only under --json. */
  result(value: unknown): void;
  /** Prints rows as an aligned table (human mode only). */
  table(rows: Record<string, unknown>[], columns?: string[]): void;
}

export function createOutput(
  json: boolean,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Output {
  return {
    json,
    line(text = '') {
      if (!json) out.write(`${text}\n`);
    },
    note(text) {
      err.write(`${text}\n`);
    },
    result(value) {
      if (json) out.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    table(rows, columns) {
      if (json || rows.length === 0) return;
      out.write(`${formatTable(rows, columns)}\n`);
    },
  };
}

/** An aligned text table; numbers right-aligned. */
export function formatTable(rows: Record<string, unknown>[], columns?: string[]): string {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const cells = rows.map((r) => cols.map((c) => (r[c] === undefined || r[c] === null ? '' : String(r[c]))));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const fmt = (values: string[], numeric: boolean[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const numeric = cols.map((c) => rows.every((r) => typeof r[c] === 'number'));
  return [
    fmt(cols, numeric),
    fmt(
      widths.map((w) => '-'.repeat(w)),
      numeric,
    ),
    ...cells.map((r) => fmt(r, numeric)),
  ].join('\n');
}
