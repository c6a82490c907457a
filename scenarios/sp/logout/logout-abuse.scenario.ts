// Negative Single Logout against an SP (docs/attacks.md, Single Logout abuse): a normal login, then one LogoutRequest
// from the IdP's side carrying exactly one fault. The oracle is the session: it must survive.
import { defineSpScenario } from '../../../harness/context.ts';
import { NotApplicableError } from '../../../harness/scenario.ts';
import type { SpTargetContext } from '../../../harness/context.ts';
import type { IdpInitiatedLogoutOutcome } from '../../../harness/slo-flows.ts';
import { BINDING } from '../../../saml/constants.ts';
import type { LastResponse } from '../../../mock-idp/index.ts';
import { ATTACKER_USER } from '../../support.ts';
import { loginBeforeLogout, requiresSpSlo, sessionOf, userOfThisScenario } from './slo-support.ts';

/**
 * The decisive check of every case here: the logged-in user is still logged in. A session that
 * survives is a refusal, and counts only when the same SP then ends it on a correct, signed
 * LogoutRequest for that session (the positive control, in the scenario's own flow): an SP that
 * ignores every LogoutRequest would otherwise pass.
 */
async function expectSessionSurvives(ctx: SpTargetContext, out: IdpInitiatedLogoutOutcome, login: LastResponse, o: { check: string; expected: string }): Promise<void> {
  if (!out.deliveredToSp) throw new Error(`the mock IdP's LogoutRequest never reached the SP's SLO endpoint (browser at ${out.finalUrl}), so the SP was never tested`);
  const survived = ctx.isLoggedInAs(out, login.nameId);
  let proof: string | undefined;
  if (survived) {
    const control = await ctx.idpInitiatedLogout(sessionOf(login));
    if (!control.deliveredToSp || control.loggedIn) {
      throw new NotApplicableError(`the SP does not end the session on a correct, signed LogoutRequest for it either (${control.deliveredToSp ? control.observed : 'it never reached the SP'}), so its refusal here proves nothing`);
    }
    proof = `a correct, signed LogoutRequest for the same session ended it afterwards (${control.observed})`;
    ctx.log(proof);
  }
  ctx.check.must(survived, {
    check: o.check,
    requirement: 'core-3.7.3.1',
    expected: o.expected,
    observed: survived ? `${login.nameId} still logged in (${out.observed})` : `the SP ended the session of ${login.nameId} (${out.observed})`,
    xml: out.sentXml,
    ...(proof ? { refusal: { provenBy: proof } } : {}),
  });
}

export default [
  defineSpScenario<{ binding: 'redirect' | 'post' }>({
    id: 'sp-slo-unsigned-logout-request-rejected',
    title: (v) => `An unsigned LogoutRequest (HTTP-${v.binding === 'post' ? 'POST' : 'Redirect'}) does not end the session`,
    group: 'slo',
    refs: ['core-3.7.3.1', 'profiles-4.4.4.1', 'attack-slo-abuse', 'cve-2023-40178'],
    variants: { binding: ['redirect', 'post'] },
    // Both bindings wherever the SP has an SLO endpoint at all: an attacker is not bound by the
    // SP's metadata, so an endpoint listed for POST gets the Redirect form too (and vice versa).
    applies: (t) => requiresSpSlo(t),
    async run(ctx) {
      const { binding } = ctx.variant;
      if (!ctx.target.facts.sloBindings.includes(BINDING[binding])) {
        ctx.log(`the SP lists no HTTP-${binding === 'post' ? 'POST' : 'Redirect'} SingleLogoutService; the LogoutRequest goes to the Location it lists for the other binding`);
      }
      const login = await loginBeforeLogout(ctx);
      const out = await ctx.idpInitiatedLogout({ ...sessionOf(login), binding, sign: false, evenIfUnlisted: true });
      await expectSessionSurvives(ctx, out, login, { check: 'unsigned-logout-request-ignored', expected: `an unsigned LogoutRequest naming ${login.nameId} is refused and the session survives` });
    },
  }),
  defineSpScenario({
    id: 'sp-slo-other-user-logout-request-ignored',
    title: "A signed LogoutRequest naming another user does not end the logged-in user's session",
    group: 'slo',
    refs: ['core-3.7.3.1', 'profiles-4.4.4.1', 'attack-slo-abuse'],
    applies: (t) => requiresSpSlo(t),
    async run(ctx) {
      const login = await loginBeforeLogout(ctx);
      // Another user of this scenario alone, so the request can end nobody else's session either.
      const other = userOfThisScenario(ATTACKER_USER);
      const out = await ctx.idpInitiatedLogout({
        nameId: other.nameId,
        ...(other.nameIdFormat ? { nameIdFormat: other.nameIdFormat } : {}),
      });
      await expectSessionSurvives(ctx, out, login, {
        check: 'other-users-session-untouched',
        expected: `a LogoutRequest naming ${other.nameId} ends only that user's sessions; ${login.nameId} stays logged in`,
      });
    },
  }),
];
