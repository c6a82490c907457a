// Reference IdP: an express 5 app built on samlify 2, configured the way samlify's docs describe
// (metadata-driven SP, schema validator set up front, signed responses). See targets/README.md.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import express, { type Request, type Response } from 'express';
import samlify from 'samlify';
import { loadOrCreateKeyPair } from '../lib/keys.ts';
import {
  announce,
  autoPostPage,
  baseUrlFor,
  env,
  escapeHtml,
  listenOnLoopback,
  page,
  parseCookies,
  requestedPort,
  sessionCookie,
} from '../lib/runtime.ts';
import { LOGIN_RESPONSE_TEMPLATE, RELEASED_ATTRIBUTES, fillLoginResponse } from './response-template.ts';
import { DEFAULT_XSD_DIR, createXmllintValidator } from './schema-validator.ts';
import { SpUnavailableError, loadServiceProvider, type ServiceProvider } from './sp-config.ts';
import { checkPassword, type TestUser } from './users.ts';

const NAME = 'samlify-idp';
const COOKIE = 'samlifyidp_session';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const PENDING_TTL_MS = 10 * 60 * 1000;
const MAX_PENDING = 1000;
const RESPONSE_VALIDITY_MS = 5 * 60 * 1000;

/** A sign-in the IdP still has to answer once the user has logged in. */
interface PendingSignIn {
  /** ID of the AuthnRequest; absent for IdP-initiated sign-in. */
  requestId?: string;
  relayState?: string;
  createdAt: number;
}

interface IdpSession {
  user: TestUser;
  sessionIndex: string;
  authnInstant: Date;
}

type Binding = 'redirect' | 'post';

/** What samlify returns for the HTTP-POST binding (its own type is not exported from the root). */
interface PostBinding {
  context: string;
  entityEndpoint: string;
  relayState?: string;
}

