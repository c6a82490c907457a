// The flow and oracle of the wrapping and comment-injection cases: the IdP signs a Response for
// the legitimate user, the attack rearranges it, and the SP may refuse it or log in the identity
// that was actually signed, and nothing else. A refusal counts only when the same Response without
// the attack gets through (the scenario's positive control, declared with signedIdentityControl),
// else the case could not reach what it probes. Not a scenario file.
import type { SpControlShape, SpTargetContext } from '../../../harness/context.ts';
import type { IdpPlan, IdpUser } from '../../../mock-idp/index.ts';

export interface SignedIdentityCase {
  check: string;
  requirement: string;
  /** The legitimate flow: the user the IdP really signs, and how it signs (no mutation here). */
  plan: Omit<IdpPlan, 'mutate'> & { user: IdpUser };
  /** The attack, applied to the signed Response. */
  mutate: (signedResponseXml: string) => string;
  /** What the smuggled identity is, for the failure text ("the attacker's", "the NameID cut at the comment"). */
  smuggled: string;
}

/**
 * The control of a signed-identity case: the same login, signed the same way, without the attack.
 * The attacks rearrange a plain signed assertion, so both leave it unencrypted, whatever the SP's
 * metadata asks for (an SP that insists on encryption then refuses the control: not applicable).
 */
export function signedIdentityControl(sign: IdpPlan['sign']): SpControlShape {
  return { plan: { ...(sign ? { sign } : {}), encrypt: false } };
}

/**
 * Runs the attacked login and decides it. Logged in as someone other than the signed user: fail.
 * The signed user: pass. Nobody: the positive control runs, and the refusal passes only when the
 * control logs the signed user in (else not-applicable). Every passing observation starts
 * "smuggled identity refused", so reports and the detection matrix read both kinds alike.
 */
export async function expectOnlySignedIdentity(ctx: SpTargetContext, o: SignedIdentityCase): Promise<void> {
  ctx.idp.setPlan({ ...o.plan, encrypt: false, mutate: o.mutate });
  const outcome = await ctx.spInitiatedLogin();
  if (!outcome.responseDelivered || !outcome.sent) {
    throw new Error('the mock IdP did not deliver the Response to the SP, so the SP was never tested (did the SP send an AuthnRequest?)');
  }
  const attackedXml = ctx.idp.lastResponse()?.xml;
  // What the IdP really signed, as it went out (the SP's NameIDPolicy may have shaped it).
  const signed = outcome.sent;
  const expected = `the SP logs in nobody, or only the signed identity ${signed.nameId}`;

  if (outcome.loggedIn) {
    const signedOnly = ctx.isLoggedInAs(outcome, signed);
    ctx.check.must(signedOnly, {
      check: o.check,
      requirement: o.requirement,
      expected,
      observed: signedOnly
        ? `smuggled identity refused: the SP logged in only the signed identity ${signed.nameId} (${outcome.observed})`
        : `the SP logged in ${outcome.nameId ?? 'a user'} instead of the signed identity ${signed.nameId}: ${o.smuggled} (${outcome.observed})`,
      xml: attackedXml,
    });
    return;
  }
  // Nobody: a refusal, which the runner lets count only when the control (same signing, no attack) logs in.
  ctx.check.must(!outcome.loggedIn, {
    check: o.check,
    requirement: o.requirement,
    expected,
    observed: `smuggled identity refused: no session (${outcome.observed})`,
    xml: attackedXml,
    refusal: true,
  });
}
