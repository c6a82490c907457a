// The flow and oracle of the wrapping and comment-injection cases: the IdP signs a Response for
// the legitimate user, the attack rearranges it, and the SP may refuse it or log in the identity
// that was actually signed, and nothing else. A refusal counts only when the same Response without
// the attack gets through (the positive control), else the case could not reach what it probes.
// Not a scenario file.
import type { SpTargetContext } from '../../../harness/context.ts';
import type { IdpPlan, IdpUser } from '../../../mock-idp/index.ts';
import { positiveControl } from '../../support.ts';

export interface SignedIdentityCase {
  check: string;
  requirement: string;
  /** The legitimate flow: the user the IdP really signs, and how it signs (no mutation here). */
  plan: Omit<IdpPlan, 'mutate'> & { user: IdpUser };
  /** The attack, applied to the signed Response. */
  mutate: (signedResponseXml: string) => string;
  /** What the smuggled identity is, for the failure text ("the attacker's", "the NameID cut at the comment"). */
  smuggled: string;
  /** The not-applicable reason when the SP refuses the unmodified Response as well. */
  unreachable: string;
}

/**
 * Runs the attacked login and decides it. Logged in as someone other than the signed user: fail.
 * The signed user: pass. Nobody: the positive control runs, and the refusal passes only when the
 * control logs the signed user in (else not-applicable). Every passing observation starts
 * "smuggled identity refused", so reports and the detection matrix read both kinds alike.
 */
export async function expectOnlySignedIdentity(ctx: SpTargetContext, o: SignedIdentityCase): Promise<void> {
  ctx.idp.setPlan({ ...o.plan, mutate: o.mutate });
  const outcome = await ctx.spInitiatedLogin();
  if (!outcome.responseDelivered) {
    throw new Error('the mock IdP did not deliver the Response to the SP, so the SP was never tested (did the SP send an AuthnRequest?)');
  }
  // Kept before the control replaces it: the failure or refusal is about this message.
  const attackedXml = ctx.idp.lastResponse()?.xml;
  const signedNameId = o.plan.user.nameId;
  const expected = `the SP logs in nobody, or only the signed identity ${signedNameId}`;

  if (outcome.loggedIn) {
    const signedOnly = ctx.isLoggedInAs(outcome, signedNameId);
    ctx.check.must(signedOnly, {
      check: o.check,
      requirement: o.requirement,
      expected,
      observed: signedOnly
        ? `smuggled identity refused: the SP logged in only the signed identity ${signedNameId} (${outcome.observed})`
        : `the SP logged in ${outcome.nameId ?? 'a user'} instead of the signed identity ${signedNameId}: ${o.smuggled} (${outcome.observed})`,
      xml: attackedXml,
    });
    return;
  }

  ctx.log(`attacked Response refused (${outcome.observed}); running the positive control`);
  const control = await positiveControl(ctx, { plan: o.plan, nameId: signedNameId, unreachable: o.unreachable });
  // Stated in full, though positiveControl has already thrown unless the control got in.
  ctx.check.must(!outcome.loggedIn && ctx.isLoggedInAs(control, signedNameId), {
    check: o.check,
    requirement: o.requirement,
    expected,
    observed: `smuggled identity refused: no session, while the unmodified Response signed the same way logged ${signedNameId} in (attacked: ${outcome.observed}; control: ${control.observed})`,
    xml: attackedXml,
  });
}
