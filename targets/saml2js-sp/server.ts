// Reference SP on saml2-js 4 (Clever's SAML library) in express 5, integrated the way the
// library's README shows it, in two configurations (see targets/README.md):
//
//   saml2js-sp            ServiceProvider with the four required options plus
//                         `allow_unencrypted_assertion: true` (as the README's ServiceProvider
//                         example sets it), every other option left at saml2-js's default.
//   saml2js-sp-encrypted  (`--encrypted`) the README's "Example: Express implementation": the four
//                         required options only, so `allow_unencrypted_assertion` keeps its default
//                         (false) and post_assert refuses any Response without an EncryptedAssertion.
//
// Both publish sp.create_metadata(), which lists the certificate for signing and for encryption,
// the POST ACS and, at the same URL, a Redirect SingleLogoutService.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import express, { type Request, type Response } from 'express';
import saml2, { type AssertOptions, type SamlAssertResponse } from 'saml2-js';
import { loadOrCreateKeyPair } from '../lib/keys.ts';
import {
  announce,
  baseUrlFor,
  env,
  escapeHtml,
  listenOnLoopback,
  page,
  parseCookies,
  readFileOrUrl,
  requestedPort,
  sessionCookie,
} from '../lib/runtime.ts';
import { readIdpMetadata } from '../node-saml-sp/idp-config.ts';

const ENCRYPTED = process.argv.includes('--encrypted');
const NAME = ENCRYPTED ? 'saml2js-sp-encrypted' : 'saml2js-sp';
const COOKIE = 'saml2jssp_session';

interface SignedInUser {
  nameId: string;
  sessionIndex?: string;
  attributes: Record<string, string[]>;
}

interface IdpDetails {
  ssoUrl: string;
  sloUrl?: string;
  certificates: string[];
}

/**
 * The harness's IdP as saml2-js wants it: SSO URL (SAMLCONF_IDP_SSO_URL, else the metadata's
 * Redirect SingleSignOnService), certificates (SAMLCONF_IDP_CERT_FILE, else the metadata's signing
 * certificates) and, for logout, the metadata's Redirect SingleLogoutService.
 */
async function loadIdp(): Promise<IdpDetails> {
  const xml = await readFileOrUrl(env('SAMLCONF_IDP_METADATA_FILE'), env('SAMLCONF_IDP_METADATA_URL'));
  const facts = xml ? readIdpMetadata(xml) : undefined;
  const certFile = env('SAMLCONF_IDP_CERT_FILE');
  const ssoUrl = env('SAMLCONF_IDP_SSO_URL') ?? facts?.ssoRedirect;
  const certificates = certFile ? [readFileSync(certFile, 'utf8')] : (facts?.signingCerts ?? []);
  const missing: string[] = [];
  if (!ssoUrl) missing.push('IdP SSO URL (SAMLCONF_IDP_SSO_URL or a Redirect SingleSignOnService in the metadata)');
  if (certificates.length === 0) missing.push('IdP certificate (SAMLCONF_IDP_CERT_FILE or a signing KeyDescriptor in the metadata)');
  if (missing.length > 0) {
    throw new Error(`${NAME} cannot start: missing ${missing.join('; ')}. Set SAMLCONF_IDP_METADATA_FILE or SAMLCONF_IDP_METADATA_URL, or the single SAMLCONF_IDP_* variables.`);
  }
  return { ssoUrl: ssoUrl!, sloUrl: facts?.sloRedirect, certificates };
}

