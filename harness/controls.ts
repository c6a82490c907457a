// Positive controls: the same flow as a negative scenario's, without its fault, against the same
// target. A refusal ("nobody logged in", "no assertion issued") proves something only when this
// succeeds; otherwise the target refuses everything, or the harness cannot get through, and the
// refusal is no evidence at all (see CheckOptions.refusal). Controls are shared per target and
// shape by the session, so a run pays for each shape once.
import type { IdpPlan, IdpUser } from '../mock-idp/index.ts';
import type { SpPlan } from '../mock-sp/index.ts';
import { STATUS } from '../saml/constants.ts';
import { readResponse } from '../saml/readers.ts';
import { parseRoot } from '../saml/xml.ts';
import type { PositiveControl } from '../shared/result-model.ts';
import type { TargetUser } from './config.ts';
import { loginAtIdp, type IdpFlowDeps } from './idp-flows.ts';
import { idpInitiatedLogin, isLoggedInAs, spInitiatedLogin, type SpFlowDeps } from './sp-flows.ts';

/** SP targets: how the mock IdP answers in the control. Only shape, never a fault. */
export interface SpControlShape {
  /** Default 'sp-initiated'. */
  flow?: 'sp-initiated' | 'idp-initiated';
  /** Signing and encryption as the scenario's own flow has them (default: the mock's defaults). */
  plan?: Pick<IdpPlan, 'sign' | 'encrypt' | 'persona'>;
}

/** IdP targets: the AuthnRequest the mock SP sends in the control. Only shape, never a fault. */
export interface IdpControlShape {
  /** Binding and signing as the scenario's own request has them (default: the mock SP's defaults). */
  plan?: Pick<SpPlan, 'binding' | 'sign'>;
}

export type ControlResult = Pick<PositiveControl, 'shape' | 'outcome' | 'observed'>;

/** A stable cache key: the same shape written with its keys in another order is the same control. */
export function controlKey(shape: unknown): string {
  const sorted = (v: unknown): unknown =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]))
      : v;
  return JSON.stringify(sorted(shape ?? {}));
}

function describeSigning(sign: IdpPlan['sign']): string {
  if (!sign) return "signed as the mock IdP signs by default";
  const levels = [sign.response !== false ? 'Response' : undefined, sign.assertion !== false ? 'assertion' : undefined].filter(Boolean);
  const algorithm = sign.algorithm ? ` with ${sign.algorithm}` : '';
  return levels.length ? `signed on the ${levels.join(' and ')}${algorithm}` : 'unsigned';
}

export function describeSpControl(shape: SpControlShape): string {
  const flow = shape.flow === 'idp-initiated' ? 'IdP-initiated login' : 'SP-initiated login';
  const encrypted = shape.plan?.encrypt ? ', assertion encrypted' : '';
  return `${flow}, the test user's Response ${describeSigning(shape.plan?.sign)}${encrypted}`;
}

export function describeIdpControl(shape: IdpControlShape): string {
  const binding = shape.plan?.binding === 'post' ? 'HTTP-POST' : shape.plan?.binding === 'redirect' ? 'HTTP-Redirect' : 'the default binding';
  const signed = shape.plan?.sign === undefined ? 'signed as the IdP metadata asks' : shape.plan.sign ? 'signed' : 'unsigned';
  return `login with an AuthnRequest over ${binding}, ${signed}`;
}

/** The control of an SP target: the test user's login, as the scenario's flow makes it, must get through. */
export async function runSpControl(deps: SpFlowDeps, shape: SpControlShape, user: IdpUser): Promise<ControlResult> {
  const description = describeSpControl(shape);
  deps.idp.setPlan({ ...shape.plan, user });
  const outcome = shape.flow === 'idp-initiated' ? await idpInitiatedLogin(deps) : await spInitiatedLogin(deps);
  if (!outcome.responseDelivered || !outcome.sent) {
    return { shape: description, outcome: 'error', observed: 'the mock IdP delivered no Response, so the SP was never asked (did it send an AuthnRequest?)' };
  }
  if (isLoggedInAs(deps.target, outcome, outcome.sent)) return { shape: description, outcome: 'succeeded', observed: `the SP logged ${outcome.sent.nameId} in (${outcome.observed})` };
  if (outcome.loggedIn) {
    return { shape: description, outcome: 'error', observed: `the SP logged in ${outcome.nameId ?? 'someone'} where ${outcome.sent.nameId} was asserted (${outcome.observed})` };
  }
  return { shape: description, outcome: 'refused', observed: `no session after a correct Response for ${outcome.sent.nameId} (${outcome.observed})` };
}

/** The control of an IdP target: the same request without the fault must get an assertion to the mock SP. */
export async function runIdpControl(deps: IdpFlowDeps, shape: IdpControlShape, user: TargetUser | undefined): Promise<ControlResult> {
  const description = describeIdpControl(shape);
  deps.sp.setPlan({ ...shape.plan });
  const outcome = await loginAtIdp(deps, user);
  if (!outcome) return { shape: description, outcome: 'refused', observed: 'nothing reached the mock SP' };
  if (!outcome.xml) return { shape: description, outcome: 'refused', observed: `something the mock SP could not decode reached ${outcome.path}` };
  let info;
  try {
    info = readResponse(parseRoot(outcome.xml));
  } catch (err) {
    return { shape: description, outcome: 'refused', observed: `an answer samlconf cannot read reached ${outcome.path} (${(err as Error).message}; first bytes ${JSON.stringify(outcome.xml.slice(0, 80))})` };
  }
  const assertions = info.assertionCount + info.encryptedAssertionCount;
  if (info.status.code === STATUS.success && assertions > 0) {
    return { shape: description, outcome: 'succeeded', observed: `a Response with an assertion (status Success) reached ${outcome.path}` };
  }
  const status = info.status.code?.slice(info.status.code.lastIndexOf(':') + 1) ?? '(no status)';
  return { shape: description, outcome: 'refused', observed: `a Response ${assertions > 0 ? 'with' : 'without'} an assertion, status ${status}, reached ${outcome.path}` };
}
