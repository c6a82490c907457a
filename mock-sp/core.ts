// The mock SP's behaviour, independent of HTTP plumbing: start a login per plan, judge what
// arrives at an ACS, take part in Single Logout, and keep the target-mode application state.
// Each operation returns an HttpAction that server.ts turns into a fastify reply.
import { renderAutoPostPage, verifyRedirectSignature } from '../saml/bindings/index.ts';
import type { RedirectMessage } from '../saml/bindings/index.ts';
import { buildLogoutRequest, buildLogoutResponse } from '../saml/builders/index.ts';
import { STATUS } from '../saml/constants.ts';
import { createCredential, type Credential } from '../saml/keys.ts';
import { readLogoutRequest } from '../saml/readers.ts';
import { validateLogoutRequest, validateLogoutResponse } from '../saml/rules/index.ts';
import type { LogoutValidation, ResponseValidation, RuleFinding } from '../saml/rules/index.ts';
import { parseXml } from '../saml/xml.ts';
import { redirectSignatureEvidence, xmlSignatureEvidence } from '../mock-kit/recorder.ts';
import type { SignatureEvidence } from '../shared/result-model.ts';
import { type AcsJudgement, failedMustRules, judgeResponse, undecodableValidation } from './acs.ts';
import { resolveArtifact } from './artifact.ts';
import { LOGIN_COOKIE, PendingLogins, logoutNameIdOf, ReplayCache, SESSION_COOKIE, SessionStore, cookie, expiredCookie } from './app.ts';
import { type IncomingMessage, peekRoot } from './incoming.ts';
import { type OutgoingMessage, encodeOutgoing } from './outgoing.ts';
import { PAGE_CSP, RELAY_STATE_LANDING_CSP, errorPage, homePage, indexPage, relayStateLandingPage, resultPage } from './pages.ts';
import { buildSpMetadataFor } from './metadata.ts';
import { type IdpView, readIdpMetadata, sloBindingFor, sloEndpoint } from './peer.ts';
import { type SpIdentity, planAuthnRequest, signingChoice } from './plan.ts';
import { type AttributionHints, SCENARIO_COOKIE, type ScenarioState, ScenarioRegistry } from './scenarios.ts';
import type { AcsOutcome, LogoutOutcome, LogoutUrlOptions, MockSpOptions, SpBinding, SpPlan } from './types.ts';

export type HttpAction =
  | { kind: 'redirect'; location: string; cookies?: string[] }
  | { kind: 'html'; status: number; html: string; csp: string; cookies?: string[] }
  | { kind: 'json'; status: number; body: unknown; cookies?: string[] };

export interface SpUrls {
  baseUrl: string;
  entityId: string;
  metadataUrl: string;
  acsUrl: string;
  sloUrl: string;
}

const MAX_REQUESTS_PER_SCENARIO = 1000;

type AcsHints = AttributionHints & { loginCookie?: string };

/** A Response as it reached an ACS, or why there is none to judge. */
interface Delivery {
  binding: AcsOutcome['binding'];
  raw: string;
  xml?: string;
  relayState?: string;
  redirect?: RedirectMessage;
  extraFindings?: RuleFinding[];
  /** Set when nothing can be judged: the result to record instead. */
  failure?: ResponseValidation;
}

const NO_IDP = 'no IdP metadata is configured (pass idp.metadataXml / idp.metadataUrl, or --idp-metadata)';

export class SpCore {
  readonly registry = new ScenarioRegistry();
  readonly sessions = new SessionStore();
  readonly pending = new PendingLogins();
  readonly replay = new ReplayCache();
  readonly mode: 'mock' | 'target';
  private idp: IdpView | undefined;
  private urls: SpUrls | undefined;
  private metadata: string | undefined;
  private attackerCredential: Credential | undefined;

  constructor(private readonly options: MockSpOptions) {
    this.mode = options.mode ?? 'mock';
  }

  /** Called once the port is known. */
  init(baseUrl: string): void {
    const base = baseUrl.replace(/\/+$/, '');
    this.urls = {
      baseUrl: base,
      entityId: this.options.entityId ?? `${base}/metadata`,
      metadataUrl: `${base}/metadata`,
      acsUrl: `${base}/acs`,
      sloUrl: `${base}/slo`,
    };
    this.metadata = buildSpMetadataFor(this.urls, this.options, this.signsRequests());
  }

