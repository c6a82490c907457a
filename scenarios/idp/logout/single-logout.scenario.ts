// Single Logout against an IdP, with the mock SP as the session participant that starts it: a
// valid LogoutRequest must get a valid Success LogoutResponse and really end the IdP's session
// (a new AuthnRequest shows the login page again); an unsigned one (docs/attacks.md, unsigned LogoutRequest) must not end
// the session with a Success answer.
import { checkLogoutMessage, defineIdpScenario, type IdpTargetContext } from '../../../harness/context.ts';
import { NotApplicableError, type TargetFacts } from '../../../harness/scenario.ts';
import { logoutNameIdOf, type LogoutUrlOptions } from '../../../mock-sp/index.ts';
import type { ResponseIdentity } from '../../../saml/rules/index.ts';
import { BINDING, STATUS } from '../../../saml/constants.ts';

/** The binding the mock SP uses: Redirect when the IdP lists it, else POST. */
function sloBinding(target: TargetFacts): 'redirect' | 'post' | undefined {
  if (target.sloBindings.includes(BINDING.redirect)) return 'redirect';
  if (target.sloBindings.includes(BINDING.post)) return 'post';
  return undefined;
}

function requiresIdpSlo(target: TargetFacts): true | string {
  return sloBinding(target) ? true : 'the IdP metadata lists no SingleLogoutService for HTTP-Redirect or HTTP-POST';
}

/** Log the first test user in at the IdP, so that there is an IdP session to end. */
async function loginBeforeLogout(ctx: IdpTargetContext): Promise<ResponseIdentity> {
  const outcome = await ctx.loginAtIdp();
  if (!outcome?.identity) {
    throw new Error(`the login before logout did not complete (${outcome ? `Response rejected: ${outcome.failedRules.join(', ')}` : 'no Response reached the mock SP'}), so logout could not be tested`);
  }
  if (!outcome.accepted) ctx.log(`the login Response failed must-rules (${outcome.failedRules.join(', ')}); logout is tested with its identity anyway`);
  return outcome.identity;
}

function logoutRequestFor(ctx: IdpTargetContext, id: ResponseIdentity, extra: Partial<LogoutUrlOptions> = {}): LogoutUrlOptions {
  return {
    // The NameID exactly as the signed assertion issued it, qualifiers included (Profiles 4.4.4.1).
    ...logoutNameIdOf(id),
    ...(id.sessionIndex !== undefined ? { sessionIndex: id.sessionIndex } : {}),
    binding: sloBinding(ctx.target.facts) ?? 'redirect',
    ...extra,
  };
}

function lastSentLogoutRequest(ctx: IdpTargetContext): string | undefined {
  return ctx.sp
    .evidence()
    .filter((e) => e.direction === 'sent' && e.kind === 'LogoutRequest')
    .at(-1)?.xml;
}

export default [
  defineIdpScenario({
    id: 'idp-slo-sp-initiated',
    title: 'SP-initiated Single Logout: the IdP answers Success with a valid LogoutResponse and ends its session',
    group: 'slo',
    refs: ['core-3.7.2', 'core-3.7.3.2', 'profiles-4.4.4.2'],
    applies: requiresIdpSlo,
    async run(ctx) {
      const id = await loginBeforeLogout(ctx);
      const response = await ctx.logoutAtIdp(logoutRequestFor(ctx, id));
      ctx.check.must(response !== undefined, {
        check: 'logout-response-received',
        requirement: 'core-3.7.2',
        expected: 'the IdP answers a valid signed LogoutRequest with a LogoutResponse',
        observed: response ? `a LogoutResponse arrived over HTTP-${response.binding === 'post' ? 'POST' : 'Redirect'}` : `no LogoutResponse reached the mock SP (browser at ${ctx.page.url()})`,
        xml: lastSentLogoutRequest(ctx),
      });
      if (response) checkLogoutMessage(ctx.check, response.validation, response.xml ?? '', 'logout-response');
      const probe = await ctx.probeIdpSession();
      ctx.check.must(!probe.alive, {
        check: 'idp-session-ended',
        requirement: 'core-3.7.3.2',
        expected: `after logout the IdP asks ${id.nameId} to log in again`,
        observed: probe.observed,
        xml: lastSentLogoutRequest(ctx),
      });
    },
  }),
  defineIdpScenario({
    id: 'idp-slo-unsigned-logout-request-rejected',
    title: 'An unsigned LogoutRequest does not end the IdP session with a Success answer',
    group: 'slo',
    refs: ['core-3.7.3.2', 'profiles-4.4.4.1', 'attack-slo-abuse'],
    applies: requiresIdpSlo,
    async run(ctx) {
      const id = await loginBeforeLogout(ctx);
      const response = await ctx.logoutAtIdp(logoutRequestFor(ctx, id, { sign: false }));
      const status = response?.validation.message?.statusCode;
      let observed: string;
      let ok = true;
      if (!response) observed = `no Success LogoutResponse: none came back (the IdP stopped at ${ctx.page.url()})`;
      else if (status !== STATUS.success) observed = `no Success LogoutResponse: status ${status ?? '(none)'}`;
      else {
        // It claims the logout happened: whether the session really ended decides.
        const probe = await ctx.probeIdpSession();
        ok = probe.alive;
        observed = probe.alive ? `the IdP answered Success but its session survived: ${probe.observed}` : `the IdP answered Success and ended the session of ${id.nameId}: ${probe.observed}`;
      }
      // A refusal counts only when the same LogoutRequest, signed, is answered Success (the
      // positive control in the scenario's own flow): an IdP that answers every LogoutRequest with
      // an error, or does not know the session named, would pass otherwise.
      const unsignedXml = lastSentLogoutRequest(ctx);
      let proof: string | undefined;
      if (ok) {
        const control = await ctx.logoutAtIdp(logoutRequestFor(ctx, id));
        const controlStatus = control?.validation.message?.statusCode;
        if (controlStatus !== STATUS.success) {
          throw new NotApplicableError(`the IdP does not answer the same LogoutRequest, signed, with Success either (${control ? `status ${controlStatus ?? '(none)'}` : 'no LogoutResponse came back'}), so its refusal of the unsigned one proves nothing`);
        }
        proof = 'the same LogoutRequest, signed, was answered Success afterwards';
        ctx.log(proof);
      }
      ctx.check.must(ok, {
        check: 'unsigned-logout-request-refused',
        requirement: 'core-3.7.3.2',
        expected: 'an unsigned LogoutRequest is refused (no Success LogoutResponse) or at least ends no session',
        observed,
        xml: unsignedXml,
        ...(proof ? { refusal: { provenBy: proof } } : {}),
      });
    },
  }),
];
