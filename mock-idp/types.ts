// Public shapes of the mock IdP (the contract in docs/mocks.md). Kept apart from the code so the plan, the
// personas and the server can share them without importing each other.
import type { EvidenceMessage } from '../shared/result-model.ts';
import type { StatusOptions } from '../saml/builders/index.ts';
import type {
  DigestAlgorithmName,
  EncryptionAlgorithmName,
  KeyTransportName,
  SignatureAlgorithmName,
} from '../saml/constants.ts';
import type { Credential } from '../saml/keys.ts';
import type { AuthnRequestInfo } from '../saml/readers.ts';
import type { LogoutValidation, RuleFinding } from '../saml/rules/index.ts';

export type PersonaName = 'generic' | 'azure-ad' | 'okta' | 'authentik' | 'onelogin' | 'google';

/** Product-specific names a persona needs (tenant, slug, app ID...). Every field has a placeholder default. */
export interface PersonaConfig {
  /** azure-ad: directory (tenant) ID. */
  tenantId?: string;
  /** authentik: application slug in the endpoint paths. */
  slug?: string;
  /** authentik: the provider's Issuer (authentik's default is `authentik`; Better Stack's guide uses `betterstack`). */
  issuer?: string;
  /** authentik: installation ID that salts the hashed user ID. */
  installId?: string;
  /** okta / onelogin: the app's ID in issuer and endpoint paths. */
  appId?: string;
  /** okta: the app's name segment in endpoint paths. */
  appName?: string;
  /** google: the `idpid` of the Workspace account. */
  idpId?: string;
}

export interface IdpUser {
  nameId: string;
  nameIdFormat?: string;
  /** Attribute name -> values. Personas read well-known keys: email, givenName, surname, name, upn, groups, distinguishedName, pk. */
  attributes?: Record<string, string[]>;
  username?: string;
  password?: string;
}

export interface IdpPlanSigning {
  response?: boolean;
  assertion?: boolean;
  algorithm?: SignatureAlgorithmName;
  digest?: DigestAlgorithmName;
  /** 'attacker' / 'expired': sign with that key and put ITS certificate in KeyInfo (the untrusted-key cases). */
  credential?: 'idp' | 'attacker' | 'expired';
}

export interface IdpPlanResponse {
  /** null removes the AudienceRestriction. Default: the SP's entity ID. */
  audience?: string | null;
  /** Response Destination; null removes it. Default: the ACS URL. */
  destination?: string | null;
  /** SubjectConfirmationData Recipient; null removes it. Default: the ACS URL. */
  recipient?: string | null;
  /** Response and SubjectConfirmationData InResponseTo; null removes. Default: the AuthnRequest ID. */
  inResponseTo?: string | null;
  /** Response and Assertion Issuer; null removes. Default: the IdP entity ID. */
  issuer?: string | null;
  /** Conditions NotBefore = now + this (negative = in the past). Default per persona (generic: 0). */
  notBeforeOffsetSeconds?: number;
  /** NotOnOrAfter (Conditions and SubjectConfirmationData) = now + this. Default per persona (generic: 300). */
  lifetimeSeconds?: number;
  /** SubjectConfirmationData NotOnOrAfter = now + this, apart from Conditions (a bearer window shorter than the assertion's). Default: lifetimeSeconds. */
  confirmationLifetimeSeconds?: number;
  /** Shifts every time in the message (IssueInstant included) by this many seconds. */
  clockOffsetSeconds?: number;
  status?: StatusOptions;
  /** With a non-Success status, still include the assertion (attack: status not Success but an assertion present). */
  includeAssertion?: boolean;
  /** AuthnStatement SessionIndex; null removes it. Default per persona. */
  sessionIndex?: string | null;
}

export interface IdpPlan {
  /** Default: the server's default user (target mode: the user who logged in). */
  user?: IdpUser;
  /** Default: the server's persona. */
  persona?: PersonaName;
  /**
   * Send the user's NameID and Format as planned, whatever the AuthnRequest's NameIDPolicy asks
   * (a target whose config pins the identity it needs). Default: honour the NameIDPolicy.
   */
  keepNameIdFormat?: boolean;
  /** Default: per persona (generic: response and assertion signed), rsa-sha256, the IdP's own key. */
  sign?: IdpPlanSigning;
  /** Encrypt the assertion with the SP's encryption certificate from its metadata. Default false. */
  encrypt?: false | { dataAlgorithm?: EncryptionAlgorithmName; keyTransport?: KeyTransportName };
  /** Where the Response goes, overriding the ACS choice. */
  acsUrl?: string;
  response?: IdpPlanResponse;
  /** Applied last, after signing and encryption: the one mutation of a negative case. */
  mutate?: (responseXml: string) => string;
  /** Applied to the built Response before anything is signed. */
  mutateBeforeSign?: (responseXml: string) => string;
  /** Default: the request's RelayState; for IdP-initiated, the scenario key. */
  relayState?: string;
  /** LogoutResponses and IdP-initiated LogoutRequests. Default: signed, Success. */
  logout?: { sign?: boolean; status?: StatusOptions; mutate?: (xml: string) => string };
}

