import { describe, expect, it } from 'vitest';
import { signUpLead } from './build-items.ts';
import type { CustomerCluster } from './link-customers.ts';

const MIN = 60_000;
const base = Date.parse('2026-08-04T00:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

/** A cluster first seen `seenMs` after the window opens; restored (with created_at) when `createdMs` is given. */
function cluster(seenMs: number, createdMs?: number): CustomerCluster {
  return {
    businessId: 'b1',
    row: createdMs === undefined ? null : ({ id: `c${seenMs}`, created_at: at(base + createdMs) } as never),
    evidence: [{ id: `e${seenMs}`, entity: 'customer', fields: {}, observedAt: at(base + seenMs) } as never],
    bookings: [],
    payments: [],
    linkConfidence: 1,
    duplicateRisk: 0,
    linkRules: [],
  };
}

describe('signUpLead', () => {
  it('is the median gap between a restored customer created inside the window and their first observation', () => {
    const gaps = [2, 3, 4, 6, 9];
    const clusters = [
      cluster(0),
      ...gaps.map((g, i) => cluster(100 * MIN * (i + 1), 100 * MIN * (i + 1) - g * MIN)),
    ];
    expect(signUpLead(clusters)).toBe(4 * MIN);
  });

  it('learns nothing from customers created before the evidence begins, whose first sighting there is not their first', () => {
    const clusters = [cluster(0), ...[1, 2, 3, 4, 5].map((i) => cluster(i * MIN, -i * 86_400_000))];
    expect(signUpLead(clusters)).toBe(0);
  });

  it('is 0 with too few samples, a negative median or an implausibly long one', () => {
    expect(signUpLead([cluster(0), cluster(10 * MIN, 5 * MIN), cluster(20 * MIN, 15 * MIN)])).toBe(0);
    const early = [
      cluster(0),
      ...[1, 2, 3, 4, 5].map((i) => cluster(i * 100 * MIN, i * 100 * MIN + 2 * MIN)),
    ];
    expect(signUpLead(early)).toBe(0);
    const late = [
      cluster(0),
      ...[1, 2, 3, 4, 5].map((i) => cluster(i * 1000 * MIN, i * 1000 * MIN - 300 * MIN)),
    ];
    expect(signUpLead(late)).toBe(0);
  });

  it("counts a booking's creation, where its source dates it before observing it, as a sighting", () => {
    // Calendar entries made with the booking and edited a day later: observed at the edit, created with the booking.
    const edited = (i: number) => {
      const c = cluster(i * 100 * MIN + 86_400_000, i * 100 * MIN - 5 * MIN);
      c.bookings = [
        {
          evidence: [
            {
              id: `b${i}`,
              entity: 'booking',
              fields: { createdAt: at(base + i * 100 * MIN) },
              observedAt: at(base + i * 100 * MIN + 86_400_000),
            },
          ],
        } as never,
      ];
      return c;
    };
    expect(signUpLead([cluster(0), ...[1, 2, 3, 4, 5].map(edited)])).toBe(5 * MIN);
  });
});
