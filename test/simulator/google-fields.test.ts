import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Manifest } from '@salvage/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, generateInTemp } from './generate-fixture.ts';

/** googleapis' Calendar v3 types are generated from Google's discovery document: the schema's own field names. */
const calendarTypes = join(
  dirname(createRequire(import.meta.url).resolve('googleapis')),
  'apis',
  'calendar',
  'v3.d.ts',
);

function schemaFields(name: string): Set<string> {
  const text = readFileSync(calendarTypes, 'utf8');
  const start = text.indexOf(`export interface ${name} {`);
  if (start < 0) throw new Error(`${name} not found`);
  let depth = 0;
  let i = text.indexOf('{', start);
  const from = i;
  for (; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) break;
  }
  const lines = [...text.slice(from + 1, i).matchAll(/^( +)(\w+)\??:/gm)];
  const indent = Math.min(...lines.map((m) => m[1]!.length));
  return new Set(lines.filter((m) => m[1]!.length === indent).map((m) => m[2]!));
}

let dir: string;
let manifest: Manifest;
beforeAll(async () => {
  ({ dir, manifest } = await generateInTemp({ scale: 'small', seed: 22, bookings: 120 }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulate: Google Calendar fields', () => {
  it('writes only fields of Schema$Event, Schema$EventDateTime and Schema$EventAttendee', () => {
    const event = schemaFields('Schema$Event');
    const time = schemaFields('Schema$EventDateTime');
    const attendee = schemaFields('Schema$EventAttendee');
    expect(event.has('recurringEventId')).toBe(true);
    const unknown = new Set<string>();
    let n = 0;
    for (const f of filesUnder(dir, /\/google\/.+\.json$/)) {
      const cal = JSON.parse(readFileSync(f, 'utf8')) as { items: Record<string, unknown>[] };
      for (const e of cal.items) {
        n++;
        for (const k of Object.keys(e)) if (!event.has(k)) unknown.add(`event.${k}`);
        for (const t of ['start', 'end', 'originalStartTime'])
          for (const k of Object.keys((e[t] as object) ?? {})) if (!time.has(k)) unknown.add(`${t}.${k}`);
        for (const a of (e.attendees as object[]) ?? [])
          for (const k of Object.keys(a)) if (!attendee.has(k)) unknown.add(`attendee.${k}`);
      }
    }
    expect(n).toBeGreaterThan(50);
    expect([...unknown]).toEqual([]);
    expect(manifest.businesses.length).toBe(3);
  });
});