  get u(): SpUrls {
    if (!this.urls) throw new Error('mock SP not initialised');
    return this.urls;
  }

  metadataXml(): string {
    if (!this.metadata) throw new Error('mock SP not initialised');
    return this.metadata;
  }

  idpView(): IdpView | undefined {
    return this.idp;
  }

  setIdpMetadata(xml: string): void {
    this.idp = readIdpMetadata(xml);
    // Unconfigured, the SP signs when the IdP wants it: its metadata says so from now on.
    if (this.options.authnRequestsSigned === undefined && this.urls) this.metadata = buildSpMetadataFor(this.urls, this.options, this.signsRequests());
  }

  /** Whether AuthnRequests are signed unless a plan says otherwise (and what the metadata states). */
  private signsRequests(): boolean {
    return this.options.authnRequestsSigned ?? this.idp?.wantAuthnRequestsSigned ?? false;
  }

  private identity(): SpIdentity {
    return {
      entityId: this.u.entityId,
      baseUrl: this.u.baseUrl,
      signing: this.options.signing,
      attacker: () => (this.attackerCredential ??= this.options.attacker ?? createCredential(undefined, { commonName: 'samlconf attacker' })),
      signByDefault: this.signsRequests(),
    };
  }

  // ------------------------------------------------------------------ login

  /** Target mode: the plan with the NameIDPolicy this SP is configured to ask for. */
  private targetPlan(plan: SpPlan): SpPlan {
    const format = this.mode === 'target' ? this.options.requestNameIdFormat : undefined;
    if (format === undefined) return plan;
    return { ...plan, request: { ...plan.request, nameIdPolicy: { format, allowCreate: true } } };
  }

  login(hints: AttributionHints): HttpAction {
    const scenario = this.registry.attribute({ header: hints.header, query: hints.query });
    const token = this.mode === 'target' ? this.pending.newToken() : undefined;
    const relayState = token ?? scenario.plan.relayState ?? scenario.key;
    let planned;
    try {
      planned = planAuthnRequest(this.targetPlan(scenario.plan), this.identity(), this.idp, relayState);
    } catch (err) {
      scenario.recorder.record({ direction: 'sent', kind: 'AuthnRequest', raw: '', note: `login could not start: ${(err as Error).message}` });
      return html(400, errorPage('Cannot start login', (err as Error).message));
    }
    scenario.recorder.record({
      direction: 'sent',
      kind: 'AuthnRequest',
      binding: planned.binding,
      url: planned.endpoint,
      raw: planned.raw,
      xml: planned.xml,
      relayState,
      signatures: planned.signatures,
      note: planned.note,
    });
    scenario.requests.push({ id: planned.requestId, binding: planned.binding, acsUrl: planned.acsUrl, nameIdFormat: planned.nameIdFormat, sentAt: new Date().toISOString() });
    // A long-running target keeps only recent requests; scenarios send a handful.
    if (scenario.requests.length > MAX_REQUESTS_PER_SCENARIO) scenario.requests.splice(0, scenario.requests.length - MAX_REQUESTS_PER_SCENARIO);
    this.registry.noteSentId(planned.requestId, scenario.key);
    scenario.outcomes.markNow();
    const cookies = [token ? cookie(LOGIN_COOKIE, token) : cookie(SCENARIO_COOKIE, scenario.key)];
    if (token) this.pending.add(token, planned.requestId);
    return send(planned, 'Signing in', cookies);
  }

  // ------------------------------------------------------------------ ACS

  async acs(path: string, msg: IncomingMessage, hints: AcsHints): Promise<HttpAction> {
    const extraFindings: RuleFinding[] = [];
    if (msg.binding === 'redirect') {
      extraFindings.push({
        rule: 'response-binding',
        requirement: 'profiles-4.1.2',
        severity: 'must',
        ok: false,
        expected: 'the Response delivered with HTTP-POST (or HTTP-Artifact)',
        observed: 'the Response arrived with HTTP-Redirect',
      });
    }
    let delivery: Delivery;
    if (msg.xml === undefined || msg.param !== 'SAMLResponse') {
      const reason = msg.error ?? `expected SAMLResponse, got ${msg.param}`;
      delivery = { binding: msg.binding, raw: msg.raw, xml: msg.xml, relayState: msg.relayState, failure: undecodableValidation(reason, msg.binding === 'post' ? 'bindings-3.5.4' : 'bindings-3.4.4.1') };
    } else {
      delivery = { binding: msg.binding, raw: msg.raw, xml: msg.xml, relayState: msg.relayState, redirect: msg.redirect, extraFindings };
    }
    return this.judgeAndRecord(path, delivery, hints);
  }

