import { emptySnapshot, type TargetSnapshot } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { matchRecords } from './match-records.ts';

const B = 'b0000000-0000-4000-8000-000000000001';
const person = (id: string, email: string | null, phone: string | null) => ({
  id,
  business_id: B,
  full_name: 'X',
  email,
  phone,
  stripe_customer_id: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
});
const booking = (id: string, reference: string, customerId: string) => ({
  id,
  business_id: B,
  reference,
  customer_id: customerId,
  resource_id: 'r',
  starts_at: '2026-02-01T10:00:00.000Z',
  ends_at: '2026-02-01T11:00:00.000Z',
  status: 'confirmed' as const,
  total_amount: 100,
  currency: 'usd',
  notes: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
});
const snap = (over: Partial<TargetSnapshot>): TargetSnapshot => ({ ...emptySnapshot(), ...over });

describe('matchRecords', () => {
  it('matches customers by email, else by phone written another way, else by their bookings', () => {
    const truth = snap({
      customers: [
        person('t1', 'Ana@Example.com', null),
        person('t2', null, '(415) 555-0102'),
        person('t3', null, null),
      ],
      bookings: [booking('tb3', 'BK-333333', 't3')],
    });
    const rebuilt = snap({
      customers: [
        person('r1', 'ana@example.com', null),
        person('r2', null, '+1 415 555 0102'),
        person('r3', null, null),
      ],
      bookings: [booking('rb3', 'bk-333333', 'r3')],
    });
    const m = matchRecords(truth, rebuilt, { [B]: 'US' });
    expect([...m.customers]).toEqual([
      ['r1', 't1'],
      ['r2', 't2'],
      ['r3', 't3'],
    ]);
    expect([...m.bookings]).toEqual([['rb3', 'tb3']]);
  });

  it('matches nothing on a key two truth records share, and falls through to the next key', () => {
    const truth = snap({
      customers: [person('t1', 'shared@x.com', '+14155550101'), person('t2', 'shared@x.com', null)],
    });
    const rebuilt = snap({
      customers: [person('r1', 'shared@x.com', '+14155550101'), person('r2', 'shared@x.com', null)],
    });
    const m = matchRecords(truth, rebuilt);
    expect(m.customers.get('r1')).toBe('t1');
    expect(m.customers.has('r2')).toBe(false);
  });

  it('never matches by id alone', () => {
    const truth = snap({ customers: [person('same', 'a@x.com', null)] });
    const rebuilt = snap({ customers: [person('same', 'b@x.com', null)] });
    expect(matchRecords(truth, rebuilt).customers.size).toBe(0);
  });
});
