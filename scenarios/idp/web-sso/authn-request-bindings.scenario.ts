import { defineIdpScenario } from '../../../harness/context.ts';
import { requiresSsoBinding } from '../../support.ts';

export default defineIdpScenario<{ binding: 'redirect' | 'post' }>({
  id: 'idp-sso',
  title: (v) => `An AuthnRequest over HTTP-${v.binding === 'post' ? 'POST' : 'Redirect'} is answered with a valid signed Response`,
  group: 'web-sso',
  refs: ['profiles-4.1.3.3', 'profiles-4.1.3.5', 'profiles-4.1.4.2', 'core-3.4.1.4', 'conformance-3.2'],
  variants: { binding: ['redirect', 'post'] },
  applies: (target, v) => requiresSsoBinding(v.binding)(target),
  async run({ variant, sp, check, loginAtIdp, checkResponse, user }) {
    sp.setPlan({ binding: variant.binding });
    const outcome = await loginAtIdp();
    check.must(outcome !== undefined, {
      check: 'response-delivered',
      requirement: 'profiles-4.1.3.5',
      expected: `after ${user.username} logs in, the IdP posts a Response to the SP's ACS`,
      observed: outcome ? `a Response arrived at ${outcome.path}` : 'nothing reached the mock SP',
    });
    if (!outcome) return;
    check.must(outcome.path === '/acs', {
      check: 'response-at-registered-acs',
      requirement: 'profiles-4.1.3.5',
      expected: "the Response arrives at the ACS URL from the SP's metadata (/acs)",
      observed: `it arrived at ${outcome.path}`,
    });
    // Every rule a strict SP applies: signature, issuer, audience, recipient, times, status...
    checkResponse(outcome.validation);
  },
});
