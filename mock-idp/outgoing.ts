// What the mock IdP sends: HTML pages, auto-POST forms, and logout messages to the SP by either
// front-channel binding (Redirect: 302 with a signed query; POST: auto-POST of signed XML), with
// the evidence of each message recorded as sent.
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { decodeRedirect, encodePostFields, encodeRedirect, rawQueryOf, renderAutoPostPage, verifyRedirectSignature } from '../saml/bindings/index.ts';
import { signRoot } from '../saml/signature.ts';
import { HttpRefusal, type Binding, type IdpCore } from './core.ts';
import { errorPage, PAGE_CSP, type Page } from './pages.ts';
import { redirectSignatureEvidence } from '../mock-kit/recorder.ts';
import type { ScenarioState } from './state.ts';

export type AutoPostPage = ReturnType<typeof renderAutoPostPage>;

export const sendPage = (reply: FastifyReply, page: Page) =>
  reply.code(page.status).header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8').send(page.html);

/** An auto-POST page with the CSP it was rendered for (its inline script's hash). */
export const sendPostPage = (reply: FastifyReply, page: AutoPostPage) =>
  reply.code(200).header('content-security-policy', page.contentSecurityPolicy).type('text/html; charset=utf-8').send(page.html);

export const sendAutoPost = (reply: FastifyReply, action: string, fields: Record<string, string>, title: string) =>
  sendPostPage(reply, renderAutoPostPage({ action, fields, title }));

/** A handler's failure as an error page: a refusal with its own status, anything else a 500. */
export function sendFailure(reply: FastifyReply, err: unknown, what = 'The mock IdP failed to answer.') {
  if (err instanceof HttpRefusal) return sendPage(reply, errorPage(err.status, err.message, err.detail));
  return sendPage(reply, errorPage(500, what, (err as Error).message));
}

/** The RelayState size limit of the HTTP-Redirect and HTTP-POST bindings. */
export const RELAY_STATE_MAX_BYTES = 80;

/** truncateRelayState weakness: the first `max` UTF-8 bytes. */
export function cutToBytes(value: string, max: number): string {
  const bytes = Buffer.from(value, 'utf8');
  return bytes.length <= max ? value : bytes.subarray(0, max).toString('utf8');
}

/** reflectRelayStateUnescaped weakness: the auto-POST page with RelayState pasted into the HTML as it came. */
export function renderWithRawRelayState(action: string, fields: Record<string, string>, relayState: string): AutoPostPage {
  const marker = `samlconf-raw-relaystate-${randomBytes(8).toString('hex')}`;
  const page = renderAutoPostPage({ action, fields: { ...fields, RelayState: marker }, title: 'Signing you in' });
  return { ...page, html: page.html.replace(marker, () => relayState) };
}

export interface LogoutMessage {
  binding: Binding;
  location: string;
  xml: string;
  param: 'SAMLRequest' | 'SAMLResponse';
  relayState?: string;
  sign: boolean;
}

/** Send a logout message to the SP with the binding given: Redirect (302, signed query) or POST (auto-POST, signed XML). */
export function sendLogoutMessage(core: IdpCore, reply: FastifyReply, scenario: ScenarioState, m: LogoutMessage) {
  const signing = core.o.signing;
  const mutate = scenario.plan.logout?.mutate;
  if (m.binding === 'redirect') {
    const xml = mutate ? mutate(m.xml) : m.xml;
    const target = encodeRedirect({
      endpoint: m.location,
      param: m.param,
      xml,
      ...(m.relayState !== undefined ? { relayState: m.relayState } : {}),
      ...(m.sign ? { sign: { privateKeyPem: signing.key.privateKeyPem } } : {}),
    });
    const decoded = decodeRedirect(rawQueryOf(target));
    const signatures = decoded.signature !== undefined ? [redirectSignatureEvidence(verifyRedirectSignature(decoded, [signing.certPem]))] : [];
    scenario.recorder.record({
      direction: 'sent',
      binding: 'redirect',
      url: m.location,
      raw: rawQueryOf(target),
      xml,
      ...(m.relayState !== undefined ? { relayState: m.relayState } : {}),
      signatures,
    });
    return reply.redirect(target, 302);
  }
  let xml = m.sign ? signRoot(m.xml, { privateKeyPem: signing.key.privateKeyPem, certPem: signing.certPem }) : m.xml;
  if (mutate) xml = mutate(xml);
  const fields = encodePostFields({ param: m.param, xml, ...(m.relayState !== undefined ? { relayState: m.relayState } : {}) });
  const own = core.ownSignatureEvidence(xml);
  scenario.recorder.record({
    direction: 'sent',
    binding: 'post',
    url: m.location,
    raw: fields[m.param],
    xml,
    ...(m.relayState !== undefined ? { relayState: m.relayState } : {}),
    signatures: own.signatures,
    ...(own.note ? { note: own.note } : {}),
  });
  return sendAutoPost(reply, m.location, fields, 'Signing you out');
}
