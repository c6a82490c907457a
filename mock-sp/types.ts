// Public shapes of the mock SP: what a scenario plans, how the server is configured, and what it
// reports back (ACS and logout outcomes). Kept apart from the code so that the harness can import
// types without pulling in fastify.
import type { EvidenceMessage } from '../shared/result-model.ts';
import type { AuthnRequestOptions, LogoutRequestOptions } from '../saml/builders/index.ts';
import type { SignatureAlgorithmName } from '../saml/constants.ts';
import type { Credential } from '../saml/keys.ts';
import type { LogoutValidation, ResponseIdentity, ResponseValidation } from '../saml/rules/index.ts';

export type SpBinding = 'redirect' | 'post';

/** How an outgoing message is signed: true = the SP's key with its default algorithm. */
export type SpSignPlan = boolean | { algorithm?: SignatureAlgorithmName; credential?: 'sp' | 'attacker' };

export interface SpPlan {
  /** How the AuthnRequest travels to the IdP. Default 'redirect'. */
  binding?: SpBinding;
  /** Default: signed when the IdP metadata says WantAuthnRequestsSigned (or the SP is configured to sign). */
  sign?: SpSignPlan;
  /** Builder overrides; `null` removes a field. Defaults: Destination = IdP SSO URL for the binding, Issuer = SP entity ID, ACS URL = the mock's /acs (or expectAcsPath), ProtocolBinding HTTP-POST, NameIDPolicy unspecified AllowCreate=true. */
  request?: Partial<AuthnRequestOptions>;
  /** Applied to the AuthnRequest XML after signing (POST) or before encoding (Redirect). */
  mutate?: (authnRequestXml: string) => string;
  /** Redirect only: text put in SigAlg instead of the real algorithm URI (garbage-SigAlg attacks). */
  sigAlgOverride?: string;
  /** Redirect only: last-moment edit of the full URL (drop Signature, reorder parameters...). */
  mutateRedirectUrl?: (url: string) => string;
  /** Default: the scenario key. */
  relayState?: string;
  /** An ACS path of the mock (e.g. '/acs-rogue'): the request's AssertionConsumerServiceURL defaults to it. */
  expectAcsPath?: string;
  /** Accept an unsolicited (IdP-initiated) Response for this scenario. Default false. */
  allowUnsolicited?: boolean;
}

/** SpPlan without functions: what the control API takes as JSON. */
export type SpPlanJson = Omit<SpPlan, 'mutate' | 'mutateRedirectUrl'>;

/**
 * Deliberate flaws for target mode, so the harness can show each negative scenario fails on a
 * target with exactly that flaw. Each drops the rule findings named in weaknesses.ts.
 */