async function main(): Promise<void> {
  const server = http.createServer();
  const port = await listenOnLoopback(server, requestedPort());
  const baseUrl = baseUrlFor(NAME, port);
  const stateDir = env('SAMLCONF_TARGET_STATE_DIR') ?? join('.samlconf', 'targets', NAME);

  // samlify will not parse a single message until a schema validator is set.
  samlify.setSchemaValidator(createXmllintValidator(env('SAMLCONF_SAML_XSD_DIR') ?? DEFAULT_XSD_DIR, stateDir));

  const keys = loadOrCreateKeyPair(stateDir, 'idp', `${NAME} signing`);
  const idp = samlify.IdentityProvider({
    entityID: `${baseUrl}/metadata`,
    signingCert: keys.certificatePem,
    privateKey: keys.privateKeyPem,
    requestSignatureAlgorithm: RSA_SHA256,
    wantAuthnRequestsSigned: true,
    wantLogoutRequestSigned: true,
    nameIDFormat: [EMAIL_FORMAT],
    singleSignOnService: [
      { Binding: REDIRECT, Location: `${baseUrl}/sso` },
      { Binding: POST, Location: `${baseUrl}/sso` },
    ],
    singleLogoutService: [
      { Binding: REDIRECT, Location: `${baseUrl}/slo` },
      { Binding: POST, Location: `${baseUrl}/slo` },
    ],
    loginResponseTemplate: { context: LOGIN_RESPONSE_TEMPLATE, attributes: RELEASED_ATTRIBUTES },
  });
  const idpEntityId = `${baseUrl}/metadata`;

  const sessions = new Map<string, IdpSession>();
  const pending = new Map<string, PendingSignIn>();

  const sessionOf = (req: Request): IdpSession | undefined => {
    const sid = parseCookies(req.headers.cookie).get(COOKIE);
    return sid ? sessions.get(sid) : undefined;
  };
  const remember = (signIn: PendingSignIn): string => {
    const now = Date.now();
    for (const [key, p] of pending) if (now - p.createdAt > PENDING_TTL_MS) pending.delete(key);
    // Still full: drop the oldest (Map keeps insertion order).
    if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
    const key = randomBytes(16).toString('base64url');
    pending.set(key, signIn);
    return key;
  };
  const fail = (res: Response, status: number, what: string, err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${NAME}: ${what}: ${message}\n`);
    res.status(status).type('html').send(page(what, `<p id="error">${escapeHtml(message)}</p>`));
  };
  const loginForm = (res: Response, pendingKey: string, error?: string): void => {
    res.status(error ? 401 : 200).type('html').send(
      page(
        'Sign in to samlify-idp',
        `${error ? `<p id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="pending" value="${escapeHtml(pendingKey)}">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit" id="submit">Sign in</button>
</form>`,
      ),
    );
  };

  /** Issues the signed Response for a signed-in user and posts it to the SP's ACS. */
  const answer = async (res: Response, sp: ServiceProvider, session: IdpSession, signIn: PendingSignIn): Promise<void> => {
    // samlify addresses the Response to the ACS it finds in the SP's metadata.
    const acs = sp.entityMeta.getAssertionConsumerService('post');
    if (typeof acs !== 'string') throw new Error('the SP metadata has no HTTP-POST AssertionConsumerService');
    const requestInfo = signIn.requestId ? { extract: { request: { id: signIn.requestId } } } : { extract: {} };
    const user = session.user;
    const result = await idp.createLoginResponse(sp, requestInfo, 'post', { email: user.email }, {
      relayState: signIn.relayState,
      customTagReplacement: (template) =>
        fillLoginResponse(template, {
          id: idp.entitySetting.generateID!(),
          assertionId: idp.entitySetting.generateID!(),
          issuer: idpEntityId,
          destination: acs,
          audience: sp.entityMeta.getEntityID(),
          nameIdFormat: EMAIL_FORMAT,
          nameId: user.email,
          inResponseTo: signIn.requestId ?? null,
          authnInstant: session.authnInstant,
          sessionIndex: session.sessionIndex,
          attributes: { email: user.email, uid: user.username, displayName: user.displayName },
          validForMs: RESPONSE_VALIDITY_MS,
        }),
    });
    const post = result as PostBinding;
    res.type('html').send(autoPostPage(post.entityEndpoint, { SAMLResponse: post.context, RelayState: post.relayState || undefined }));
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));

  app.get('/', (req, res) => {
    const session = sessionOf(req);
    res.type('html').send(page('samlify reference IdP', session ? `<p id="status">Signed in as ${escapeHtml(session.user.username)}</p>` : '<p id="status">Not signed in.</p>'));
  });

  app.get('/health', (_req, res) => {
    res.json({ ok: true, name: NAME, entityId: idpEntityId });
  });

  app.get('/metadata', (_req, res) => {
    res.type('application/samlmetadata+xml').send(idp.getMetadata());
  });

  const sso = (binding: Binding) => async (req: Request, res: Response) => {
    let sp: ServiceProvider;
    try {
      sp = await loadServiceProvider();
    } catch (err) {
      fail(res, err instanceof SpUnavailableError ? 503 : 500, 'SP not available', err);
      return;
    }
    const fields = binding === 'redirect' ? (req.query as Record<string, unknown>) : ((req.body ?? {}) as Record<string, unknown>);
    if (typeof fields.SAMLRequest !== 'string') {
      fail(res, 400, 'Rejected AuthnRequest', new Error('no SAMLRequest parameter'));
      return;
    }
    let requestId: string;
    try {
      const parsed = await idp.parseLoginRequest(sp, binding, binding === 'redirect' ? { query: fields, octetString: redirectOctetString(req, 'SAMLRequest') } : { body: fields });
      requestId = String(parsed.extract.request?.id ?? '');
      if (!requestId) throw new Error('the AuthnRequest has no ID');
    } catch (err) {
      fail(res, 400, 'Rejected AuthnRequest', err);
      return;
    }
    const signIn: PendingSignIn = {
      requestId,
      relayState: typeof fields.RelayState === 'string' ? fields.RelayState : undefined,
      createdAt: Date.now(),
    };
    const session = sessionOf(req);
    try {
      if (session) await answer(res, sp, session, signIn);
      else loginForm(res, remember(signIn));
    } catch (err) {
      fail(res, 500, 'Could not issue a response', err);
    }
  };
  app.get('/sso', sso('redirect'));
  app.post('/sso', sso('post'));

  // IdP-initiated sign-in: an unsolicited Response to the configured SP.
  const idpInitiated = async (req: Request, res: Response): Promise<void> => {
    const signIn: PendingSignIn = {
      relayState: typeof req.query.RelayState === 'string' ? req.query.RelayState : undefined,
      createdAt: Date.now(),
    };
    const session = sessionOf(req);
    if (!session) {
      loginForm(res, remember(signIn));
      return;
    }
    try {
      await answer(res, await loadServiceProvider(), session, signIn);
    } catch (err) {
      fail(res, err instanceof SpUnavailableError ? 503 : 500, 'Could not issue a response', err);
    }
  };
  app.get('/sso/init', idpInitiated);
  app.get('/idp-initiated', idpInitiated);

  app.post('/login', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const key = typeof body.pending === 'string' ? body.pending : '';
    const signIn = pending.get(key);
    if (!signIn || Date.now() - signIn.createdAt > PENDING_TTL_MS) {
      fail(res, 400, 'Sign-in expired', new Error('no pending sign-in; start again from the application'));
      return;
    }
    const user = checkPassword(String(body.username ?? ''), String(body.password ?? ''));
    if (!user) {
      loginForm(res, key, 'Wrong username or password.');
      return;
    }
    pending.delete(key);
    const sid = randomBytes(24).toString('base64url');
    const session: IdpSession = { user, sessionIndex: `_${randomUUID()}`, authnInstant: new Date() };
    sessions.set(sid, session);
    res.setHeader('Set-Cookie', sessionCookie(COOKIE, sid));
    try {
      await answer(res, await loadServiceProvider(), session, signIn);
    } catch (err) {
      fail(res, err instanceof SpUnavailableError ? 503 : 500, 'Could not issue a response', err);
    }
  });

  // Single logout: answers an SP's LogoutRequest, or just ends the IdP session when called bare.
  const slo = (binding: Binding) => async (req: Request, res: Response) => {
    const fields = binding === 'redirect' ? (req.query as Record<string, unknown>) : ((req.body ?? {}) as Record<string, unknown>);
    const sid = parseCookies(req.headers.cookie).get(COOKIE);
    if (typeof fields.SAMLRequest !== 'string') {
      if (sid) sessions.delete(sid);
      res.setHeader('Set-Cookie', sessionCookie(COOKIE, '', true));
      res.type('html').send(page('Signed out', '<p id="status">You are signed out of samlify-idp.</p>'));
      return;
    }
    try {
      const sp = await loadServiceProvider();
      const parsed = await idp.parseLogoutRequest(sp, binding, binding === 'redirect' ? { query: fields, octetString: redirectOctetString(req, 'SAMLRequest') } : { body: fields });
      const nameId = parsed.extract.nameID;
      for (const [key, s] of sessions) if (s.user.email === nameId) sessions.delete(key);
      if (sid) sessions.delete(sid);
      res.setHeader('Set-Cookie', sessionCookie(COOKIE, '', true));
      const relayState = typeof fields.RelayState === 'string' ? fields.RelayState : undefined;
      if (sp.entityMeta.getSingleLogoutService('post')) {
        const out = idp.createLogoutResponse(sp, { ...parsed }, 'post', { relayState }) as PostBinding;
        res.type('html').send(autoPostPage(out.entityEndpoint, { SAMLResponse: out.context, RelayState: relayState }));
      } else if (sp.entityMeta.getSingleLogoutService('redirect')) {
        res.redirect(idp.createLogoutResponse(sp, { ...parsed }, 'redirect', { relayState }).context);
      } else {
        res.type('html').send(page('Signed out', '<p id="status">You are signed out of samlify-idp.</p>'));
      }
    } catch (err) {
      fail(res, 400, 'Rejected LogoutRequest', err);
    }
  };
  app.get('/slo', slo('redirect'));
  app.post('/slo', slo('post'));


  server.on('request', app);
  announce(NAME, port, baseUrl);
}

/**
 * The bytes the sender signed under the HTTP-Redirect binding: the parameters exactly as they
 * appear, still URL-encoded, in the fixed order message, RelayState, SigAlg. samlify needs the
 * caller to rebuild this string.
 */
function redirectOctetString(req: Request, messageParam: 'SAMLRequest' | 'SAMLResponse'): string {
  const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
  const raw = new Map<string, string>();
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && !raw.has(part.slice(0, eq))) raw.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return [messageParam, 'RelayState', 'SigAlg']
    .filter((name) => raw.has(name))
    .map((name) => `${name}=${raw.get(name)}`)
    .join('&');
}

main().catch((err: unknown) => {
  process.stderr.write(`${NAME}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
