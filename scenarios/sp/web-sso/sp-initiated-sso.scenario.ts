import { defineSpScenario } from '../../../harness/context.ts';
import { requiresPostAcs } from '../../support.ts';

type Signed = 'assertion' | 'both' | 'response';

const LABEL: Record<Signed, string> = { assertion: 'assertion signed', both: 'Response and assertion signed', response: 'only the Response signed' };

export default defineSpScenario<{ signed: Signed }>({
  id: 'sp-initiated-sso',
  title: (v) => `SP-initiated SSO: AuthnRequest to the IdP, Response over HTTP-POST, ${LABEL[v.signed]}`,
  group: 'web-sso',
  refs: ['profiles-4.1.3.3', 'profiles-4.1.4.1', 'profiles-4.1.4.3', 'profiles-4.1.4.5', 'conformance-3.2'],
  variants: { signed: ['both', 'assertion', 'response'] },
  applies: requiresPostAcs,
  async run({ variant, idp, check, spInitiatedLogin, isLoggedInAs, testUser }) {
    idp.setPlan({ user: testUser, sign: { assertion: variant.signed !== 'response', response: variant.signed !== 'assertion' } });
    const outcome = await spInitiatedLogin();

    const request = idp.lastAuthnRequest();
    check.must(request !== undefined, {
      check: 'authn-request-sent',
      requirement: 'profiles-4.1.3.3',
      expected: "the SP's login sends an AuthnRequest to the IdP's SSO service",
      observed: request ? `an AuthnRequest over HTTP-${request.binding === 'post' ? 'POST' : 'Redirect'}` : `no AuthnRequest reached the mock IdP; browser ended at ${outcome.finalUrl}`,
    });
    for (const f of request?.findings ?? []) {
      (f.severity === 'must' ? check.must : check.should)(f.ok, { check: `authn-request-${f.rule}`, requirement: f.requirement, expected: f.expected, observed: f.observed, xml: f.xml });
    }

    // Every SP must accept a Response whose Response and assertion are both signed. Profiles
    // 4.1.4.5 (with the errata) is satisfied by either signature alone, and IdPs differ (Azure AD
    // signs only the assertion by default): an SP that insists on both is an interoperability
    // warning, not a breach.
    // Judged against the NameID the mock really sent: the SP's NameIDPolicy may have asked for a
    // transient or persistent one instead of the planned email.
    const severity = variant.signed === 'both' ? check.must : check.should;
    const sent = outcome.sent;
    severity(sent !== undefined && isLoggedInAs(outcome, sent), {
      check: 'asserted-user-logged-in',
      requirement: variant.signed === 'both' ? 'profiles-4.1.4.3' : 'profiles-4.1.4.5',
      expected: sent ? `the SP logs in ${sent.nameId}, the NameID the IdP asserted` : 'the IdP delivers a Response and the SP logs in its NameID',
      observed: outcome.loggedIn ? `logged in as ${outcome.nameId ?? '(unknown)'}: ${outcome.observed}` : `nobody logged in: ${outcome.observed}`,
      xml: idp.lastResponse()?.xml,
    });
  },
});
