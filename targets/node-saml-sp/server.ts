// Reference SP: an express 5 app that signs users in with @node-saml/node-saml 5, configured the
// way the library's README describes and with its strict settings kept on. See targets/README.md.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import express, { type Request, type Response } from 'express';
import { SAML, type Profile, ValidateInResponseTo } from '@node-saml/node-saml';
import { loadOrCreateKeyPair } from '../lib/keys.ts';
import {
  announce,
  baseUrlFor,
  env,
  escapeHtml,
  listenOnLoopback,
  page,
  parseCookies,
  requestedPort,
  sessionCookie,
} from '../lib/runtime.ts';
import { loadIdpSettings } from './idp-config.ts';

const NAME = 'node-saml-sp';
const COOKIE = 'nodesamlsp_session';

interface SignedInUser {
  nameId: string;
  nameIdFormat?: string;
  issuer?: string;
  sessionIndex?: string;
  attributes: Record<string, unknown>;
  profile: Profile;
}

async function main(): Promise<void> {
  const server = http.createServer();
  const port = await listenOnLoopback(server, requestedPort());
  const baseUrl = baseUrlFor(NAME, port);
  const stateDir = env('SAMLCONF_TARGET_STATE_DIR') ?? join('.samlconf', 'targets', NAME);
  const idp = await loadIdpSettings();
  // One key pair signs AuthnRequests/LogoutRequests and decrypts assertions.
  const keys = loadOrCreateKeyPair(stateDir, 'sp', `${NAME} signing`);

  const entityId = `${baseUrl}/metadata`;
  const saml = new SAML({
    issuer: entityId,
    callbackUrl: `${baseUrl}/saml/acs`,
    logoutCallbackUrl: `${baseUrl}/saml/slo`,
    entryPoint: idp.ssoUrl,
    authnRequestBinding: idp.ssoBinding === 'post' ? 'HTTP-POST' : undefined,
    // node-saml deflates requests unless told not to; the HTTP-POST binding carries them plain.
    skipRequestCompression: idp.ssoBinding === 'post',
    logoutUrl: idp.sloUrl ?? idp.ssoUrl,
    idpCert: idp.signingCerts,
    idpIssuer: idp.entityId,
    audience: entityId,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.always,
    acceptedClockSkewMs: 5000,
    privateKey: keys.privateKeyPem,
    publicCert: keys.certificatePem,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    decryptionPvk: keys.privateKeyPem,
  });

  const sessions = new Map<string, SignedInUser>();
  const currentUser = (req: Request): SignedInUser | undefined => {
    const sid = parseCookies(req.headers.cookie).get(COOKIE);
    return sid ? sessions.get(sid) : undefined;
  };
  const fail = (res: Response, status: number, what: string, err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${NAME}: ${what}: ${message}\n`);
    res.status(status).type('html').send(page('Sign-in failed', `<p id="error">${escapeHtml(what)}: ${escapeHtml(message)}</p><p><a href="/">Home</a></p>`));
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));

  app.get('/', (req, res) => {
    const user = currentUser(req);
    const body = user
      ? `<p id="status">Signed in as <span id="name-id">${escapeHtml(user.nameId)}</span></p><p><a href="/logout">Sign out</a></p>`
      : `<p id="status">Not signed in.</p><p><a id="login" href="/login">Sign in with SSO</a></p>`;
    res.type('html').send(page('node-saml reference SP', body));
  });

  app.get('/login', async (req, res) => {
    const relayState = typeof req.query.RelayState === 'string' ? req.query.RelayState : '';
    try {
      if (idp.ssoBinding === 'post') {
        res.type('html').send(await saml.getAuthorizeFormAsync(relayState));
      } else {
        res.redirect(await saml.getAuthorizeUrlAsync(relayState, undefined, {}));
      }
    } catch (err) {
      fail(res, 500, 'Could not start sign-in', err);
    }
  });

  app.post('/saml/acs', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, string>;
    if (typeof body.SAMLResponse !== 'string') {
      fail(res, 400, 'Rejected SAML response', new Error('no SAMLResponse in the POST body'));
      return;
    }
    try {
      const { profile } = await saml.validatePostResponseAsync(body);
      if (!profile) throw new Error('the response carried no assertion');
      const sid = randomBytes(24).toString('base64url');
      sessions.set(sid, {
        nameId: profile.nameID,
        nameIdFormat: profile.nameIDFormat,
        issuer: profile.issuer,
        sessionIndex: profile.sessionIndex,
        attributes: (profile.attributes as Record<string, unknown> | undefined) ?? {},
        profile,
      });
      res.setHeader('Set-Cookie', sessionCookie(COOKIE, sid));
      res.redirect(303, '/');
    } catch (err) {
      fail(res, 401, 'Rejected SAML response', err);
    }
  });

  app.get('/whoami', (req, res) => {
    const user = currentUser(req);
    res.status(user ? 200 : 401).json(
      user
        ? {
            authenticated: true,
            nameId: user.nameId,
            nameIdFormat: user.nameIdFormat ?? null,
            issuer: user.issuer ?? null,
            sessionIndex: user.sessionIndex ?? null,
            attributes: user.attributes,
          }
        : { authenticated: false, nameId: null, attributes: {} },
    );
  });

  app.get('/metadata', (_req, res) => {
    res.type('application/samlmetadata+xml').send(saml.generateServiceProviderMetadata(keys.certificatePem, keys.certificatePem));
  });

  app.get('/logout', async (req, res) => {
    const sid = parseCookies(req.headers.cookie).get(COOKIE);
    const user = sid ? sessions.get(sid) : undefined;
    if (sid) sessions.delete(sid);
    res.setHeader('Set-Cookie', sessionCookie(COOKIE, '', true));
    if (!user || !idp.sloUrl) {
      res.redirect(303, '/');
      return;
    }
    try {
      res.redirect(await saml.getLogoutUrlAsync(user.profile, '', {}));
    } catch (err) {
      fail(res, 500, 'Could not start single logout', err);
    }
  });

  // Single logout endpoint (advertised in metadata): LogoutResponse or IdP-initiated LogoutRequest.
  app.post('/saml/slo', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, string>;
    try {
      if (typeof body.SAMLRequest === 'string') {
        const { profile } = await saml.validatePostRequestAsync(body);
        dropSessionsOf(profile.nameID);
        res.redirect(await saml.getLogoutResponseUrlAsync(profile, body.RelayState ?? '', {}, true));
        return;
      }
      await saml.validatePostResponseAsync(body);
      res.redirect(303, '/');
    } catch (err) {
      fail(res, 400, 'Rejected logout message', err);
    }
  });
  app.get('/saml/slo', async (req, res) => {
    const rawQuery = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    try {
      const { profile, loggedOut } = await saml.validateRedirectAsync(req.query, rawQuery);
      if (profile && !loggedOut) {
        dropSessionsOf(profile.nameID);
        res.redirect(await saml.getLogoutResponseUrlAsync(profile, typeof req.query.RelayState === 'string' ? req.query.RelayState : '', {}, true));
        return;
      }
      res.redirect(303, '/');
    } catch (err) {
      fail(res, 400, 'Rejected logout message', err);
    }
  });

  function dropSessionsOf(nameId: string): void {
    for (const [sid, user] of sessions) if (user.nameId === nameId) sessions.delete(sid);
  }

  server.on('request', app);
  announce(NAME, port, baseUrl);
}

main().catch((err: unknown) => {
  process.stderr.write(`${NAME}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
