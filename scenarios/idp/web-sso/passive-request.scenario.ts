// IsPassive="true" in a fresh browser (no IdP session): the IdP may not show the user anything,
// so it cannot authenticate, and it answers the SP with a Responder/NoPassive error.
// Driven with firstAnswerAtIdp rather than loginAtIdp, which fills in a login page whenever one
// appears: a login page is exactly what this scenario must catch.
import { defineIdpScenario } from '../../../harness/context.ts';
import { STATUS } from '../../../saml/constants.ts';
import { requiresSsoBinding } from '../../support.ts';
import { checkErrorStatus, describeOutcome, noAssertionIssued } from '../acs-outcome.ts';

const WAIT_MS = 6000;

export default defineIdpScenario({
  id: 'idp-passive-request-without-session',
  title: 'IsPassive="true" without an IdP session is answered with Responder/NoPassive and no login page',
  group: 'web-sso',
  refs: ['core-3.4.1', 'core-3.2.2.2', 'profiles-4.1.4.2'],
  applies: requiresSsoBinding('redirect'),
  control: () => ({ plan: { binding: 'redirect' } }),
  async run({ sp, check, firstAnswerAtIdp }) {
    sp.setPlan({ binding: 'redirect', request: { isPassive: true } });
    const sign = await firstAnswerAtIdp({ waitMs: WAIT_MS });
    const outcome = sign.kind === 'answered' ? sign.outcome : undefined;
    const seen = sign.kind === 'login-page' ? `the IdP showed its login page (at ${sign.url})` : `no login page; ${describeOutcome(outcome)}`;

    check.must(sign.kind !== 'login-page', {
      check: 'passive-request-no-ui',
      requirement: 'core-3.4.1',
      expected: 'the IdP answers an IsPassive request without showing the user any page of its own',
      observed: seen,
    });
    if (sign.kind === 'login-page') return;

    check.must(noAssertionIssued(outcome), {
      check: 'passive-request-no-assertion',
      requirement: 'profiles-4.1.4.2',
      expected: 'no assertion: a fresh browser has no IdP session, so nobody was authenticated',
      observed: seen,
      xml: outcome?.xml,
      // An IdP that never answers anything would pass too: it counts once a plain request gets an assertion.
      refusal: true,
    });
    checkErrorStatus(check, outcome, {
      check: 'passive-request-no-passive-status',
      requirement: 'core-3.2.2.2',
      code: STATUS.responder,
      subCode: STATUS.noPassive,
      label: 'Responder/NoPassive',
      otherwise: seen,
    });
  },
});
