// Shared shapes of the validation rules: a finding per checked statement, the contexts the three
// validators take, and what they return.
import type { SignatureCheck } from '../signature.ts';

export type { SignatureCheck } from '../signature.ts';

export type RuleSeverity = 'must' | 'should';

export interface RuleFinding {
  /** Stable kebab-case rule ID (e.g. `audience`). */
  rule: string;
  /** Registry ID from saml/requirements.ts. */
  requirement: string;
  severity: RuleSeverity;
  ok: boolean;
  expected: string;
  observed: string;
  /** The smallest relevant element, serialized. */
  xml?: string;
}

/** A rule: a named check tied to a requirement, evaluated against a prepared subject. */
export interface Rule<S> {
  id: string;
  requirement: string;
  severity: RuleSeverity;
  check(subject: S): RuleFinding | RuleFinding[];
}

/** Result of an HTTP-Redirect query-string signature check (saml/bindings/redirect.ts verifyRedirectSignature). */
export interface DetachedSignatureResult {
  valid: boolean;
  algorithm?: string;
  reason?: string;
}

// ---------------------------------------------------------------- Response (the SP's ACS)

export interface ResponseValidationContext {
  /** PEM certificates of the IdP; KeyInfo in the message is never trusted. */
  trustedCerts: string[];
  idpEntityId: string;
  spEntityId: string;
  /** The ACS URL at which the Response arrived. */
  acsUrl: string;
  /** ID of the AuthnRequest this Response answers; undefined = unsolicited. */
  expectedRequestId?: string;
  /** Accept unsolicited (IdP-initiated) Responses. Default false. */
  allowUnsolicited?: boolean;
  now?: Date;
  /** Default 180. */
  clockSkewSeconds?: number;
  /** NameIDPolicy Format of the request; unspecified (or undefined) accepts any. */
  requestedNameIdFormat?: string;
  /** The SP takes part in Single Logout, so an AuthnStatement must carry SessionIndex. */
  requireSessionIndex?: boolean;
  /** WantAssertionsSigned: the assertion itself must carry a valid signature. */
  requireSignedAssertion?: boolean;
  /** The Response element itself must carry a valid signature. */
  requireSignedResponse?: boolean;
  /** SP private key (PEM) for EncryptedAssertion. */
  decryptionKeyPem?: string;
  /** Oldest acceptable IssueInstant, in seconds before now (plus skew). Default 3600. */
  maxIssueAgeSeconds?: number;
}

export interface ResponseIdentity {
  nameId: string;
  nameIdFormat?: string;
  /** NameID qualifiers as asserted: a LogoutRequest names the principal with exactly these (Profiles 4.4.4.1, Core 8.3). */
  nameQualifier?: string;
  spNameQualifier?: string;
  spProvidedId?: string;
  sessionIndex?: string;
  attributes: Record<string, string[]>;
  assertionId?: string;
}

export interface ResponseValidation {
  findings: RuleFinding[];
  /** Every must-severity finding is ok. */
  ok: boolean;
  /**
   * Identity read ONLY from content a valid signature covers (absent when nothing usable is signed).
   * It may be present while ok is false: callers must gate any login on `ok`.
   */
  identity?: ResponseIdentity;
  signatures: SignatureCheck[];
  /** Which content identity and assertion checks were read from. */
  assertionSource: 'signed-response' | 'signed-assertion' | 'unsigned' | 'none';
}

// ---------------------------------------------------------------- Logout

export interface LogoutSession {
  nameId: string;
  nameIdFormat?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  spProvidedId?: string;
  /**
   * Compare the NameID exactly as issued: Format and every qualifier must be what the session's
   * assertion stated, an absent one absent (Profiles 4.4.4.1: the principal named as in the assertion).
   * Without it a missing Format is tolerated and qualifiers are not compared.
   */
  exact?: boolean;
  /** SessionIndex values of this session. */
  sessionIndexes?: string[];
}

