import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { generateInTemp, hashTree } from './generate-fixture.ts';

describe('simulate: determinism', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('gives byte-identical output for the same seed, and different output for another seed', async () => {
    const a = await generateInTemp({ scale: 'small', seed: 42 });
    const b = await generateInTemp({ scale: 'small', seed: 42 });
    const c = await generateInTemp({ scale: 'small', seed: 43 });
    dirs.push(a.dir, b.dir, c.dir);
    const ha = hashTree(a.dir);
    const hb = hashTree(b.dir);
    expect(ha.size).toBeGreaterThan(40);
    expect([...hb.keys()]).toEqual([...ha.keys()]);
    for (const [path, hash] of ha) expect({ path, hash: hb.get(path) }).toEqual({ path, hash });
    const hc = hashTree(c.dir);
    expect(hc.get('truth/bookings.jsonl')).not.toEqual(ha.get('truth/bookings.jsonl'));
    expect(hc.get('backup.sql')).not.toEqual(ha.get('backup.sql'));
  }, 240_000);
});
