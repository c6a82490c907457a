// How a plan becomes the Response the mock IdP sends:
//   persona shape -> build (saml/builders) -> mutateBeforeSign -> sign assertion -> encrypt
//   assertion -> sign Response -> mutate.
// The assertion is signed before it is encrypted and the Response after, because encryption
// replaces the assertion the Response signature would otherwise have covered (SAML Core 6.1,
// and what saml/encryption.ts expects). `mutate` comes last so that a negative case changes
// exactly one thing in an otherwise perfect message.
import { addSeconds, buildResponse, newId, type AssertionOptions, type AttributeOptions, type NameIdOptions, type StatusOptions } from '../saml/builders/index.ts';
import { DIGEST_ALGORITHM, ENCRYPTION_ALGORITHM, KEY_TRANSPORT, NS, SIGNATURE_ALGORITHM, STATUS, type SignatureAlgorithmName } from '../saml/constants.ts';
import { encryptAssertionInResponse } from '../saml/encryption.ts';
import type { Credential } from '../saml/keys.ts';
import { signAssertions, signRoot } from '../saml/signature.ts';
import { children, parseXml } from '../saml/xml.ts';
import { PERSONAS, type Persona, type PersonaShape, newSessionKey } from './personas.ts';
import { ShapeError, arrayOf, bool, checkShape, either, literal, nullable, num, obj, oneOf, recordOf, str, type Shape } from '../mock-kit/plan-shape.ts';
import type { IdpPlan, IdpUser, PersonaConfig } from './types.ts';

export const DEFAULT_USER: IdpUser = {
  nameId: 'alice@example.test',
  nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  attributes: { email: ['alice@example.test'], givenName: ['Alice'], surname: ['Example'] },
};

/** A plan the mock cannot carry out (e.g. encryption without an SP encryption certificate). */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

export type CredentialName = 'idp' | 'attacker' | 'expired';

export interface ResponseInput {
  plan: IdpPlan;
  persona: Persona;
  personaConfig: PersonaConfig;
  idpEntityId: string;
  /** The key a plan's `credential` names; attacker/expired may be created on demand. */
  credential(name: CredentialName): Credential;
  user: IdpUser;
  acsUrl: string;
  /** The AuthnRequest ID; undefined for an unsolicited Response. */
  inResponseTo?: string;
  requestedNameIdFormat?: string;
  spEntityId?: string;
  /** First encryption certificate of the SP's metadata. */
  spEncryptionCertPem?: string;
  sessionKey?: string;
  now?: Date;
  /** When the user really authenticated (an IdP session's sign-in time); default: now plus the persona's offset. */
  authnInstant?: Date;
  /** unescapedAttributeValues weakness: attribute values pasted into the XML as they are, before signing. */
  rawAttributeValues?: boolean;
  /**
   * Qualify the NameID where the persona left it open: NameQualifier = the IdP, SPNameQualifier =
   * the SP (as pysaml2 and Lasso do), so that a LogoutRequest must repeat both (Core 8.3).
   */
  qualifyNameId?: boolean;
}

export interface PlannedResponse {
  xml: string;
  acsUrl: string;
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
  /** Which key signed (undefined when nothing was signed). */
  signedWith?: CredentialName;
  signed: { response: boolean; assertion: boolean };
  encrypted: boolean;
}

/** `value` when the plan set the field (null included), else the fallback. */
function pick<T>(value: T | null | undefined, fallback: T): T | null {
  return value === undefined ? fallback : value;
}

function algorithmFor(credential: Credential, wanted: SignatureAlgorithmName): SignatureAlgorithmName {
  // An EC key cannot make an RSA signature; keep the plan's intent (sign) with the key's algorithm.
  if (credential.key.type === 'ec') return 'ecdsa-sha256';
  return wanted === 'ecdsa-sha256' ? 'rsa-sha256' : wanted;
}

function hasAssertionChild(xml: string): boolean {
  return children(parseXml(xml).documentElement!, NS.saml, 'Assertion').length > 0;
}

