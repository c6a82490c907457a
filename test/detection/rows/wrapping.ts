// Detection-matrix rows for XML Signature Wrapping (XSW1-XSW8), signature relocation
// (CVE-2025-47949) and comment injection into a signed NameID. Each shape is caught by the one
// careless SP behaviour that really falls for it, and only by that one:
//   readIdentityFromUnsignedAssertion   correct XML-DSig, identity from the first assertion: XSW3, XSW4
//   ignoreReferenceTarget               a signature counts for its holder wherever its Reference points: XSW5, XSW6
//   splitDuplicateIdLookup              signature resolves a repeated ID to the last element, the SP reads the first: XSW7, XSW8
//   responseSignatureReferenceAnywhere  Response signature checked on whatever it references, Response's assertion read: XSW1, XSW2, relocation
//   truncateNameIdAtComment             NameID read up to the first comment: comment injection
// On every other target of this file the same scenario passes: nobody is logged in, or only the
// signed identity (both observations start "smuggled identity refused"). A refusal passes only
// when the scenario's positive control (the same Response without the attack) logs the signed
// user in, so every target here starts from a baseline SP that takes a signature on either level
// alone: XSW1/2 sign only the Response, the other shapes only the assertion.
import { ATTACKER_USER, DEFAULT_TEST_USER } from '../../../scenarios/support.ts';
import type { DetectionMatrix, NegativeRow, PositiveRow } from '../matrix.ts';

const REFUSED = 'smuggled identity refused';
/** A refusal: nobody from the attacked Response (the matrix also requires its succeeded positive control). */
const REFUSED_NOBODY = `${REFUSED}: no session`;
const xswRow = (shape: string, weakness: NegativeRow['weakness']): NegativeRow => ({
  role: 'sp',
  scenario: `sp-xsw-rejected-${shape}`,
  weakness,
  expectWeak: 'fail',
  check: 'wrapped-identity-refused',
  requirement: 'attack-xsw',
  exploited: `logged in ${ATTACKER_USER.nameId} instead of the signed identity ${DEFAULT_TEST_USER.nameId}`,
  refused: REFUSED,
});

const NEGATIVES: NegativeRow[] = [
  xswRow('xsw1', 'responseSignatureReferenceAnywhere'),
  xswRow('xsw2', 'responseSignatureReferenceAnywhere'),
  xswRow('xsw3', 'readIdentityFromUnsignedAssertion'),
  xswRow('xsw4', 'readIdentityFromUnsignedAssertion'),
  xswRow('xsw5', 'ignoreReferenceTarget'),
  xswRow('xsw6', 'ignoreReferenceTarget'),
  xswRow('xsw7', 'splitDuplicateIdLookup'),
  xswRow('xsw8', 'splitDuplicateIdLookup'),
  {
    role: 'sp',
    scenario: 'sp-signature-relocation-rejected',
    weakness: 'responseSignatureReferenceAnywhere',
    expectWeak: 'fail',
    check: 'relocated-identity-refused',
    requirement: 'attack-signature-relocation',
    exploited: `logged in ${ATTACKER_USER.nameId} instead of the signed identity ${DEFAULT_TEST_USER.nameId}`,
    refused: REFUSED,
  },
  {
    role: 'sp',
    scenario: 'sp-comment-injection-nameid',
    weakness: 'truncateNameIdAtComment',
    expectWeak: 'fail',
    check: 'nameid-not-truncated',
    requirement: 'attack-comment-injection',
    exploited: `logged in ${DEFAULT_TEST_USER.nameId} instead of the signed identity ${DEFAULT_TEST_USER.nameId}.evil.test`,
    // Every target here reads the whole NameID: the correct answer is to log in the signed one.
    refused: `${REFUSED}: the SP logged in only the signed identity ${DEFAULT_TEST_USER.nameId}.evil.test`,
  },
];

/** An SP that insists on a signed assertion (the mock SP's default, as many real SPs are). */
const ASSERTION_SIGNATURE_REQUIRED = 'sp-assertion-signature-required';

const POSITIVES: PositiveRow[] = [
  // The strict target logs in with either signature alone, so its refusals above mean something.
  { role: 'sp', scenario: 'sp-initiated-sso-assertion', target: 'sp-strict', expect: 'pass', check: 'asserted-user-logged-in', requirement: 'profiles-4.1.4.5', observed: `logged in as ${DEFAULT_TEST_USER.nameId}` },
  { role: 'sp', scenario: 'sp-initiated-sso-response', target: 'sp-strict', expect: 'pass', check: 'asserted-user-logged-in', requirement: 'profiles-4.1.4.5', observed: `logged in as ${DEFAULT_TEST_USER.nameId}` },
  // On an SP that refuses a Response signed only on the Response, XSW1 never reaches the signature
  // handling it probes: not-applicable, not a pass. XSW3 (assertion signed) still counts there.
  {
    role: 'sp',
    scenario: 'sp-xsw-rejected-xsw1',
    target: ASSERTION_SIGNATURE_REQUIRED,
    expect: 'not-applicable',
    check: 'wrapped-identity-refused',
    requirement: 'attack-xsw',
    observed: "the target refused the same flow without the fault as well (SP-initiated login, the test user's Response signed on the Response:",
    why: 'its positive control, the same Response signed only on the Response, is refused too',
  },
  { role: 'sp', scenario: 'sp-xsw-rejected-xsw3', target: ASSERTION_SIGNATURE_REQUIRED, expect: 'pass', check: 'wrapped-identity-refused', requirement: 'attack-xsw', observed: REFUSED_NOBODY },
];

export const MATRIX: DetectionMatrix = {
  negatives: NEGATIVES,
  positives: POSITIVES,
  baseline: { sp: { wantAssertionsSigned: false } },
  correctTargets: [{ name: ASSERTION_SIGNATURE_REQUIRED, role: 'sp', sp: { wantAssertionsSigned: true } }],
};