  /** HTTP-Artifact: resolve the SAMLart over SOAP, then judge the Response it stood for. */
  async acsArtifact(path: string, art: { artifact?: string; relayState?: string; binding: SpBinding; raw: string; error?: string }, hints: AcsHints): Promise<HttpAction> {
    const resolution = art.artifact === undefined ? undefined : await resolveArtifact(art.artifact, { idp: this.idp, spEntityId: this.u.entityId, signing: this.options.signing });
    // Recorded once the Response is known, so the whole exchange lands on the scenario it answers.
    const scenario = this.registry.attribute({ ...hints, inResponseTo: peekRoot(resolution?.responseXml).inResponseTo, relayState: art.relayState });
    const url = this.u.baseUrl + path;
    scenario.recorder.record({ direction: 'received', kind: 'Other', binding: 'artifact', url, raw: art.raw, relayState: art.relayState, note: art.error ? `SAMLart refused: ${art.error}` : 'SAMLart received; resolved at the IdP over SOAP' });
    if (!resolution) {
      return this.judgeAndRecord(path, { binding: 'artifact', raw: art.raw, relayState: art.relayState, failure: undecodableValidation(art.error ?? 'no SAMLart', 'conformance-3.2') }, hints);
    }
    const ex = resolution.exchange;
    if (ex.resolveRaw) scenario.recorder.record({ direction: 'sent', kind: 'ArtifactResolve', binding: 'soap', url: ex.url, raw: ex.resolveRaw, xml: ex.resolveXml, note: 'signed with the SP key' });
    if (ex.answerRaw !== undefined) {
      scenario.recorder.record({ direction: 'received', kind: ex.artifactResponseXml ? 'ArtifactResponse' : 'Other', binding: 'soap', url: ex.url, raw: ex.answerRaw, xml: ex.artifactResponseXml, signatures: xmlSignatureEvidence(ex.signatures) });
    }
    const delivery: Delivery = resolution.responseXml
      ? { binding: 'artifact', raw: resolution.responseXml, xml: resolution.responseXml, relayState: art.relayState, extraFindings: resolution.findings }
      : { binding: 'artifact', raw: art.raw, relayState: art.relayState, failure: { findings: resolution.findings, ok: false, signatures: ex.signatures, assertionSource: 'none' } };
    return this.judgeAndRecord(path, delivery, hints);
  }

