// Negative cases against an IdP: a normal SP-initiated login whose AuthnRequest carries one fault.
// The IdP must not issue an assertion where the fault would lead it.
import { defineIdpScenario } from '../../../harness/context.ts';
import { requiresSsoBinding } from '../../support.ts';
import { describeOutcome, noAssertionIssued } from '../acs-outcome.ts';


export default [
  defineIdpScenario<{ binding: 'redirect' | 'post' }>({
    id: 'idp-unsigned-authn-request-rejected',
    title: (v) => `An unsigned AuthnRequest over HTTP-${v.binding === 'post' ? 'POST' : 'Redirect'} is refused when the IdP wants signed requests`,
    group: 'security',
    refs: ['metadata-2.4.3', 'core-3.4.1', 'profiles-4.1.4.1'],
    variants: { binding: ['redirect', 'post'] },
    applies: (t, v) => (t.wantAuthnRequestsSigned ? requiresSsoBinding(v.binding)(t) : 'the IdP metadata does not set WantAuthnRequestsSigned'),
    control: (v) => ({ plan: { binding: v.binding, sign: true } }),
    async run({ variant, sp, check, loginAtIdp }) {
      sp.setPlan({ binding: variant.binding, sign: false });
      const outcome = await loginAtIdp({ waitMs: 6000 });
      check.must(noAssertionIssued(outcome), {
        check: 'unsigned-request-refused',
        requirement: 'metadata-2.4.3',
        expected: 'no assertion is issued for an unsigned AuthnRequest',
        observed: describeOutcome(outcome),
        xml: outcome?.xml,
        refusal: true,
      });
    },
  }),
  defineIdpScenario({
    id: 'idp-rogue-acs-url-refused',
    title: "An AssertionConsumerServiceURL that is not in the SP's metadata never receives an assertion",
    group: 'security',
    refs: ['profiles-4.1.4.1', 'core-3.4.1', 'attack-rogue-acs'],
    applies: requiresSsoBinding('redirect'),
    control: () => ({ plan: { binding: 'redirect' } }),
    async run({ mockSp, sp, check, loginAtIdp }) {
      const rogue = `${mockSp.baseUrl}/acs-rogue`;
      sp.setPlan({ binding: 'redirect', request: { assertionConsumerServiceUrl: rogue } });
      const outcome = await loginAtIdp({ waitMs: 8000 });
      const atRogue = sp.responses().filter((r) => r.path === '/acs-rogue');
      const delivered = atRogue.find((r) => !noAssertionIssued(r));
      // No assertion anywhere is a refusal (it counts once a plain request gets one); one at the registered ACS is not.
      check.must(delivered === undefined, {
        check: 'no-assertion-at-rogue-acs',
        requirement: 'attack-rogue-acs',
        expected: `the IdP refuses the request or answers at the registered ACS, never at ${rogue}`,
        observed: describeOutcome(delivered ?? outcome),
        xml: delivered?.xml,
        ...(noAssertionIssued(outcome) ? { refusal: true as const } : {}),
      });
    },
  }),
];
