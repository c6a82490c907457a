// A scenario's SpPlan turned into the AuthnRequest that leaves the mock SP: build with the plan's
// overrides on top of the SP defaults, sign (POST: enveloped signature; Redirect: query signature),
// mutate, encode. Also checks plans that arrive as JSON through the control API.
import { buildAuthnRequest } from '../saml/builders/index.ts';
import type { AuthnRequestOptions } from '../saml/builders/index.ts';
import { BINDING, NAMEID_FORMAT, SIGNATURE_ALGORITHM } from '../saml/constants.ts';
import type { Credential } from '../saml/keys.ts';
import { type OutgoingMessage, type SigningChoice, encodeOutgoing } from './outgoing.ts';
import { type IdpView, PeerError, ssoEndpoint } from './peer.ts';
import type { SpPlan, SpPlanJson, SpSignPlan } from './types.ts';

export interface SpIdentity {
  entityId: string;
  baseUrl: string;
  signing: Credential;
  /** Resolved lazily: generating a key costs time and most scenarios never need it. */
  attacker: () => Credential;
  /** Sign when the plan does not say (IdP WantAuthnRequestsSigned or SP AuthnRequestsSigned). */
  signByDefault: boolean;
}

export interface PlannedAuthnRequest extends OutgoingMessage {
  /** The ID the IdP should answer with InResponseTo. */
  requestId: string;
  acsUrl?: string;
  nameIdFormat?: string;
  signed: boolean;
}

export const DEFAULT_ACS_PATH = '/acs';

/** The SigningChoice for a plan's `sign` value; undefined = unsigned. */
export function signingChoice(sign: SpSignPlan | undefined, fallback: boolean, sp: SpIdentity): SigningChoice | undefined {
  const s = sign ?? fallback;
  if (s === false) return undefined;
  const o = s === true ? {} : s;
  const label = o.credential ?? 'sp';
  return { credential: label === 'attacker' ? sp.attacker() : sp.signing, algorithm: o.algorithm, label };
}

export function planAuthnRequest(plan: SpPlan, sp: SpIdentity, idp: IdpView | undefined, relayState: string | undefined): PlannedAuthnRequest {
  if (!idp) throw new PeerError('no IdP metadata is configured, so there is nowhere to send an AuthnRequest');
  const binding = plan.binding ?? 'redirect';
  const endpoint = ssoEndpoint(idp, binding);
  const request = plan.request ?? {};
  const byIndex = request.assertionConsumerServiceIndex !== undefined && request.assertionConsumerServiceIndex !== null;
  const defaults: AuthnRequestOptions = {
    destination: endpoint,
    issuer: sp.entityId,
    // Asking by index excludes asking by URL and binding (Core 3.4.1), so no defaults then.
    assertionConsumerServiceUrl: byIndex ? undefined : sp.baseUrl + (plan.expectAcsPath ?? DEFAULT_ACS_PATH),
    protocolBinding: byIndex ? undefined : BINDING.post,
    nameIdPolicy: { format: NAMEID_FORMAT.unspecified, allowCreate: true },
  };
  const options: AuthnRequestOptions = { ...defaults, ...request };
  const built = buildAuthnRequest(options);
  const sign = signingChoice(plan.sign, sp.signByDefault, sp);
  const sent = encodeOutgoing({
    param: 'SAMLRequest',
    xml: built,
    binding,
    endpoint,
    relayState,
    sign,
    mutate: plan.mutate,
    sigAlgOverride: plan.sigAlgOverride,
    mutateRedirectUrl: plan.mutateRedirectUrl,
    ownCertPem: sp.signing.certPem,
  });
  const requestId = sent.id ?? idOf(built) ?? '';
  const out: PlannedAuthnRequest = { ...sent, requestId, signed: !!sign };
  const acsUrl = options.assertionConsumerServiceUrl;
  if (typeof acsUrl === 'string') out.acsUrl = acsUrl;
  const policy = options.nameIdPolicy;
  if (policy) out.nameIdFormat = policy.format === undefined ? NAMEID_FORMAT.unspecified : policy.format ?? undefined;
  return out;
}

function idOf(xml: string): string | undefined {
  return /\sID="([^"]+)"/.exec(xml)?.[1];
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

const PLAN_KEYS = new Set(['binding', 'sign', 'request', 'relayState', 'expectAcsPath', 'allowUnsolicited', 'sigAlgOverride']);

/** Check a plan that arrived as JSON; throws PlanError naming the first problem. */
export function parsePlanJson(body: unknown): SpPlanJson {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new PlanError('the plan must be a JSON object');
  const p = body as Record<string, unknown>;
  for (const k of Object.keys(p)) if (!PLAN_KEYS.has(k)) throw new PlanError(`unknown plan field "${k}" (known: ${[...PLAN_KEYS].join(', ')})`);
  if (p.binding !== undefined && p.binding !== 'redirect' && p.binding !== 'post') throw new PlanError('binding must be "redirect" or "post"');
  if (p.sign !== undefined && typeof p.sign !== 'boolean') {
    if (typeof p.sign !== 'object' || p.sign === null || Array.isArray(p.sign)) throw new PlanError('sign must be a boolean or an object');
    const s = p.sign as Record<string, unknown>;
    for (const k of Object.keys(s)) if (k !== 'algorithm' && k !== 'credential') throw new PlanError(`unknown sign field "${k}"`);
    if (s.algorithm !== undefined && !Object.prototype.hasOwnProperty.call(SIGNATURE_ALGORITHM, s.algorithm as string)) {
      throw new PlanError(`sign.algorithm must be one of ${Object.keys(SIGNATURE_ALGORITHM).join(', ')}`);
    }
    if (s.credential !== undefined && s.credential !== 'sp' && s.credential !== 'attacker') throw new PlanError('sign.credential must be "sp" or "attacker"');
  }
  if (p.request !== undefined && (typeof p.request !== 'object' || p.request === null || Array.isArray(p.request))) throw new PlanError('request must be an object of AuthnRequest builder options');
  for (const k of ['relayState', 'sigAlgOverride'] as const) {
    if (p[k] !== undefined && typeof p[k] !== 'string') throw new PlanError(`${k} must be a string`);
  }
  if (p.expectAcsPath !== undefined && (typeof p.expectAcsPath !== 'string' || !isAcsPath(p.expectAcsPath))) {
    throw new PlanError('expectAcsPath must be "/acs" or start with "/acs-"');
  }
  if (p.allowUnsolicited !== undefined && typeof p.allowUnsolicited !== 'boolean') throw new PlanError('allowUnsolicited must be a boolean');
  return p as SpPlanJson;
}

/** '/acs' or a rogue '/acs-<anything>' path (no query). */
export function isAcsPath(path: string): boolean {
  return path === DEFAULT_ACS_PATH || (path.startsWith('/acs-') && path.length > 5 && !/[?#\s]/.test(path));
}
