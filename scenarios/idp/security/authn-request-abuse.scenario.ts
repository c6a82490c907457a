// Negative cases against an IdP: a normal SP-initiated login whose AuthnRequest carries one fault.
// The IdP must not issue an assertion where the fault would lead it.
import { defineIdpScenario } from '../../../harness/context.ts';
import { readResponse } from '../../../saml/readers.ts';
import { parseRoot } from '../../../saml/xml.ts';
import { requiresSsoBinding } from '../../support.ts';
import type { AcsOutcome } from '../../../mock-sp/index.ts';

/** Whether what reached the mock SP carried an assertion (plain or encrypted). */
function carriesAssertion(outcome: AcsOutcome | undefined): boolean {
  if (!outcome?.xml) return false;
  try {
    const info = readResponse(parseRoot(outcome.xml));
    return info.assertionCount + info.encryptedAssertionCount > 0;
  } catch {
    return false;
  }
}

function describe(outcome: AcsOutcome | undefined): string {
  if (!outcome) return 'nothing reached the mock SP';
  return `a Response reached ${outcome.path} ${carriesAssertion(outcome) ? 'WITH an assertion' : 'without an assertion'} (status ${outcome.validation.findings.find((f) => f.rule === 'status-success')?.observed ?? 'unknown'})`;
}

export default [
  defineIdpScenario<{ binding: 'redirect' | 'post' }>({
    id: 'idp-unsigned-authn-request-rejected',
    title: (v) => `An unsigned AuthnRequest over HTTP-${v.binding === 'post' ? 'POST' : 'Redirect'} is refused when the IdP wants signed requests`,
    group: 'security',
    refs: ['metadata-2.4.3', 'core-3.4.1', 'profiles-4.1.4.1'],
    variants: { binding: ['redirect', 'post'] },
    applies: (t, v) => (t.wantAuthnRequestsSigned ? requiresSsoBinding(v.binding)(t) : 'the IdP metadata does not set WantAuthnRequestsSigned'),
    async run({ variant, sp, check, loginAtIdp }) {
      sp.setPlan({ binding: variant.binding, sign: false });
      const outcome = await loginAtIdp({ waitMs: 6000 });
      check.must(!carriesAssertion(outcome), {
        check: 'unsigned-request-refused',
        requirement: 'metadata-2.4.3',
        expected: 'no assertion is issued for an unsigned AuthnRequest',
        observed: describe(outcome),
        xml: outcome?.xml,
      });
    },
  }),
  defineIdpScenario({
    id: 'idp-rogue-acs-url-refused',
    title: "An AssertionConsumerServiceURL that is not in the SP's metadata never receives an assertion",
    group: 'security',
    refs: ['profiles-4.1.4.1', 'core-3.4.1', 'attack-rogue-acs'],
    applies: requiresSsoBinding('redirect'),
    async run({ mockSp, sp, check, loginAtIdp }) {
      const rogue = `${mockSp.baseUrl}/acs-rogue`;
      sp.setPlan({ binding: 'redirect', request: { assertionConsumerServiceUrl: rogue } });
      const outcome = await loginAtIdp({ waitMs: 8000 });
      const atRogue = sp.responses().filter((r) => r.path === '/acs-rogue');
      check.must(!atRogue.some(carriesAssertion), {
        check: 'no-assertion-at-rogue-acs',
        requirement: 'attack-rogue-acs',
        expected: `the IdP refuses the request or answers at the registered ACS, never at ${rogue}`,
        observed: describe(atRogue.find(carriesAssertion) ?? outcome),
        xml: atRogue.find(carriesAssertion)?.xml,
      });
    },
  }),
];
