import type { CustomerRow, EvidenceOf } from '@salvage/core';
import { describe, expect, it } from 'vitest';
import { matchCustomers } from './link-customers.ts';
import { BIZ, customer, customerRow } from './test-builders.ts';

const FIRST = ['Ana', 'Rui', 'Inês', 'Tiago', 'Marta', 'Pedro', 'Sara', 'João', 'Luís', 'Beatriz'];
const LAST = ['Lima', 'Costa', 'Silva', 'Santos', 'Pereira', 'Ferreira', 'Alves', 'Rocha'];

/** Restored accounts, each also seen in a booking form under a second address with the same phone. */
function population(): { rows: CustomerRow[]; evidence: EvidenceOf<'customer'>[] } {
  const rows: CustomerRow[] = [];
  const evidence: EvidenceOf<'customer'>[] = [];
  for (let i = 0; i < 40; i++) {
    const name = `${FIRST[i % FIRST.length]} ${LAST[(i * 3) % LAST.length]}`;
    const phone = `+3519100${String(1000 + i)}`;
    const id = `aaaaaaaa-0000-4000-8000-${String(i).padStart(12, '0')}`;
    rows.push(customerRow({ id, full_name: name, email: `p${i}@home.example`, phone }));
    evidence.push(
      customer(
        { fullName: name, email: `p${i}@work.example`, phone },
        { objectId: `form-${i}` },
      ) as EvidenceOf<'customer'>,
    );
  }
  return { rows, evidence };
}

describe('matchCustomers', () => {
  it('links a look-alike by phone and name, but not across two accounts the platform kept apart', () => {
    const { rows, evidence } = population();
    const khan = customerRow({
      id: 'bbbbbbbb-0000-4000-8000-000000000001',
      full_name: 'Mason Khan',
      email: 'mason.khan@home.example',
      phone: '+18025550170',
    });
    // Someone else on the same household phone, whose own (lost) account id the Stripe Customer carries.
    const chen = customer(
      {
        customerId: 'cccccccc-0000-4000-8000-000000000001',
        fullName: 'Mason Chen',
        email: 'mason_chen@proton.example',
        phone: '+18025550170',
      },
      { kind: 'stripe', objectId: 'cus_chen' },
    ) as EvidenceOf<'customer'>;
    const { clusters } = matchCustomers(BIZ, [...rows, khan], [...evidence, chen], [], [], []);
    // The model does link people by phone and name (the forms join their accounts)...
    const linkedForms = clusters.filter(
      (c) => c.row && c.evidence.some((e) => e.source.objectId.startsWith('form-')),
    );
    expect(linkedForms.length).toBeGreaterThan(30);
    // ...but Mason Chen's account is not Mason Khan's.
    const withChen = clusters.find((c) => c.evidence.includes(chen))!;
    expect(withChen.row).toBeNull();
    expect(withChen.duplicateRisk).toBe(0);
  });
});
