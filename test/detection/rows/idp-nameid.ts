// Detection rows for NameIDPolicy at a target IdP that its own file cannot hold next to
// idp-requests.ts: one scenario, a second weakness (a matrix file gives each scenario one).
// An IdP that echoes an unsupported, never-advertised Format back (pysaml2's answer) must fail
// idp-unsupported-nameid-format-refused as surely as one that ignores the policy.
import type { DetectionMatrix, NegativeRow, PositiveRow } from '../matrix.ts';

const NEGATIVES: NegativeRow[] = [
  {
    role: 'idp',
    scenario: 'idp-unsupported-nameid-format-refused',
    weakness: 'echoUnsupportedNameIdFormat',
    expectWeak: 'fail',
    check: 'nameid-format-honoured',
    requirement: 'core-3.4.1.1',
    exploited: 'WITH an assertion (status Success); its NameID Format is urn:samlconf:nameid-format:unsupported',
    refused: 'without an assertion (status Requester/InvalidNameIDPolicy)',
  },
];

// The strict target must also show the harness logging in, so that its refusal counts.
const POSITIVES: PositiveRow[] = [
  { role: 'idp', scenario: 'idp-sso-redirect', target: 'idp-strict', expect: 'pass', check: 'response-at-registered-acs', requirement: 'profiles-4.1.3.5', observed: 'arrived at /acs' },
];

export const MATRIX: DetectionMatrix = { negatives: NEGATIVES, positives: POSITIVES };
