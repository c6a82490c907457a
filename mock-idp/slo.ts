// Single Logout: LogoutRequests from the SP (judged against the session they name; target mode
// ends IdP sessions), LogoutResponses to the LogoutRequests this IdP sent, and the start URL that
// makes the IdP send one (IdP-initiated logout).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rawQueryOf } from '../saml/bindings/index.ts';
import { buildLogoutRequest, buildLogoutResponse } from '../saml/builders/index.ts';
import { BINDING, NS } from '../saml/constants.ts';
import { readLogoutRequest, readLogoutResponse } from '../saml/readers.ts';
import { validateLogoutRequest, validateLogoutResponse, type LogoutSession } from '../saml/rules/index.ts';
import { attr, descendants, parseXml } from '../saml/xml.ts';
import { HttpRefusal, failedMusts, summarize, type Binding, type IdpCore } from './core.ts';
import { incomingSignatures, recordIncoming, type Incoming } from './incoming.ts';
import { sendLogoutMessage, sendPage } from './outgoing.ts';
import { errorPage, messagePage } from './pages.ts';
import { SCENARIO_HEADER, sloEndpoint, spSigningCerts, type ScenarioState } from './state.ts';
import type { ReceivedLogout } from './types.ts';

/** The NameID Format of the first NameID in a Response we sent (what an SP's LogoutRequest must repeat). */
function nameIdFormatIn(xml: string): string | undefined {
  try {
    return attr(descendants(parseXml(xml), NS.saml, 'NameID')[0], 'Format');
  } catch {
    return undefined;
  }
}

export async function handleLogoutRequest(core: IdpCore, request: FastifyRequest, reply: FastifyReply, incoming: Incoming) {
  const info = readLogoutRequest(incoming.root);
  const scenario = core.scenarios.attribute({ header: request.headers[SCENARIO_HEADER], sessionIndexes: info.sessionIndexes, relayState: incoming.relayState });
  const sp = core.sps.for(info.issuer);
  const certs = spSigningCerts(sp);
  const sig = incomingSignatures(incoming, certs, core.xmlChecks(incoming.xml, certs));
  const session = logoutSessionFor(core, scenario, info.nameId?.value, info.sessionIndexes);
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
  if (core.mode === 'target') {
    const unsigned = sig.redirectCheck === undefined && validation.signatures.length === 0;
    const waived = new Set<string>(core.targetWeak.acceptUnsignedLogoutRequest && unsigned ? ['signature-required'] : []);
    const blocking = failed.filter((f) => !waived.has(f.rule));
    received.accepted = blocking.length === 0;
    if (blocking.length) throw new HttpRefusal(403, 'The logout request was refused.', summarize(blocking));
    received.sessionsEnded = endIdpSessions(core, validation.message?.nameId, validation.message?.sessionIndexes ?? []);
  }
  // Answer with the binding the request came by, else the other one the SP lists.
  const answerBinding = ([incoming.binding, incoming.binding === 'redirect' ? 'post' : 'redirect'] as const).find((b) => sloEndpoint(sp, BINDING[b], true));
  if (!answerBinding) throw new HttpRefusal(400, 'The SP metadata lists no SingleLogoutService (Redirect or POST) to answer to.');
  const location = sloEndpoint(sp, BINDING[answerBinding], true)!;
  const status = scenario.plan.logout?.status ?? {};
  const xml = buildLogoutResponse({ issuer: core.entityId, destination: location, ...(info.id !== undefined ? { inResponseTo: info.id } : {}), status });
  return sendLogoutMessage(core, reply, scenario, {
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
function logoutSessionFor(core: IdpCore, scenario: ScenarioState, claimedNameId: string | undefined, claimedIndexes: string[]): LogoutSession | undefined {
  if (core.mode === 'target') {
    // The NameIDs this IdP issued with that value; the one whose SessionIndex the request names
    // decides, and it must come back exactly as issued, qualifiers included (Profiles 4.4.4.1).
    const mine = [...core.idpSessions.values()].filter((s) => claimedNameId !== undefined && s.issued.some((i) => i.nameId.value === claimedNameId));
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
function endIdpSessions(core: IdpCore, nameId: string | undefined, sessionIndexes: string[]): number {
  if (nameId === undefined) return 0;
  let ended = 0;
  for (const [id, s] of core.idpSessions) {
    if (!s.issued.some((i) => i.nameId.value === nameId)) continue;
    if (sessionIndexes.length > 0 && !s.sessionIndexes.some((i) => sessionIndexes.includes(i))) continue;
    core.idpSessions.delete(id);
    ended++;
  }
  return ended;
}

export function handleLogoutResponse(core: IdpCore, request: FastifyRequest, reply: FastifyReply, incoming: Incoming) {
  const info = readLogoutResponse(incoming.root);
  const scenario = core.scenarios.attribute({ header: request.headers[SCENARIO_HEADER], inResponseTo: info.inResponseTo, relayState: incoming.relayState });
  const sp = core.sps.for(info.issuer);
  const certs = spSigningCerts(sp);
  const sig = incomingSignatures(incoming, certs, core.xmlChecks(incoming.xml, certs));
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

/** IdP-initiated logout: the token from IdpScenario.logoutRequestUrl becomes a LogoutRequest to the SP. */
export async function handleLogoutStart(core: IdpCore, request: FastifyRequest, reply: FastifyReply) {
  const params = new URLSearchParams(rawQueryOf(request.raw.url ?? ''));
  const start = core.logoutStarts.get(params.get('token') ?? '');
  if (!start) return sendPage(reply, errorPage(400, 'Unknown logout start token.'));
  const scenario = core.scenarios.get(start.key);
  const sp = core.sps.first();
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
    issuer: core.entityId,
    destination: location,
    nameId: { value: opts.nameId, format: opts.nameIdFormat ?? null },
    sessionIndexes: opts.sessionIndex !== undefined ? [opts.sessionIndex] : [],
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
  });
  const id = parseXml(xml).documentElement!.getAttribute('ID');
  if (id) {
    core.scenarios.sentRequestIds.set(id, scenario.key);
    scenario.logoutRequestIds.push(id);
  }
  return sendLogoutMessage(core, reply, scenario, {
    binding,
    location,
    xml,
    param: 'SAMLRequest',
    relayState: opts.relayState ?? scenario.key,
    sign: opts.sign ?? scenario.plan.logout?.sign ?? true,
  });
}
