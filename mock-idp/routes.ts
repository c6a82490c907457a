// The SAML endpoints of the mock IdP and what each runs. Every SSO/SLO path goes through one of
// two binding handlers (Redirect or POST) that decode the message and dispatch on its root
// element, because products share paths between SSO and SLO (Azure's /<tenant>/saml2 takes both).
//
// A new endpoint is a module exporting a RouteHandler plus one route(...) line below; a new
// message kind at the existing bindings is one entry in MESSAGE_HANDLERS.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NS } from '../saml/constants.ts';
import { LOGIN_PATH, LOGOUT_START_PATH, RESEND_PATH, type Binding, type IdpCore } from './core.ts';
import { decodeIncomingPost, decodeIncomingRedirect, refuseUndecodable, type Incoming } from './incoming.ts';
import { handleLogin } from './login.ts';
import { sendFailure, sendPage } from './outgoing.ts';
import { errorPage } from './pages.ts';
import { PlanError } from './plan.ts';
import { handleResend } from './response.ts';
import { handleLogoutRequest, handleLogoutResponse, handleLogoutStart } from './slo.ts';
import { handleAuthnRequest, handleInit } from './sso.ts';
import { SCENARIO_HEADER } from './state.ts';

export type RouteHandler = (core: IdpCore, request: FastifyRequest, reply: FastifyReply) => unknown;
export type MessageHandler = (core: IdpCore, request: FastifyRequest, reply: FastifyReply, incoming: Incoming) => unknown;

/** samlp root element -> handler. A Map, not an object: a root named `constructor` must find nothing. */
const MESSAGE_HANDLERS = new Map<string, MessageHandler>([
  ['AuthnRequest', handleAuthnRequest],
  ['LogoutRequest', handleLogoutRequest],
  ['LogoutResponse', handleLogoutResponse],
]);

async function handleBinding(core: IdpCore, request: FastifyRequest, reply: FastifyReply, binding: Binding) {
  let incoming: Incoming;
  try {
    incoming = binding === 'redirect' ? decodeIncomingRedirect(core, request) : decodeIncomingPost(core, request);
  } catch (err) {
    return refuseUndecodable(core, request, reply, binding, err);
  }
  const root = incoming.root;
  const kind = root.namespaceURI === NS.samlp ? root.localName : undefined;
  const handler = kind == null ? undefined : MESSAGE_HANDLERS.get(kind);
  if (handler) {
    try {
      return await handler(core, request, reply, incoming);
    } catch (err) {
      return sendFailure(reply, err, err instanceof PlanError ? 'The plan cannot be carried out.' : undefined);
    }
  }
  const scenario = core.scenarios.attribute({ header: request.headers[SCENARIO_HEADER], relayState: incoming.relayState });
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

const redirectBinding: RouteHandler = (core, req, reply) => handleBinding(core, req, reply, 'redirect');
const postBinding: RouteHandler = (core, req, reply) => handleBinding(core, req, reply, 'post');
const metadata: RouteHandler = (core, _req, reply) => reply.type('application/samlmetadata+xml; charset=utf-8').send(core.metadataXml());

export function registerSamlRoutes(app: FastifyInstance, core: IdpCore): void {
  // A persona's path may equal a generic one ('/sso'...): the first registration of a path wins.
  const registered = new Set<string>();
  const route = (method: 'GET' | 'POST', path: string, handler: RouteHandler) => {
    const key = `${method} ${path}`;
    if (registered.has(key)) return;
    registered.add(key);
    app.route({ method, url: path, handler: async (req, reply) => handler(core, req, reply) });
  };
  const r = core.routes;
  for (const path of [r.metadata, '/metadata']) route('GET', path, metadata);
  for (const path of [r.ssoRedirect, r.sloRedirect, '/sso', '/slo']) route('GET', path, redirectBinding);
  for (const path of [r.ssoPost, r.sloPost, '/sso', '/slo']) route('POST', path, postBinding);
  for (const path of [r.init, '/init']) route('GET', path, handleInit);
  route('POST', LOGIN_PATH, handleLogin);
  route('GET', LOGOUT_START_PATH, handleLogoutStart);
  route('GET', RESEND_PATH, handleResend);
}
