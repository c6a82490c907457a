// Detection matrix rows for the protocol-level negative cases against an SP: InResponseTo, replay,
// time windows, non-success status, multiple assertions, and signature exclusion (shapes b-d).
import { ATTACKER_USER, DEFAULT_TEST_USER } from '../../../scenarios/support.ts';
import type { DetectionMatrix, NegativeRow, PositiveRow } from '../matrix.ts';

const LOGGED_IN_ALICE = `logged in ${DEFAULT_TEST_USER.nameId}`;
const LOGGED_IN_MALLORY = `logged in ${ATTACKER_USER.nameId}`;

/** A signed Response with one wrong field for the legitimate user: refused = no session. */
function faultRow(scenario: string, weakness: NegativeRow['weakness'], requirement: string): NegativeRow {
  return { role: 'sp', scenario, weakness, expectWeak: 'fail', check: 'fault-rejected', requirement, exploited: LOGGED_IN_ALICE, refused: 'no session' };
}

function exclusionRow(scenario: string, weakness: NegativeRow['weakness']): NegativeRow {
  return { role: 'sp', scenario, weakness, expectWeak: 'fail', check: 'forged-response-rejected', requirement: 'attack-signature-exclusion', exploited: LOGGED_IN_MALLORY, refused: 'no session' };
}

const NEGATIVES: NegativeRow[] = [
  faultRow('sp-wrong-in-response-to-rejected', 'ignoreInResponseTo', 'profiles-4.1.4.3'),
  faultRow('sp-missing-in-response-to-rejected', 'ignoreInResponseTo', 'profiles-4.1.4.3'),
  faultRow('sp-not-yet-valid-assertion-rejected', 'ignoreTimes', 'core-2.5.1.2'),
  faultRow('sp-expired-subject-confirmation-rejected', 'ignoreTimes', 'profiles-4.1.4.3'),
  faultRow('sp-error-status-with-assertion-rejected', 'ignoreStatus', 'core-3.2.2.2'),
  {
    role: 'sp',
    scenario: 'sp-replayed-response-rejected',
    weakness: 'allowReplay',
    expectWeak: 'fail',
    check: 'replayed-response-rejected',
    requirement: 'profiles-4.1.4.5',
    exploited: `${LOGGED_IN_ALICE} again from the replayed assertion`,
    refused: 'no session from the replayed assertion',
  },
  {
    role: 'sp',
    scenario: 'sp-second-assertion-for-another-sp-ignored',
    weakness: 'lastAssertionWins',
    expectWeak: 'fail',
    check: 'unintended-assertion-ignored',
    requirement: 'attack-multiple-assertions',
    exploited: `${LOGGED_IN_ALICE} from the assertion issued to another SP`,
    // A second direct-child assertion: the strict SP refuses the whole Response.
    refused: 'no session',
  },
  {
    role: 'sp',
    scenario: 'sp-advice-assertion-for-another-sp-ignored',
    weakness: 'lastAssertionWins',
    expectWeak: 'fail',
    check: 'unintended-assertion-ignored',
    requirement: 'attack-multiple-assertions',
    exploited: `${LOGGED_IN_ALICE} from the assertion issued to another SP`,
    // Advice is allowed: the strict SP logs in mallory from his own, valid assertion.
    refused: `${LOGGED_IN_MALLORY}, not the other SP's user`,
  },
  exclusionRow('sp-signature-removed-rejected', 'acceptUnsigned'),
  exclusionRow('sp-signature-empty-value-rejected', 'skipEmptySignatureValue'),
  exclusionRow('sp-signature-foreign-reference-rejected', 'ignoreReferenceTarget'),
];

const POSITIVES: PositiveRow[] = [
  // The strict target's proof that the harness can log in there (its negative cells all refuse).
  { role: 'sp', scenario: 'sp-initiated-sso-assertion', target: 'sp-strict', expect: 'pass', check: 'asserted-user-logged-in', requirement: 'profiles-4.1.4.5', observed: `logged in as ${DEFAULT_TEST_USER.nameId}` },
];

export const MATRIX: DetectionMatrix = {
  negatives: NEGATIVES,
  positives: POSITIVES,
  // Replay of an unsolicited Response needs SPs that take IdP-initiated logins: unsolicited-replay.test.ts.
};
