// The mock IdP as a target ('target' mode): a real IdP's refusals, its login form, and the
// weakness switches the detection matrix relies on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRedirect } from '../../saml/bindings/index.ts';
import { buildLogoutRequest } from '../../saml/builders/index.ts';
import { parseEntity } from '../../saml/metadata.ts';
import { readResponse } from '../../saml/readers.ts';
import { validateResponse } from '../../saml/rules/index.ts';
import { parseXml } from '../../saml/xml.ts';
import type { MockIdp } from '../../mock-idp/index.ts';
import { SP_ACS, SP_ENTITY_ID, authnRequest, credentials, decodeB64, postRequest, readAutoPost, redirectUrl, startIdp } from './helpers.ts';

const USERS = [{ username: 'carol', password: 'pw-carol', nameId: 'carol@example.test', attributes: { email: ['carol@example.test'] } }];

/** Fill the login form the IdP showed and return the page that follows. */
async function submitLogin(idp: MockIdp, html: string, username: string, password: string, headers: Record<string, string> = {}) {
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
  expect(token, 'login form carries a token').toBeDefined();
  expect(html).toContain('name="username"');
  expect(html).toContain('name="password"');
  expect(html).toContain('<button type="submit"');
  const res = await fetch(`${idp.baseUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ token: token!, username, password }).toString(),
  });
  return { res, html: await res.text() };
}

describe('target mode, strict', () => {
  let idp: MockIdp;
  beforeAll(async () => {
    idp = await startIdp({ mode: 'target', users: USERS, wantAuthnRequestsSigned: true });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('publishes WantAuthnRequestsSigned', () => {
    expect(parseEntity(idp.metadataXml()).idp?.wantAuthnRequestsSigned).toBe(true);
  });

  it('refuses an unsigned request with a 4xx error page and no SAMLResponse', async () => {
    const res = await fetch(redirectUrl(idp, authnRequest(idp), { sign: false }), { headers: { 'x-samlconf-scenario': 't-unsigned' } });
    const html = await res.text();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(html).not.toContain('SAMLResponse');
    expect(html).toContain('samlconf-error');
    expect(idp.scenario('t-unsigned').lastResponse()).toBeUndefined();
    expect(idp.scenario('t-unsigned').evidence().map((e) => e.direction)).toEqual(['received']);
  });

  it('refuses a request signed with a key the SP metadata does not list', async () => {
    const res = await fetch(redirectUrl(idp, authnRequest(idp), { sign: credentials().attacker }));
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('SAMLResponse');
  });

  it('refuses an ACS URL that is not in the SP metadata', async () => {
    const xml = authnRequest(idp, { assertionConsumerServiceUrl: 'https://sp.samlconf.test/acs-rogue' });
    const res = await fetch(redirectUrl(idp, xml), { headers: { 'x-samlconf-scenario': 't-rogue' } });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('SAMLResponse');
    expect(idp.scenario('t-rogue').lastAuthnRequest()?.findings.find((f) => f.rule === 'acs-registered')?.ok).toBe(false);
  });

  it('refuses a wrong Destination', async () => {
    const xml = authnRequest(idp, { destination: 'https://other-idp.test/sso' });
    const res = await fetch(redirectUrl(idp, xml));
    expect(res.status).toBe(400);
  });

  it('shows a login form for a good request, rejects a wrong password, then answers with a valid Response', async () => {
    const xml = authnRequest(idp);
    const first = await fetch(redirectUrl(idp, xml, { relayState: 'rs-t' }), { headers: { 'x-samlconf-scenario': 't-login' } });
    const loginHtml = await first.text();
    expect(first.status).toBe(200);
    expect(readAutoPost(loginHtml)?.fields.SAMLResponse).toBeUndefined();

    const wrong = await submitLogin(idp, loginHtml, 'carol', 'nope');
    expect(wrong.res.status).toBe(401);
    expect(wrong.html).toContain('samlconf-login-error');

    const ok = await submitLogin(idp, wrong.html, 'carol', 'pw-carol');
    const form = readAutoPost(ok.html);
    expect(form?.action).toBe(SP_ACS);
    expect(form?.fields.RelayState).toBe('rs-t');
    const responseXml = decodeB64(form!.fields.SAMLResponse);
    const v = await validateResponse(responseXml, {
      trustedCerts: [credentials().idp.certPem],
      idpEntityId: idp.entityId,
      spEntityId: SP_ENTITY_ID,
      acsUrl: SP_ACS,
      expectedRequestId: parseXml(xml).documentElement!.getAttribute('ID')!,
      requireSignedAssertion: true,
    });
    expect(v.ok).toBe(true);
    expect(v.identity?.nameId).toBe('carol@example.test');
    expect(idp.scenario('t-login').evidence().map((e) => `${e.direction}:${e.kind}`)).toEqual(['received:AuthnRequest', 'sent:Response']);

    // The form token is single-use.
    const again = await submitLogin(idp, wrong.html, 'carol', 'pw-carol');
    expect(again.res.status).toBe(400);
  });

  it('refuses an unsigned LogoutRequest', async () => {
    const xml = buildLogoutRequest({ issuer: SP_ENTITY_ID, destination: idp.sloUrl, nameId: { value: 'carol@example.test' } });
    const res = await fetch(encodeRedirect({ endpoint: idp.sloUrl, param: 'SAMLRequest', xml }), { redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(res.headers.get('location')).toBeNull();
  });

  it('asks for a login before an IdP-initiated Response', async () => {
    const res = await fetch(idp.scenario('t-init').idpInitiatedUrl({ relayState: '/start' }));
    const ok = await submitLogin(idp, await res.text(), 'carol', 'pw-carol');
    const form = readAutoPost(ok.html);
    expect(form?.action).toBe(SP_ACS);
    expect(form?.fields.RelayState).toBe('/start');
    expect(readResponse(parseXml(decodeB64(form!.fields.SAMLResponse)).documentElement!).inResponseTo).toBeUndefined();
    expect(idp.scenario('t-init').lastResponse()?.nameId).toBe('carol@example.test');
  });

  it('answers IsPassive with NoPassive and no login page', async () => {
    const res = await fetch(redirectUrl(idp, authnRequest(idp, { isPassive: true })));
    const form = readAutoPost(await res.text());
    const info = readResponse(parseXml(decodeB64(form!.fields.SAMLResponse)).documentElement!);
    expect(info.status.code).toBe('urn:oasis:names:tc:SAML:2.0:status:Responder');
    expect(info.status.subCodes).toEqual(['urn:oasis:names:tc:SAML:2.0:status:NoPassive']);
    expect(info.assertionCount).toBe(0);
  });
});

describe('target mode, weakened', () => {
  let idp: MockIdp;
  beforeAll(async () => {
    idp = await startIdp({
      mode: 'target',
      users: USERS,
      wantAuthnRequestsSigned: true,
      weaknesses: { acceptUnsignedRequests: true, acceptAnyAcsUrl: true, ignoreDestination: true },
    });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('acceptUnsignedRequests: an unsigned POST request gets a login form and then a Response', async () => {
    const res = await postRequest(idp, authnRequest(idp, {}, idp.ssoPostUrl), { sign: false });
    const html = await res.text();
    expect(res.status).toBe(200);
    const ok = await submitLogin(idp, html, 'carol', 'pw-carol');
    expect(readAutoPost(ok.html)?.fields.SAMLResponse).toBeDefined();
  });

  it('acceptAnyAcsUrl: the Response goes to the rogue ACS', async () => {
    const rogue = 'https://sp.samlconf.test/acs-rogue';
    const res = await fetch(redirectUrl(idp, authnRequest(idp, { assertionConsumerServiceUrl: rogue })));
    const ok = await submitLogin(idp, await res.text(), 'carol', 'pw-carol');
    expect(readAutoPost(ok.html)?.action).toBe(rogue);
  });

  it('ignoreDestination: a wrong Destination is accepted', async () => {
    const res = await fetch(redirectUrl(idp, authnRequest(idp, { destination: 'https://other-idp.test/sso' })));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="password"');
  });
});
