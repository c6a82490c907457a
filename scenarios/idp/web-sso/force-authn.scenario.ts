// ForceAuthn="true" while the browser holds an IdP session: the IdP must authenticate the user
// anew, not answer from the session. Normal flow: log in once (the session), then send the same
// AuthnRequest with ForceAuthn="true" (the one mutation). The oracle is the IdP's own clock: a
// fresh authentication states an AuthnInstant later than the first login's; an answer from the
// session repeats the first one. A login page on the second request is the usual sign of a fresh
// authentication; silent re-authentication (a client certificate, Kerberos) is allowed too, and is
// judged by the AuthnInstant alone.
import { defineIdpScenario } from '../../../harness/context.ts';
import { requiresSsoBinding } from '../../support.ts';
import { carriesAssertion, describeOutcome, noAssertionIssued, responseInfo, signedAssertionOf } from '../acs-outcome.ts';
import type { AcsOutcome } from '../../../mock-sp/index.ts';

const WAIT_MS = 8000;

/** The AuthnInstant of the signed assertion, as text and as a time; throws when there is none to read. */
function authnInstantOf(outcome: AcsOutcome | undefined, which: string): { text: string; ms: number } {
  const text = signedAssertionOf(outcome)?.authnStatements[0]?.authnInstant;
  const ms = text === undefined ? NaN : Date.parse(text);
  if (text === undefined || Number.isNaN(ms)) {
    throw new Error(`${which}: no readable AuthnInstant in a signed, unencrypted assertion (${describeOutcome(outcome)})`);
  }
  return { text, ms };
}

/** An xs:dateTime without a fraction of a second. */
function wholeSeconds(text: string): boolean {
  return !/\.\d/.test(text);
}

function sameSecondAs(text: string | undefined, ms: number): boolean {
  const t = text === undefined ? NaN : Date.parse(text);
  return !Number.isNaN(t) && Math.floor(t / 1000) === Math.floor(ms / 1000);
}

export default defineIdpScenario({
  id: 'idp-force-authn-reauthenticates',
  title: 'ForceAuthn="true" with a live IdP session makes the IdP authenticate again, with a fresh AuthnInstant',
  group: 'web-sso',
  refs: ['core-3.4.1', 'profiles-4.1.4.2'],
  applies: requiresSsoBinding('redirect'),
  async run({ sp, check, loginAtIdp, firstAnswerAtIdp }) {
    sp.setPlan({ binding: 'redirect' });
    const first = await loginAtIdp({ waitMs: WAIT_MS });
    if (!carriesAssertion(first)) throw new Error(`the first login gave no assertion, so there is no IdP session to test ForceAuthn against (${describeOutcome(first)})`);
    const before = authnInstantOf(first, 'the first login');
    const proof = `the same request without ForceAuthn was answered with an assertion (${describeOutcome(first)})`;

    sp.setPlan({ binding: 'redirect', request: { forceAuthn: true } });
    const sign = await firstAnswerAtIdp({ waitMs: WAIT_MS });
    if (sign.kind === 'nothing') throw new Error('the IdP neither answered the ForceAuthn request nor showed its login page within the time allowed');

    let outcome: AcsOutcome | undefined;
    let how: string;
    if (sign.kind === 'login-page') {
      // The login page is what a fresh authentication looks like; finish it to read what is asserted.
      outcome = await loginAtIdp({ waitMs: WAIT_MS });
      if (!carriesAssertion(outcome)) throw new Error(`signing in again after ForceAuthn gave no assertion (${describeOutcome(outcome)})`);
      how = 'the IdP showed its login page; after signing in again';
    } else {
      outcome = sign.outcome;
      how = 'no login page; the IdP answered at once';
      if (noAssertionIssued(outcome)) {
        // Refusing to answer a request it cannot re-authenticate for is allowed (an error status).
        check.must(noAssertionIssued(outcome), {
          check: 'force-authn-fresh-authentication',
          requirement: 'core-3.4.1',
          expected: 'a new authentication, or no assertion',
          observed: `${how}: ${describeOutcome(outcome)}`,
          xml: outcome.xml,
          refusal: { provenBy: proof },
        });
        return;
      }
    }
    const after = authnInstantOf(outcome, 'the ForceAuthn login');
    // IdPs that write whole seconds can state the same AuthnInstant for two logins within one second.
    const sameSecond = after.ms === before.ms && wholeSeconds(before.text) && wholeSeconds(after.text);
    if (sameSecond && sign.kind === 'answered' && sameSecondAs(responseInfo(outcome)?.issueInstant, before.ms)) {
      throw new Error(`cannot tell a fresh authentication from the session: the IdP writes whole seconds and answered within the second of the first login (${before.text})`);
    }
    // After a login page the user did sign in again; within one whole second that is all the clock can show.
    const fresh = after.ms > before.ms || (sameSecond && sign.kind === 'login-page');
    check.must(fresh, {
      check: 'force-authn-fresh-authentication',
      requirement: 'core-3.4.1',
      expected: `the user is authenticated anew: the assertion's AuthnInstant is later than the first login's (${before.text})`,
      observed: fresh
        ? `${how}, the assertion's AuthnInstant ${after.text} ${sameSecond ? 'is in the same whole second as' : 'is later than'} the first login's ${before.text}`
        : `${how} with an assertion whose AuthnInstant ${after.text} is not later than the first login's ${before.text}: the session was reused`,
      xml: outcome?.xml,
    });
  },
});
