import { closeSync, createReadStream, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Plan, PlanItem } from '@salvage/core';

/** Bytes of JSON text gathered before a write. */
const WRITE_BUFFER = 4 << 20;
/** Plan files up to this size are parsed whole; larger ones item by item. */
export const WHOLE_PLAN_FILE_LIMIT = 256 << 20;

/**
 * Writes `plan` to `path` (created with mode 0600) as exactly the text of `JSON.stringify(plan, null, 2)` and a
 * newline, but an item at a time: a plan of half a million items is over a gigabyte of JSON, past the longest string
 * V8 can make.
 */
export function writePlanFile(path: string, plan: Plan): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    let parts: string[] = [];
    let size = 0;
    const put = (text: string) => {
      parts.push(text);
      size += text.length;
      if (size >= WRITE_BUFFER) flush();
    };
    const flush = () => {
      writeSync(fd, parts.join(''));
      parts = [];
      size = 0;
    };
    const indent = (json: string, pad: string) => json.replace(/\n/g, `\n${pad}`);
    const entries = Object.entries(plan).filter(([, v]) => v !== undefined && typeof v !== 'function');
    put('{');
    entries.forEach(([key, value], i) => {
      put(i === 0 ? '\n  ' : ',\n  ');
      put(`${JSON.stringify(key)}: `);
      if (key === 'items' && Array.isArray(value) && value.length > 0) {
        put('[');
        (value as PlanItem[]).forEach((item, j) => {
          put(j === 0 ? '\n    ' : ',\n    ');
          put(indent(JSON.stringify(item, null, 2), '    '));
        });
        put('\n  ]');
      } else {
        put(indent(JSON.stringify(value, null, 2), '  '));
      }
    });
    put(entries.length > 0 ? '\n}\n' : '}\n');
    flush();
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a plan JSON file. One up to WHOLE_PLAN_FILE_LIMIT is parsed whole, whatever its layout. A larger one is read
 * line by line: the items of a file laid out as writePlanFile (and `JSON.stringify(plan, null, 2)`) lays it out are
 * parsed one at a time; any other layout is parsed whole, which works while it fits in a string. Throws an Error
 * saying what is wrong; the caller names the file.
 */
export async function readPlanFile(path: string, wholeLimit = WHOLE_PLAN_FILE_LIMIT): Promise<unknown> {
  if (statSync(path).size <= wholeLimit) return JSON.parse(readFileSync(path, 'utf8'));
  const header: string[] = [];
  const items: unknown[] = [];
  let item: string[] | null = null;
  let inItems = false;
  let itemsApart = false;
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    line++;
    if (item) {
      item.push(text);
      if (text === '    }' || text === '    },') {
        const json = item.join('\n');
        items.push(JSON.parse(json.endsWith(',') ? json.slice(0, -1) : json));
        item = null;
      }
    } else if (inItems) {
      if (text === '    {') item = [text];
      else if (text === '  ]' || text === '  ],') {
        inItems = false;
        header.push(text === '  ]' ? '  "items": []' : '  "items": [],');
      } else throw new Error(`line ${line}: expected a plan item opening with "    {"`);
    } else if (text === '  "items": [') {
      inItems = true;
      itemsApart = true;
    } else header.push(text);
  }
  if (inItems || item) throw new Error("the file ends inside the plan's items");
  // Without an items block at two spaces' indent, the "header" is the whole file and holds its items itself.
  const plan = JSON.parse(header.join('\n')) as { items?: unknown };
  if (itemsApart) plan.items = items;
  return plan;
}
