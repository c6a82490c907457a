// Shared steps of the SP logout scenarios (not a scenario file): what SLO needs of the target, and
// the login that gives logout a session to end.
import { BINDING } from '../../../saml/constants.ts';
import { randomBytes } from 'node:crypto';
import type { IdpUser, LastResponse, LogoutRequestUrlOptions } from '../../../mock-idp/index.ts';
import type { SpTargetContext } from '../../../harness/context.ts';
import type { TargetFacts } from '../../../harness/scenario.ts';
import { requiresPostAcs } from '../../support.ts';

/** The SP must list a front-channel SingleLogoutService (and take POSTed Responses to log in first). */
export function requiresSpSlo(target: TargetFacts, binding?: 'redirect' | 'post'): true | string {
  const acs = requiresPostAcs(target);
  if (acs !== true) return acs;
  const wanted: string[] = binding ? [BINDING[binding]] : [BINDING.redirect, BINDING.post];
  if (!target.sloBindings.some((b) => wanted.includes(b))) {
    return `the SP metadata lists no SingleLogoutService for HTTP-${binding === 'post' ? 'POST' : binding === 'redirect' ? 'Redirect' : 'Redirect or HTTP-POST'}`;
  }
  return true;
}

/** SP-initiated logout also needs the URL that starts it. */
export function requiresSpLogoutUrl(target: TargetFacts): true | string {
  if (!target.logoutUrl) return 'the target has no logoutUrl in its config, so samlconf cannot start an SP-initiated logout';
  return requiresSpSlo(target);
}

/**
 * A user of this scenario alone: `base` with a NameID no other scenario uses. Logout ends sessions
 * by NameID on the target (node-saml's reference SP drops every session of the user named), and
 * scenarios run side by side against one target, so a LogoutRequest for the shared test user would
 * end another scenario's login and could turn its failure into a pass.
 */
export function userOfThisScenario(base: IdpUser): IdpUser {
  const [local, domain] = base.nameId.split('@');
  const nameId = `${local}+slo-${randomBytes(4).toString('hex')}@${domain}`;
  return { ...base, nameId, attributes: { ...base.attributes, email: [nameId] } };
}

/**
 * Log a user of this scenario in (a copy of the test user with its own NameID), so that logout has
 * a session to end. A login that fails proves nothing about logout, so it ends the scenario in error.
 */
export async function loginBeforeLogout(ctx: SpTargetContext): Promise<LastResponse> {
  const user = userOfThisScenario(ctx.testUser);
  ctx.idp.setPlan({ user });
  const login = await ctx.spInitiatedLogin();
  const response = ctx.idp.lastResponse();
  // Judged by the NameID as sent: the SP's NameIDPolicy may have turned the planned one into another.
  if (!response || !login.sent || !ctx.isLoggedInAs(login, login.sent)) {
    throw new Error(`the login before logout did not succeed (${login.observed}), so logout could not be tested`);
  }
  return response;
}

/** The LogoutRequest fields that name the session `login` created: its NameID, format and SessionIndex. */
export function sessionOf(login: LastResponse): LogoutRequestUrlOptions {
  return {
    nameId: login.nameId,
    ...(login.nameIdFormat ? { nameIdFormat: login.nameIdFormat } : {}),
    ...(login.sessionIndex !== undefined ? { sessionIndex: login.sessionIndex } : {}),
  };
}
