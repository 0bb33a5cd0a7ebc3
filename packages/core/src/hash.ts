import * as nodeCrypto from 'node:crypto';

const { createHash } = nodeCrypto;
// crypto.hash (Node 20.12+) hashes in one call without a Hash object, about three times faster for inputs as short as
// an evidence id's; engines allows Node 20.6, which lacks it.
const oneShotHash = typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : null;

/** JSON with object keys sorted, so equal values always serialize, and hash, the same. */
export function stableStringify(value: unknown): string {
  // Written straight out rather than JSON.stringify of a sorted copy: plans hash every item, and the copies were a
  // large share of the engine's garbage. The output is exactly what the copy gave (see `sortKeys`).
  return value === undefined || typeof value === 'function' || typeof value === 'symbol'
    ? (JSON.stringify(value) as string)
    : write(value);
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      // undefined, functions and symbols inside an array are null in JSON; bigint throws as JSON.stringify does.
      return typeof value === 'bigint' ? JSON.stringify(value) : 'null';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + write(value[i]);
    return `${out}]`;
  }
  const keys = Object.keys(value).sort();
  for (const key of keys) {
    // A key a plain object orders or treats specially (array indices come first, __proto__ and toJSON are not plain
    // data): the sorted copy decides, as it always did.
    const c = key.charCodeAt(0);
    if ((c >= 48 && c <= 57) || key === '__proto__' || key === 'toJSON')
      return JSON.stringify(sortKeys(value));
  }
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${write(v)}`;
    first = false;
  }
  return `${out}}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Hex sha256 of a string or bytes. */
export function sha256(data: string | Uint8Array): string {
  // A string is hashed as UTF-8 either way.
  return oneShotHash ? oneShotHash('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

/** Hex sha256 of a value's stable JSON form. */
export function hashValue(value: unknown): string {
  return sha256(stableStringify(value));
}

/**
 * A deterministic UUID (version 5 layout, sha256-based) for a name: the same name always gives the same id, so the
 * rows a plan inserts have stable ids across re-plans.
 */
export function deterministicUuid(name: string): string {
  // The first 16 bytes of the hash, in hex, with the version nibble (byte 6's high half) set to 5 and the variant bits
  // (byte 8's top two) to 10. Written on the hex rather than a digest Buffer: one-shot hashing is about four times
  // faster, and a plan makes an id for every new row.
  const x = sha256(`salvage:${name}`);
  const variant = VARIANT[Number.parseInt(x[16]!, 16) & 3];
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-5${x.slice(13, 16)}-${variant}${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

const VARIANT = ['8', '9', 'a', 'b'];
