// The mock IdP's state and the helpers every endpoint shares. One IdpCore per server; the route
// modules (sso, login, response, slo, control) are plain functions that take it as their first
// argument, so a new endpoint is a new module reading this state, not another inner function of
// one closure.
import type { FastifyRequest } from 'fastify';
import { BINDING } from '../saml/constants.ts';
import { createCredential, expiredCredential, type Credential } from '../saml/keys.ts';
import { buildIdpMetadata } from '../saml/metadata.ts';
import type { NameIdInfo } from '../saml/readers.ts';
import type { KnownServiceProvider, RuleFinding } from '../saml/rules/index.ts';
import { verifySignatures, type SignatureCheck } from '../saml/signature.ts';
import { fetchLocalText } from './fetch-local.ts';
import { DEFAULT_USER, type CredentialName } from './plan.ts';
import { persona as personaByName, type Persona, type RouteLayout } from './personas.ts';
import { xmlSignatureEvidence, type SignatureEvidence } from '../mock-kit/recorder.ts';
import { BoundedMap, ScenarioRegistry, SpRegistry, type KnownSp, type ScenarioState } from './state.ts';
import type { IdpUser, LastResponse, LogoutRequestUrlOptions, MockIdpOptions, MockIdpWeaknesses, PersonaConfig } from './types.ts';

export const LOGIN_PATH = '/login';
export const LOGOUT_START_PATH = '/_samlconf/logout';
export const RESEND_PATH = '/_samlconf/resend';
/** Target mode: the IdP's own sign-in session, so Single Logout has something to end. */
export const IDP_SESSION_COOKIE = 'samlconf_idp_session';
export const PENDING_TTL_MS = 10 * 60 * 1000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export type Binding = 'redirect' | 'post';

/** Where and how a Response is to be sent, gathered from the request (or the IdP-initiated start). */
export interface ResponseTarget {
  scenario: ScenarioState;
  acsUrl: string;
  inResponseTo?: string;
  relayState?: string;
  requestedNameIdFormat?: string;
  spEntityId?: string;
  sp?: KnownSp;
  user?: IdpUser;
  sessionKey?: string;
  /** An IdP session's sign-in time, stated as AuthnInstant. */
  authnInstant?: Date;
  /** answerWithRequestedBinding weakness: the Response goes back by HTTP-Redirect. */
  redirectResponse?: boolean;
  /** echoUnsupportedNameIdFormat weakness: the user's NameID is issued under this (unsupported) Format. */
  echoNameIdFormat?: string;
  /** IdP-initiated: relayState is already final (URL parameter, else plan, else scenario key). */
  relayStateFinal?: boolean;
}

export interface PendingLogin extends Omit<ResponseTarget, 'scenario' | 'user'> {
  scenarioKey: string;
  createdAt: number;
  isPassive?: boolean;
}

/** A target-mode sign-in: who, and the SessionIndex values issued under it. */
export interface IdpSession {
  user: IdpUser;
  sessionIndexes: string[];
  /** Every NameID issued under this session, as written in the assertion, with its SessionIndex. */
  issued: Array<{ nameId: NameIdInfo; sessionIndex?: string }>;
  /** When the user signed in: what every assertion issued under this session states as AuthnInstant. */
  authnInstant: Date;
}

/** A refusal with its HTTP status: handlers throw it, the route turns it into an error page. */
export class HttpRefusal extends Error {
  readonly status: number;
  readonly detail?: string;
  constructor(status: number, message: string, detail?: string) {
    super(message);
    this.status = status;
    this.detail = detail;
  }
}

export function firstString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return undefined;
}

export function pathOf(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  return q < 0 ? rawUrl : rawUrl.slice(0, q);
}

export function failedMusts(findings: readonly RuleFinding[]): RuleFinding[] {
  return findings.filter((f) => !f.ok && f.severity === 'must');
}

