// Negative cases on the Response's signature: a normal SP-initiated login whose Response carries
// one signature fault, claiming the attacker's identity. The SP must log nobody in.
import { defineSpScenario } from '../../../harness/context.ts';
import type { IdpPlan } from '../../../mock-idp/index.ts';
import { ATTACKER_USER, expectNoLogin, requiresPostAcs } from '../../support.ts';

interface SignatureFault {
  id: string;
  title: string;
  refs: string[];
  requirement: string;
  plan: IdpPlan;
}

const FAULTS: SignatureFault[] = [
  {
    id: 'sp-unsigned-response-rejected',
    title: 'A Response with no signature on the Response or the assertion is rejected',
    refs: ['profiles-4.1.4.5', 'profiles-4.1.4.3', 'attack-signature-exclusion'],
    requirement: 'profiles-4.1.4.5',
    plan: { user: ATTACKER_USER, sign: { response: false, assertion: false } },
  },
  {
    id: 'sp-untrusted-key-rejected',
    title: "A Response signed with a key that is not the IdP's (its certificate in KeyInfo) is rejected",
    refs: ['profiles-4.1.4.3', 'core-5.4.5', 'attack-certificate-faking', 'cve-2024-32962'],
    requirement: 'attack-certificate-faking',
    plan: { user: ATTACKER_USER, sign: { response: true, assertion: true, credential: 'attacker' } },
  },
];

export default FAULTS.map((fault) =>
  defineSpScenario({
    id: fault.id,
    title: fault.title,
    group: 'signing',
    refs: fault.refs,
    applies: requiresPostAcs,
    async run(ctx) {
      ctx.idp.setPlan(fault.plan);
      const outcome = await ctx.spInitiatedLogin();
      expectNoLogin(ctx, outcome, { check: 'forged-response-rejected', requirement: fault.requirement, expected: 'the SP rejects the Response and logs nobody in' });
    },
  }),
);
