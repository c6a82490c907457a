// NameIDPolicy asking for a Format the IdP cannot supply. The IdP must not answer with an identifier
// of some other format, and should say why with Requester/InvalidNameIDPolicy.
import { defineIdpScenario } from '../../../harness/context.ts';
import { STATUS } from '../../../saml/constants.ts';
import { requiresSsoBinding } from '../../support.ts';
import { checkErrorStatus, describeOutcome, noAssertionIssued } from '../acs-outcome.ts';
import { describeFormat } from './nameid-format.ts';

/** A well-formed format URI that no product implements. */
const UNSUPPORTED_FORMAT = 'urn:samlconf:nameid-format:unsupported';

export default defineIdpScenario({
  id: 'idp-unsupported-nameid-format-refused',
  title: 'A NameIDPolicy with an unsupported Format is answered with Requester/InvalidNameIDPolicy, never another format',
  group: 'nameid',
  refs: ['core-3.4.1.1', 'core-3.2.2.2', 'profiles-4.1.4.2'],
  applies: (t) => (t.nameIdFormats.includes(UNSUPPORTED_FORMAT) ? `the IdP metadata claims ${UNSUPPORTED_FORMAT}` : requiresSsoBinding('redirect')(t)),
  control: () => ({ plan: { binding: 'redirect' } }),
  async run({ sp, check, loginAtIdp }) {
    sp.setPlan({ binding: 'redirect', request: { nameIdPolicy: { format: UNSUPPORTED_FORMAT, allowCreate: true } } });
    const outcome = await loginAtIdp({ waitMs: 6000 });
    const asserted = !noAssertionIssued(outcome);
    // The IdP does not advertise this Format (applies() ruled that out), so it cannot truly issue
    // it: any assertion is wrong, in another Format or in an echo of the made-up one (Core 3.4.1.1).
    // A refusal is a Response without an assertion (any non-success status), or no Response at all.
    check.must(!asserted, {
      check: 'nameid-format-honoured',
      requirement: 'core-3.4.1.1',
      expected: `no assertion: the IdP does not support ${UNSUPPORTED_FORMAT}, so it refuses (Requester/InvalidNameIDPolicy) rather than issue a NameID`,
      observed: asserted ? `${describeOutcome(outcome)}; ${describeFormat(outcome)}` : describeOutcome(outcome),
      xml: outcome?.xml,
      ...(asserted ? {} : { refusal: true as const }),
    });
    checkErrorStatus(check, outcome, {
      check: 'invalid-nameid-policy-status',
      requirement: 'core-3.2.2.2',
      code: STATUS.requester,
      subCode: STATUS.invalidNameIdPolicy,
      label: 'Requester/InvalidNameIDPolicy',
    });
  },
});