export function summarize(findings: readonly RuleFinding[]): string {
  return findings.map((f) => `${f.rule}: expected ${f.expected}; observed ${f.observed}`).join('\n');
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class IdpCore {
  readonly o: MockIdpOptions;
  readonly host: string;
  readonly mode: 'mock' | 'target';
  readonly weak: MockIdpWeaknesses;
  /** Weaknesses only ever apply in target mode: the mock-mode IdP is the harness's own peer. */
  readonly targetWeak: MockIdpWeaknesses;
  readonly personaConfig: PersonaConfig;
  readonly persona: Persona;
  readonly routes: RouteLayout;
  readonly defaultUser: IdpUser;
  private readonly followSp: boolean;
  /** Read per request: 'as-sp-metadata' changes it whenever the SP's metadata is learnt. */
  wantSigned: boolean;

  readonly scenarios = new ScenarioRegistry();
  readonly sps = new SpRegistry();
  readonly pending = new BoundedMap<string, PendingLogin>(1000);
  readonly logoutStarts = new BoundedMap<string, { key: string; opts: LogoutRequestUrlOptions }>(1000);
  /** Replay: a token stands for one Response already sent, to be posted again unchanged. */
  readonly resends = new BoundedMap<string, { key: string; response: LastResponse }>(1000);
  readonly seenRequestIds = new BoundedMap<string, true>(10_000);
  readonly seenIds: ReadonlySet<string> = { has: (id: string) => this.seenRequestIds.has(id) } as ReadonlySet<string>;
  readonly idpSessions = new BoundedMap<string, IdpSession>(1000);

  /** Filled in once the port is known (setBaseUrl); handlers only run after that. */
  baseUrl = '';
  entityId = '';

  private metadataCache: string | undefined;
  private attacker: Credential | undefined;
  private expired: Credential | undefined;

  constructor(o: MockIdpOptions) {
    this.o = o;
    this.host = o.host ?? '127.0.0.1';
    if (!LOOPBACK_HOSTS.has(this.host)) throw new Error(`mock IdP listens on loopback only, not ${this.host}`);
    this.mode = o.mode ?? 'mock';
    this.weak = o.weaknesses ?? {};
    this.targetWeak = this.mode === 'target' ? this.weak : {};
    this.personaConfig = o.personaConfig ?? {};
    this.persona = personaByName(o.persona ?? 'generic');
    this.routes = this.persona.routes(this.personaConfig);
    this.followSp = o.wantAuthnRequestsSigned === 'as-sp-metadata';
    this.wantSigned = o.wantAuthnRequestsSigned === true;
    this.defaultUser = o.defaultUser ?? DEFAULT_USER;
    this.attacker = o.attacker;
    this.expired = o.expired;
  }

  /** The SP metadata given in the options (fetched when it is a URL). */
  async loadConfiguredSp(): Promise<void> {
    if (this.o.sp?.metadataXml) this.learnSp(this.o.sp.metadataXml);
    else if (this.o.sp?.metadataUrl) this.learnSp(await fetchLocalText(this.o.sp.metadataUrl));
  }

  /** 'as-sp-metadata': the IdP wants signed requests exactly when the SP says it signs them. */
  learnSp(xml: string): void {
    this.sps.set(xml);
    if (this.followSp) {
      this.wantSigned = this.sps.first()?.sp.authnRequestsSigned === true;
      this.metadataCache = undefined;
    }
  }

  setBaseUrl(port: number): void {
    this.baseUrl = (this.o.publicBaseUrl ?? ((p: number) => `http://idp.samlconf.test:${p}`))(port).replace(/\/+$/, '');
    this.entityId = this.o.entityId ?? this.persona.entityId(this.baseUrl, this.personaConfig);
  }

  url(path: string): string {
    return this.baseUrl + path;
  }

  idpSessionOf(request: FastifyRequest): IdpSession | undefined {
    const id = cookieValue(request.headers.cookie, IDP_SESSION_COOKIE);
    return id === undefined ? undefined : this.idpSessions.get(id);
  }

  /** The SPs the request rules know; with acceptUnknownIssuer, an unknown Issuer is treated as the one configured SP. */
  knownSpsFor(issuer: string | undefined): KnownServiceProvider[] {
    const known = this.sps.forRules();
    if (!this.targetWeak.acceptUnknownIssuer || issuer === undefined || this.sps.exact(issuer) || known.length === 0) return known;
    return [...known, { ...known[0], entityId: issuer }];
  }

  /** An arrow, because buildPlannedResponse takes it as a function. */
  readonly credential = (name: CredentialName): Credential => {
    if (name === 'attacker') return (this.attacker ??= createCredential({ type: 'rsa' }, { commonName: 'samlconf attacker' }));
    if (name === 'expired') return (this.expired ??= expiredCredential());
    return this.o.signing;
  };

  metadataXml(): string {
    return (this.metadataCache ??= buildIdpMetadata({
      entityId: this.entityId,
      signingCertPem: this.o.signing.certPem,
      ...(this.o.encryption ? { encryptionCertPem: this.o.encryption.certPem } : {}),
      ssoServices: [
        { binding: BINDING.redirect, location: this.url(this.routes.ssoRedirect) },
        { binding: BINDING.post, location: this.url(this.routes.ssoPost) },
      ],
      sloServices: [
        { binding: BINDING.redirect, location: this.url(this.routes.sloRedirect) },
        { binding: BINDING.post, location: this.url(this.routes.sloPost) },
      ],
      nameIdFormats: this.persona.nameIdFormats,
      wantAuthnRequestsSigned: this.wantSigned,
    }));
  }

  /** Signature evidence for what we send: checked against the certificate our metadata publishes. */
  ownSignatureEvidence(xml: string): { signatures: SignatureEvidence[]; note?: string } {
    try {
      return { signatures: xmlSignatureEvidence(verifySignatures(xml, [this.o.signing.certPem])) };
    } catch (err) {
      return { signatures: [], note: `signatures not checkable: ${(err as Error).message}` };
    }
  }

  xmlChecks(xml: string, certs: string[]): SignatureCheck[] {
    try {
      return verifySignatures(xml, certs);
    } catch {
      return [];
    }
  }
}
