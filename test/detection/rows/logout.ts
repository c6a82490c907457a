// Detection-matrix rows for Single Logout (docs/attacks.md, Single Logout abuse and unsigned LogoutRequest): unsigned LogoutRequests and a
// LogoutRequest naming another user against the SP, an unsigned LogoutRequest against the IdP, and
// the positive SLO flows of both roles on the correct targets.
import { DEFAULT_TEST_USER } from '../../../scenarios/support.ts';
import type { DetectionMatrix, NegativeRow, PositiveRow } from '../matrix.ts';

const SP_SESSION_ENDED = 'the SP ended the session';
// Logout scenarios log in a copy of the test user with a NameID of their own (alice+slo-<random>@...).
const SLO_USER = `${DEFAULT_TEST_USER.nameId.split('@')[0]}+slo-`;
const SP_SESSION_KEPT = 'still logged in';

const NEGATIVES: NegativeRow[] = [
  ...(['redirect', 'post'] as const).map(
    (binding): NegativeRow => ({
      role: 'sp',
      scenario: `sp-slo-unsigned-logout-request-rejected-${binding}`,
      weakness: 'acceptUnsignedLogoutRequest',
      expectWeak: 'fail',
      check: 'unsigned-logout-request-ignored',
      requirement: 'core-3.7.3.1',
      exploited: SP_SESSION_ENDED,
      refused: SP_SESSION_KEPT,
    }),
  ),
  {
    role: 'sp',
    scenario: 'sp-slo-other-user-logout-request-ignored',
    weakness: 'ignoreLogoutNameId',
    expectWeak: 'fail',
    check: 'other-users-session-untouched',
    requirement: 'core-3.7.3.1',
    exploited: SP_SESSION_ENDED,
    refused: SP_SESSION_KEPT,
  },
  {
    role: 'idp',
    scenario: 'idp-slo-unsigned-logout-request-rejected',
    weakness: 'acceptUnsignedLogoutRequest',
    expectWeak: 'fail',
    check: 'unsigned-logout-request-refused',
    requirement: 'core-3.7.3.2',
    exploited: 'answered Success and ended the session',
    refused: 'no Success LogoutResponse',
  },
];

const POSITIVES: PositiveRow[] = [
  {
    role: 'sp',
    scenario: 'sp-slo-sp-initiated',
    target: 'sp-strict',
    expect: 'pass',
    check: 'logout-request-nameid-matches-session',
    requirement: 'profiles-4.4.4.1',
    observed: `NameID "${SLO_USER}`,
  },
  {
    role: 'sp',
    scenario: 'sp-slo-idp-initiated',
    target: 'sp-strict',
    expect: 'pass',
    check: 'session-ended',
    requirement: 'core-3.7.3.1',
    observed: 'nobody logged in',
  },
  {
    role: 'idp',
    scenario: 'idp-slo-sp-initiated',
    target: 'idp-strict',
    expect: 'pass',
    check: 'idp-session-ended',
    requirement: 'core-3.7.3.2',
    observed: 'showed its login page',
  },
];

export const MATRIX: DetectionMatrix = { negatives: NEGATIVES, positives: POSITIVES };
