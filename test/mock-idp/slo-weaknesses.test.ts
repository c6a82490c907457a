// The mock IdP as a Single Logout target: its sign-in session (a second AuthnRequest is answered
// without the login form), a signed LogoutRequest that ends it, the strict refusal of an unsigned
// one, and the acceptUnsignedLogoutRequest weakness that acts on it anyway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRedirect, encodeRedirect, rawQueryOf } from '../../saml/bindings/index.ts';
import { buildLogoutRequest } from '../../saml/builders/index.ts';
import { NS, STATUS } from '../../saml/constants.ts';
import { readAssertion, readLogoutResponse, type NameIdInfo } from '../../saml/readers.ts';
import { descendants, parseRoot } from '../../saml/xml.ts';
import type { MockIdp } from '../../mock-idp/index.ts';
import { SP_ENTITY_ID, SP_SLO, authnRequest, credentials, decodeB64, readAutoPost, redirectUrl, startIdp } from './helpers.ts';

const CAROL = { username: 'carol', password: 'pw-carol', nameId: 'carol@example.test', attributes: { email: ['carol@example.test'] } };

/** Send a fresh signed AuthnRequest with the browser's cookie: the Response's SessionIndex, or 'login-form'. */
async function authenticate(idp: MockIdp, cookie = ''): Promise<{ html: string; sessionIndex?: string; loginForm: boolean }> {
  const res = await fetch(redirectUrl(idp, authnRequest(idp)), { headers: cookie ? { cookie } : {} });
  const html = await res.text();
  const post = readAutoPost(html);
  const sessionIndex = post?.fields.SAMLResponse ? /SessionIndex="([^"]+)"/.exec(decodeB64(post.fields.SAMLResponse))?.[1] : undefined;
  return { html, loginForm: html.includes('name="password"'), ...(sessionIndex ? { sessionIndex } : {}) };
}

interface Session {
  cookie: string;
  sessionIndex: string;
  /** carol's NameID exactly as the assertion issued it. */
  nameId: NameIdInfo;
}

