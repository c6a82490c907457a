// Decoding what reaches a SAML endpoint (Redirect query or POST form) into one Incoming message,
// and the evidence of it. Redirect messages are decoded from the RAW query string, never from
// fastify's parsed copy: the query signature covers the bytes as sent.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodePostField, decodeRedirect, rawQueryOf, verifyRedirectSignature, type RedirectMessage } from '../saml/bindings/index.ts';
import type { RuleFinding } from '../saml/rules/index.ts';
import type { SignatureCheck } from '../saml/signature.ts';
import { parseXml, type Element } from '../saml/xml.ts';
import { HttpRefusal, firstString, pathOf, summarize, type Binding, type IdpCore } from './core.ts';
import { sendPage } from './outgoing.ts';
import { errorPage } from './pages.ts';
import { redirectSignatureEvidence, xmlSignatureEvidence, type SignatureEvidence } from '../mock-kit/recorder.ts';
import { SCENARIO_HEADER, type ScenarioState } from './state.ts';

/** One decoded incoming SAML message, whatever the binding. */
export interface Incoming {
  binding: Binding;
  url: string;
  raw: string;
  xml: string;
  root: Element;
  relayState?: string;
  /** Redirect binding: the decoded query with its signed octets. */
  redirect?: RedirectMessage;
}

export function decodeIncomingRedirect(core: IdpCore, request: FastifyRequest): Incoming {
  const rawUrl = request.raw.url ?? '';
  const rawQuery = rawQueryOf(rawUrl);
  const redirect = decodeRedirect(rawQuery);
  const root = parseXml(redirect.xml).documentElement!;
  const incoming: Incoming = { binding: 'redirect', url: core.url(pathOf(rawUrl)), raw: rawQuery, xml: redirect.xml, root, redirect };
  if (redirect.relayState !== undefined) incoming.relayState = redirect.relayState;
  return incoming;
}

/** Exactly one of SAMLRequest / SAMLResponse, each a single string field. */
export function decodeIncomingPost(core: IdpCore, request: FastifyRequest): Incoming {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const samlRequest = body.SAMLRequest;
  const samlResponse = body.SAMLResponse;
  if (Array.isArray(samlRequest) || Array.isArray(samlResponse)) throw new HttpRefusal(400, 'the message field appears more than once');
  const field = firstString(samlRequest) ?? firstString(samlResponse);
  if (field === undefined) throw new HttpRefusal(400, 'no SAMLRequest or SAMLResponse form field');
  if (samlRequest !== undefined && samlResponse !== undefined) throw new HttpRefusal(400, 'both SAMLRequest and SAMLResponse present');
  const xml = decodePostField(field);
  const root = parseXml(xml).documentElement!;
  const incoming: Incoming = { binding: 'post', url: core.url(pathOf(request.raw.url ?? '')), raw: field, xml, root };
  const relay = body.RelayState;
  if (Array.isArray(relay)) throw new HttpRefusal(400, 'RelayState appears more than once');
  if (typeof relay === 'string') incoming.relayState = relay;
  return incoming;
}

/** Record what could not be decoded on the scenario the header or default names, then refuse. */
export function refuseUndecodable(core: IdpCore, request: FastifyRequest, reply: FastifyReply, binding: Binding, err: unknown) {
  const scenario = core.scenarios.attribute({ header: request.headers[SCENARIO_HEADER] });
  const rawUrl = request.raw.url ?? '';
  const body = (request.body ?? {}) as Record<string, unknown>;
  const raw = binding === 'redirect' ? rawQueryOf(rawUrl) : String(firstString(body.SAMLRequest) ?? firstString(body.SAMLResponse) ?? '');
  const message = (err as Error).message;
  scenario.recorder.record({ direction: 'received', kind: 'Other', binding, url: core.url(pathOf(rawUrl)), raw, note: `not decodable: ${message}` });
  const status = err instanceof HttpRefusal ? err.status : 400;
  return sendPage(reply, errorPage(status, 'The SAML message could not be decoded.', message));
}

/** Evidence of a message that reached us, with the rule findings it failed. */
export function recordIncoming(scenario: ScenarioState, incoming: Incoming, signatures: SignatureEvidence[], failed: readonly RuleFinding[]) {
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

/** Signature evidence of an incoming message: the XML signatures and, on Redirect, the query signature. */
export function incomingSignatures(incoming: Incoming, certs: string[], xml: SignatureCheck[]) {
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
