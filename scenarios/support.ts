// Shared pieces of the catalogue: the identities scenarios assert, and the oracle checks that
// every SP scenario states the same way. Not a scenario file (those end in .scenario.ts).
import { BINDING } from '../saml/constants.ts';
import type { IdpPlanResponse } from '../mock-idp/index.ts';
import { defineSpScenario, type SpLoginOutcome, type SpTargetContext } from '../harness/context.ts';
import type { TargetFacts } from '../harness/scenario.ts';

export { ATTACKER_USER, DEFAULT_TEST_USER } from '../harness/identities.ts';

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
 * The refusal counts only once the scenario's positive control (the same login without the fault)
 * has succeeded, which the runner sees to.
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
    refusal: true,
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
      ctx.idp.setPlan({ user: ctx.testUser, response: fault.response });
      const outcome = await ctx.spInitiatedLogin();
      expectNoLogin(ctx, outcome, { check: 'fault-rejected', requirement: fault.requirement, expected: fault.expected });
    },
  });
}
