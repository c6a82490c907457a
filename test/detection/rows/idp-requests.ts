// Detection rows for AuthnRequest handling at a target IdP: unknown Issuer, wrong Destination,
// replayed and stale requests, IsPassive without a session, an unsupported NameIDPolicy Format,
// and RelayState that must come back untouched (the machinery is matrix.ts).
import { NAMEID_FORMAT } from '../../../saml/constants.ts';
import type { DetectionMatrix, NegativeRow, PositiveRow } from '../matrix.ts';

/** A row whose oracle is "did an assertion reach the mock SP". */
function noAssertion(scenario: string, weakness: NegativeRow['weakness'], check: string, requirement: string, expectWeak: NegativeRow['expectWeak'] = 'fail'): NegativeRow {
  return { role: 'idp', scenario, weakness, expectWeak, check, requirement, exploited: 'reached /acs WITH an assertion', refused: 'nothing reached the mock SP' };
}

const NEGATIVES: NegativeRow[] = [
  noAssertion('idp-unknown-issuer-refused', 'acceptUnknownIssuer', 'unknown-issuer-refused', 'profiles-4.1.4.1'),
  noAssertion('idp-wrong-destination-refused-redirect', 'ignoreDestination', 'wrong-destination-refused', 'core-3.2.1'),
  noAssertion('idp-wrong-destination-refused-post', 'ignoreDestination', 'wrong-destination-refused', 'core-3.2.1'),
  // Request replay is should-level: no SAML document obliges an IdP to detect it.
  {
    ...noAssertion('idp-replayed-authn-request-refused', 'allowRequestReplay', 'replayed-request-refused', 'attack-request-replay', 'warning'),
    exploited: 'the replay: a Response reached /acs WITH an assertion',
    refused: 'the replay: nothing reached the mock SP',
  },
  noAssertion('idp-stale-authn-request-refused', 'ignoreRequestIssueInstant', 'stale-request-refused', 'attack-request-replay', 'warning'),
  {
    role: 'idp',
    scenario: 'idp-passive-request-without-session',
    weakness: 'ignoreIsPassive',
    expectWeak: 'fail',
    check: 'passive-request-no-ui',
    requirement: 'core-3.4.1',
    exploited: 'the IdP showed its login page',
    refused: 'no login page; a Response reached /acs without an assertion (status Responder/NoPassive)',
  },
  {
    role: 'idp',
    scenario: 'idp-unsupported-nameid-format-refused',
    weakness: 'ignoreNameIdPolicy',
    expectWeak: 'fail',
    check: 'nameid-format-honoured',
    requirement: 'core-3.4.1.1',
    exploited: `WITH an assertion (status Success); its NameID Format is ${NAMEID_FORMAT.emailAddress}`,
    refused: 'without an assertion (status Requester/InvalidNameIDPolicy)',
  },
  {
    role: 'idp',
    scenario: 'idp-relay-state-script',
    weakness: 'reflectRelayStateUnescaped',
    expectWeak: 'fail',
    check: 'relay-state-returned-intact',
    requirement: 'bindings-3.4.3',
    exploited: 'RelayState came back altered: "rs"',
    refused: 'RelayState came back byte-identical',
  },
  {
    role: 'idp',
    scenario: 'idp-relay-state-long',
    weakness: 'truncateRelayState',
    expectWeak: 'fail',
    check: 'relay-state-returned-intact',
    requirement: 'bindings-3.4.3',
    exploited: 'RelayState came back altered',
    refused: 'RelayState came back byte-identical (200 bytes)',
  },
];

// The strict target must also show the harness logging in, so that its refusals count.
const POSITIVES: PositiveRow[] = [
  { role: 'idp', scenario: 'idp-sso-redirect', target: 'idp-strict', expect: 'pass', check: 'response-at-registered-acs', requirement: 'profiles-4.1.3.5', observed: 'arrived at /acs' },
];

export const MATRIX: DetectionMatrix = { negatives: NEGATIVES, positives: POSITIVES };
