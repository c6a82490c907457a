// The detection matrix rows for the first catalogue: signatures, conditions, addressing,
// unsolicited responses, unsigned AuthnRequests and rogue ACS URLs (the machinery is matrix.ts).
import { ATTACKER_USER, DEFAULT_TEST_USER } from '../../../scenarios/support.ts';
import type { DetectionMatrix, NegativeRow, PositiveRow } from '../matrix.ts';

const NEGATIVES: NegativeRow[] = [
  {
    role: 'sp',
    scenario: 'sp-unsigned-response-rejected',
    weakness: 'acceptUnsigned',
    expectWeak: 'fail',
    check: 'forged-response-rejected',
    requirement: 'profiles-4.1.4.5',
    exploited: `logged in ${ATTACKER_USER.nameId}`,
    refused: 'no session',
  },
  {
    role: 'sp',
    scenario: 'sp-untrusted-key-rejected',
    weakness: 'trustKeyInfoCert',
    expectWeak: 'fail',
    check: 'forged-response-rejected',
    requirement: 'attack-certificate-faking',
    exploited: `logged in ${ATTACKER_USER.nameId}`,
    refused: 'no session',
  },
  {
    role: 'sp',
    scenario: 'sp-wrong-audience-rejected',
    weakness: 'skipAudience',
    expectWeak: 'fail',
    check: 'fault-rejected',
    requirement: 'core-2.5.1.4',
    exploited: `logged in ${DEFAULT_TEST_USER.nameId}`,
    refused: 'no session',
  },
  {
    role: 'sp',
    scenario: 'sp-expired-assertion-rejected',
    weakness: 'ignoreTimes',
    expectWeak: 'fail',
    check: 'fault-rejected',
    requirement: 'core-2.5.1.2',
    exploited: `logged in ${DEFAULT_TEST_USER.nameId}`,
    refused: 'no session',
  },
  {
    role: 'sp',
    scenario: 'sp-wrong-recipient-rejected',
    weakness: 'ignoreRecipient',
    expectWeak: 'fail',
    check: 'fault-rejected',
    requirement: 'profiles-4.1.4.3',
    exploited: `logged in ${DEFAULT_TEST_USER.nameId}`,
    refused: 'no session',
  },
  {
    role: 'sp',
    scenario: 'sp-wrong-destination-rejected',
    weakness: 'ignoreDestination',
    expectWeak: 'fail',
    check: 'fault-rejected',
    requirement: 'bindings-3.5.5.2',
    exploited: `logged in ${DEFAULT_TEST_USER.nameId}`,
    refused: 'no session',
  },
  {
    role: 'sp',
    scenario: 'sp-wrong-issuer-rejected',
    weakness: 'ignoreIssuer',
    expectWeak: 'fail',
    check: 'fault-rejected',
    requirement: 'profiles-4.1.4.2',
    exploited: `logged in ${DEFAULT_TEST_USER.nameId}`,
    refused: 'no session',
  },
  {
    role: 'sp',
    scenario: 'sp-unsolicited-response-needs-opt-in',
    weakness: 'acceptUnsolicited',
    // The scenario records a should-level check: accepting unsolicited logins by default is risky, not a breach.
    expectWeak: 'warning',
    check: 'unsolicited-response-ignored',
    requirement: 'attack-unsolicited',
    exploited: `logged in ${DEFAULT_TEST_USER.nameId}`,
    refused: 'no session',
  },
  {
    role: 'idp',
    scenario: 'idp-unsigned-authn-request-rejected-redirect',
    weakness: 'acceptUnsignedRequests',
    expectWeak: 'fail',
    check: 'unsigned-request-refused',
    requirement: 'metadata-2.4.3',
    exploited: 'reached /acs WITH an assertion',
    refused: 'nothing reached the mock SP',
  },
  {
    role: 'idp',
    scenario: 'idp-unsigned-authn-request-rejected-post',
    weakness: 'acceptUnsignedRequests',
    expectWeak: 'fail',
    check: 'unsigned-request-refused',
    requirement: 'metadata-2.4.3',
    exploited: 'reached /acs WITH an assertion',
    refused: 'nothing reached the mock SP',
  },
  {
    role: 'idp',
    scenario: 'idp-rogue-acs-url-refused',
    weakness: 'acceptAnyAcsUrl',
    expectWeak: 'fail',
    check: 'no-assertion-at-rogue-acs',
    requirement: 'attack-rogue-acs',
    exploited: 'reached /acs-rogue WITH an assertion',
    refused: 'nothing reached the mock SP',
  },
];

const POSITIVE: PositiveRow[] = [
  { role: 'sp', scenario: 'sp-initiated-sso-both', target: 'sp-strict', expect: 'pass', check: 'asserted-user-logged-in', requirement: 'profiles-4.1.4.3', observed: `logged in as ${DEFAULT_TEST_USER.nameId}` },
  { role: 'sp', scenario: 'sp-initiated-sso-assertion', target: 'sp-strict', expect: 'pass', check: 'asserted-user-logged-in', requirement: 'profiles-4.1.4.5', observed: `logged in as ${DEFAULT_TEST_USER.nameId}` },
  {
    role: 'sp',
    scenario: 'sp-initiated-sso-response',
    target: 'sp-strict',
    expect: 'warning',
    check: 'asserted-user-logged-in',
    requirement: 'profiles-4.1.4.5',
    observed: 'nobody logged in',
    why: 'the mock SP publishes and enforces WantAssertionsSigned="true" by default, so it refuses a Response whose only signature is on the Response; the scenario rates that should-level (interoperability), hence warning',
  },
  // The same flow on a correct SP that does not insist on a signed assertion passes, which shows
  // the warning above comes from WantAssertionsSigned and not from a broken flow.
  { role: 'sp', scenario: 'sp-initiated-sso-response', target: 'sp-assertion-signature-optional', expect: 'pass', check: 'asserted-user-logged-in', requirement: 'profiles-4.1.4.5', observed: `logged in as ${DEFAULT_TEST_USER.nameId}` },
  // An SP that opts in to IdP-initiated SSO (and says so in the config) takes the unsolicited login.
  { role: 'sp', scenario: 'sp-idp-initiated-sso', target: 'sp-idp-initiated-opt-in', expect: 'pass', check: 'asserted-user-logged-in', requirement: 'profiles-4.1.5', observed: `logged in as ${DEFAULT_TEST_USER.nameId}` },
  { role: 'idp', scenario: 'idp-sso-redirect', target: 'idp-strict', expect: 'pass', check: 'response-at-registered-acs', requirement: 'profiles-4.1.3.5', observed: 'arrived at /acs' },
  { role: 'idp', scenario: 'idp-sso-post', target: 'idp-strict', expect: 'pass', check: 'response-at-registered-acs', requirement: 'profiles-4.1.3.5', observed: 'arrived at /acs' },
];

export const MATRIX: DetectionMatrix = {
  negatives: NEGATIVES,
  positives: POSITIVE,
  correctTargets: [
    { name: 'sp-assertion-signature-optional', role: 'sp', sp: { wantAssertionsSigned: false } },
    { name: 'sp-idp-initiated-opt-in', role: 'sp', sp: { weaknesses: { acceptUnsolicited: true }, capabilities: ['idp-initiated'] } },
  ],
};