export interface MockIdpWeaknesses {
  acceptUnsignedRequests?: boolean;
  acceptAnyAcsUrl?: boolean;
  ignoreDestination?: boolean;
  /** Any Issuer is taken for the one configured SP (its keys and ACS still apply): single-SP setups that never compare the entity ID. */
  acceptUnknownIssuer?: boolean;
  /** No cache of AuthnRequest IDs: the same request is answered again. */
  allowRequestReplay?: boolean;
  /** The AuthnRequest IssueInstant is not checked for age: a request from hours ago is answered. */
  ignoreRequestIssueInstant?: boolean;
  /** IsPassive is ignored: the login page is shown anyway. */
  ignoreIsPassive?: boolean;
  /** NameIDPolicy Format is ignored: the user's default format is issued whatever was asked. */
  ignoreNameIdPolicy?: boolean;
  /** A NameIDPolicy Format the IdP does not support is echoed: the user's identifier is issued under the requested Format, advertised or not. */
  echoUnsupportedNameIdFormat?: boolean;
  /** ForceAuthn is ignored: a signed-in user is answered from the session, with the session's AuthnInstant. */
  ignoreForceAuthn?: boolean;
  /** RequestedAuthnContext is ignored: the IdP's usual authentication context is asserted whatever was asked. */
  ignoreRequestedAuthnContext?: boolean;
  /** The Response goes back with the ProtocolBinding the request names, HTTP-Redirect included, to any ACS URL registered for some binding. */
  answerWithRequestedBinding?: boolean;
  /** Attribute values are pasted into the assertion template without XML escaping (string-built template), then signed. */
  unescapedAttributeValues?: boolean;
  /** RelayState is written into the auto-POST form without HTML escaping (string-built template). */
  reflectRelayStateUnescaped?: boolean;
  /** RelayState is cut to 80 bytes instead of being returned as received (or refused). */
  truncateRelayState?: boolean;
  /** A LogoutRequest with no signature at all is acted on (a signature that is present is still verified): logout signing treated as optional. */
  acceptUnsignedLogoutRequest?: boolean;
}

/**
 * Every switch of MockIdpWeaknesses, once: typed as a Record over the interface's keys, so a new
 * switch without an entry here (or an entry without a switch) does not compile. The CLI's
 * `--weakness` names come from this list.
 */
const IDP_WEAKNESS_SWITCHES: Record<keyof MockIdpWeaknesses, true> = {
  acceptUnsignedRequests: true,
  acceptAnyAcsUrl: true,
  ignoreDestination: true,
  acceptUnknownIssuer: true,
  allowRequestReplay: true,
  ignoreRequestIssueInstant: true,
  ignoreIsPassive: true,
  ignoreNameIdPolicy: true,
  ignoreForceAuthn: true,
  ignoreRequestedAuthnContext: true,
  answerWithRequestedBinding: true,
  unescapedAttributeValues: true,
  reflectRelayStateUnescaped: true,
  truncateRelayState: true,
  acceptUnsignedLogoutRequest: true,
  echoUnsupportedNameIdFormat: true,
};

export type MockIdpWeaknessName = keyof MockIdpWeaknesses;
export const MOCK_IDP_WEAKNESS_NAMES = Object.keys(IDP_WEAKNESS_SWITCHES) as MockIdpWeaknessName[];