export interface SpWeaknesses {
  /** No signature at all is fine; identity then comes from the document's first assertion. */
  acceptUnsigned?: boolean;
  skipAudience?: boolean;
  /** Trust a certificate found in the message's own KeyInfo (CVE-2024-32962). */
  trustKeyInfoCert?: boolean;
  ignoreInResponseTo?: boolean;
  ignoreTimes?: boolean;
  ignoreDestination?: boolean;
  ignoreRecipient?: boolean;
  /** Accept Responses that answer no request (IdP-initiated). */
  acceptUnsolicited?: boolean;
  /** Some signature verifies, so the first assertion in the document is believed (XSW family). */
  readIdentityFromUnsignedAssertion?: boolean;
  /** Extra: no assertion-ID replay cache. */
  allowReplay?: boolean;
  /** Extra: Issuer of Response and Assertion not compared with the IdP entity ID. */
  ignoreIssuer?: boolean;
  /** Extra: NameID read only up to the first comment (Duo 2018 comment injection). */
  truncateNameIdAtComment?: boolean;
  /** Extra, logout: a LogoutRequest with no signature at all is acted on; a signature that is present is still verified (signing treated as optional). */
  acceptUnsignedLogoutRequest?: boolean;
  /** Extra, logout: a valid LogoutRequest ends the session of the browser that carried it, whoever its NameID names. */
  ignoreLogoutNameId?: boolean;
  /** Extra, logout: the IdP's LogoutResponse is answered with HTTP 400 whatever it says (node-saml's SP under validateInResponseTo 'always'). */
  rejectLogoutResponse?: boolean;
  /**
   * Extra: a ds:Signature directly in the Response counts as the Response's signature wherever its
   * Reference points (looked up by ID anywhere, the last element with it winning), and the identity
   * is read from the Response's own saml:Assertion child (XSW1, XSW2; samlify before 2.10, CVE-2025-47949).
   */
  responseSignatureReferenceAnywhere?: boolean;
  /**
   * Extra: repeated IDs are not refused; the signature check resolves its Reference to the LAST
   * element with that ID while the SP reads the FIRST one (two lookups that disagree: XSW7, XSW8).
   */
  splitDuplicateIdLookup?: boolean;
  /** Extra: the top-level StatusCode is never read; an assertion in an error Response is used as if the login succeeded. */
  ignoreStatus?: boolean;
  /** Extra: verification runs only when a SignatureValue has text; a Signature with an empty value is skipped, leaving the document unsigned. */
  skipEmptySignatureValue?: boolean;
  /** Extra: a signature counts for the element that holds it wherever its Reference URI points (the holder-ID check node-saml makes is missing). */
  ignoreReferenceTarget?: boolean;
  /** Extra: with several assertions, the first is validated but the identity comes from the last signed one in document order (a parser that overwrites its result at each assertion). */
  lastAssertionWins?: boolean;
  /**
   * Extra: SHA-1 signatures (rsa-sha1, sha1 digests) are relied on, as most libraries still do by
   * default. Without it the target-mode SP refuses them (as SimpleSAMLphp 2 and Shibboleth do).
   */
  acceptSha1?: boolean;
  /** Extra: the NameID is trimmed and lower-cased before it names the account (an e-mail lookup that is case-insensitive and strips blanks, as Devise's defaults do). */
  normalizeNameId?: boolean;
  /** Extra: after login the browser is sent wherever the returned RelayState says, unchecked, by a script on the landing page (window.location.href = RelayState). */
  followRelayState?: boolean;
}

export interface MockSpOptions {
  /** Listen address. Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default http://sp.samlconf.test:<port>. */
  publicBaseUrl?: (port: number) => string;
  /** Default `${baseUrl}/metadata`. */
  entityId?: string;
  signing: Credential;
  /** Published as the encryption key and used to decrypt EncryptedAssertion / EncryptedID. */
  encryption?: Credential;
  /** The untrusted key for `sign: { credential: 'attacker' }`. Generated on first use when absent. */
  attacker?: Credential;
  /** The IdP we talk to. A metadataUrl is fetched once at start, over loopback only. */
  idp?: { metadataXml?: string; metadataUrl?: string };
  /** 'target' = a small SP application (/login, /whoami, session cookie) with optional weaknesses. */
  mode?: 'mock' | 'target';
  weaknesses?: SpWeaknesses;
  /** Default 180. */
  clockSkewSeconds?: number;
  /** Metadata WantAssertionsSigned, and enforced at the ACS. Default true. */
  wantAssertionsSigned?: boolean;
  /**
   * Whether AuthnRequests are signed unless a plan says otherwise, stated as the metadata's
   * AuthnRequestsSigned. Default: as the IdP's metadata WantAuthnRequestsSigned asks (the
   * metadata follows once the IdP metadata is known).
   */
  authnRequestsSigned?: boolean;
  /** NameIDFormat elements in the metadata. Default: emailAddress, persistent, transient, unspecified. */
  nameIdFormats?: string[];
  /**
   * Target mode: the NameIDPolicy Format its AuthnRequests ask for, as SPs configured for
   * transient or persistent identifiers do (mod_auth_mellon asks for transient). Default unspecified.
   */
  requestNameIdFormat?: string;
}

