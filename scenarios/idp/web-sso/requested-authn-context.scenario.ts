// A RequestedAuthnContext the IdP cannot meet: Comparison="exact" with the Smartcard class, which
// no password sign-in satisfies. The IdP must not answer with an assertion about some other kind
// of authentication (the SP asked for a smart card precisely because a password is not enough),
// and should say so with Responder/NoAuthnContext. An IdP that really did a smart-card login and
// asserts that class passes too.
import { defineIdpScenario } from '../../../harness/context.ts';
import { STATUS } from '../../../saml/constants.ts';
import { requiresSsoBinding } from '../../support.ts';
import { checkErrorStatus, describeOutcome, noAssertionIssued, signedAssertionOf } from '../acs-outcome.ts';

/** An authentication context class (Authn Context 3.4.23) that a password form never satisfies. */
const SMARTCARD = 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard';

export default defineIdpScenario({
  id: 'idp-unsatisfiable-authn-context-refused',
  title: 'An exact RequestedAuthnContext the IdP cannot meet is answered with Responder/NoAuthnContext, never an assertion of another class',
  group: 'web-sso',
  refs: ['core-3.3.2.2.1', 'core-3.4.1', 'core-3.2.2.2'],
  applies: requiresSsoBinding('redirect'),
  control: () => ({ plan: { binding: 'redirect' } }),
  async run({ sp, check, loginAtIdp }) {
    sp.setPlan({ binding: 'redirect', request: { requestedAuthnContext: { comparison: 'exact', classRefs: [SMARTCARD] } } });
    const outcome = await loginAtIdp({ waitMs: 8000 });
    const asserted = !noAssertionIssued(outcome);
    let classRef: string | undefined;
    if (asserted) {
      const assertion = signedAssertionOf(outcome);
      // Unsigned or encrypted: the class cannot be read from signed content, so nothing is proven.
      if (!assertion) throw new Error(`an assertion arrived but no signed, unencrypted assertion could be read (${describeOutcome(outcome)})`);
      classRef = assertion.authnStatements[0]?.classRef;
    }
    check.must(!asserted || classRef === SMARTCARD, {
      check: 'authn-context-honoured',
      requirement: 'core-3.3.2.2.1',
      expected: `no assertion, or one whose AuthnContextClassRef is ${SMARTCARD} as requested (Comparison exact)`,
      observed: asserted ? `${describeOutcome(outcome)}; its AuthnContextClassRef is ${classRef ?? '(absent)'}` : describeOutcome(outcome),
      xml: outcome?.xml,
      ...(asserted ? {} : { refusal: true as const }),
    });
    if (asserted) return;
    checkErrorStatus(check, outcome, {
      check: 'no-authn-context-status',
      requirement: 'core-3.3.2.2.1',
      code: STATUS.responder,
      subCode: STATUS.noAuthnContext,
      label: 'Responder/NoAuthnContext',
    });
  },
});