  private async judgeAndRecord(path: string, d: Delivery, hints: AcsHints): Promise<HttpAction> {
    const url = this.u.baseUrl + path;
    const peek = peekRoot(d.xml);
    const scenario = this.registry.attribute({ ...hints, inResponseTo: peek.inResponseTo, relayState: d.relayState });
    const { expectedRequestId, requestedNameIdFormat } = this.expectedRequest(scenario, peek.inResponseTo, d.relayState, hints.loginCookie);
    const idp = this.idp;

    let judgement: AcsJudgement;
    if (d.failure || d.xml === undefined) {
      const validation = d.failure ?? undecodableValidation('no message', 'core-3.2.2');
      judgement = { validation, accepted: false, failedRules: failedMustRules(validation.findings), ignoredRules: [] };
    } else {
      judgement = await judgeResponse(
        d.xml,
        {
          trustedCerts: idp?.signingCerts ?? [],
          idpEntityId: idp?.entityId ?? '',
          spEntityId: this.u.entityId,
          acsUrl: url,
          expectedRequestId,
          allowUnsolicited: scenario.plan.allowUnsolicited === true,
          clockSkewSeconds: this.options.clockSkewSeconds,
          requestedNameIdFormat,
          requireSessionIndex: (idp?.sloServices.length ?? 0) > 0,
          requireSignedAssertion: this.options.wantAssertionsSigned ?? true,
          decryptionKeyPem: this.options.encryption?.key.privateKeyPem,
        },
        {
          weaknesses: this.mode === 'target' ? this.options.weaknesses : undefined,
          seenAssertion: this.mode === 'target' ? (id) => this.replay.has(id) : undefined,
          extraFindings: d.extraFindings,
          refuseSha1: this.mode === 'target',
        },
      );
    }

    const outcome: AcsOutcome = {
      path,
      url,
      binding: d.binding,
      scenario: scenario.key,
      validation: judgement.validation,
      accepted: judgement.accepted,
      failedRules: judgement.failedRules,
      ignoredRules: judgement.ignoredRules,
      receivedAt: new Date().toISOString(),
    };
    if (d.xml !== undefined) outcome.xml = d.xml;
    if (d.relayState !== undefined) outcome.relayState = d.relayState;
    if (judgement.identity) outcome.identity = judgement.identity;
    if (expectedRequestId !== undefined) outcome.expectedRequestId = expectedRequestId;

    const signatures: SignatureEvidence[] = xmlSignatureEvidence(judgement.validation.signatures);
    if (d.redirect && (d.redirect.signature !== undefined || d.redirect.sigAlg !== undefined)) {
      signatures.push(redirectSignatureEvidence(verifyRedirectSignature(d.redirect, idp?.signingCerts ?? [])));
    }
    scenario.recorder.record({
      direction: 'received',
      kind: 'Response',
      binding: d.binding,
      url,
      raw: d.raw,
      xml: d.xml,
      relayState: d.relayState,
      signatures,
      note: acsNote(outcome, d.failure !== undefined && d.xml === undefined),
    });

    const cookies: string[] = [];
    if (outcome.accepted && outcome.identity) {
      const session = this.sessions.create(outcome.identity, scenario.key);
      if (outcome.identity.assertionId !== undefined) this.replay.remember(outcome.identity.assertionId);
      cookies.push(cookie(SESSION_COOKIE, session.id));
    }
    scenario.outcomes.push(outcome);

    if (this.mode === 'target' && outcome.accepted) {
      // followRelayState: any RelayState that is not this SP's own login token is taken as the page to go to.
      const next = this.options.weaknesses?.followRelayState && d.relayState && this.pending.requestIdFor(d.relayState) === undefined ? d.relayState : undefined;
      if (next !== undefined) return { kind: 'html', status: 200, html: relayStateLandingPage(next), csp: RELAY_STATE_LANDING_CSP, cookies };
      return { kind: 'redirect', location: '/', cookies };
    }
    const result = { accepted: outcome.accepted, nameId: outcome.identity?.nameId ?? null, failedRules: outcome.failedRules, ignoredRules: outcome.ignoredRules, scenario: scenario.key, path };
    return { ...html(200, resultPage(outcome.accepted ? 'Response accepted' : 'Response rejected', result)), cookies };
  }

  /** Which request the Response should answer, as this SP knows it. */
  private expectedRequest(scenario: ScenarioState, inResponseTo: string | undefined, relayState: string | undefined, loginCookie: string | undefined) {
    let expectedRequestId: string | undefined;
    if (this.mode === 'target') {
      // A real SP: the outstanding request is the one this browser started (RelayState token, or
      // the login cookie when the browser sends it), never whatever ID the message names.
      expectedRequestId = this.pending.requestIdFor(relayState) ?? this.pending.requestIdFor(loginCookie);
    } else {
      const mine = scenario.requests.find((r) => r.id === inResponseTo);
      expectedRequestId = mine?.id ?? scenario.lastRequest()?.id;
    }
    const request = scenario.requests.find((r) => r.id === expectedRequestId);
    return { expectedRequestId, requestedNameIdFormat: request?.nameIdFormat };
  }

  // ------------------------------------------------------------------ Single Logout

  async slo(msg: IncomingMessage, hints: AttributionHints, sessionCookie: string | undefined): Promise<HttpAction> {
    const peek = peekRoot(msg.xml);
    if (msg.xml === undefined || (peek.name !== 'LogoutRequest' && peek.name !== 'LogoutResponse')) {
      const scenario = this.registry.attribute({ ...hints, relayState: msg.relayState });
      const reason = msg.error ?? `expected LogoutRequest or LogoutResponse, got ${peek.name ?? 'unparseable XML'}`;
      scenario.recorder.record({ direction: 'received', kind: 'Other', binding: msg.binding, url: this.u.sloUrl, raw: msg.raw, xml: msg.xml, relayState: msg.relayState, note: `refused: ${reason}` });
      return html(400, errorPage('Bad logout message', reason));
    }
    const idp = this.idp;
    const redirectSignature = msg.redirect && (msg.redirect.signature !== undefined || msg.redirect.sigAlg !== undefined) ? verifyRedirectSignature(msg.redirect, idp?.signingCerts ?? []) : undefined;
    const common = {
      trustedCerts: idp?.signingCerts ?? [],
      peerEntityId: idp?.entityId ?? '',
      destination: this.u.sloUrl,
      binding: msg.binding,
      redirectSignature,
      clockSkewSeconds: this.options.clockSkewSeconds,
    };
    return peek.name === 'LogoutRequest'
      ? this.receiveLogoutRequest(msg, msg.xml, common, hints, sessionCookie)
      : this.receiveLogoutResponse(msg, msg.xml, peek.inResponseTo, common, hints);
  }