export interface MockSp {
  baseUrl: string;
  entityId: string;
  metadataUrl: string;
  acsUrl: string;
  sloUrl: string;
  /** Where the server really listens (http://127.0.0.1:<port>), for server-side clients. */
  listenUrl: string;
  port: number;
  metadataXml(): string;
  /** Create or get the per-scenario handle. */
  scenario(key: string): SpScenario;
  /** Drop a scenario's state (plan, evidence, outcomes). */
  forget(key: string): void;
  setIdpMetadata(xml: string): void;
  close(): Promise<void>;
}

export interface LogoutUrlOptions {
  /**
   * The principal exactly as the signed assertion named it: value, Format and qualifiers, each
   * written only when given (Profiles 4.4.4.1; IdPs such as pysaml2 and Lasso compare all of them).
   */
  nameId: string;
  nameIdFormat?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  spProvidedId?: string;
  sessionIndex?: string | string[];
  /** Default 'redirect'. */
  binding?: SpBinding;
  /** Default true (Single Logout requires front-channel messages to be signed). */
  sign?: SpSignPlan;
  /** Default: the scenario key. */
  relayState?: string;
  /** Builder overrides for the LogoutRequest; `null` removes a field. */
  request?: Partial<LogoutRequestOptions>;
  mutate?: (logoutRequestXml: string) => string;
}

export interface SpScenario {
  key: string;
  setPlan(plan: SpPlan): void;
  evidence(): EvidenceMessage[];
  /** URL to navigate to: the mock SP builds the AuthnRequest per plan and sends the browser to the IdP. */
  loginUrl(): string;
  /** The first Response for this scenario (at any ACS path, rogue ones included) since its latest AuthnRequest; undefined after timeoutMs. */
  waitForResponse(timeoutMs: number): Promise<AcsOutcome | undefined>;
  responses(): AcsOutcome[];
  lastRequestId(): string | undefined;
  /** URL to navigate to for SP-initiated Single Logout: the mock SP sends a LogoutRequest to the IdP. */
  logoutUrl(options: LogoutUrlOptions): string;
  /** Logout messages that reached /slo for this scenario (LogoutResponses and IdP LogoutRequests). */
  logouts(): LogoutOutcome[];
  /** The first LogoutResponse since the scenario's latest LogoutRequest; undefined after timeoutMs. */
  waitForLogoutResponse(timeoutMs: number): Promise<LogoutOutcome | undefined>;
}

export interface AcsOutcome {
  /** Path of the ACS it arrived at: '/acs' or a rogue '/acs-...'. */
  path: string;
  /** Public URL of that ACS (what Destination and Recipient are compared with). */
  url: string;
  /** How it arrived; 'artifact' = resolved over SOAP from a SAMLart. */
  binding: 'post' | 'redirect' | 'artifact';
  scenario: string;
  xml?: string;
  relayState?: string;
  /** The strict rule results (saml/rules validateResponse), whatever the weaknesses. */
  validation: ResponseValidation;
  /** The SP's decision: in mock mode validation.ok; in target mode after the weaknesses. */
  accepted: boolean;
  /** The identity the SP took (in target mode possibly read from unsigned content). */
  identity?: ResponseIdentity;
  /** Must-rules that failed and counted. */
  failedRules: string[];
  /** Must-rules that failed but a weakness waived. */
  ignoredRules: string[];
  expectedRequestId?: string;
  receivedAt: string;
}

export interface LogoutOutcome {
  kind: 'LogoutRequest' | 'LogoutResponse';
  binding: SpBinding;
  scenario: string;
  xml?: string;
  relayState?: string;
  validation: LogoutValidation;
  /** Request: acted on (session ended); Response: valid and Success. */
  ok: boolean;
  failedRules: string[];
  /** Target mode: how many local sessions a LogoutRequest ended. */
  sessionsEnded?: number;
  receivedAt: string;
}
