import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Manifest } from '@salvage/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInTemp } from './generate-fixture.ts';

/**
 * The stripe SDK's type definitions are generated from Stripe's OpenAPI spec for the pinned API version: every field
 * the simulator writes must be one the API declares for that object (no invented fields, no renamed ones).
 */
const stripeTypes = join(dirname(createRequire(import.meta.url).resolve('stripe')), 'resources');

function declaredFields(file: string, iface: string): Set<string> {
  const text = readFileSync(join(stripeTypes, file), 'utf8');
  const start = text.search(new RegExp(`export (?:declare )?interface ${iface} \\{`));
  if (start < 0) throw new Error(`${iface} not found in ${file}`);
  let depth = 0;
  let i = text.indexOf('{', start);
  const from = i;
  for (; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) break;
  }
  const body = text.slice(from + 1, i);
  return new Set([...body.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]!));
}

const KINDS: [kind: string, file: string, iface: string][] = [
  ['customers', 'Customers.d.ts', 'Customer'],
  ['payment_intents', 'PaymentIntents.d.ts', 'PaymentIntent'],
  ['charges', 'Charges.d.ts', 'Charge'],
  ['refunds', 'Refunds.d.ts', 'Refund'],
  ['checkout_sessions', 'Checkout/Sessions.d.ts', 'Session'],
  ['invoices', 'Invoices.d.ts', 'Invoice'],
  ['disputes', 'Disputes.d.ts', 'Dispute'],
  ['events', 'Events.d.ts', 'EventBase'],
];

let dir: string;
let manifest: Manifest;
beforeAll(async () => {
  ({ dir, manifest } = await generateInTemp({ scale: 'small', seed: 21, bookings: 120 }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulate: Stripe fields', () => {
  it.each(KINDS)('writes only fields the API declares for %s', (kind, file, iface) => {
    const declared = declaredFields(file, iface);
    expect(declared.size).toBeGreaterThan(8);
    const written = new Set<string>();
    for (const b of manifest.businesses) {
      const text = readFileSync(join(dir, 'stripe', b.stripeAccount, `${kind}.jsonl`), 'utf8');
      for (const line of text.split('\n').filter(Boolean))
        for (const k of Object.keys(JSON.parse(line))) written.add(k);
    }
    expect(written.size).toBeGreaterThan(5);
    // Fields the API removed in later versions but still serves on older ones are not allowed either.
    expect([...written].filter((k) => !declared.has(k))).toEqual([]);
    for (const k of ['id', 'object', 'created']) expect(written).toContain(k);
  });

  it('writes line items with the fields of a checkout line item', () => {
    const declared = declaredFields('LineItems.d.ts', 'LineItem');
    const b = manifest.businesses[0]!;
    const line = readFileSync(
      join(dir, 'stripe', b.stripeAccount, 'checkout_session_line_items.jsonl'),
      'utf8',
    ).split('\n')[0]!;
    const item = (JSON.parse(line) as { data: Record<string, unknown>[] }).data[0]!;
    expect(Object.keys(item).filter((k) => !declared.has(k))).toEqual([]);
  });
});