  private receiveLogoutRequest(
    msg: IncomingMessage,
    xml: string,
    common: Omit<Parameters<typeof validateLogoutRequest>[1], 'session'>,
    hints: AttributionHints,
    sessionCookie: string | undefined,
  ): HttpAction {
    const scenario = this.registry.attribute({ ...hints, relayState: msg.relayState });
    // Which local sessions the request might name: looked up by the NameID as written, then
    // judged by the rules against the signed content.
    let claimed: string | undefined;
    try {
      claimed = readLogoutRequest(parseXml(xml).documentElement!).nameId?.value;
    } catch {
      claimed = undefined;
    }
    const weak = this.mode === 'target' ? (this.options.weaknesses ?? {}) : {};
    // ignoreLogoutNameId: the session is the browser's own, whatever the request names.
    const own = weak.ignoreLogoutNameId ? this.sessions.get(sessionCookie) : undefined;
    const candidates = own ? [own] : claimed === undefined ? [] : this.sessions.byNameId(claimed);
    const session = candidates.length
      ? { nameId: candidates[0].nameId, nameIdFormat: candidates[0].nameIdFormat, sessionIndexes: candidates.map((s) => s.sessionIndex).filter((s): s is string => s !== undefined) }
      : undefined;
    const validation = validateLogoutRequest(xml, { ...common, session });
    const waived = new Set<string>();
    if (weak.acceptUnsignedLogoutRequest && validation.signatures.length === 0 && common.redirectSignature === undefined) waived.add('signature-required');
    if (weak.ignoreLogoutNameId) waived.add('nameid-matches-session').add('session-index');
    const acted = validation.findings.every((f) => f.ok || f.severity !== 'must' || waived.has(f.rule));
    let ended = 0;
    if (acted && own) ended = this.sessions.delete(own.id) ? 1 : 0;
    else if (acted && validation.message?.nameId !== undefined) ended = this.sessions.endMatching(validation.message.nameId, validation.message.sessionIndexes);
    const outcome = this.logoutOutcome('LogoutRequest', msg, scenario, validation, acted);
    outcome.sessionsEnded = ended;
    this.recordLogout(scenario, msg, validation, common.redirectSignature, outcome);
    scenario.logouts.push(outcome);

    const cookies = sessionCookie !== undefined && !this.sessions.get(sessionCookie) ? [expiredCookie(SESSION_COOKIE)] : [];
    const idp = this.idp;
    const binding = idp ? sloBindingFor(idp, msg.binding) : undefined;
    const result = { kind: 'LogoutRequest', ok: outcome.ok, sessionsEnded: ended, failedRules: outcome.failedRules, scenario: scenario.key };
    if (!idp || !binding) return { ...html(200, resultPage('Logout request processed', result)), cookies };
    const endpoint = sloEndpoint(idp, binding, true);
    const responseXml = buildLogoutResponse({
      destination: endpoint,
      issuer: this.u.entityId,
      inResponseTo: validation.message?.id ?? peekRoot(xml).id ?? null,
      status: acted ? { code: STATUS.success } : { code: STATUS.requester, subCode: STATUS.requestDenied },
    });
    const sent = encodeOutgoing({
      param: 'SAMLResponse',
      xml: responseXml,
      binding,
      endpoint,
      relayState: msg.relayState,
      sign: signingChoice(true, true, this.identity()),
      ownCertPem: this.options.signing.certPem,
    });
    this.recordSent(scenario, 'LogoutResponse', sent);
    return send(sent, 'Signing out', cookies);
  }