export interface MockIdpOptions {
  /** Listen address. Default 127.0.0.1 (anything else is refused: mocks stay on loopback). */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default http://idp.samlconf.test:<port>. */
  publicBaseUrl?: (port: number) => string;
  /** Default: the persona's entity ID (generic: `${baseUrl}/metadata`). */
  entityId?: string;
  signing: Credential;
  /** Generated on first use when absent. */
  attacker?: Credential;
  /** Generated on first use when absent. */
  expired?: Credential;
  /** Published as the IdP's encryption key when given. */
  encryption?: Credential;
  sp?: { metadataXml?: string; metadataUrl?: string };
  defaultUser?: IdpUser;
  mode?: 'mock' | 'target';
  users?: IdpUser[];
  weaknesses?: MockIdpWeaknesses;
  /**
   * Metadata WantAuthnRequestsSigned, and what the IdP does: when true, an AuthnRequest without a
   * valid signature gets no answer (403), in mock mode as in target mode, so the metadata never says
   * more than the IdP enforces. 'as-sp-metadata': whatever the SP's metadata says of itself
   * (AuthnRequestsSigned), once known (its metadata URL then says so too). Default false.
   */
  wantAuthnRequestsSigned?: boolean | 'as-sp-metadata';
  /**
   * Whether assertions are encrypted for the SP when a plan does not say (a plan's `encrypt`,
   * false included, wins): true always; 'as-sp-metadata' when the SP's metadata has a KeyDescriptor
   * use="encryption" (a key published for nothing but encryption is the SP asking for it; a key
   * without `use` is its all-purpose key and asks for nothing). Default false.
   */
  encryptAssertions?: boolean | 'as-sp-metadata';
  /** Server-wide persona: its URL layout, entity ID and NameID formats; the default persona of plans. */
  persona?: PersonaName;
  personaConfig?: PersonaConfig;
  /**
   * Target mode, for the harness's own tests: an IdP that is broken rather than weak, against
   * which no scenario may pass. `doctype-answers`: every Response it sends starts with a DOCTYPE
   * (which SAML parsers must refuse); `silent-after-login`: it takes the password, then never
   * answers the SP.
   */
  breakdown?: 'doctype-answers' | 'silent-after-login';
}

export interface LastAuthnRequest {
  xml: string;
  info: AuthnRequestInfo;
  binding: 'redirect' | 'post';
  /** undefined when the request carried no signature at all. */
  signatureValid?: boolean;
  relayState?: string;
  /** saml/rules validateAuthnRequest findings. */
  findings: RuleFinding[];
}

export interface LastResponse {
  xml: string;
  acsUrl: string;
  /** The NameID as the mock built it, before any mutation of the plan's: the identity it vouched for. */
  nameId: string;
  nameIdFormat?: string;
  relayState?: string;
  sessionIndex?: string;
}

export interface LogoutRequestUrlOptions {
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
  /** Sign the Redirect query (or the XML for POST). Default true. */
  sign?: boolean;
  relayState?: string;
  reason?: string;
  /** Default: Redirect when the SP's metadata lists it, else POST. */
  binding?: 'redirect' | 'post';
  /**
   * When the SP lists no SingleLogoutService for `binding`, send it with that binding anyway, to
   * the Location listed for the other one: an attacker is not bound by metadata, and an SP must
   * not act on a message it never said it takes.
   */
  evenIfUnlisted?: boolean;
}

/** A logout message that reached the IdP's SLO endpoint, as judged by saml/rules. */
export interface ReceivedLogout {
  kind: 'LogoutRequest' | 'LogoutResponse';
  binding: 'redirect' | 'post';
  xml: string;
  relayState?: string;
  /** LogoutRequest: judged against the session it names; LogoutResponse: against the LogoutRequest this scenario sent. */
  validation: LogoutValidation;
  /** Target mode, LogoutRequest: whether it was acted on, and how many IdP sessions it ended. */
  accepted?: boolean;
  sessionsEnded?: number;
  receivedAt: string;
}

export interface IdpScenario {
  key: string;
  setPlan(plan: IdpPlan): void;
  /** The plan in force (the last one set; empty before any). */
  plan(): IdpPlan;
  evidence(): EvidenceMessage[];
  /** IdP-initiated SSO: URL to navigate to that makes the IdP post an unsolicited Response. */
  idpInitiatedUrl(opts?: { relayState?: string }): string;
  lastAuthnRequest(): LastAuthnRequest | undefined;
  lastResponse(): LastResponse | undefined;
  /** URL that makes the IdP send a LogoutRequest to the SP's SLO endpoint (front channel). */
  logoutRequestUrl(opts: LogoutRequestUrlOptions): string;
  /** Logout messages the IdP received for this scenario, oldest first. */
  receivedLogouts(): ReceivedLogout[];
  /**
   * Replay attacks: URL that makes the IdP post the scenario's last Response again, unchanged (same
   * bytes, RelayState and ACS), as a captured message would be re-sent. Bound to the Response sent
   * last when called; throws when none was sent yet. lastResponse() is renewed on delivery.
   */
  resendUrl(): string;
}

export interface MockIdp {
  baseUrl: string;
  entityId: string;
  metadataUrl: string;
  /** SSO endpoint for the Redirect binding. */
  ssoUrl: string;
  /** SSO endpoint for the POST binding (same as ssoUrl unless the persona splits them). */
  ssoPostUrl: string;
  sloUrl: string;
  port: number;
  metadataXml(): string;
  scenario(key: string): IdpScenario;
  /** Drop a finished scenario's state and evidence. */
  forget(key: string): void;
  setSpMetadata(xml: string): void;
  close(): Promise<void>;
}
