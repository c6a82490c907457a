// Answering a login: build the Response the scenario's plan asks for, send it to the ACS (auto-POST,
// or Redirect for the answerWithRequestedBinding weakness), remember it, and post it again on
// request (replay attacks).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { encodePostFields, encodeRedirect, rawQueryOf, renderAutoPostPage } from '../saml/bindings/index.ts';
import { HttpRefusal, type IdpCore, type ResponseTarget } from './core.ts';
import { RELAY_STATE_MAX_BYTES, cutToBytes, renderWithRawRelayState, sendPage, sendPostPage, type AutoPostPage } from './outgoing.ts';
import { errorPage } from './pages.ts';
import { buildPlannedResponse } from './plan.ts';
import { newSessionKey, persona as personaByName } from './personas.ts';
import { spEncryptionCert, type ScenarioState } from './state.ts';

type Planned = Awaited<ReturnType<typeof buildPlannedResponse>>;

export async function answer(core: IdpCore, reply: FastifyReply, target: ResponseTarget, forcedStatus?: { code: string; subCode?: string }) {
  const { o, mode, targetWeak } = core;
  const { scenario } = target;
  let plan = forcedStatus ? { ...scenario.plan, response: { ...scenario.plan.response, status: forcedStatus } } : scenario.plan;
  const who = target.user ?? plan.user ?? core.defaultUser;
  const encryptByDefault = o.encryptAssertions === true || (o.encryptAssertions === 'as-sp-metadata' && (target.sp?.sp.keys.some((k) => k.use === 'encryption') ?? false));
  if (plan.encrypt === undefined && encryptByDefault) plan = { ...plan, encrypt: {} };
  const user = target.echoNameIdFormat !== undefined ? { ...who, nameIdFormat: target.echoNameIdFormat } : who;
  const planned = await buildPlannedResponse({
    plan,
    persona: personaByName(plan.persona ?? core.persona.name),
    personaConfig: core.personaConfig,
    idpEntityId: core.entityId,
    credential: core.credential,
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
  if (target.redirectResponse) return sendRedirectResponse(core, reply, scenario, planned, relayState);
  // A broken IdP for the harness's own null-target tests: no SAML parser may read this.
  if (mode === 'target' && o.breakdown === 'doctype-answers') planned.xml = `<!DOCTYPE Response [<!ENTITY who "alice">]>\n${planned.xml}`;
  const fields = encodePostFields({ param: 'SAMLResponse', xml: planned.xml, ...(relayState !== undefined ? { relayState } : {}) });
  let page: AutoPostPage;
  try {
    page = targetWeak.reflectRelayStateUnescaped && relayState !== undefined ? renderWithRawRelayState(planned.acsUrl, fields, relayState) : renderAutoPostPage({ action: planned.acsUrl, fields, title: 'Signing you in' });
  } catch (err) {
    throw new HttpRefusal(400, 'The ACS URL cannot be posted to.', (err as Error).message);
  }
  const own = core.ownSignatureEvidence(planned.xml);
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
  if (planned.sessionIndex) core.scenarios.sessions.set(planned.sessionIndex, scenario.key);
  return sendPostPage(reply, page);
}

/** The Response the scenario sent last, for scenarios that read it back or re-send it. */
function rememberSent(scenario: ScenarioState, planned: Planned, relayState: string | undefined) {
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
function sendRedirectResponse(core: IdpCore, reply: FastifyReply, scenario: ScenarioState, planned: Planned, relayState: string | undefined) {
  const location = encodeRedirect({ endpoint: planned.acsUrl, param: 'SAMLResponse', xml: planned.xml, ...(relayState !== undefined ? { relayState } : {}) });
  scenario.recorder.record({
    direction: 'sent',
    binding: 'redirect',
    url: planned.acsUrl,
    raw: rawQueryOf(location),
    xml: planned.xml,
    ...(relayState !== undefined ? { relayState } : {}),
    signatures: core.ownSignatureEvidence(planned.xml).signatures,
    note: 'Response sent with HTTP-Redirect because the AuthnRequest asked for it',
  });
  rememberSent(scenario, planned, relayState);
  return reply.redirect(location, 302);
}

/** Post a Response sent before once more, byte for byte (replay attacks); recorded as sent again. */
export function handleResend(core: IdpCore, request: FastifyRequest, reply: FastifyReply) {
  const params = new URLSearchParams(rawQueryOf(request.raw.url ?? ''));
  const resend = core.resends.get(params.get('token') ?? '');
  if (!resend) return sendPage(reply, errorPage(400, 'Unknown resend token.'));
  const scenario = core.scenarios.get(resend.key);
  const last = resend.response;
  const fields = encodePostFields({ param: 'SAMLResponse', xml: last.xml, ...(last.relayState !== undefined ? { relayState: last.relayState } : {}) });
  const page = renderAutoPostPage({ action: last.acsUrl, fields, title: 'Signing you in' });
  const own = core.ownSignatureEvidence(last.xml);
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
  return sendPostPage(reply, page);
}
