// Detection rows for how an SP takes the IdP's LogoutResponse, in a file of their own because the
// negative row's scenario, sp-slo-sp-initiated, is a positive row of logout.ts (a matrix file gives
// each scenario one cell per target). node-saml's reference SP logs out locally, then answers the
// IdP's valid LogoutResponse with HTTP 400; Bindings 3.4.6 and 3.5.6 forbid HTTP errors in the flow.
import type { DetectionMatrix, NegativeRow, PositiveRow } from '../matrix.ts';

const NEGATIVES: NegativeRow[] = [
  {
    role: 'sp',
    scenario: 'sp-slo-sp-initiated',
    weakness: 'rejectLogoutResponse',
    expectWeak: 'fail',
    // The mock IdP answers a Redirect LogoutRequest over Redirect.
    check: 'logout-response-accepted',
    requirement: 'bindings-3.4.6',
    exploited: 'with HTTP 400',
    refused: 'with HTTP 302',
  },
];

// The strict target must also show the harness logging in (and out), so that its pass counts.
const POSITIVES: PositiveRow[] = [
  { role: 'sp', scenario: 'sp-slo-idp-initiated', target: 'sp-strict', expect: 'pass', check: 'session-ended', requirement: 'core-3.7.3.1', observed: 'nobody logged in' },
];

export const MATRIX: DetectionMatrix = { negatives: NEGATIVES, positives: POSITIVES };
