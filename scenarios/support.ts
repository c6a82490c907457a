// Shared pieces of the catalogue: the identities scenarios assert, and the oracle checks that
// every SP scenario states the same way. Not a scenario file (those end in .scenario.ts).
import { BINDING, NAMEID_FORMAT } from '../saml/constants.ts';
import type { IdpPlan, IdpPlanResponse, IdpUser } from '../mock-idp/index.ts';
import { defineSpScenario, type SpLoginOutcome, type SpTargetContext } from '../harness/context.ts';
import { NotApplicableError, type TargetFacts } from '../harness/scenario.ts';

/** The user the mock IdP signs in for positive flows. */
export const TEST_USER: IdpUser = {
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

/** Web SSO responses travel over HTTP-POST; an SP without a POST ACS cannot take part. */
export function requiresPostAcs(target: TargetFacts): true | string {
  return target.ssoBindings.includes(BINDING.post) ? true : 'the SP metadata lists no HTTP-POST AssertionConsumerService';
}

export function requiresSsoBinding(binding: 'redirect' | 'post') {
  return (target: TargetFacts): true | string =>
    target.ssoBindings.includes(BINDING[binding]) ? true : `the IdP metadata lists no HTTP-${binding === 'post' ? 'POST' : 'Redirect'} SingleSignOnService`;
}

/**
 * A negative SP case passes only if its mutated Response actually reached the SP and nobody got
 * logged in. If the Response never left the mock IdP, the scenario proved nothing: that is an error.
 */
export function expectNoLogin(
  ctx: Pick<SpTargetContext, 'check' | 'idp'>,
  outcome: SpLoginOutcome,
  o: { check: string; requirement: string; expected: string },
): void {
  if (!outcome.responseDelivered) {
    throw new Error('the mock IdP did not deliver the Response to the SP, so the SP was never tested (did the SP send an AuthnRequest?)');
  }
  ctx.check.must(!outcome.loggedIn, {
    check: o.check,
    requirement: o.requirement,
    expected: o.expected,
    observed: outcome.loggedIn ? `the SP logged in ${outcome.nameId ?? 'a user'} (${outcome.observed})` : `no session (${outcome.observed})`,
    xml: ctx.idp.lastResponse()?.xml,
  });
}

/** One wrong field in an otherwise correct Response, signed by the IdP's own key. */
export interface ResponseFault {
  id: string;
  title: string;
  group: string;
  refs: string[];
  /** The requirement the decisive check cites. */
  requirement: string;
  expected: string;
  response: IdpPlanResponse;
}

/**
 * A negative SP case made of a normal SP-initiated login whose Response carries exactly one fault.
 * The user is the legitimate one: the only thing wrong is the fault, so any login is a failure.
 */
export function responseFaultScenario(fault: ResponseFault) {
  return defineSpScenario({
    id: fault.id,
    title: fault.title,
    group: fault.group,
    refs: fault.refs,
    applies: requiresPostAcs,
    async run(ctx) {
      ctx.idp.setPlan({ user: TEST_USER, response: fault.response });
      const outcome = await ctx.spInitiatedLogin();
      expectNoLogin(ctx, outcome, { check: 'fault-rejected', requirement: fault.requirement, expected: fault.expected });
    },
  });
}

/**
 * A refusal only counts when the same harness gets through on the same target (DESIGN.md). Call it
 * after a negative SP flow logged nobody in: in a fresh browser session the mock IdP answers with
 * `plan` (the same user and signing, without the mutation), and `nameId` must get in. Returns the
 * control's outcome when it did. Throws NotApplicableError(`unreachable`) when the SP refuses the
 * control too (the negative case never reached the code it probes), and Error when the control
 * cannot be judged. The control's messages join the scenario's evidence like any other flow's.
 */
export async function positiveControl(
  ctx: Pick<SpTargetContext, 'browserContext' | 'idp' | 'spInitiatedLogin' | 'isLoggedInAs' | 'log'>,
  o: { plan: IdpPlan; nameId: string; unreachable: string },
): Promise<SpLoginOutcome> {
  await ctx.browserContext.clearCookies();
  ctx.idp.setPlan(o.plan);
  const control = await ctx.spInitiatedLogin();
  if (!control.responseDelivered) throw new Error('positive control: the mock IdP did not deliver the unmodified Response to the SP');
  if (ctx.isLoggedInAs(control, o.nameId)) {
    ctx.log(`positive control: the unmodified Response logged ${o.nameId} in (${control.observed})`);
    return control;
  }
  if (control.loggedIn) throw new Error(`positive control: the unmodified Response for ${o.nameId} logged in ${control.nameId ?? 'someone else'} (${control.observed})`);
  ctx.log(`positive control: the unmodified Response was refused too (${control.observed})`);
  throw new NotApplicableError(`${o.unreachable} (positive control refused: ${control.observed})`);
}
