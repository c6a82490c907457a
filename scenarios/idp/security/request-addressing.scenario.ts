// AuthnRequests that name the wrong parties: an Issuer the IdP has never registered, and a
// Destination that is not the endpoint the request arrived at. Each is a normal, correctly signed
// SP-initiated login with that one field changed; the IdP must not issue an assertion for it.
import { defineIdpScenario } from '../../../harness/context.ts';
import { requiresSsoBinding } from '../../support.ts';
import { describeOutcome, noAssertionIssued } from '../acs-outcome.ts';

/** An entity ID no IdP has in its SP registry. */
const UNKNOWN_SP_ENTITY_ID = 'https://unregistered-sp.samlconf.test/metadata';

type Binding = 'redirect' | 'post';
const label = (b: Binding) => (b === 'post' ? 'POST' : 'Redirect');

export default [
  defineIdpScenario({
    id: 'idp-unknown-issuer-refused',
    title: 'An AuthnRequest whose Issuer names an unregistered SP gets no assertion',
    group: 'security',
    refs: ['profiles-4.1.4.1', 'core-3.4.1'],
    applies: requiresSsoBinding('redirect'),
    control: () => ({ plan: { binding: 'redirect', sign: true } }),
    async run({ sp, check, loginAtIdp }) {
      // Signed with the registered SP's own key: only the entity ID is foreign.
      sp.setPlan({ binding: 'redirect', sign: true, request: { issuer: UNKNOWN_SP_ENTITY_ID } });
      const outcome = await loginAtIdp({ waitMs: 6000 });
      check.must(noAssertionIssued(outcome), {
        check: 'unknown-issuer-refused',
        requirement: 'profiles-4.1.4.1',
        expected: `no assertion is issued for a request from ${UNKNOWN_SP_ENTITY_ID}, which the IdP has not registered`,
        observed: describeOutcome(outcome),
        xml: outcome?.xml,
        refusal: true,
      });
    },
  }),
  defineIdpScenario<{ binding: Binding }>({
    id: 'idp-wrong-destination-refused',
    title: (v) => `A signed AuthnRequest over HTTP-${label(v.binding)} whose Destination names another endpoint gets no assertion`,
    group: 'security',
    refs: ['core-3.2.1', 'bindings-3.4.5.2', 'bindings-3.5.5.2'],
    variants: { binding: ['redirect', 'post'] },
    applies: (t, v) => requiresSsoBinding(v.binding)(t),
    control: (v) => ({ plan: { binding: v.binding, sign: true } }),
    async run({ variant, sp, check, loginAtIdp }) {
      // A request meant for another IdP (or another endpoint), forwarded here with its signature intact.
      const elsewhere = 'https://other-idp.samlconf.test/sso';
      sp.setPlan({ binding: variant.binding, sign: true, request: { destination: elsewhere } });
      const outcome = await loginAtIdp({ waitMs: 6000 });
      check.must(noAssertionIssued(outcome), {
        check: 'wrong-destination-refused',
        requirement: 'core-3.2.1',
        expected: `no assertion is issued for a request whose Destination is ${elsewhere}, not the endpoint it arrived at`,
        observed: describeOutcome(outcome),
        xml: outcome?.xml,
        refusal: true,
      });
    },
  }),
];