async function main(): Promise<void> {
  const server = http.createServer();
  const port = await listenOnLoopback(server, requestedPort());
  const baseUrl = baseUrlFor(NAME, port);
  const stateDir = env('SAMLCONF_TARGET_STATE_DIR') ?? join('.samlconf', 'targets', NAME);
  const idpDetails = await loadIdp();
  // One key pair: saml2-js uses the same key to sign (when asked) and to decrypt.
  const keys = loadOrCreateKeyPair(stateDir, 'sp', `${NAME} signing and encryption`);

  const sp = new saml2.ServiceProvider({
    entity_id: `${baseUrl}/metadata`,
    private_key: keys.privateKeyPem,
    certificate: keys.certificatePem,
    assert_endpoint: `${baseUrl}/acs`,
    ...(ENCRYPTED ? {} : { allow_unencrypted_assertion: true }),
  });
  const idp = new saml2.IdentityProvider({
    sso_login_url: idpDetails.ssoUrl,
    // Required by the README; without an SLO endpoint at the IdP, /logout only ends the local session.
    sso_logout_url: idpDetails.sloUrl ?? idpDetails.ssoUrl,
    certificates: idpDetails.certificates,
  });

  // saml2-js answers through callbacks; these wrap the four calls the routes make.
  const assert = (how: 'post_assert' | 'redirect_assert', options: AssertOptions): Promise<SamlAssertResponse> =>
    new Promise((resolve, reject) => sp[how](idp, options, (err, response) => (err ? reject(err) : resolve(response))));
  const loginUrl = (relayState: string | undefined): Promise<string> =>
    new Promise((resolve, reject) =>
      sp.create_login_request_url(idp, relayState ? { relay_state: relayState } : {}, (err, url) => (err ? reject(err) : resolve(url))),
    );
  const logoutUrl = (user: SignedInUser): Promise<string> =>
    new Promise((resolve, reject) =>
      sp.create_logout_request_url(idp, { name_id: user.nameId, session_index: user.sessionIndex }, (err, url) => (err ? reject(err) : resolve(url))),
    );
  const logoutResponseUrl = (inResponseTo: string | undefined, relayState: string | undefined): Promise<string> =>
    new Promise((resolve, reject) =>
      sp.create_logout_response_url(
        idp,
        { ...(inResponseTo ? { in_response_to: inResponseTo } : {}), ...(relayState ? { relay_state: relayState } : {}) },
        (err, url) => (err ? reject(err) : resolve(url)),
      ),
    );

  const sessions = new Map<string, SignedInUser>();
  const currentUser = (req: Request): SignedInUser | undefined => {
    const sid = parseCookies(req.headers.cookie).get(COOKIE);
    return sid ? sessions.get(sid) : undefined;
  };
  const dropSessionsOf = (nameId: string | undefined): void => {
    for (const [sid, user] of sessions) if (user.nameId === nameId) sessions.delete(sid);
  };
  const fail = (res: Response, status: number, what: string, err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${NAME}: ${what}: ${message}\n`);
    res.status(status).type('html').send(page('Sign-in failed', `<p id="error">${escapeHtml(what)}: ${escapeHtml(message)}</p><p><a href="/">Home</a></p>`));
  };
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));

  app.get('/', (req, res) => {
    const user = currentUser(req);
    const body = user
      ? `<p id="status">Signed in as <span id="name-id">${escapeHtml(user.nameId)}</span></p><p><a href="/logout">Sign out</a></p>`
      : `<p id="status">Not signed in.</p><p><a id="login" href="/login">Sign in with SSO</a></p>`;
    res.type('html').send(page(`saml2-js reference SP${ENCRYPTED ? ' (encrypted assertions)' : ''}`, body));
  });

  app.get('/metadata', (_req, res) => {
    res.type('application/samlmetadata+xml').send(sp.create_metadata());
  });

  app.get('/login', async (req, res) => {
    try {
      res.redirect(await loginUrl(text(req.query.RelayState)));
    } catch (err) {
      fail(res, 500, 'Could not start sign-in', err);
    }
  });

  // ACS (HTTP-POST): post_assert checks the Response; a success becomes a session.
  app.post('/acs', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const response = await assert('post_assert', { request_body: body });
      if (response.type !== 'authn_response' || !response.user) throw new Error(`expected a login Response, got a ${response.type}`);
      const nameId = response.user.name_id;
      if (typeof nameId !== 'string' || nameId === '') throw new Error('the assertion names no subject (no NameID)');
      const sid = randomBytes(24).toString('base64url');
      sessions.set(sid, { nameId, sessionIndex: response.user.session_index, attributes: response.user.attributes ?? {} });
      res.setHeader('Set-Cookie', sessionCookie(COOKIE, sid));
      res.redirect(303, '/');
    } catch (err) {
      fail(res, 401, 'Rejected SAML response', err);
    }
  });

  // The same URL over HTTP-Redirect is the SingleLogoutService create_metadata() advertises:
  // redirect_assert reads the IdP's LogoutRequest or its LogoutResponse to our LogoutRequest.
  app.get('/acs', async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const relayState = text(query.RelayState);
    try {
      const message = await assert('redirect_assert', { request_body: query });
      if (message.type === 'logout_request') {
        dropSessionsOf(message.name_id);
        res.redirect(await logoutResponseUrl(message.response_header.id, relayState));
        return;
      }
      if (message.type === 'logout_response') {
        res.redirect(303, '/');
        return;
      }
      throw new Error('a login Response over HTTP-Redirect: this SP takes them over HTTP-POST only');
    } catch (err) {
      fail(res, 400, 'Rejected logout message', err);
    }
  });

  app.get('/whoami', (req, res) => {
    const user = currentUser(req);
    res.status(user ? 200 : 401).json(
      user
        ? { authenticated: true, nameId: user.nameId, sessionIndex: user.sessionIndex ?? null, attributes: user.attributes }
        : { authenticated: false, nameId: null, attributes: {} },
    );
  });

  // SP-initiated logout: end the local session, then send the IdP a LogoutRequest for it.
  app.get('/logout', async (req, res) => {
    const sid = parseCookies(req.headers.cookie).get(COOKIE);
    const user = sid ? sessions.get(sid) : undefined;
    if (sid) sessions.delete(sid);
    res.setHeader('Set-Cookie', sessionCookie(COOKIE, '', true));
    if (!user || !idpDetails.sloUrl) {
      res.redirect(303, '/');
      return;
    }
    try {
      res.redirect(await logoutUrl(user));
    } catch (err) {
      fail(res, 500, 'Could not start single logout', err);
    }
  });

  server.on('request', app);
  announce(NAME, port, baseUrl);
}

main().catch((err: unknown) => {
  process.stderr.write(`${NAME}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
