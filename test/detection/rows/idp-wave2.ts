// Detection rows for the second wave of IdP scenarios: ForceAuthn with a live session, an
// unsatisfiable RequestedAuthnContext, ACS selection by an unknown index or by the Redirect
// binding, and user data with XML markup in the signed assertion (the machinery is matrix.ts).
import { AUTHN_CONTEXT } from '../../../saml/constants.ts';
import type { IdpUser } from '../../../mock-idp/index.ts';
import type { DetectionMatrix, NegativeRow, PositiveRow } from '../matrix.ts';

/**
 * The account idp-attribute-markup-escaped needs: its display name closes the AttributeValue and
 * the Attribute and opens an attribute of its own. Known to every IdP target of this file and
 * listed in the config with the same value, which is how a real target would be set up.
 */
const MALLORY: IdpUser & { username: string; password: string } = {
  username: 'mallory',
  password: 'mallory-password',
  nameId: 'mallory@example.test',
  attributes: {
    email: ['mallory@example.test'],
    displayName: ['x</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin'],
  },
};

const NEGATIVES: NegativeRow[] = [
  {
    role: 'idp',
    scenario: 'idp-force-authn-reauthenticates',
    weakness: 'ignoreForceAuthn',
    expectWeak: 'fail',
    check: 'force-authn-fresh-authentication',
    requirement: 'core-3.4.1',
    exploited: "no login page; the IdP answered at once with an assertion whose AuthnInstant",
    refused: "the IdP showed its login page; after signing in again, the assertion's AuthnInstant",
  },
  {
    role: 'idp',
    scenario: 'idp-unsatisfiable-authn-context-refused',
    weakness: 'ignoreRequestedAuthnContext',
    expectWeak: 'fail',
    check: 'authn-context-honoured',
    requirement: 'core-3.3.2.2.1',
    exploited: `WITH an assertion (status Success); its AuthnContextClassRef is ${AUTHN_CONTEXT.passwordProtectedTransport}`,
    refused: 'without an assertion (status Responder/NoAuthnContext)',
  },
  {
    role: 'idp',
    scenario: 'idp-acs-selection-redirect-binding',
    weakness: 'answerWithRequestedBinding',
    expectWeak: 'fail',
    check: 'assertion-only-at-registered-acs',
    requirement: 'profiles-4.1.2',
    exploited: 'reached /acs WITH an assertion (status Success), delivered by HTTP-Redirect',
    refused: 'nothing reached the mock SP',
  },
  {
    role: 'idp',
    scenario: 'idp-attribute-markup-escaped',
    weakness: 'unescapedAttributeValues',
    expectWeak: 'fail',
    check: 'user-data-escaped-in-assertion',
    requirement: 'attack-signed-output-injection',
    exploited: 'the signed assertion carries an attribute role = ["admin"] that mallory does not have',
    refused: 'attribute displayName came back verbatim, markup as text; no attribute role appeared',
  },
];

// An unknown index names no location, so no realistic flaw turns it into a misdelivery: Core lets the
// IdP answer with an error or at the default ACS, and the strict target takes the default.
const POSITIVES: PositiveRow[] = [
  {
    role: 'idp',
    scenario: 'idp-acs-selection-unknown-index',
    target: 'idp-strict',
    expect: 'pass',
    check: 'assertion-only-at-registered-acs',
    requirement: 'core-3.4.1',
    observed: 'reached /acs WITH an assertion (status Success), delivered by HTTP-POST',
  },
];

export const MATRIX: DetectionMatrix = { negatives: NEGATIVES, positives: POSITIVES, baseline: { idp: { extraUsers: [MALLORY] } } };
