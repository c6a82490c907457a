// Negative cases on what the assertion says about where and when it may be used. The Response is
// correctly signed by the IdP; only one condition is wrong.
import { defineSpScenario } from '../../../harness/context.ts';
import type { IdpPlanResponse } from '../../../mock-idp/index.ts';
import { expectNoLogin, requiresPostAcs, TEST_USER } from '../../support.ts';

interface ConditionFault {
  id: string;
  title: string;
  refs: string[];
  requirement: string;
  expected: string;
  response: IdpPlanResponse;
}

const FAULTS: ConditionFault[] = [
  {
    id: 'sp-wrong-audience-rejected',
    title: 'An assertion whose Audience names another SP is rejected',
    refs: ['core-2.5.1.4', 'profiles-4.1.4.2', 'profiles-4.1.4.3'],
    requirement: 'core-2.5.1.4',
    expected: 'the SP rejects an assertion meant for another audience',
    response: { audience: 'https://another-sp.samlconf.test/metadata' },
  },
  {
    id: 'sp-expired-assertion-rejected',
    title: 'An assertion that expired ten minutes ago is rejected',
    refs: ['core-2.5.1.2', 'core-2.4.1.2', 'profiles-4.1.4.3'],
    requirement: 'core-2.5.1.2',
    expected: 'the SP rejects an assertion past its NotOnOrAfter (beyond any reasonable clock skew)',
    // Issued 15 minutes ago, valid for 5: both Conditions and SubjectConfirmationData have lapsed.
    response: { clockOffsetSeconds: -900, lifetimeSeconds: 300 },
  },
];

export default FAULTS.map((fault) =>
  defineSpScenario({
    id: fault.id,
    title: fault.title,
    group: 'conditions',
    refs: fault.refs,
    applies: requiresPostAcs,
    async run(ctx) {
      // The signed-in user is the legitimate one: the only thing wrong is the condition.
      ctx.idp.setPlan({ user: TEST_USER, response: fault.response });
      const outcome = await ctx.spInitiatedLogin();
      expectNoLogin(ctx, outcome, { check: 'condition-enforced', requirement: fault.requirement, expected: fault.expected });
    },
  }),
);
