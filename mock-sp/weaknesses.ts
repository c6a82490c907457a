// The deliberate flaws of the target-mode SP: which rule findings each one waives, and how the
// CLI spells them (`--weakness accept-unsigned,skip-audience`). Each switch waives only its own
// rules, so a target with one weakness fails exactly the scenarios that probe it.
import type { SpWeaknesses } from './types.ts';

export type WeaknessName = keyof SpWeaknesses;

/** Rule IDs (saml/rules) a weakness waives outright. Conditional waivers live in acs.ts. */
export const WAIVED_RULES: Record<WeaknessName, readonly string[]> = {
  // Only when the document carries no signature at all (see acs.ts).
  acceptUnsigned: ['signature-covers-assertion', 'signed-assertion-required', 'signed-response-required'],
  skipAudience: ['audience'],
  // Works by trusting more certificates, not by waiving rules.
  trustKeyInfoCert: [],
  ignoreInResponseTo: ['in-response-to', 'subject-confirmation-in-response-to'],
  ignoreTimes: ['issue-instant', 'subject-confirmation-time', 'conditions-time', 'session-not-on-or-after'],
  ignoreDestination: ['destination'],
  ignoreRecipient: ['recipient'],
  // Works through allowUnsolicited in the validation context.
  acceptUnsolicited: [],
  // Only when at least one signature verifies (see acs.ts).
  readIdentityFromUnsignedAssertion: ['signature-covers-assertion', 'signed-assertion-required', 'signed-response-required', 'single-assertion'],
  allowReplay: ['assertion-replay'],
  ignoreIssuer: ['response-issuer', 'assertion-issuer'],
  truncateNameIdAtComment: [],
  // Logout only: waived in core.ts receiveLogoutRequest, never for Responses.
  acceptUnsignedLogoutRequest: [],
  ignoreLogoutNameId: [],
  // Changes only the HTTP answer to a LogoutResponse (core.ts receiveLogoutResponse).
  rejectLogoutResponse: [],
  // Both only when every signature passes the careless check of saml/attacks/naive-verify.ts (see acs.ts).
  responseSignatureReferenceAnywhere: ['signature-valid', 'signature-covers-assertion', 'signed-assertion-required', 'signed-response-required', 'single-assertion', 'duplicate-ids'],
  splitDuplicateIdLookup: ['signature-valid', 'signature-covers-assertion', 'signed-assertion-required', 'signed-response-required', 'single-assertion', 'duplicate-ids'],
  ignoreStatus: ['status-success'],
  // Only when every signature in the document has an empty SignatureValue (see acs.ts).
  skipEmptySignatureValue: ['signature-valid', 'signature-covers-assertion', 'signed-assertion-required', 'signed-response-required'],
  // Only when a misplaced-reference signature verifies with a pinned key (see acs.ts).
  ignoreReferenceTarget: ['signature-valid', 'signature-covers-assertion', 'signed-assertion-required', 'signed-response-required', 'single-assertion'],
  // Only when a later assertion than the validated one carries a valid signature of its own (see acs.ts).
  lastAssertionWins: ['single-assertion'],
  // A should-level rule that the target-mode SP enforces unless this is on (see acs.ts).
  acceptSha1: ['signature-algorithm'],
  // Both change what the SP does with an accepted login, not which rules count (acs.ts, core.ts).
  normalizeNameId: [],
  followRelayState: [],
};

export const WEAKNESS_NAMES = Object.keys(WAIVED_RULES) as WeaknessName[];

/** Weaknesses that touch only Single Logout (a Response never shows them; test/mock-sp/slo-weaknesses.test.ts). */
export const LOGOUT_WEAKNESSES: readonly WeaknessName[] = ['acceptUnsignedLogoutRequest', 'ignoreLogoutNameId', 'rejectLogoutResponse'];

/** Weaknesses that change where the browser goes after a login, not who logs in (test/mock-sp/relay-state-landing.test.ts). */
export const AFTER_LOGIN_WEAKNESSES: readonly WeaknessName[] = ['followRelayState'];

/** 'accept-unsigned' -> 'acceptUnsigned'; the camelCase name is accepted as well. */
function toCamel(name: string): string {
  return name.trim().replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function toKebab(name: WeaknessName): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Parse a comma-separated weakness list; throws naming the unknown entry and the known ones. */
export function parseWeaknessList(list: string | string[]): SpWeaknesses {
  const out: SpWeaknesses = {};
  const items = (Array.isArray(list) ? list : list.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    const name = toCamel(item);
    if (!(WEAKNESS_NAMES as string[]).includes(name)) {
      throw new Error(`unknown weakness "${item}" (known: ${WEAKNESS_NAMES.map(toKebab).join(', ')})`);
    }
    out[name as WeaknessName] = true;
  }
  return out;
}

export function activeWeaknesses(w: SpWeaknesses | undefined): WeaknessName[] {
  return w ? WEAKNESS_NAMES.filter((n) => w[n]) : [];
}
