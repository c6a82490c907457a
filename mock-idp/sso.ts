// Web Browser SSO: an AuthnRequest judged by saml/rules, then answered, and IdP-initiated starts.
//
// 'mock' mode signs the plan's user in at once and auto-POSTs the Response. 'target' mode
// behaves like a real IdP for the detection matrix: it refuses requests that break a MUST rule
// (unsigned when signatures are wanted, an ACS URL not in metadata, a wrong Destination...)
// unless a weakness switch waives that rule, and it asks for a password before answering.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rawQueryOf } from '../saml/bindings/index.ts';
import { BINDING, STATUS } from '../saml/constants.ts';
import { readAuthnRequest } from '../saml/readers.ts';
import { validateAuthnRequest } from '../saml/rules/index.ts';
import { authnContextSatisfied } from './authn-context.ts';
import { HttpRefusal, failedMusts, summarize, type IdpCore, type ResponseTarget } from './core.ts';
import { incomingSignatures, recordIncoming, type Incoming } from './incoming.ts';
import { askForLogin, answerInSession } from './login.ts';
import { sendFailure, sendPage } from './outgoing.ts';
import { errorPage } from './pages.ts';
import { newSessionKey, persona as personaByName } from './personas.ts';
import { answer } from './response.ts';
import { SCENARIO_HEADER, acsByIndex, acsRegistered, defaultPostAcs, spSigningCerts, type KnownSp, type ScenarioState } from './state.ts';

export async function handleAuthnRequest(core: IdpCore, request: FastifyRequest, reply: FastifyReply, incoming: Incoming) {
  const { mode, weak, targetWeak } = core;
  const scenario = core.scenarios.attribute({ header: request.headers[SCENARIO_HEADER], relayState: incoming.relayState });
  const info = readAuthnRequest(incoming.root);
  const sp = core.sps.for(info.issuer);
  const certs = spSigningCerts(sp);
  const sig = incomingSignatures(incoming, certs, core.xmlChecks(incoming.xml, certs));
  const validation = validateAuthnRequest(incoming.xml, {
    ssoUrl: incoming.url,
    knownServiceProviders: core.knownSpsFor(info.issuer),
    wantAuthnRequestsSigned: core.wantSigned,
    binding: incoming.binding,
    ...(sig.redirectCheck ? { redirectSignature: sig.redirectCheck } : {}),
    supportedResponseBindings: [BINDING.post],
    ...(targetWeak.allowRequestReplay ? {} : { seenRequestIds: core.seenIds }),
    ...(targetWeak.ignoreRequestIssueInstant ? { maxAgeSeconds: Number.POSITIVE_INFINITY } : {}),
  });
  if (info.id) core.seenRequestIds.set(info.id, true);
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
  if (mode !== 'target' && core.wantSigned && unauthenticated) {
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

  const acsUrl = chooseAcs(core, scenario, info.acsUrl, info.acsIndex, sp, validation.acs?.location);
  const spEntityId = sp?.entityId ?? info.issuer;
  const target: ResponseTarget = {
    scenario,
    acsUrl,
    ...(info.id !== undefined ? { inResponseTo: info.id } : {}),
    ...(incoming.relayState !== undefined ? { relayState: incoming.relayState } : {}),
    ...(info.nameIdPolicy?.format !== undefined && !targetWeak.ignoreNameIdPolicy && !scenario.plan.keepNameIdFormat ? { requestedNameIdFormat: info.nameIdPolicy.format } : {}),
    ...(targetWeak.echoUnsupportedNameIdFormat && info.nameIdPolicy?.format !== undefined && !personaByName(scenario.plan.persona ?? core.persona.name).nameIdFormats.includes(info.nameIdPolicy.format)
      ? { echoNameIdFormat: info.nameIdPolicy.format }
      : {}),
    ...(spEntityId !== undefined ? { spEntityId } : {}),
    ...(sp ? { sp } : {}),
    ...(mode === 'target' && weak.answerWithRequestedBinding && info.protocolBinding === BINDING.redirect ? { redirectResponse: true } : {}),
  };
  if (mode === 'target') {
    if (!targetWeak.ignoreRequestedAuthnContext && !authnContextSatisfied(info.requestedAuthnContext, providedClassRef(core, scenario, target))) {
      // Core 3.3.2.2.1: an authentication context the IdP cannot provide is an error, never an assertion about another one.
      return answer(core, reply, target, { code: STATUS.responder, subCode: STATUS.noAuthnContext });
    }
    const session = core.idpSessionOf(request);
    if (session && (info.forceAuthn !== true || targetWeak.ignoreForceAuthn)) return answerInSession(core, reply, target, session);
    return askForLogin(core, reply, target, info.isPassive === true && !targetWeak.ignoreIsPassive);
  }
  return answer(core, reply, target);
}

/** The authentication context class the IdP asserts for this request (its persona's; the IdP only knows password sign-in). */
function providedClassRef(core: IdpCore, scenario: ScenarioState, target: ResponseTarget): string {
  const shapeOf = personaByName(scenario.plan.persona ?? core.persona.name);
  return shapeOf.shape({ user: core.defaultUser, sessionKey: newSessionKey(), idpEntityId: core.entityId, config: core.personaConfig, ...(target.spEntityId !== undefined ? { spEntityId: target.spEntityId } : {}) }).classRef;
}

/** Mock mode: the requested ACS if registered (or no metadata), then the index, then the default. Target mode already validated. */
function chooseAcs(core: IdpCore, scenario: ScenarioState, requestedUrl: string | undefined, index: number | undefined, sp: KnownSp | undefined, validated: string | undefined): string {
  if (scenario.plan.acsUrl) return scenario.plan.acsUrl;
  if (core.mode === 'target') {
    if (core.weak.acceptAnyAcsUrl && requestedUrl !== undefined) return requestedUrl;
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

/** IdP-initiated SSO: an unsolicited Response to the SP's default POST ACS (target mode: after a login). */
export async function handleInit(core: IdpCore, request: FastifyRequest, reply: FastifyReply) {
  const params = new URLSearchParams(rawQueryOf(request.raw.url ?? ''));
  const scenario = core.scenarios.attribute({ header: request.headers[SCENARIO_HEADER], queryScenario: params.get('scenario') ?? undefined });
  try {
    const sp = core.sps.first(params.get('sp') ?? undefined);
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
    if (core.mode === 'target') return askForLogin(core, reply, target, false);
    return await answer(core, reply, target);
  } catch (err) {
    return sendFailure(reply, err);
  }
}
