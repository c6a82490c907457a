// The mock IdP server (MOCKS.md): fastify on loopback, one server for many concurrent scenarios.
//
// Every SAML endpoint goes through one of two handlers (Redirect or POST binding) that decode the
// message and dispatch on its root element, because products share paths between SSO and SLO
// (Azure's /<tenant>/saml2 takes both). Redirect messages are decoded from the RAW query string,
// never from fastify's parsed copy: the query signature covers the bytes as sent.
//
// 'mock' mode signs the plan's user in at once and auto-POSTs the Response. 'target' mode
// behaves like a real IdP for the detection matrix: it refuses requests that break a MUST rule
// (unsigned when signatures are wanted, an ACS URL not in metadata, a wrong Destination...)
// unless a weakness switch waives that rule, and it asks for a password before answering.
import { randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import {
  decodePostField,
  decodeRedirect,
  encodePostFields,
  encodeRedirect,
  rawQueryOf,
  renderAutoPostPage,
  verifyRedirectSignature,
  type RedirectMessage,
} from '../saml/bindings/index.ts';
import { buildLogoutRequest, buildLogoutResponse } from '../saml/builders/index.ts';
import { BINDING, NS, STATUS } from '../saml/constants.ts';
import { createCredential, expiredCredential, type Credential } from '../saml/keys.ts';
import { buildIdpMetadata } from '../saml/metadata.ts';
import { readAuthnRequest, readLogoutRequest, readLogoutResponse, type NameIdInfo } from '../saml/readers.ts';
import { validateAuthnRequest, validateLogoutRequest, validateLogoutResponse, type KnownServiceProvider, type LogoutSession, type RuleFinding } from '../saml/rules/index.ts';
import { signRoot, verifySignatures, type SignatureCheck } from '../saml/signature.ts';
import { attr, descendants, parseXml, type Element } from '../saml/xml.ts';
import { authnContextSatisfied } from './authn-context.ts';
import { fetchLocalText } from './fetch-local.ts';
import { errorPage, loginPage, messagePage, PAGE_CSP, type Page } from './pages.ts';
import { DEFAULT_USER, PlanError, buildPlannedResponse, planFromJson, type CredentialName } from './plan.ts';
import { newSessionKey, persona as personaByName, type RouteLayout } from './personas.ts';
import { redirectSignatureEvidence, xmlSignatureEvidence, type SignatureEvidence } from './recorder.ts';
import {
  BoundedMap,
  DEFAULT_SCENARIO,
  SCENARIO_HEADER,
  ScenarioRegistry,
  SpRegistry,
  acsByIndex,
  acsRegistered,
  defaultPostAcs,
  sloEndpoint,
  spEncryptionCert,
  spSigningCerts,
  type KnownSp,
  type ScenarioState,
} from './state.ts';
import type { IdpScenario, IdpUser, LastResponse, LogoutRequestUrlOptions, MockIdp, MockIdpOptions, MockIdpWeaknesses, ReceivedLogout } from './types.ts';

const BODY_LIMIT = 2 * 1024 * 1024;
const LOGIN_PATH = '/login';
const LOGOUT_START_PATH = '/_samlconf/logout';
const RESEND_PATH = '/_samlconf/resend';
/** Target mode: the IdP's own sign-in session, so Single Logout has something to end. */
const IDP_SESSION_COOKIE = 'samlconf_idp_session';
const PENDING_TTL_MS = 10 * 60 * 1000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

type Binding = 'redirect' | 'post';

/** One decoded incoming SAML message, whatever the binding. */
interface Incoming {
  binding: Binding;
  url: string;
  raw: string;
  xml: string;
  root: Element;
  relayState?: string;
  /** Redirect binding: the decoded query with its signed octets. */
  redirect?: RedirectMessage;
}

interface ResponseTarget {
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

interface PendingLogin extends Omit<ResponseTarget, 'scenario' | 'user'> {
  scenarioKey: string;
  createdAt: number;
  isPassive?: boolean;
}

class HttpRefusal extends Error {
  readonly status: number;
  readonly detail?: string;
  constructor(status: number, message: string, detail?: string) {
    super(message);
    this.status = status;
    this.detail = detail;
  }
}

function firstString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return undefined;
}

function pathOf(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  return q < 0 ? rawUrl : rawUrl.slice(0, q);
}

function failedMusts(findings: readonly RuleFinding[]): RuleFinding[] {
  return findings.filter((f) => !f.ok && f.severity === 'must');
}

function summarize(findings: readonly RuleFinding[]): string {
  return findings.map((f) => `${f.rule}: expected ${f.expected}; observed ${f.observed}`).join('\n');
}

/** A target-mode sign-in: who, and the SessionIndex values issued under it. */
interface IdpSession {
  user: IdpUser;
  sessionIndexes: string[];
  /** Every NameID issued under this session, as written in the assertion, with its SessionIndex. */
  issued: Array<{ nameId: NameIdInfo; sessionIndex?: string }>;
  /** When the user signed in: what every assertion issued under this session states as AuthnInstant. */
  authnInstant: Date;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The first NameID of a Response we sent, every attribute as written (what a LogoutRequest must repeat). */
function nameIdIn(xml: string): NameIdInfo | undefined {
  try {
    const el = descendants(parseXml(xml), NS.saml, 'NameID')[0];
    if (!el) return undefined;
    const info: NameIdInfo = { value: el.textContent ?? '' };
    for (const [key, name] of [['format', 'Format'], ['nameQualifier', 'NameQualifier'], ['spNameQualifier', 'SPNameQualifier'], ['spProvidedId', 'SPProvidedID']] as const) {
      const v = attr(el, name);
      if (v !== undefined) info[key] = v;
    }
    return info;
  } catch {
    return undefined;
  }
}

/** The NameID Format of the first NameID in a Response we sent (what an SP's LogoutRequest must repeat). */
function nameIdFormatIn(xml: string): string | undefined {
  try {
    return attr(descendants(parseXml(xml), NS.saml, 'NameID')[0], 'Format');
  } catch {
    return undefined;
  }
}

/** The RelayState size limit of the HTTP-Redirect and HTTP-POST bindings. */
const RELAY_STATE_MAX_BYTES = 80;

/** truncateRelayState weakness: the first `max` UTF-8 bytes. */
function cutToBytes(value: string, max: number): string {
  const bytes = Buffer.from(value, 'utf8');
  return bytes.length <= max ? value : bytes.subarray(0, max).toString('utf8');
}

/** reflectRelayStateUnescaped weakness: the auto-POST page with RelayState pasted into the HTML as it came. */
function renderWithRawRelayState(action: string, fields: Record<string, string>, relayState: string): ReturnType<typeof renderAutoPostPage> {
  const marker = `samlconf-raw-relaystate-${randomBytes(8).toString('hex')}`;
  const page = renderAutoPostPage({ action, fields: { ...fields, RelayState: marker }, title: 'Signing you in' });
  return { ...page, html: page.html.replace(marker, () => relayState) };
}

export async function startMockIdp(o: MockIdpOptions): Promise<MockIdp> {
  const host = o.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`mock IdP listens on loopback only, not ${host}`);
  const mode = o.mode ?? 'mock';
  const weak = o.weaknesses ?? {};
  const personaConfig = o.personaConfig ?? {};
  const serverPersona = personaByName(o.persona ?? 'generic');
  const routes: RouteLayout = serverPersona.routes(personaConfig);
  const followSp = o.wantAuthnRequestsSigned === 'as-sp-metadata';
  let wantSigned = o.wantAuthnRequestsSigned === true;
  const defaultUser = o.defaultUser ?? DEFAULT_USER;

  const scenarios = new ScenarioRegistry();
  const sps = new SpRegistry();
  let metadataCache: string | undefined;
  // 'as-sp-metadata': the IdP wants signed requests exactly when the SP says it signs them.
  const learnSp = (xml: string) => {
    sps.set(xml);
    if (followSp) {
      wantSigned = sps.first()?.sp.authnRequestsSigned === true;
      metadataCache = undefined;
    }
  };
  if (o.sp?.metadataXml) learnSp(o.sp.metadataXml);
  else if (o.sp?.metadataUrl) learnSp(await fetchLocalText(o.sp.metadataUrl));

  const pending = new BoundedMap<string, PendingLogin>(1000);
  const logoutStarts = new BoundedMap<string, { key: string; opts: LogoutRequestUrlOptions }>(1000);
  // Replay: a token stands for one Response already sent, to be posted again unchanged.
  const resends = new BoundedMap<string, { key: string; response: LastResponse }>(1000);
  const seenRequestIds = new BoundedMap<string, true>(10_000);
  const seenIds = { has: (id: string) => seenRequestIds.has(id) } as ReadonlySet<string>;
  const idpSessions = new BoundedMap<string, IdpSession>(1000);
  const idpSessionOf = (request: FastifyRequest): IdpSession | undefined => {
    const id = cookieValue(request.headers.cookie, IDP_SESSION_COOKIE);
    return id === undefined ? undefined : idpSessions.get(id);
  };
  // Weaknesses only ever apply in target mode: the mock-mode IdP is the harness's own peer.
  const targetWeak: MockIdpWeaknesses = mode === 'target' ? weak : {};

  /** The SPs the request rules know; with acceptUnknownIssuer, an unknown Issuer is treated as the one configured SP. */
  const knownSpsFor = (issuer: string | undefined): KnownServiceProvider[] => {
    const known = sps.forRules();
    if (!targetWeak.acceptUnknownIssuer || issuer === undefined || sps.exact(issuer) || known.length === 0) return known;
    return [...known, { ...known[0], entityId: issuer }];
  };

  let attacker = o.attacker;
  let expired = o.expired;
  const credential = (name: CredentialName): Credential => {
    if (name === 'attacker') return (attacker ??= createCredential({ type: 'rsa' }, { commonName: 'samlconf attacker' }));
    if (name === 'expired') return (expired ??= expiredCredential());
    return o.signing;
  };

  // Filled in once the port is known; handlers only run after that.
  let baseUrl = '';
  let entityId = '';
  const url = (path: string) => baseUrl + path;
  const metadataXml = (): string =>
    (metadataCache ??= buildIdpMetadata({
      entityId,
      signingCertPem: o.signing.certPem,
      ...(o.encryption ? { encryptionCertPem: o.encryption.certPem } : {}),
      ssoServices: [
        { binding: BINDING.redirect, location: url(routes.ssoRedirect) },
        { binding: BINDING.post, location: url(routes.ssoPost) },
      ],
      sloServices: [
        { binding: BINDING.redirect, location: url(routes.sloRedirect) },
        { binding: BINDING.post, location: url(routes.sloPost) },
      ],
      nameIdFormats: serverPersona.nameIdFormats,
      wantAuthnRequestsSigned: wantSigned,
    }));

  const app = Fastify({ bodyLimit: BODY_LIMIT, logger: false });
  await app.register(formbody);

  const sendPage = (reply: FastifyReply, page: Page) =>
    reply.code(page.status).header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8').send(page.html);

  const sendAutoPost = (reply: FastifyReply, action: string, fields: Record<string, string>, title: string) => {
    const page = renderAutoPostPage({ action, fields, title });
    return reply.code(200).header('content-security-policy', page.contentSecurityPolicy).type('text/html; charset=utf-8').send(page.html);
  };

  /** Signature evidence for what we send: checked against the certificate our metadata publishes. */
  const ownSignatureEvidence = (xml: string): { signatures: SignatureEvidence[]; note?: string } => {
    try {
      return { signatures: xmlSignatureEvidence(verifySignatures(xml, [o.signing.certPem])) };
    } catch (err) {
      return { signatures: [], note: `signatures not checkable: ${(err as Error).message}` };
    }
  };

  const xmlChecks = (xml: string, certs: string[]): SignatureCheck[] => {
    try {
      return verifySignatures(xml, certs);
    } catch {
      return [];
    }
  };

  // ------------------------------------------------------------------------------- decoding

  function decodeIncomingRedirect(request: FastifyRequest): Incoming {
    const rawUrl = request.raw.url ?? '';
    const rawQuery = rawQueryOf(rawUrl);
    const redirect = decodeRedirect(rawQuery);
    const root = parseXml(redirect.xml).documentElement!;
    const incoming: Incoming = { binding: 'redirect', url: url(pathOf(rawUrl)), raw: rawQuery, xml: redirect.xml, root, redirect };
    if (redirect.relayState !== undefined) incoming.relayState = redirect.relayState;
    return incoming;
  }

  function decodeIncomingPost(request: FastifyRequest): Incoming {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const samlRequest = body.SAMLRequest;
    const samlResponse = body.SAMLResponse;
    if (Array.isArray(samlRequest) || Array.isArray(samlResponse)) throw new HttpRefusal(400, 'the message field appears more than once');
    const field = firstString(samlRequest) ?? firstString(samlResponse);
    if (field === undefined) throw new HttpRefusal(400, 'no SAMLRequest or SAMLResponse form field');
    if (samlRequest !== undefined && samlResponse !== undefined) throw new HttpRefusal(400, 'both SAMLRequest and SAMLResponse present');
    const xml = decodePostField(field);
    const root = parseXml(xml).documentElement!;
    const incoming: Incoming = { binding: 'post', url: url(pathOf(request.raw.url ?? '')), raw: field, xml, root };
    const relay = body.RelayState;
    if (Array.isArray(relay)) throw new HttpRefusal(400, 'RelayState appears more than once');
    if (typeof relay === 'string') incoming.relayState = relay;
    return incoming;
  }

  /** Record what could not be decoded on the scenario the header or default names, then refuse. */
  function refuseUndecodable(request: FastifyRequest, reply: FastifyReply, binding: Binding, err: unknown) {
    const scenario = scenarios.attribute({ header: request.headers[SCENARIO_HEADER] });
    const rawUrl = request.raw.url ?? '';
    const body = (request.body ?? {}) as Record<string, unknown>;
    const raw = binding === 'redirect' ? rawQueryOf(rawUrl) : String(firstString(body.SAMLRequest) ?? firstString(body.SAMLResponse) ?? '');
    const message = (err as Error).message;
    scenario.recorder.record({ direction: 'received', kind: 'Other', binding, url: url(pathOf(rawUrl)), raw, note: `not decodable: ${message}` });
    const status = err instanceof HttpRefusal ? err.status : 400;
    return sendPage(reply, errorPage(status, 'The SAML message could not be decoded.', message));
  }

  async function handleBinding(request: FastifyRequest, reply: FastifyReply, binding: Binding) {
    let incoming: Incoming;
    try {
      incoming = binding === 'redirect' ? decodeIncomingRedirect(request) : decodeIncomingPost(request);
    } catch (err) {
      return refuseUndecodable(request, reply, binding, err);
    }
    const root = incoming.root;
    const kind = root.namespaceURI === NS.samlp ? root.localName : undefined;
    try {
      if (kind === 'AuthnRequest') return await handleAuthnRequest(request, reply, incoming);
      if (kind === 'LogoutRequest') return await handleLogoutRequest(request, reply, incoming);
      if (kind === 'LogoutResponse') return handleLogoutResponse(request, reply, incoming);
    } catch (err) {
      if (err instanceof HttpRefusal) return sendPage(reply, errorPage(err.status, err.message, err.detail));
      const what = err instanceof PlanError ? 'The plan cannot be carried out.' : 'The mock IdP failed to answer.';
      return sendPage(reply, errorPage(500, what, (err as Error).message));
    }
    const scenario = scenarios.attribute({ header: request.headers[SCENARIO_HEADER], relayState: incoming.relayState });
    scenario.recorder.record({
      direction: 'received',
      binding,
      url: incoming.url,
      raw: incoming.raw,
      xml: incoming.xml,
      ...(incoming.relayState !== undefined ? { relayState: incoming.relayState } : {}),
      note: `unexpected message ${root.localName} at this endpoint`,
    });
    return sendPage(reply, errorPage(400, `The IdP does not accept ${root.localName} here.`));
  }

  /** Signature evidence of an incoming message: the XML signatures and, on Redirect, the query signature. */
  /** Evidence of a message that reached us, with the rule findings it failed. */
  function recordIncoming(scenario: ScenarioState, incoming: Incoming, signatures: SignatureEvidence[], failed: readonly RuleFinding[]) {
    scenario.recorder.record({
      direction: 'received',
      binding: incoming.binding,
      url: incoming.url,
      raw: incoming.raw,
      xml: incoming.xml,
      ...(incoming.relayState !== undefined ? { relayState: incoming.relayState } : {}),
      signatures,
      ...(failed.length ? { note: `rule findings failed:\n${summarize(failed)}` } : {}),
    });
  }

  function incomingSignatures(incoming: Incoming, certs: string[], xml: SignatureCheck[]) {
    const evidence = xmlSignatureEvidence(xml);
    let redirectCheck: ReturnType<typeof verifyRedirectSignature> | undefined;
    const r = incoming.redirect;
    if (r && (r.signature !== undefined || r.sigAlg !== undefined)) {
      redirectCheck = verifyRedirectSignature(r, certs);
      evidence.push(redirectSignatureEvidence(redirectCheck, incoming.root.getAttribute('ID') ?? undefined));
    }
    const rootId = incoming.root.getAttribute('ID') ?? undefined;
    const xmlOverRoot = xml.filter((c) => c.parentId !== undefined && c.parentId === rootId);
    let signatureValid: boolean | undefined;
    if (redirectCheck) signatureValid = redirectCheck.valid;
    else if (xml.length > 0) signatureValid = xmlOverRoot.length > 0 && xml.every((c) => c.valid);
    return { evidence, redirectCheck, signatureValid };
  }

  // ------------------------------------------------------------------------------- SSO

  async function handleAuthnRequest(request: FastifyRequest, reply: FastifyReply, incoming: Incoming) {
    const scenario = scenarios.attribute({ header: request.headers[SCENARIO_HEADER], relayState: incoming.relayState });
    const info = readAuthnRequest(incoming.root);
    const sp = sps.for(info.issuer);
    const certs = spSigningCerts(sp);
    const sig = incomingSignatures(incoming, certs, xmlChecks(incoming.xml, certs));
    const validation = validateAuthnRequest(incoming.xml, {
      ssoUrl: incoming.url,
      knownServiceProviders: knownSpsFor(info.issuer),
      wantAuthnRequestsSigned: wantSigned,
      binding: incoming.binding,
      ...(sig.redirectCheck ? { redirectSignature: sig.redirectCheck } : {}),
      supportedResponseBindings: [BINDING.post],
      ...(targetWeak.allowRequestReplay ? {} : { seenRequestIds: seenIds }),
      ...(targetWeak.ignoreRequestIssueInstant ? { maxAgeSeconds: Number.POSITIVE_INFINITY } : {}),
    });
    if (info.id) seenRequestIds.set(info.id, true);
    const failed = failedMusts(validation.findings);
    recordIncoming(scenario, incoming, sig.evidence, failed);
    scenario.lastRequest = {
      xml: incoming.xml,
      info,
      binding: incoming.binding,
      ...(sig.signatureValid !== undefined ? { signatureValid: sig.signatureValid } : {}),
      ...(incoming.relayState !== undefined ? { relayState: incoming.relayState } : {}),
      findings: validation.findings,
    };

    // Mock mode answers whatever the plan says, except that a WantAuthnRequestsSigned its metadata
    // states is kept (Metadata 2.4.3): an unauthenticated request gets no assertion.
    const unauthenticated = failed.find((f) => f.rule === 'signature-required');
    if (mode !== 'target' && wantSigned && unauthenticated) {
      return sendPage(reply, errorPage(403, 'The authentication request was refused.', summarize([unauthenticated])));
    }

    if (mode === 'target') {
      const waived = new Set<string>();
      if (weak.acceptUnsignedRequests) waived.add('signature-valid').add('signature-required');
      if (weak.acceptAnyAcsUrl) waived.add('acs-registered');
      if (weak.ignoreDestination) waived.add('destination');
      const redirectAsked = info.protocolBinding === BINDING.redirect;
      if (weak.answerWithRequestedBinding && redirectAsked) {
        waived.add('protocol-binding');
        // The URL is checked, but not against the binding it is registered for.
        if (sp && info.acsUrl !== undefined && acsRegistered(sp.sp, info.acsUrl)) waived.add('acs-registered');
      }
      const blocking = failed.filter((f) => !waived.has(f.rule));
      if (blocking.length) {
        const status = blocking.some((f) => f.rule.startsWith('signature')) ? 403 : 400;
        throw new HttpRefusal(status, 'The authentication request was refused.', summarize(blocking));
      }
    }

    const acsUrl = chooseAcs(scenario, info.acsUrl, info.acsIndex, sp, validation.acs?.location);
    const spEntityId = sp?.entityId ?? info.issuer;
    const target: ResponseTarget = {
      scenario,
      acsUrl,
      ...(info.id !== undefined ? { inResponseTo: info.id } : {}),
      ...(incoming.relayState !== undefined ? { relayState: incoming.relayState } : {}),
      ...(info.nameIdPolicy?.format !== undefined && !targetWeak.ignoreNameIdPolicy && !scenario.plan.keepNameIdFormat ? { requestedNameIdFormat: info.nameIdPolicy.format } : {}),
      ...(targetWeak.echoUnsupportedNameIdFormat && info.nameIdPolicy?.format !== undefined && !personaByName(scenario.plan.persona ?? serverPersona.name).nameIdFormats.includes(info.nameIdPolicy.format)
        ? { echoNameIdFormat: info.nameIdPolicy.format }
        : {}),
      ...(spEntityId !== undefined ? { spEntityId } : {}),
      ...(sp ? { sp } : {}),
      ...(mode === 'target' && weak.answerWithRequestedBinding && info.protocolBinding === BINDING.redirect ? { redirectResponse: true } : {}),
    };
    if (mode === 'target') {
      if (!targetWeak.ignoreRequestedAuthnContext && !authnContextSatisfied(info.requestedAuthnContext, providedClassRef(scenario, target))) {
        // Core 3.3.2.2.1: an authentication context the IdP cannot provide is an error, never an assertion about another one.
        return answer(reply, target, { code: STATUS.responder, subCode: STATUS.noAuthnContext });
      }
      const session = idpSessionOf(request);
      if (session && (info.forceAuthn !== true || targetWeak.ignoreForceAuthn)) return answerInSession(reply, target, session);
      return askForLogin(reply, target, info.isPassive === true && !targetWeak.ignoreIsPassive);
    }
    return answer(reply, target);
  }

  /** The authentication context class the IdP asserts for this request (its persona's; the IdP only knows password sign-in). */
  function providedClassRef(scenario: ScenarioState, target: ResponseTarget): string {
    const shapeOf = personaByName(scenario.plan.persona ?? serverPersona.name);
    return shapeOf.shape({ user: defaultUser, sessionKey: newSessionKey(), idpEntityId: entityId, config: personaConfig, ...(target.spEntityId !== undefined ? { spEntityId: target.spEntityId } : {}) }).classRef;
  }

  /** Mock mode: the requested ACS if registered (or no metadata), then the index, then the default. Target mode already validated. */
  function chooseAcs(scenario: ScenarioState, requestedUrl: string | undefined, index: number | undefined, sp: KnownSp | undefined, validated: string | undefined): string {
    if (scenario.plan.acsUrl) return scenario.plan.acsUrl;
    if (mode === 'target') {
      if (weak.acceptAnyAcsUrl && requestedUrl !== undefined) return requestedUrl;
      if (validated) return validated;
    }
    if (requestedUrl !== undefined && (!sp || acsRegistered(sp.sp, requestedUrl))) return requestedUrl;
    if (sp && index !== undefined) {
      const byIndex = acsByIndex(sp.sp, index);
      if (byIndex) return byIndex.location;
    }
    const fallback = sp && defaultPostAcs(sp.sp);
    if (fallback) return fallback.location;
    throw new HttpRefusal(400, 'No AssertionConsumerService to answer to: the request names none and no SP metadata is known.');
  }

  function askForLogin(reply: FastifyReply, target: ResponseTarget, isPassive: boolean) {
    const { scenario, user: _user, ...rest } = target;
    if (isPassive) {
      // No session exists in target mode, so a passive request cannot be satisfied (Core 3.4.1.1).
      return answer(reply, target, { code: STATUS.responder, subCode: STATUS.noPassive });
    }
    const token = randomBytes(24).toString('base64url');
    pending.set(token, { ...rest, scenarioKey: scenario.key, createdAt: Date.now() });
    return sendPage(reply, loginPage({ action: LOGIN_PATH, token }));
  }

  /** Target mode: answer for the signed-in user without a login page, and remember the SessionIndex issued. */
  async function answerInSession(reply: FastifyReply, target: ResponseTarget, session: IdpSession) {
    const sent = await answer(reply, { ...target, user: session.user, sessionKey: target.sessionKey ?? newSessionKey(), authnInstant: session.authnInstant });
    const index = target.scenario.lastResponse?.sessionIndex;
    if (index !== undefined) session.sessionIndexes.push(index);
    const issued = target.scenario.lastResponse && nameIdIn(target.scenario.lastResponse.xml);
    if (issued) session.issued.push({ nameId: issued, ...(index !== undefined ? { sessionIndex: index } : {}) });
    return sent;
  }

  async function answer(reply: FastifyReply, target: ResponseTarget, forcedStatus?: { code: string; subCode?: string }) {
    const { scenario } = target;
    let plan = forcedStatus ? { ...scenario.plan, response: { ...scenario.plan.response, status: forcedStatus } } : scenario.plan;
    const who = target.user ?? plan.user ?? defaultUser;
    const encryptByDefault = o.encryptAssertions === true || (o.encryptAssertions === 'as-sp-metadata' && (target.sp?.sp.keys.some((k) => k.use === 'encryption') ?? false));
    if (plan.encrypt === undefined && encryptByDefault) plan = { ...plan, encrypt: {} };
    const user = target.echoNameIdFormat !== undefined ? { ...who, nameIdFormat: target.echoNameIdFormat } : who;
    const planned = await buildPlannedResponse({
      plan,
      persona: personaByName(plan.persona ?? serverPersona.name),
      personaConfig,
      idpEntityId: entityId,
      credential,
      user,
      acsUrl: target.acsUrl,
      ...(target.inResponseTo !== undefined ? { inResponseTo: target.inResponseTo } : {}),
      ...(target.requestedNameIdFormat !== undefined ? { requestedNameIdFormat: target.requestedNameIdFormat } : {}),
      ...(target.spEntityId !== undefined ? { spEntityId: target.spEntityId } : {}),
      ...(spEncryptionCert(target.sp) ? { spEncryptionCertPem: spEncryptionCert(target.sp)! } : {}),
      sessionKey: target.sessionKey ?? newSessionKey(),
      ...(target.authnInstant ? { authnInstant: target.authnInstant } : {}),
      ...(targetWeak.unescapedAttributeValues ? { rawAttributeValues: true } : {}),
      // Target mode plays a strict IdP: qualified NameIDs, compared exactly at logout.
      ...(mode === 'target' ? { qualifyNameId: true } : {}),
    });
    // A plan's RelayState replaces the SP's (RelayState attacks); IdP-initiated already chose.
    const chosenRelayState = target.relayStateFinal ? target.relayState : (plan.relayState ?? target.relayState);
    const relayState = targetWeak.truncateRelayState && chosenRelayState !== undefined ? cutToBytes(chosenRelayState, RELAY_STATE_MAX_BYTES) : chosenRelayState;
    if (target.redirectResponse) return sendRedirectResponse(reply, scenario, planned, relayState);
    // A broken IdP for the harness's own null-target tests: no SAML parser may read this.
    if (mode === 'target' && o.breakdown === 'doctype-answers') planned.xml = `<!DOCTYPE Response [<!ENTITY who "alice">]>\n${planned.xml}`;
    const fields = encodePostFields({ param: 'SAMLResponse', xml: planned.xml, ...(relayState !== undefined ? { relayState } : {}) });
    let page: ReturnType<typeof renderAutoPostPage>;
    try {
      page = targetWeak.reflectRelayStateUnescaped && relayState !== undefined ? renderWithRawRelayState(planned.acsUrl, fields, relayState) : renderAutoPostPage({ action: planned.acsUrl, fields, title: 'Signing you in' });
    } catch (err) {
      throw new HttpRefusal(400, 'The ACS URL cannot be posted to.', (err as Error).message);
    }
    const own = ownSignatureEvidence(planned.xml);
    const signedBy = planned.signedWith ? `signed by the ${planned.signedWith} key` : 'not signed';
    const what = `Response ${planned.signed.response ? 'signed' : 'unsigned'}, assertion ${planned.signed.assertion ? 'signed' : 'unsigned'}${planned.encrypted ? ', assertion encrypted' : ''}`;
    scenario.recorder.record({
      direction: 'sent',
      binding: 'post',
      url: planned.acsUrl,
      raw: fields.SAMLResponse,
      xml: planned.xml,
      ...(relayState !== undefined ? { relayState } : {}),
      signatures: own.signatures,
      note: [`${what}; ${signedBy}; signatures checked against the IdP's published certificate`, own.note].filter(Boolean).join('; '),
    });
    rememberSent(scenario, planned, relayState);
    if (planned.sessionIndex) scenarios.sessions.set(planned.sessionIndex, scenario.key);
    return reply.code(200).header('content-security-policy', page.contentSecurityPolicy).type('text/html; charset=utf-8').send(page.html);
  }

  /** The Response the scenario sent last, for scenarios that read it back or re-send it. */
  function rememberSent(scenario: ScenarioState, planned: Awaited<ReturnType<typeof buildPlannedResponse>>, relayState: string | undefined) {
    scenario.lastResponse = {
      xml: planned.xml,
      acsUrl: planned.acsUrl,
      nameId: planned.nameId,
      ...(planned.nameIdFormat !== undefined ? { nameIdFormat: planned.nameIdFormat } : {}),
      ...(relayState !== undefined ? { relayState } : {}),
      ...(planned.sessionIndex !== undefined ? { sessionIndex: planned.sessionIndex } : {}),
    };
  }

  /** answerWithRequestedBinding weakness: the signed Response deflated into the ACS URL's query, as a naive IdP sends it. */
  function sendRedirectResponse(reply: FastifyReply, scenario: ScenarioState, planned: Awaited<ReturnType<typeof buildPlannedResponse>>, relayState: string | undefined) {
    const location = encodeRedirect({ endpoint: planned.acsUrl, param: 'SAMLResponse', xml: planned.xml, ...(relayState !== undefined ? { relayState } : {}) });
    scenario.recorder.record({
      direction: 'sent',
      binding: 'redirect',
      url: planned.acsUrl,
      raw: rawQueryOf(location),
      xml: planned.xml,
      ...(relayState !== undefined ? { relayState } : {}),
      signatures: ownSignatureEvidence(planned.xml).signatures,
      note: 'Response sent with HTTP-Redirect because the AuthnRequest asked for it',
    });
    rememberSent(scenario, planned, relayState);
    return reply.redirect(location, 302);
  }

  async function handleInit(request: FastifyRequest, reply: FastifyReply) {
    const params = new URLSearchParams(rawQueryOf(request.raw.url ?? ''));
    const scenario = scenarios.attribute({ header: request.headers[SCENARIO_HEADER], queryScenario: params.get('scenario') ?? undefined });
    try {
      const sp = sps.first(params.get('sp') ?? undefined);
      const acs = scenario.plan.acsUrl ?? (sp && defaultPostAcs(sp.sp)?.location);
      const relayStateAsked = params.get('RelayState') ?? scenario.plan.relayState;
      if (!acs) throw new HttpRefusal(400, 'IdP-initiated login needs SP metadata (or a plan acsUrl) to know where to post.');
      const target: ResponseTarget = {
        scenario,
        acsUrl: acs,
        // No RelayState unless one was asked for: an SP takes an unsolicited RelayState as the page
        // to land on (Bindings 3.4.3, 3.5.3), and the scenario is attributed by its header anyway.
        ...(relayStateAsked !== undefined ? { relayState: relayStateAsked } : {}),
        relayStateFinal: true,
        ...(sp ? { sp, spEntityId: sp.entityId } : {}),
      };
      if (mode === 'target') return askForLogin(reply, target, false);
      return await answer(reply, target);
    } catch (err) {
      if (err instanceof HttpRefusal) return sendPage(reply, errorPage(err.status, err.message, err.detail));
      return sendPage(reply, errorPage(500, 'The mock IdP failed to answer.', (err as Error).message));
    }
  }

  async function handleLogin(request: FastifyRequest, reply: FastifyReply) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const token = firstString(body.token) ?? '';
    const login = pending.get(token);
    if (!login || Date.now() - login.createdAt > PENDING_TTL_MS) {
      pending.delete(token);
      return sendPage(reply, errorPage(400, 'This sign-in has expired or is unknown. Start again from the application.'));
    }
    const username = firstString(body.username) ?? '';
    const password = firstString(body.password) ?? '';
    const user = (o.users ?? []).find((u) => u.username !== undefined && u.username === username && u.password === password);
    if (!user) return sendPage(reply, loginPage({ action: LOGIN_PATH, token, error: 'Unknown user or wrong password.', username }));
    pending.delete(token);
    if (mode === 'target' && o.breakdown === 'silent-after-login') return sendPage(reply, messagePage('Signed in', 'You are signed in.'));
    const { scenarioKey, createdAt: _c, isPassive: _p, ...rest } = login;
    const sessionId = randomBytes(24).toString('base64url');
    const session: IdpSession = { user, sessionIndexes: [], issued: [], authnInstant: new Date() };
    idpSessions.set(sessionId, session);
    reply.header('set-cookie', `${IDP_SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`);
    try {
      return await answerInSession(reply, { ...rest, scenario: scenarios.get(scenarioKey), user, sessionKey: newSessionKey() }, session);
    } catch (err) {
      if (err instanceof HttpRefusal) return sendPage(reply, errorPage(err.status, err.message, err.detail));
      return sendPage(reply, errorPage(500, 'The mock IdP failed to answer.', (err as Error).message));
    }
  }

  // ------------------------------------------------------------------------------- SLO

  /** Send a logout message to the SP with the binding given: Redirect (302, signed query) or POST (auto-POST, signed XML). */
  function sendLogoutMessage(
    reply: FastifyReply,
    scenario: ScenarioState,
    o2: { binding: Binding; location: string; xml: string; param: 'SAMLRequest' | 'SAMLResponse'; relayState?: string; sign: boolean },
  ) {
    const mutate = scenario.plan.logout?.mutate;
    if (o2.binding === 'redirect') {
      const xml = mutate ? mutate(o2.xml) : o2.xml;
      const target = encodeRedirect({
        endpoint: o2.location,
        param: o2.param,
        xml,
        ...(o2.relayState !== undefined ? { relayState: o2.relayState } : {}),
        ...(o2.sign ? { sign: { privateKeyPem: o.signing.key.privateKeyPem } } : {}),
      });
      const decoded = decodeRedirect(rawQueryOf(target));
      const signatures = decoded.signature !== undefined ? [redirectSignatureEvidence(verifyRedirectSignature(decoded, [o.signing.certPem]))] : [];
      scenario.recorder.record({
        direction: 'sent',
        binding: 'redirect',
        url: o2.location,
        raw: rawQueryOf(target),
        xml,
        ...(o2.relayState !== undefined ? { relayState: o2.relayState } : {}),
        signatures,
      });
      return reply.redirect(target, 302);
    }
    let xml = o2.sign ? signRoot(o2.xml, { privateKeyPem: o.signing.key.privateKeyPem, certPem: o.signing.certPem }) : o2.xml;
    if (mutate) xml = mutate(xml);
    const fields = encodePostFields({ param: o2.param, xml, ...(o2.relayState !== undefined ? { relayState: o2.relayState } : {}) });
    const own = ownSignatureEvidence(xml);
    scenario.recorder.record({
      direction: 'sent',
      binding: 'post',
      url: o2.location,
      raw: fields[o2.param],
      xml,
      ...(o2.relayState !== undefined ? { relayState: o2.relayState } : {}),
      signatures: own.signatures,
      ...(own.note ? { note: own.note } : {}),
    });
    return sendAutoPost(reply, o2.location, fields, 'Signing you out');
  }

  async function handleLogoutRequest(request: FastifyRequest, reply: FastifyReply, incoming: Incoming) {
    const info = readLogoutRequest(incoming.root);
    const scenario = scenarios.attribute({ header: request.headers[SCENARIO_HEADER], sessionIndexes: info.sessionIndexes, relayState: incoming.relayState });
    const sp = sps.for(info.issuer);
    const certs = spSigningCerts(sp);
    const sig = incomingSignatures(incoming, certs, xmlChecks(incoming.xml, certs));
    const session = logoutSessionFor(scenario, info.nameId?.value, info.sessionIndexes);
    const validation = validateLogoutRequest(incoming.xml, {
      trustedCerts: certs,
      peerEntityId: sp?.entityId ?? info.issuer ?? '',
      destination: incoming.url,
      binding: incoming.binding,
      ...(sig.redirectCheck ? { redirectSignature: sig.redirectCheck } : {}),
      ...(session ? { session } : {}),
      // The sender is a session participant (Profiles 4.4.4.1).
      requireSessionIndex: true,
    });
    const failed = failedMusts(validation.findings);
    recordIncoming(scenario, incoming, sig.evidence, failed);
    const received: ReceivedLogout = { kind: 'LogoutRequest', binding: incoming.binding, xml: incoming.xml, validation, receivedAt: new Date().toISOString() };
    if (incoming.relayState !== undefined) received.relayState = incoming.relayState;
    scenario.logouts.push(received);
    if (mode === 'target') {
      const unsigned = sig.redirectCheck === undefined && validation.signatures.length === 0;
      const waived = new Set<string>(targetWeak.acceptUnsignedLogoutRequest && unsigned ? ['signature-required'] : []);
      const blocking = failed.filter((f) => !waived.has(f.rule));
      received.accepted = blocking.length === 0;
      if (blocking.length) throw new HttpRefusal(403, 'The logout request was refused.', summarize(blocking));
      received.sessionsEnded = endIdpSessions(validation.message?.nameId, validation.message?.sessionIndexes ?? []);
    }
    // Answer with the binding the request came by, else the other one the SP lists.
    const answerBinding = ([incoming.binding, incoming.binding === 'redirect' ? 'post' : 'redirect'] as const).find((b) => sloEndpoint(sp, BINDING[b], true));
    if (!answerBinding) throw new HttpRefusal(400, 'The SP metadata lists no SingleLogoutService (Redirect or POST) to answer to.');
    const location = sloEndpoint(sp, BINDING[answerBinding], true)!;
    const status = scenario.plan.logout?.status ?? {};
    const xml = buildLogoutResponse({ issuer: entityId, destination: location, ...(info.id !== undefined ? { inResponseTo: info.id } : {}), status });
    return sendLogoutMessage(reply, scenario, {
      binding: answerBinding,
      location,
      xml,
      param: 'SAMLResponse',
      ...(incoming.relayState !== undefined ? { relayState: incoming.relayState } : {}),
      sign: scenario.plan.logout?.sign ?? true,
    });
  }

  /**
   * The session a LogoutRequest must name. Target mode: the IdP's sign-in sessions of that NameID.
   * Mock mode: the one this scenario's last Response established at the SP.
   */
  function logoutSessionFor(scenario: ScenarioState, claimedNameId: string | undefined, claimedIndexes: string[]): LogoutSession | undefined {
    if (mode === 'target') {
      // The NameIDs this IdP issued with that value; the one whose SessionIndex the request names
      // decides, and it must come back exactly as issued, qualifiers included (Profiles 4.4.4.1).
      const mine = [...idpSessions.values()].filter((s) => claimedNameId !== undefined && s.issued.some((i) => i.nameId.value === claimedNameId));
      if (mine.length === 0) return undefined;
      const issued = mine.flatMap((s) => s.issued).filter((i) => i.nameId.value === claimedNameId);
      const named = issued.find((i) => i.sessionIndex !== undefined && claimedIndexes.includes(i.sessionIndex)) ?? issued[0]!;
      const n = named.nameId;
      return {
        nameId: n.value,
        ...(n.format !== undefined ? { nameIdFormat: n.format } : {}),
        ...(n.nameQualifier !== undefined ? { nameQualifier: n.nameQualifier } : {}),
        ...(n.spNameQualifier !== undefined ? { spNameQualifier: n.spNameQualifier } : {}),
        ...(n.spProvidedId !== undefined ? { spProvidedId: n.spProvidedId } : {}),
        exact: true,
        sessionIndexes: mine.flatMap((s) => s.sessionIndexes),
      };
    }
    const last = scenario.lastResponse;
    if (!last) return undefined;
    const format = nameIdFormatIn(last.xml);
    return { nameId: last.nameId, ...(format !== undefined ? { nameIdFormat: format } : {}), sessionIndexes: last.sessionIndex !== undefined ? [last.sessionIndex] : [] };
  }

  /** Target mode: end the principal's sign-in sessions named by the SessionIndex values (all when none). */
  function endIdpSessions(nameId: string | undefined, sessionIndexes: string[]): number {
    if (nameId === undefined) return 0;
    let ended = 0;
    for (const [id, s] of idpSessions) {
      if (!s.issued.some((i) => i.nameId.value === nameId)) continue;
      if (sessionIndexes.length > 0 && !s.sessionIndexes.some((i) => sessionIndexes.includes(i))) continue;
      idpSessions.delete(id);
      ended++;
    }
    return ended;
  }

  function handleLogoutResponse(request: FastifyRequest, reply: FastifyReply, incoming: Incoming) {
    const info = readLogoutResponse(incoming.root);
    const scenario = scenarios.attribute({ header: request.headers[SCENARIO_HEADER], inResponseTo: info.inResponseTo, relayState: incoming.relayState });
    const sp = sps.for(info.issuer);
    const certs = spSigningCerts(sp);
    const sig = incomingSignatures(incoming, certs, xmlChecks(incoming.xml, certs));
    const sent = scenario.logoutRequestIds;
    const expectedRequestId = info.inResponseTo !== undefined && sent.includes(info.inResponseTo) ? info.inResponseTo : (sent[sent.length - 1] ?? '(no LogoutRequest sent)');
    const validation = validateLogoutResponse(incoming.xml, {
      trustedCerts: certs,
      peerEntityId: sp?.entityId ?? info.issuer ?? '',
      destination: incoming.url,
      binding: incoming.binding,
      ...(sig.redirectCheck ? { redirectSignature: sig.redirectCheck } : {}),
      expectedRequestId,
    });
    recordIncoming(scenario, incoming, sig.evidence, failedMusts(validation.findings));
    const received: ReceivedLogout = { kind: 'LogoutResponse', binding: incoming.binding, xml: incoming.xml, validation, receivedAt: new Date().toISOString() };
    if (incoming.relayState !== undefined) received.relayState = incoming.relayState;
    scenario.logouts.push(received);
    return sendPage(reply, messagePage('Signed out', `LogoutResponse received with status ${info.status.code ?? '(none)'}.`));
  }

  async function handleLogoutStart(request: FastifyRequest, reply: FastifyReply) {
    const params = new URLSearchParams(rawQueryOf(request.raw.url ?? ''));
    const start = logoutStarts.get(params.get('token') ?? '');
    if (!start) return sendPage(reply, errorPage(400, 'Unknown logout start token.'));
    const scenario = scenarios.get(start.key);
    const sp = sps.first();
    const opts = start.opts;
    const choices: Binding[] = opts.binding ? [opts.binding] : ['redirect', 'post'];
    let binding = choices.find((b) => sloEndpoint(sp, BINDING[b], false));
    let location = binding && sloEndpoint(sp, BINDING[binding], false);
    if (!binding && opts.binding && opts.evenIfUnlisted) {
      binding = opts.binding;
      location = sloEndpoint(sp, BINDING[binding === 'redirect' ? 'post' : 'redirect'], false);
    }
    if (!binding || !location) return sendPage(reply, errorPage(400, `The SP metadata lists no SingleLogoutService (${choices.join(' or ')}).`));
    const xml = buildLogoutRequest({
      issuer: entityId,
      destination: location,
      nameId: { value: opts.nameId, format: opts.nameIdFormat ?? null },
      sessionIndexes: opts.sessionIndex !== undefined ? [opts.sessionIndex] : [],
      ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    });
    const id = parseXml(xml).documentElement!.getAttribute('ID');
    if (id) {
      scenarios.sentRequestIds.set(id, scenario.key);
      scenario.logoutRequestIds.push(id);
    }
    return sendLogoutMessage(reply, scenario, {
      binding,
      location,
      xml,
      param: 'SAMLRequest',
      relayState: opts.relayState ?? scenario.key,
      sign: opts.sign ?? scenario.plan.logout?.sign ?? true,
    });
  }

  /** Post a Response sent before once more, byte for byte (replay attacks); recorded as sent again. */
  function handleResend(request: FastifyRequest, reply: FastifyReply) {
    const params = new URLSearchParams(rawQueryOf(request.raw.url ?? ''));
    const resend = resends.get(params.get('token') ?? '');
    if (!resend) return sendPage(reply, errorPage(400, 'Unknown resend token.'));
    const scenario = scenarios.get(resend.key);
    const last = resend.response;
    const fields = encodePostFields({ param: 'SAMLResponse', xml: last.xml, ...(last.relayState !== undefined ? { relayState: last.relayState } : {}) });
    const page = renderAutoPostPage({ action: last.acsUrl, fields, title: 'Signing you in' });
    const own = ownSignatureEvidence(last.xml);
    scenario.recorder.record({
      direction: 'sent',
      binding: 'post',
      url: last.acsUrl,
      raw: fields.SAMLResponse,
      xml: last.xml,
      ...(last.relayState !== undefined ? { relayState: last.relayState } : {}),
      signatures: own.signatures,
      note: ['replay: the Response sent earlier in this scenario, posted again unchanged', own.note].filter(Boolean).join('; '),
    });
    // A new object, so flows that compare lastResponse() see that something was delivered.
    scenario.lastResponse = { ...last };
    return reply.code(200).header('content-security-policy', page.contentSecurityPolicy).type('text/html; charset=utf-8').send(page.html);
  }

  // ------------------------------------------------------------------------------- routes

  const registered = new Set<string>();
  const route = (method: 'GET' | 'POST', path: string, handler: (req: FastifyRequest, reply: FastifyReply) => unknown) => {
    const key = `${method} ${path}`;
    if (registered.has(key)) return;
    registered.add(key);
    app.route({ method, url: path, handler: async (req, reply) => handler(req, reply) });
  };

  for (const path of [routes.metadata, '/metadata']) {
    route('GET', path, (_req, reply) => reply.type('application/samlmetadata+xml; charset=utf-8').send(metadataXml()));
  }
  for (const path of [routes.ssoRedirect, routes.sloRedirect, '/sso', '/slo']) route('GET', path, (req, reply) => handleBinding(req, reply, 'redirect'));
  for (const path of [routes.ssoPost, routes.sloPost, '/sso', '/slo']) route('POST', path, (req, reply) => handleBinding(req, reply, 'post'));
  for (const path of [routes.init, '/init']) route('GET', path, handleInit);
  route('POST', LOGIN_PATH, handleLogin);
  route('GET', LOGOUT_START_PATH, handleLogoutStart);
  route('GET', RESEND_PATH, handleResend);

  // Control API (JSON). Reached by the harness or a vendor's own tests; a browser page cannot
  // send these cross-site without a CORS preflight, which is never answered.
  app.put('/_samlconf/plan', async (req, reply) => {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return reply.code(415).send({ error: 'send the plan as application/json' });
    const key = firstString((req.query as Record<string, unknown>).scenario) ?? DEFAULT_SCENARIO;
    try {
      scenarios.get(key).plan = planFromJson(req.body);
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
    return { ok: true, scenario: key };
  });
  // A plan stays until replaced: GET shows what is in force, DELETE goes back to the defaults.
  app.get('/_samlconf/plan', async (req) => {
    const key = firstString((req.query as Record<string, unknown>).scenario) ?? DEFAULT_SCENARIO;
    return { scenario: key, plan: scenarios.find(key)?.plan ?? {} };
  });
  app.delete('/_samlconf/plan', async (req) => {
    const key = firstString((req.query as Record<string, unknown>).scenario) ?? DEFAULT_SCENARIO;
    const state = scenarios.find(key);
    if (state) state.plan = {};
    return { ok: true, scenario: key };
  });
  app.get('/_samlconf/messages', async (req) => {
    const key = firstString((req.query as Record<string, unknown>).scenario) ?? DEFAULT_SCENARIO;
    return { scenario: key, messages: scenarios.find(key)?.recorder.list() ?? [] };
  });
  app.delete('/_samlconf/messages', async (req) => {
    const key = firstString((req.query as Record<string, unknown>).scenario);
    for (const s of key ? [scenarios.find(key)].filter(Boolean) : scenarios.all()) s!.recorder.clear();
    return { ok: true };
  });
  app.get('/_samlconf/health', async () => ({ ok: true, role: 'idp', mode, entityId, metadataUrl: url(routes.metadata) }));

  await app.listen({ host, port: o.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (o.port ?? 0);
  baseUrl = (o.publicBaseUrl ?? ((p: number) => `http://idp.samlconf.test:${p}`))(port).replace(/\/+$/, '');
  entityId = o.entityId ?? serverPersona.entityId(baseUrl, personaConfig);

  const scenarioHandle = (key: string): IdpScenario => {
    const state = scenarios.get(key);
    return {
      key,
      setPlan(plan) {
        state.plan = plan;
      },
      plan: () => state.plan,
      evidence: () => state.recorder.list(),
      idpInitiatedUrl(opts = {}) {
        const q = new URLSearchParams({ scenario: key });
        if (opts.relayState !== undefined) q.set('RelayState', opts.relayState);
        return `${url(routes.init)}?${q.toString()}`;
      },
      lastAuthnRequest: () => state.lastRequest,
      lastResponse: () => state.lastResponse,
      logoutRequestUrl(opts) {
        const token = randomBytes(18).toString('base64url');
        logoutStarts.set(token, { key, opts });
        return `${url(LOGOUT_START_PATH)}?${new URLSearchParams({ scenario: key, token }).toString()}`;
      },
      receivedLogouts: () => [...state.logouts],
      resendUrl() {
        const response = state.lastResponse;
        if (!response) throw new Error(`scenario ${key}: no Response was sent yet, so there is nothing to resend`);
        const token = randomBytes(18).toString('base64url');
        resends.set(token, { key, response });
        return `${url(RESEND_PATH)}?${new URLSearchParams({ scenario: key, token }).toString()}`;
      },
    };
  };

  return {
    baseUrl,
    entityId,
    port,
    metadataUrl: url(routes.metadata),
    ssoUrl: url(routes.ssoRedirect),
    ssoPostUrl: url(routes.ssoPost),
    sloUrl: url(routes.sloRedirect),
    metadataXml,
    scenario: scenarioHandle,
    forget: (key: string) => scenarios.forget(key),
    setSpMetadata(xml: string) {
      learnSp(xml);
    },
    close: async () => {
      await app.close();
    },
  };
}