  private receiveLogoutResponse(
    msg: IncomingMessage,
    xml: string,
    inResponseTo: string | undefined,
    common: Omit<Parameters<typeof validateLogoutResponse>[1], 'expectedRequestId'>,
    hints: AttributionHints,
  ): HttpAction {
    const scenario = this.registry.attribute({ ...hints, inResponseTo, relayState: msg.relayState });
    const ids = scenario.logoutRequestIds;
    const expectedRequestId = inResponseTo !== undefined && ids.includes(inResponseTo) ? inResponseTo : ids[ids.length - 1] ?? '(no LogoutRequest sent)';
    const validation = validateLogoutResponse(xml, { ...common, expectedRequestId });
    const outcome = this.logoutOutcome('LogoutResponse', msg, scenario, validation, validation.ok);
    this.recordLogout(scenario, msg, validation, common.redirectSignature, outcome);
    scenario.logouts.push(outcome);
    if (this.mode === 'target' && this.options.weaknesses?.rejectLogoutResponse) return html(400, errorPage('Rejected logout message', 'the LogoutResponse was not accepted'));
    if (this.mode === 'target') return { kind: 'redirect', location: '/' };
    const result = { kind: 'LogoutResponse', ok: outcome.ok, status: validation.message?.statusCode ?? null, failedRules: outcome.failedRules, scenario: scenario.key };
    return html(200, resultPage(outcome.ok ? 'Logged out' : 'Logout response rejected', result));
  }

  private logoutOutcome(kind: LogoutOutcome['kind'], msg: IncomingMessage, scenario: ScenarioState, validation: LogoutValidation, ok: boolean): LogoutOutcome {
    const o: LogoutOutcome = { kind, binding: msg.binding, scenario: scenario.key, validation, ok, failedRules: failedMustRules(validation.findings), receivedAt: new Date().toISOString() };
    if (msg.xml !== undefined) o.xml = msg.xml;
    if (msg.relayState !== undefined) o.relayState = msg.relayState;
    return o;
  }

  private recordLogout(scenario: ScenarioState, msg: IncomingMessage, validation: LogoutValidation, redirectSig: { valid: boolean; algorithm?: string; reason?: string } | undefined, outcome: LogoutOutcome): void {
    const signatures = xmlSignatureEvidence(validation.signatures);
    if (redirectSig) signatures.push(redirectSignatureEvidence(redirectSig));
    const verdict = outcome.ok ? 'accepted' : `rejected (${outcome.failedRules.join(', ')})`;
    const ended = outcome.sessionsEnded !== undefined ? `; ${outcome.sessionsEnded} session(s) ended` : '';
    scenario.recorder.record({ direction: 'received', kind: outcome.kind, binding: msg.binding, url: this.u.sloUrl, raw: msg.raw, xml: msg.xml, relayState: msg.relayState, signatures, note: verdict + ended });
  }

  private recordSent(scenario: ScenarioState, kind: 'AuthnRequest' | 'LogoutRequest' | 'LogoutResponse', sent: OutgoingMessage): void {
    scenario.recorder.record({ direction: 'sent', kind, binding: sent.binding, url: sent.endpoint, raw: sent.raw, xml: sent.xml, relayState: sent.relayState, signatures: sent.signatures, note: sent.note });
  }

  /** SP-initiated logout for a scenario: remembered options, sent when the browser arrives. */
  registerLogout(scenario: ScenarioState, options: LogoutUrlOptions): string {
    const t = this.pending.newToken();
    scenario.pendingLogouts.set(t, options);
    return `${this.u.baseUrl}/slo-start?scenario=${encodeURIComponent(scenario.key)}&t=${encodeURIComponent(t)}`;
  }

  sloStart(scenarioKey: string | undefined, t: string | undefined): HttpAction {
    const scenario = scenarioKey !== undefined ? this.registry.find(scenarioKey) : undefined;
    const options = scenario && t !== undefined ? scenario.pendingLogouts.get(t) : undefined;
    if (!scenario || !options || t === undefined) return html(400, errorPage('Unknown logout', 'this logout link is unknown or was already used'));
    scenario.pendingLogouts.delete(t);
    try {
      const sent = this.sendLogoutRequest(scenario, options);
      return send(sent, 'Signing out', []);
    } catch (err) {
      scenario.recorder.record({ direction: 'sent', kind: 'LogoutRequest', raw: '', note: `logout could not start: ${(err as Error).message}` });
      return html(400, errorPage('Cannot start logout', (err as Error).message));
    }
  }