interface LogoutCommonContext {
  /** PEM certificates of the peer that sends the message. */
  trustedCerts: string[];
  /** Entity ID of the peer (the expected Issuer). */
  peerEntityId: string;
  /** URL at which the message arrived. */
  destination: string;
  /** How the message arrived: with 'redirect', pass the query-string signature result. */
  binding: 'redirect' | 'post' | 'soap' | 'artifact';
  redirectSignature?: DetachedSignatureResult;
  /** Default true: the message must be authenticated by an XML or Redirect signature. */
  requireSignature?: boolean;
  now?: Date;
  /** Default 180. */
  clockSkewSeconds?: number;
  /** Oldest acceptable IssueInstant, in seconds before now (plus skew). Default 3600. */
  maxIssueAgeSeconds?: number;
}

export interface LogoutRequestValidationContext extends LogoutCommonContext {
  /** The local session the request must match (NameID and, when given, SessionIndex). */
  session?: LogoutSession;
  /** The sender is a session participant, so at least one SessionIndex is required. */
  requireSessionIndex?: boolean;
}

export interface LogoutResponseValidationContext extends LogoutCommonContext {
  /** ID of the LogoutRequest this answers. */
  expectedRequestId: string;
}

export interface LogoutMessageInfo {
  kind: 'LogoutRequest' | 'LogoutResponse';
  id?: string;
  issuer?: string;
  destination?: string;
  inResponseTo?: string;
  notOnOrAfter?: string;
  nameId?: string;
  nameIdFormat?: string;
  sessionIndexes: string[];
  statusCode?: string;
}

export interface LogoutValidation {
  findings: RuleFinding[];
  ok: boolean;
  signatures: SignatureCheck[];
  /** Read from signed content when XML-signed, else from the document (a Redirect signature covers it whole). */
  message?: LogoutMessageInfo;
}

// ---------------------------------------------------------------- AuthnRequest (the mock IdP)

export interface KnownEndpoint {
  binding: string;
  location: string;
  index?: number;
  isDefault?: boolean;
}

export interface KnownServiceProvider {
  entityId: string;
  acsServices: KnownEndpoint[];
  /** PEM certificates the SP signs with. */
  signingCerts: string[];
}

export interface AuthnRequestValidationContext {
  /** The IdP SSO URL at which the request arrived. */
  ssoUrl: string;
  knownServiceProviders: KnownServiceProvider[];
  /** IdP metadata WantAuthnRequestsSigned. */
  wantAuthnRequestsSigned: boolean;
  binding: 'redirect' | 'post' | 'artifact';
  /** With 'redirect', the query-string signature result for this request (if any was sent). */
  redirectSignature?: DetachedSignatureResult;
  /** Response bindings the IdP can use. Default HTTP-POST and HTTP-Artifact. */
  supportedResponseBindings?: string[];
  /** Request IDs already seen (replay). */
  seenRequestIds?: ReadonlySet<string>;
  now?: Date;
  /** Default 180. */
  clockSkewSeconds?: number;
  /** Oldest acceptable IssueInstant, in seconds before now (plus skew). Default 300. */
  maxAgeSeconds?: number;
}

export interface AuthnRequestValidation {
  findings: RuleFinding[];
  ok: boolean;
  signatures: SignatureCheck[];
  /** Request fields (from signed content when XML-signed). */
  request?: {
    id?: string;
    issuer?: string;
    destination?: string;
    issueInstant?: string;
    acsUrl?: string;
    acsIndex?: number;
    protocolBinding?: string;
    forceAuthn?: boolean;
    isPassive?: boolean;
    nameIdPolicyFormat?: string;
    allowCreate?: boolean;
  };
  /** The SP named by Issuer, when known. */
  serviceProvider?: KnownServiceProvider;
  /** Where the Response should go: the requested ACS when registered, else the SP default. Absent when no safe endpoint exists. */
  acs?: KnownEndpoint;
}