export async function buildPlannedResponse(input: ResponseInput): Promise<PlannedResponse> {
  const { plan, persona } = input;
  const r = plan.response ?? {};
  const now = input.now ?? addSeconds(new Date(), r.clockOffsetSeconds ?? 0);
  const shape: PersonaShape = persona.shape({
    user: input.user,
    requestedNameIdFormat: input.requestedNameIdFormat,
    spEntityId: input.spEntityId,
    sessionKey: input.sessionKey ?? newSessionKey(),
    idpEntityId: input.idpEntityId,
    config: input.personaConfig,
  });

  const refusal = 'refuse' in shape.nameId ? shape.nameId.refuse : undefined;
  const status: StatusOptions | undefined = r.status ?? refusal;
  const success = (status?.code ?? STATUS.success) === STATUS.success;
  const withAssertion = !refusal && (success || r.includeAssertion === true);
  const shaped = refusal ? undefined : (shape.nameId as NameIdOptions);
  const nameId =
    shaped && input.qualifyNameId
      ? {
          ...shaped,
          ...(shaped.nameQualifier === undefined ? { nameQualifier: input.idpEntityId } : {}),
          ...(shaped.spNameQualifier === undefined && input.spEntityId !== undefined ? { spNameQualifier: input.spEntityId } : {}),
        }
      : shaped;

  const issuer = pick(r.issuer, input.idpEntityId);
  const inResponseTo = pick(r.inResponseTo, input.inResponseTo ?? null);
  const lifetime = r.lifetimeSeconds ?? shape.lifetimeSeconds;
  const notOnOrAfter = addSeconds(now, lifetime);
  const assertionId = newId();
  const rawValues = new Map<string, string>();
  const planned = r.sessionIndex;
  const sessionIndex: string | null | undefined =
    planned !== undefined ? planned : shape.sessionIndexFromAssertionId ? assertionId : newId();
  const audience = pick(r.audience, input.spEntityId ?? null);

  const assertion: AssertionOptions = {
    id: assertionId,
    now,
    issuer,
    issuerFormat: shape.issuerFormat ?? null,
    nameId: nameId ?? null,
    lifetimeSeconds: lifetime,
    subjectConfirmations: [
      {
        recipient: pick(r.recipient, input.acsUrl),
        inResponseTo,
        notOnOrAfter: r.confirmationLifetimeSeconds === undefined ? notOnOrAfter : addSeconds(now, r.confirmationLifetimeSeconds),
      },
    ],
    conditions: {
      notBefore: addSeconds(now, r.notBeforeOffsetSeconds ?? shape.notBeforeOffsetSeconds),
      notOnOrAfter,
      audiences: audience === null ? null : [audience],
    },
    authnStatement: {
      authnInstant: input.authnInstant ?? addSeconds(now, shape.authnInstantOffsetSeconds),
      sessionIndex,
      sessionNotOnOrAfter: shape.sessionNotOnOrAfterSeconds === undefined ? null : addSeconds(now, shape.sessionNotOnOrAfterSeconds),
      classRef: shape.classRef,
    },
    attributes: input.rawAttributeValues ? withMarkers(shape.attributes, rawValues) : shape.attributes,
  };

  let xml = buildResponse({
    now,
    issuer,
    issuerFormat: shape.issuerFormat ?? null,
    destination: pick(r.destination, input.acsUrl),
    inResponseTo,
    status: status ?? {},
    assertions: withAssertion ? [assertion] : [],
  });
  for (const [marker, value] of rawValues) xml = xml.replace(marker, () => value);
  if (plan.mutateBeforeSign) xml = plan.mutateBeforeSign(xml);

  const signResponse = plan.sign?.response ?? shape.sign.response;
  const signAssertion = plan.sign?.assertion ?? shape.sign.assertion;
  const credentialName: CredentialName = plan.sign?.credential ?? 'idp';
  const credential = signResponse || signAssertion ? input.credential(credentialName) : undefined;
  // A plan that names only the algorithm gets that algorithm's own digest (signature.ts default).
  const digest = plan.sign?.digest ?? (plan.sign?.algorithm === undefined ? shape.sign.digest : undefined);
  const signOptions = credential && {
    privateKeyPem: credential.key.privateKeyPem,
    certPem: credential.certPem,
    algorithm: algorithmFor(credential, plan.sign?.algorithm ?? shape.sign.algorithm),
    ...(digest ? { digest } : {}),
  };

  let assertionSigned = false;
  if (signAssertion && signOptions && hasAssertionChild(xml)) {
    xml = signAssertions(xml, signOptions);
    assertionSigned = true;
  }

  let encrypted = false;
  if (plan.encrypt) {
    if (!input.spEncryptionCertPem) throw new PlanError('the plan asks for encryption but the SP metadata has no encryption certificate');
    if (hasAssertionChild(xml)) {
      xml = await encryptAssertionInResponse(xml, {
        certPem: input.spEncryptionCertPem,
        dataAlgorithm: plan.encrypt.dataAlgorithm ?? shape.encryption.dataAlgorithm,
        keyTransport: plan.encrypt.keyTransport ?? 'rsa-oaep',
      });
      encrypted = true;
    }
  }

  let responseSigned = false;
  if (signResponse && signOptions) {
    xml = signRoot(xml, signOptions);
    responseSigned = true;
  }
  if (plan.mutate) xml = plan.mutate(xml);

  const out: PlannedResponse = {
    xml,
    acsUrl: input.acsUrl,
    nameId: nameId?.value ?? '',
    ...(typeof nameId?.format === 'string' ? { nameIdFormat: nameId.format } : {}),
    signed: { response: responseSigned, assertion: assertionSigned },
    encrypted,
  };
  if (withAssertion && typeof sessionIndex === 'string') out.sessionIndex = sessionIndex;
  if (responseSigned || assertionSigned) out.signedWith = credentialName;
  return out;
}

