// The identities the mock IdP asserts toward an SP target: the legitimate test user (pinnable per
// target in the config, for SPs that need a given NameID format or value) and the attacker whose
// claims a forged Response carries. Scenarios judge logins against what the mock actually sent
// (SpLoginOutcome.sent), never against these constants: the mock honours the SP's NameIDPolicy,
// so a transient or persistent NameID may stand where this email was planned.
import type { IdpUser } from '../mock-idp/index.ts';
import { NAMEID_FORMAT } from '../saml/constants.ts';
import type { TargetConfig } from './config.ts';

/** The user the mock IdP signs in for positive flows, unless the target's config pins another. */
export const DEFAULT_TEST_USER: IdpUser = {
  nameId: 'alice@samlconf.test',
  nameIdFormat: NAMEID_FORMAT.emailAddress,
  attributes: { email: ['alice@samlconf.test'], givenName: ['Alice'], surname: ['Example'] },
};

/** The identity a forged or mutated Response claims: logging it in is the failure we look for. */
export const ATTACKER_USER: IdpUser = {
  nameId: 'mallory@samlconf.test',
  nameIdFormat: NAMEID_FORMAT.emailAddress,
  attributes: { email: ['mallory@samlconf.test'], givenName: ['Mallory'], surname: ['Attacker'] },
};

/** The target's test user: the default with the config's `identity` pin (NameID value, format, attributes) over it. */
export function testUserFor(target: Pick<TargetConfig, 'identity'>): IdpUser {
  const pin = target.identity;
  if (!pin) return DEFAULT_TEST_USER;
  return {
    nameId: pin.nameId ?? DEFAULT_TEST_USER.nameId,
    nameIdFormat: pin.nameIdFormat ?? DEFAULT_TEST_USER.nameIdFormat,
    attributes: pin.attributes ? Object.fromEntries(Object.entries(pin.attributes).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])) : DEFAULT_TEST_USER.attributes,
  };
}
