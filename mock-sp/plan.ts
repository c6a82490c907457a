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
import { ShapeError, arrayOf, bool, checkShape, either, int, nullable, obj, oneOf, str, type Shape } from '../mock-kit/plan-shape.ts';

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

const NO_FUNCTIONS = 'mutations are functions and cannot be set over the control API';
const nullableStr = nullable(str);

/** AuthnRequest builder options that JSON can carry (saml/builders AuthnRequestOptions without `now`); null removes a field. */
const REQUEST_SHAPE: Shape = obj({
  id: nullableStr,
  version: nullableStr,
  issueInstant: nullableStr,
  destination: nullableStr,
  consent: nullableStr,
  issuer: nullableStr,
  issuerFormat: nullableStr,
  extensionsXml: nullableStr,
  providerName: nullableStr,
  forceAuthn: nullable(bool),
  isPassive: nullable(bool),
  protocolBinding: nullableStr,
  assertionConsumerServiceUrl: nullableStr,
  assertionConsumerServiceIndex: nullable(int),
  attributeConsumingServiceIndex: nullable(int),
  nameIdPolicy: nullable(obj({ format: nullableStr, allowCreate: nullable(bool), spNameQualifier: nullableStr })),
  requestedAuthnContext: nullable(obj({ comparison: nullable(oneOf(['exact', 'minimum', 'maximum', 'better'])), classRefs: arrayOf(str) }, { required: ['classRefs'] })),
  scoping: nullable(
    obj({
      proxyCount: int,
      idpList: arrayOf(either(str, obj({ providerId: str, name: str, loc: str }, { required: ['providerId'] }))),
      requesterIds: arrayOf(str),
    }),
  ),
  conditions: nullable(
    obj({
      notBefore: nullableStr,
      notOnOrAfter: nullableStr,
      audiences: nullable(arrayOf(str)),
      audienceRestrictions: arrayOf(arrayOf(str)),
      oneTimeUse: bool,
      proxyRestriction: obj({ count: int, audiences: arrayOf(str) }),
    }),
  ),
  subjectNameId: nullable(obj({ value: str, format: nullableStr, nameQualifier: nullableStr, spNameQualifier: nullableStr, spProvidedId: nullableStr }, { required: ['value'] })),
});

/** SpPlanJson at every depth. */
const SP_PLAN_SHAPE: Shape = obj(
  {
    binding: oneOf(['redirect', 'post']),
    sign: either(bool, obj({ algorithm: oneOf(Object.keys(SIGNATURE_ALGORITHM)), credential: oneOf(['sp', 'attacker']) })),
    request: REQUEST_SHAPE,
    relayState: str,
    expectAcsPath: str,
    allowUnsolicited: bool,
    sigAlgOverride: str,
  },
  { hint: { mutate: NO_FUNCTIONS, mutateRedirectUrl: NO_FUNCTIONS } },
);

/** Check a plan that arrived as JSON, the whole of it; throws PlanError naming the path of the first problem. */
export function parsePlanJson(body: unknown): SpPlanJson {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new PlanError('the plan must be a JSON object');
  try {
    checkShape(body, SP_PLAN_SHAPE);
  } catch (err) {
    if (err instanceof ShapeError) throw new PlanError(`plan ${err.message}`);
    throw err;
  }
  const p = body as SpPlanJson;
  if (p.expectAcsPath !== undefined && !isAcsPath(p.expectAcsPath)) throw new PlanError('plan expectAcsPath: must be "/acs" or start with "/acs-"');
  return p;
}

/** '/acs' or a rogue '/acs-<anything>' path (no query). */
export function isAcsPath(path: string): boolean {
  return path === DEFAULT_ACS_PATH || (path.startsWith('/acs-') && path.length > 5 && !/[?#\s]/.test(path));
}
