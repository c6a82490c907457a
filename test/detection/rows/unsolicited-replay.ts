// Detection matrix rows for replay of an unsolicited (IdP-initiated) Response. It needs an SP that
// takes IdP-initiated logins at all, so every target of this file is one that has opted in (the
// baseline): the strict one refuses the replay by its assertion-ID cache alone, the weakened one
// has no such cache. Kept apart from protocol.test.ts, whose rows must run on SPs that refuse
// unsolicited Responses.
import { DEFAULT_TEST_USER } from '../../../scenarios/support.ts';
import type { DetectionMatrix } from '../matrix.ts';

export const MATRIX: DetectionMatrix = {
  baseline: { sp: { weaknesses: { acceptUnsolicited: true }, capabilities: ['idp-initiated'] } },
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
    { role: 'sp', scenario: 'sp-idp-initiated-sso', target: 'sp-strict', expect: 'pass', check: 'asserted-user-logged-in', requirement: 'profiles-4.1.5', observed: `logged in as ${DEFAULT_TEST_USER.nameId}` },
  ],
};