  private sendLogoutRequest(scenario: ScenarioState, o: LogoutUrlOptions): OutgoingMessage {
    const idp = this.idp;
    if (!idp) throw new Error(NO_IDP);
    const binding: SpBinding = o.binding ?? 'redirect';
    const endpoint = sloEndpoint(idp, binding, false);
    const sessionIndexes = o.sessionIndex === undefined ? [] : Array.isArray(o.sessionIndex) ? o.sessionIndex : [o.sessionIndex];
    const xml = buildLogoutRequest({
      destination: endpoint,
      issuer: this.u.entityId,
      // As asserted: an attribute the assertion lacked stays absent (no Format default written).
      nameId: { value: o.nameId, format: o.nameIdFormat ?? null, nameQualifier: o.nameQualifier ?? null, spNameQualifier: o.spNameQualifier ?? null, spProvidedId: o.spProvidedId ?? null },
      sessionIndexes,
      ...o.request,
    });
    const sent = encodeOutgoing({
      param: 'SAMLRequest',
      xml,
      binding,
      endpoint,
      relayState: o.relayState ?? scenario.key,
      sign: signingChoice(o.sign, true, this.identity()),
      mutate: o.mutate,
      ownCertPem: this.options.signing.certPem,
    });
    this.recordSent(scenario, 'LogoutRequest', sent);
    if (sent.id) {
      scenario.logoutRequestIds.push(sent.id);
      this.registry.noteSentId(sent.id, scenario.key);
    }
    scenario.logouts.markNow();
    return sent;
  }

  // ------------------------------------------------------------------ target-mode application

  home(sessionCookie: string | undefined): HttpAction {
    if (this.mode !== 'target') {
      return html(200, indexPage({ entityId: this.u.entityId, metadataUrl: this.u.metadataUrl, acsUrl: this.u.acsUrl, idpEntityId: this.idp?.entityId }));
    }
    return html(200, homePage(this.sessions.get(sessionCookie)?.nameId));
  }

  whoami(sessionCookie: string | undefined): HttpAction {
    const s = this.sessions.get(sessionCookie);
    const body = s ? { authenticated: true, nameId: s.nameId, nameIdFormat: s.nameIdFormat ?? null, sessionIndex: s.sessionIndex ?? null, attributes: s.attributes } : { authenticated: false, nameId: null, attributes: {} };
    return { kind: 'json', status: 200, body };
  }

  /** Local sign-out, then SP-initiated Single Logout when the IdP offers it. */
  logout(sessionCookie: string | undefined, hints: AttributionHints): HttpAction {
    const s = this.sessions.get(sessionCookie);
    const cookies = [expiredCookie(SESSION_COOKIE)];
    if (!s) return { kind: 'redirect', location: '/', cookies };
    this.sessions.delete(s.id);
    const idp = this.idp;
    const binding = idp ? sloBindingFor(idp, 'redirect') : undefined;
    if (!binding) return { kind: 'redirect', location: '/', cookies };
    const scenario = this.registry.get(hints.header ?? s.scenario);
    const sent = this.sendLogoutRequest(scenario, { ...logoutNameIdOf(s), sessionIndex: s.sessionIndex, binding, sign: true, relayState: '/' });
    return send(sent, 'Signing out', cookies);
  }
}

function html(status: number, body: string): { kind: 'html'; status: number; html: string; csp: string } {
  return { kind: 'html', status, html: body, csp: PAGE_CSP };
}

function send(sent: OutgoingMessage, title: string, cookies: string[]): HttpAction {
  if (sent.binding === 'redirect') return { kind: 'redirect', location: sent.redirectUrl!, cookies };
  const pageOut = renderAutoPostPage({ action: sent.endpoint, fields: sent.postFields!, title });
  return { kind: 'html', status: 200, html: pageOut.html, csp: pageOut.contentSecurityPolicy, cookies };
}

function acsNote(o: AcsOutcome, undecodable: boolean): string {
  const parts = [o.path === '/acs' ? 'at the registered ACS' : `at the unregistered ACS path ${o.path}`];
  if (undecodable) parts.push('could not be decoded');
  parts.push(o.accepted ? `accepted as ${o.identity?.nameId ?? '(no identity)'}` : `rejected (${o.failedRules.join(', ') || 'no rule named'})`);
  if (o.ignoredRules.length) parts.push(`waived by weaknesses: ${o.ignoredRules.join(', ')}`);
  return parts.join('; ');
}

