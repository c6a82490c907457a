// Detection rows for replay of an unsolicited Response at SPs that never declared the idp-initiated
// capability: whether the scenario runs depends on what the SP did with the unsolicited Response in
// the scenario itself, not on the declaration. The baseline accepts unsolicited Responses without
// declaring it (samlify, saml2-js); a replay there must still be refused. An SP that refuses the
// unsolicited Response has nothing to replay: not applicable, for that reason.
import { DEFAULT_TEST_USER } from '../../../scenarios/support.ts';
import type { DetectionMatrix } from '../matrix.ts';

const LOGGED_IN = { check: 'asserted-user-logged-in', requirement: 'profiles-4.1.4.3', observed: `logged in as ${DEFAULT_TEST_USER.nameId}` } as const;

export const MATRIX: DetectionMatrix = {
  baseline: { sp: { weaknesses: { acceptUnsolicited: true } } },
  negatives: [
    {
      role: 'sp',
      scenario: 'sp-replayed-unsolicited-response-rejected',
      weakness: 'allowReplay',
      expectWeak: 'fail',
      check: 'replayed-response-rejected',
      requirement: 'profiles-4.1.4.5',
      exploited: `logged in ${DEFAULT_TEST_USER.nameId} again from the replayed assertion`,
      refused: 'no session from the replayed assertion',
    },
  ],
  positives: [
    { role: 'sp', scenario: 'sp-initiated-sso-both', target: 'sp-strict', expect: 'pass', ...LOGGED_IN },
    { role: 'sp', scenario: 'sp-initiated-sso-both', target: 'sp-refuses-unsolicited', expect: 'pass', ...LOGGED_IN },
    {
      role: 'sp',
      scenario: 'sp-replayed-unsolicited-response-rejected',
      target: 'sp-refuses-unsolicited',
      expect: 'not-applicable',
      check: 'replayed-response-rejected',
      requirement: 'profiles-4.1.4.5',
      observed: 'the SP refused the unsolicited Response itself',
    },
  ],
  correctTargets: [{ name: 'sp-refuses-unsolicited', role: 'sp', sp: {} }],
};