/** Log carol in through the form; returns the IdP session cookie, the SessionIndex and the NameID issued. */
async function signIn(idp: MockIdp): Promise<Session> {
  const first = await authenticate(idp);
  expect(first.loginForm).toBe(true);
  const token = /name="token" value="([^"]+)"/.exec(first.html)![1];
  const res = await fetch(`${idp.baseUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, username: CAROL.username, password: CAROL.password }).toString(),
  });
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  expect(cookie).toMatch(/^samlconf_idp_session=/);
  const xml = decodeB64(readAutoPost(await res.text())!.fields.SAMLResponse);
  const sessionIndex = /SessionIndex="([^"]+)"/.exec(xml)![1];
  const nameId = readAssertion(descendants(parseRoot(xml), NS.saml, 'Assertion')[0]!).nameId!;
  return { cookie, sessionIndex, nameId };
}

/** Send carol's LogoutRequest over Redirect; returns the HTTP status and the LogoutResponse status, if any. */
async function logout(idp: MockIdp, session: Session, sign: 'sp' | 'attacker' | false, nameId: NameIdInfo = session.nameId) {
  const xml = buildLogoutRequest({
    issuer: SP_ENTITY_ID,
    destination: idp.sloUrl,
    nameId: { value: nameId.value, format: nameId.format ?? null, nameQualifier: nameId.nameQualifier ?? null, spNameQualifier: nameId.spNameQualifier ?? null },
    sessionIndexes: [session.sessionIndex],
  });
  const key = sign === 'sp' ? credentials().sp : sign === 'attacker' ? credentials().attacker : undefined;
  const url = encodeRedirect({ endpoint: idp.sloUrl, param: 'SAMLRequest', xml, ...(key ? { sign: { privateKeyPem: key.key.privateKeyPem } } : {}) });
  const res = await fetch(url, { headers: { cookie: session.cookie }, redirect: 'manual' });
  const location = res.headers.get('location');
  await res.text();
  if (!location) return { status: res.status };
  expect(location.startsWith(`${SP_SLO}?`)).toBe(true);
  return { status: res.status, logoutStatus: readLogoutResponse(parseRoot(decodeRedirect(rawQueryOf(location)).xml)).status.code };
}

describe('mock IdP target mode: sessions and Single Logout', () => {
  let strict: MockIdp;
  let weak: MockIdp;
  beforeAll(async () => {
    strict = await startIdp({ mode: 'target', users: [CAROL], wantAuthnRequestsSigned: true });
    weak = await startIdp({ mode: 'target', users: [CAROL], wantAuthnRequestsSigned: true, weaknesses: { acceptUnsignedLogoutRequest: true } });
  });
  afterAll(async () => {
    await strict?.close();
    await weak?.close();
  });

  it('keeps a sign-in session: a second AuthnRequest with its cookie is answered without the login form', async () => {
    const session = await signIn(strict);
    const again = await authenticate(strict, session.cookie);
    expect(again.loginForm).toBe(false);
    expect(again.sessionIndex).toBeDefined();
  });

  it('a signed LogoutRequest gets a Success LogoutResponse and ends the session', async () => {
    const session = await signIn(strict);
    expect(await logout(strict, session, 'sp')).toEqual({ status: 302, logoutStatus: STATUS.success });
    expect((await authenticate(strict, session.cookie)).loginForm).toBe(true);
    const received = strict.scenario('default').receivedLogouts().at(-1)!;
    expect(received).toMatchObject({ kind: 'LogoutRequest', binding: 'redirect', accepted: true, sessionsEnded: 1 });
    expect(received.validation.ok).toBe(true);
  });

  it('issues qualified NameIDs and compares them exactly: a LogoutRequest without the qualifiers names no session (pysaml2, Lasso)', async () => {
    const session = await signIn(strict);
    expect(session.nameId).toMatchObject({ value: CAROL.nameId, nameQualifier: strict.entityId, spNameQualifier: SP_ENTITY_ID });
    const bare = { value: session.nameId.value, ...(session.nameId.format !== undefined ? { format: session.nameId.format } : {}) };
    expect(await logout(strict, session, 'sp', bare)).toEqual({ status: 403 });
    const received = strict.scenario('default').receivedLogouts().at(-1)!;
    expect(received.accepted).toBe(false);
    expect(received.validation.findings.find((f) => f.rule === 'nameid-matches-session')).toMatchObject({ ok: false });
    expect((await authenticate(strict, session.cookie)).loginForm).toBe(false);
    expect(await logout(strict, session, 'sp', { ...session.nameId, spNameQualifier: 'https://other-sp.test' })).toEqual({ status: 403 });
    expect(await logout(strict, session, 'sp')).toEqual({ status: 302, logoutStatus: STATUS.success });
  });

  it('strict: an unsigned LogoutRequest is refused (403, no LogoutResponse) and the session survives', async () => {
    const session = await signIn(strict);
    expect(await logout(strict, session, false)).toEqual({ status: 403 });
    expect((await authenticate(strict, session.cookie)).loginForm).toBe(false);
    const received = strict.scenario('default').receivedLogouts().at(-1)!;
    expect(received.accepted).toBe(false);
    expect(received.validation.findings.find((f) => f.rule === 'signature-required')?.ok).toBe(false);
  });

  it('acceptUnsignedLogoutRequest: the unsigned LogoutRequest is answered Success and ends the session', async () => {
    const session = await signIn(weak);
    expect(await logout(weak, session, false)).toEqual({ status: 302, logoutStatus: STATUS.success });
    expect((await authenticate(weak, session.cookie)).loginForm).toBe(true);
  });

  it('acceptUnsignedLogoutRequest stays narrow: a LogoutRequest signed with an unknown key is still refused', async () => {
    const session = await signIn(weak);
    expect(await logout(weak, session, 'attacker')).toEqual({ status: 403 });
    expect((await authenticate(weak, session.cookie)).loginForm).toBe(false);
  });
});
