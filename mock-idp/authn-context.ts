// Whether the target-mode IdP can meet a RequestedAuthnContext (Core 3.3.2.2.1). It only ever
// authenticates one way (its persona's class, a password form); a request it cannot meet is
// answered with Responder/NoAuthnContext rather than with an assertion about something else.
import { AUTHN_CONTEXT } from '../saml/constants.ts';

/** The classes this IdP can rank, weakest first. Anything else (Smartcard, X509...) it cannot compare. */
const STRENGTH: readonly string[] = [AUTHN_CONTEXT.unspecified, AUTHN_CONTEXT.password, AUTHN_CONTEXT.passwordProtectedTransport];

export interface RequestedContext {
  comparison?: string;
  classRefs: string[];
}

/** True when asserting `provided` satisfies the request (no request, or no class named, is always met). */
export function authnContextSatisfied(requested: RequestedContext | undefined, provided: string): boolean {
  if (!requested || requested.classRefs.length === 0) return true;
  const comparison = requested.comparison ?? 'exact';
  if (comparison === 'exact') return requested.classRefs.includes(provided);
  const mine = STRENGTH.indexOf(provided);
  if (mine < 0) return false;
  const ranks = requested.classRefs.map((c) => STRENGTH.indexOf(c)).filter((r) => r >= 0);
  if (comparison === 'minimum') return ranks.some((r) => r <= mine);
  if (comparison === 'better') return ranks.some((r) => r < mine);
  if (comparison === 'maximum') return ranks.some((r) => r >= mine);
  return false; // an unknown Comparison value is not something to guess at
}
