import { describe, expect, it } from 'vitest';
import { scanMime } from './mime-scan.ts';

// The base64 check as it was written before the one-pass loop: the reference for "nothing changed".
function cleanBefore(body: string): boolean {
  const compact = body.replace(/[\r\n\t ]/g, '');
  return /^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact.length % 4 === 0;
}

describe('scanMime', () => {
  it('finds broken base64 exactly as before', () => {
    const bits = ['QUJD', 'Q', 'w6k=', '=', '==', '\r\n', ' ', '\t', '-', '_', 'a', '+/', '\xe9', '\n'];
    let seed = 5;
    const next = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    for (let k = 0; k < 5_000; k++) {
      let body = '';
      for (let i = next(10); i > 0; i--) body += bits[next(bits.length)];
      const raw = `Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}`;
      const broken = scanMime(Buffer.from(raw, 'latin1')).problems.some((p) => p.code === 'broken_base64');
      expect(broken, JSON.stringify(body)).toBe(!cleanBefore(body));
    }
  });
});