/** Each attribute value replaced by a unique marker, remembered in `raw` to be pasted back unescaped. */
function withMarkers(attributes: AttributeOptions[], raw: Map<string, string>): AttributeOptions[] {
  return attributes.map((a) => ({
    ...a,
    values: a.values.map((v) => {
      if (v === null) return v;
      const marker = `samlconf-raw-attribute-${raw.size}-${newId()}`;
      raw.set(marker, v);
      return marker;
    }),
  }));
}

const NO_FUNCTIONS = 'mutations are functions and cannot be set over the control API';

/** Status of a Response or LogoutResponse (saml/builders StatusOptions). */
export const STATUS_SHAPE: Shape = obj({ code: str, subCode: either(str, arrayOf(str)), message: nullable(str), detailXml: nullable(str) });

/** IdpPlan without its functions: everything the control API takes, at every depth. */
const IDP_PLAN_SHAPE: Shape = obj(
  {
    user: obj({ nameId: str, nameIdFormat: str, attributes: recordOf(arrayOf(str)), username: str, password: str }, { required: ['nameId'] }),
    persona: oneOf(Object.keys(PERSONAS)),
    keepNameIdFormat: bool,
    sign: obj({
      response: bool,
      assertion: bool,
      algorithm: oneOf(Object.keys(SIGNATURE_ALGORITHM)),
      digest: oneOf(Object.keys(DIGEST_ALGORITHM)),
      credential: oneOf(['idp', 'attacker', 'expired']),
    }),
    encrypt: either(literal(false), obj({ dataAlgorithm: oneOf(Object.keys(ENCRYPTION_ALGORITHM)), keyTransport: oneOf(Object.keys(KEY_TRANSPORT)) })),
    acsUrl: str,
    response: obj({
      audience: nullable(str),
      destination: nullable(str),
      recipient: nullable(str),
      inResponseTo: nullable(str),
      issuer: nullable(str),
      notBeforeOffsetSeconds: num,
      lifetimeSeconds: num,
      confirmationLifetimeSeconds: num,
      clockOffsetSeconds: num,
      status: STATUS_SHAPE,
      includeAssertion: bool,
      sessionIndex: nullable(str),
    }),
    relayState: str,
    logout: obj({ sign: bool, status: STATUS_SHAPE }, { hint: { mutate: NO_FUNCTIONS } }),
  },
  { hint: { mutate: NO_FUNCTIONS, mutateBeforeSign: NO_FUNCTIONS } },
);

/**
 * Plans arriving as JSON (control API): the whole plan is checked, so a typo at any depth or a
 * wrong type is refused with its path instead of being ignored or breaking the next login.
 */
export function planFromJson(value: unknown): IdpPlan {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PlanError('plan must be a JSON object');
  try {
    checkShape(value, IDP_PLAN_SHAPE);
  } catch (err) {
    if (err instanceof ShapeError) throw new PlanError(`plan ${err.message}`);
    throw err;
  }
  return value as IdpPlan;
}
