// IsPassive="true" in a fresh browser (no IdP session): the IdP may not show the user anything,
// so it cannot authenticate, and it answers the SP with a Responder/NoPassive error.
// The journey is driven here rather than with loginAtIdp, because that flow fills in a login page
// whenever one appears, and a login page is exactly what this scenario must catch.
import type { Page } from 'playwright';
import type { TargetConfig } from '../../../harness/config.ts';
import { defineIdpScenario } from '../../../harness/context.ts';
import type { AcsOutcome } from '../../../mock-sp/index.ts';
import { STATUS } from '../../../saml/constants.ts';
import { requiresSsoBinding } from '../../support.ts';
import { carriesAssertion, describeOutcome, hasStatus, responseInfo, statusText } from '../acs-outcome.ts';

const WAIT_MS = 6000;

type FirstSign = { kind: 'arrived'; outcome: AcsOutcome } | { kind: 'login-page'; url: string } | { kind: 'nothing' };

/** What reveals the IdP's login page: the adapter's username field, else any password field. */
function loginProbe(target: TargetConfig): string {
  const login = target.login;
  return login && typeof login !== 'function' ? login.username : 'input[type="password"]';
}

/** Send the browser to the mock SP's login URL and report whichever comes first: a Response at the SP, or the IdP's login page. */
async function firstSign(page: Page, arrival: Promise<AcsOutcome | undefined>, startUrl: string, probe: string): Promise<FirstSign> {
  const never = new Promise<never>(() => undefined);
  await page.goto(startUrl, { waitUntil: 'load' }).catch((err: Error) => {
    // The IdP's auto-POST interrupting the first navigation is normal; anything else is not.
    if (!/interrupted|aborted|ERR_ABORTED/i.test(err.message)) throw err;
  });
  const shown = page
    .locator(probe)
    .first()
    .waitFor({ state: 'visible', timeout: WAIT_MS })
    .then((): FirstSign => ({ kind: 'login-page', url: page.url() }), () => never);
  const arrived = arrival.then((outcome): FirstSign => (outcome ? { kind: 'arrived', outcome } : { kind: 'nothing' }));
  return Promise.race([arrived, shown]);
}

export default defineIdpScenario({
  id: 'idp-passive-request-without-session',
  title: 'IsPassive="true" without an IdP session is answered with Responder/NoPassive and no login page',
  group: 'web-sso',
  refs: ['core-3.4.1', 'core-3.2.2.2', 'profiles-4.1.4.2'],
  applies: requiresSsoBinding('redirect'),
  async run({ sp, page, target, check }) {
    sp.setPlan({ binding: 'redirect', request: { isPassive: true } });
    const probe = loginProbe(target.config);
    const sign = await firstSign(page, sp.waitForResponse(WAIT_MS), sp.loginUrl(), probe);
    const outcome = sign.kind === 'arrived' ? sign.outcome : undefined;
    const seen = sign.kind === 'login-page' ? `the IdP showed its login page (${probe} visible at ${sign.url})` : `no login page; ${describeOutcome(outcome)}`;

    check.must(sign.kind !== 'login-page', {
      check: 'passive-request-no-ui',
      requirement: 'core-3.4.1',
      expected: 'the IdP answers an IsPassive request without showing the user any page of its own',
      observed: seen,
    });
    if (sign.kind === 'login-page') return;

    check.must(!carriesAssertion(outcome), {
      check: 'passive-request-no-assertion',
      requirement: 'profiles-4.1.4.2',
      expected: 'no assertion: a fresh browser has no IdP session, so nobody was authenticated',
      observed: seen,
      xml: outcome?.xml,
    });
    const info = responseInfo(outcome);
    check.should(hasStatus(info, STATUS.responder, STATUS.noPassive), {
      check: 'passive-request-no-passive-status',
      requirement: 'core-3.2.2.2',
      expected: 'a Response to the SP with status Responder/NoPassive',
      observed: outcome ? `status ${statusText(info)}` : seen,
      xml: outcome?.xml,
    });
  },
});
