// Detection-matrix rows for the second wave of SP negatives: certificate faking with an expired
// certificate, SHA-1 signatures, RelayState abuse after login, and NameID normalisation. Which
// careless SP each shape catches:
//   trustKeyInfoCert   key taken from a KeyInfo certificate (CVE-2024-32962): the expired
//                      self-signed certificate fools it just as a fresh one does
//   acceptSha1         SHA-1 signatures relied on (most libraries' default; a warning, not a breach)
//   followRelayState   the post-login page goes wherever RelayState says (window.location.href)
//   normalizeNameId    the NameID trimmed and lower-cased into an account key
import { ATTACKER_USER, DEFAULT_TEST_USER } from '../../../scenarios/support.ts';
import type { DetectionMatrix, NegativeRow, PositiveRow } from '../matrix.ts';

const relayRow = (destination: 'https' | 'scheme-relative', exploitedUrl: string): NegativeRow => ({
  role: 'sp',
  scenario: `sp-relaystate-${destination}-not-followed`,
  weakness: 'followRelayState',
  expectWeak: 'warning',
  check: 'relaystate-not-followed-off-site',
  requirement: 'attack-relaystate',
  exploited: `the browser was sent off-site to ${exploitedUrl}`,
  refused: `the browser stayed away from evil.samlconf.test (RelayState`,
});

const nameIdRow = (variation: 'case' | 'trailing-space', signed: string): NegativeRow => ({
  role: 'sp',
  scenario: `sp-nameid-${variation}-not-normalised`,
  weakness: 'normalizeNameId',
  expectWeak: 'fail',
  check: 'nameid-compared-exactly',
  requirement: 'core-1.3.1',
  exploited: `the SP logged in "${DEFAULT_TEST_USER.nameId}" for the signed NameID ${JSON.stringify(signed)}, alice's existing account`,
  refused: `exact NameID kept: the SP logged in ${JSON.stringify(signed)} as signed`,
});

const NEGATIVES: NegativeRow[] = [
  {
    role: 'sp',
    scenario: 'sp-untrusted-key-expired-certificate-rejected',
    weakness: 'trustKeyInfoCert',
    expectWeak: 'fail',
    check: 'forged-response-rejected',
    requirement: 'attack-certificate-faking',
    exploited: `logged in ${ATTACKER_USER.nameId}`,
    refused: 'no session',
  },
  {
    role: 'sp',
    scenario: 'sp-sha1-signature-refused',
    weakness: 'acceptSha1',
    expectWeak: 'warning',
    check: 'sha1-signature-refused',
    requirement: 'attack-weak-algorithms',
    exploited: `the SP logged in ${DEFAULT_TEST_USER.nameId} from a Response signed only with rsa-sha1 / sha1`,
    refused: 'SHA-1 refused: no session',
  },
  relayRow('https', 'https://evil.samlconf.test/landing'),
  relayRow('scheme-relative', 'http://evil.samlconf.test/'),
  {
    role: 'sp',
    scenario: 'sp-relaystate-javascript-not-run',
    weakness: 'followRelayState',
    expectWeak: 'fail',
    check: 'relaystate-script-not-run',
    requirement: 'attack-relaystate',
    exploited: 'the RelayState ran as script after the login: dialog alert "1"',
    refused: 'no script ran (RelayState',
  },
  nameIdRow('case', 'Alice@SAMLCONF.test'),
  nameIdRow('trailing-space', `${DEFAULT_TEST_USER.nameId} `),
];

const POSITIVES: PositiveRow[] = [
  // The strict target's proof that the harness can log in there (its negative cells all refuse).
  { role: 'sp', scenario: 'sp-initiated-sso-both', target: 'sp-strict', expect: 'pass', check: 'asserted-user-logged-in', requirement: 'profiles-4.1.4.3', observed: `logged in as ${DEFAULT_TEST_USER.nameId}` },
];

export const MATRIX: DetectionMatrix = { negatives: NEGATIVES, positives: POSITIVES };
