// Mock SP Single Logout: LogoutRequests from the IdP (validated, session ended, answered with a
// signed LogoutResponse) and SP-initiated logout through SpScenario.logoutUrl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePostField, decodeRedirect, encodeRedirect, rawQueryOf, verifyRedirectSignature } from '../../saml/bindings/index.ts';
import { buildLogoutRequest, buildLogoutResponse } from '../../saml/builders/index.ts';
import { NAMEID_FORMAT, STATUS } from '../../saml/constants.ts';
import { readLogoutRequest, readLogoutResponse } from '../../saml/readers.ts';
import { signRoot, verifySignatures } from '../../saml/signature.ts';
import { parseRoot } from '../../saml/xml.ts';
import { logoutNameIdOf, type MockSp } from '../../mock-sp/index.ts';
import { IDP_ENTITY_ID, IDP_SLO, cookieHeader, get, keys, makeResponse, postForm, postResponse, resultOf, startSp } from './helpers.ts';

const ALICE = 'alice@example.test';

async function signIn(sp: MockSp): Promise<string> {
  const login = await get(sp, '/login');
  const relayState = decodeRedirect(rawQueryOf(login.location!)).relayState!;
  const requestId = sp.scenario('default').lastRequestId();
  const r = await postResponse(sp, makeResponse({ sp, inResponseTo: requestId }), { relayState });
  return cookieHeader(r.setCookie);
}

async function whoami(sp: MockSp, cookie: string): Promise<{ authenticated: boolean; nameId: string | null }> {
  return (await fetch(`${sp.listenUrl}/whoami`, { headers: { cookie } })).json();
}

function idpLogoutRequest(sp: MockSp, o: { sessionIndex?: string; nameId?: string } = {}): string {
  return buildLogoutRequest({
    destination: sp.sloUrl,
    issuer: IDP_ENTITY_ID,
    nameId: { value: o.nameId ?? ALICE, format: NAMEID_FORMAT.emailAddress },
    sessionIndexes: [o.sessionIndex ?? '_session-1'],
  });
}

const QUALIFIED = {
  nameQualifier: 'https://idp.example.test/qualifier',
  spNameQualifier: 'https://sp.example.test/affiliation',
  spProvidedId: 'alice-at-sp',
};

/** A signed Response whose NameID carries every qualifier (and, with `noFormat`, no Format at all). */
function qualifiedResponse(sp: MockSp, o: { inResponseTo?: string; noFormat?: boolean } = {}): string {
  return makeResponse({
    sp,
    ...(o.inResponseTo !== undefined ? { inResponseTo: o.inResponseTo } : {}),
    before: (xml) =>
      xml.replace(
        `<saml:NameID Format="${NAMEID_FORMAT.emailAddress}">`,
        `<saml:NameID${o.noFormat ? '' : ` Format="${NAMEID_FORMAT.emailAddress}"`} NameQualifier="${QUALIFIED.nameQualifier}" SPNameQualifier="${QUALIFIED.spNameQualifier}" SPProvidedID="${QUALIFIED.spProvidedId}">`,
      ),
  });
}

describe('mock SP Single Logout: the principal named exactly as asserted', () => {
  let sp: MockSp;
  beforeAll(async () => {
    sp = await startSp({ mode: 'target' });
  });
  afterAll(() => sp.close());

  it('target mode: /logout sends a LogoutRequest with the NameID qualifiers and SessionIndex of the signed assertion', async () => {
    const login = await get(sp, '/login');
    const relayState = decodeRedirect(rawQueryOf(login.location!)).relayState!;
    const xml = qualifiedResponse(sp, { inResponseTo: sp.scenario('default').lastRequestId() });
    expect(xml).toContain(`SPNameQualifier="${QUALIFIED.spNameQualifier}"`);
    const cookie = cookieHeader((await postResponse(sp, xml, { relayState })).setCookie);
    const r = await get(sp, '/logout', { cookie });
    expect(r.status).toBe(302);
    const req = readLogoutRequest(parseRoot(decodeRedirect(rawQueryOf(r.location!)).xml));
    expect(req.nameId).toEqual({ value: ALICE, format: NAMEID_FORMAT.emailAddress, ...QUALIFIED });
    expect(req.sessionIndexes).toEqual(['_session-1']);
  });

  it('mock mode: the asserted identity keeps the qualifiers, and a LogoutRequest built from it repeats them, writing no Format the assertion lacked', async () => {
    const mock = await startSp();
    try {
      const s = mock.scenario('qualified');
      await get(mock, '/login?scenario=qualified');
      await postResponse(mock, qualifiedResponse(mock, { inResponseTo: s.lastRequestId(), noFormat: true }), { headers: { 'x-samlconf-scenario': 'qualified' } });
      const identity = s.responses().at(-1)!.identity!;
      expect(identity).toMatchObject({ nameId: ALICE, ...QUALIFIED, sessionIndex: '_session-1' });
      expect(identity.nameIdFormat).toBeUndefined();
      const url = s.logoutUrl({ ...logoutNameIdOf(identity), sessionIndex: identity.sessionIndex!, binding: 'redirect' });
      const r = await get(mock, url.slice(mock.baseUrl.length));
      const xml = decodeRedirect(rawQueryOf(r.location!)).xml;
      expect(readLogoutRequest(parseRoot(xml)).nameId).toEqual({ value: ALICE, ...QUALIFIED });
      expect(xml).not.toMatch(/<saml:NameID[^>]*Format=/);
    } finally {
      await mock.close();
    }
  });
});

describe('mock SP Single Logout', () => {
  let sp: MockSp;
  beforeAll(async () => {
    sp = await startSp({ mode: 'target' });
  });
  afterAll(() => sp.close());

  it('ends the session on a signed Redirect LogoutRequest from the IdP and answers with a signed LogoutResponse', async () => {
    const cookie = await signIn(sp);
    expect((await whoami(sp, cookie)).nameId).toBe(ALICE);
    const request = idpLogoutRequest(sp);
    const requestId = readLogoutRequest(parseRoot(request)).id;
    const url = encodeRedirect({ endpoint: '/slo', param: 'SAMLRequest', xml: request, relayState: 'idp-rs', sign: { privateKeyPem: keys().idp.key.privateKeyPem } });
    const r = await get(sp, url, { cookie });
    expect(r.status).toBe(302);
    expect(r.location!.startsWith(`${IDP_SLO}?SAMLResponse=`)).toBe(true);
    const answer = decodeRedirect(rawQueryOf(r.location!));
    expect(answer.relayState).toBe('idp-rs');
    expect(verifyRedirectSignature(answer, [keys().sp.certPem]).valid).toBe(true);
    const info = readLogoutResponse(parseRoot(answer.xml));
    expect(info).toMatchObject({ inResponseTo: requestId, destination: IDP_SLO, issuer: sp.entityId, status: { code: STATUS.success } });
    expect((await whoami(sp, cookie)).authenticated).toBe(false);
    expect(r.setCookie.some((c) => c.startsWith('samlconf_sp_session=;') && c.includes('Max-Age=0'))).toBe(true);

    const logouts = sp.scenario('default').logouts();
    expect(logouts.at(-1)).toMatchObject({ kind: 'LogoutRequest', binding: 'redirect', ok: true, sessionsEnded: 1, failedRules: [] });
    const ev = sp.scenario('default').evidence().slice(-2);
    expect(ev.map((e) => [e.direction, e.kind])).toEqual([['received', 'LogoutRequest'], ['sent', 'LogoutResponse']]);
    expect(ev[0].signatures).toEqual([expect.objectContaining({ kind: 'redirect-query', valid: true })]);
  });

  it('refuses an unsigned LogoutRequest and one for another SessionIndex; the session survives', async () => {
    const cookie = await signIn(sp);
    const unsigned = await get(sp, encodeRedirect({ endpoint: '/slo', param: 'SAMLRequest', xml: idpLogoutRequest(sp) }));
    const info = readLogoutResponse(parseRoot(decodeRedirect(rawQueryOf(unsigned.location!)).xml));
    expect(info.status.code).toBe(STATUS.requester);
    expect(sp.scenario('default').logouts().at(-1)).toMatchObject({ ok: false, sessionsEnded: 0 });
    expect(sp.scenario('default').logouts().at(-1)!.failedRules).toContain('signature-required');
    const other = encodeRedirect({ endpoint: '/slo', param: 'SAMLRequest', xml: idpLogoutRequest(sp, { sessionIndex: '_someone-else' }), sign: { privateKeyPem: keys().idp.key.privateKeyPem } });
    await get(sp, other);
    expect(sp.scenario('default').logouts().at(-1)!.failedRules).toContain('session-index');
    expect((await whoami(sp, cookie)).nameId).toBe(ALICE);
  });

  it('accepts an XML-signed LogoutRequest over POST and answers over POST', async () => {
    const cookie = await signIn(sp);
    const xml = signRoot(idpLogoutRequest(sp), { privateKeyPem: keys().idp.key.privateKeyPem, certPem: keys().idp.certPem });
    const r = await postForm(sp, '/slo', { SAMLRequest: Buffer.from(xml).toString('base64'), RelayState: 'p' });
    expect(r.status).toBe(200);
    expect(r.body).toContain(`action="${IDP_SLO}"`);
    const field = /name="SAMLResponse" value="([^"]+)"/.exec(r.body)![1].replace(/&#10;/g, '\n');
    const response = decodePostField(field);
    expect(verifySignatures(response, [keys().sp.certPem])[0].valid).toBe(true);
    expect((await whoami(sp, cookie)).authenticated).toBe(false);
  });

  it('SP-initiated: logoutUrl sends a signed LogoutRequest, and the IdP LogoutResponse is checked against it', async () => {
    const s = sp.scenario('slo-sp');
    const url = s.logoutUrl({ nameId: ALICE, nameIdFormat: NAMEID_FORMAT.emailAddress, sessionIndex: '_session-1', binding: 'redirect' });
    expect(url.startsWith(`${sp.baseUrl}/slo-start?scenario=slo-sp&t=`)).toBe(true);
    const r = await get(sp, url.slice(sp.baseUrl.length));
    expect(r.status).toBe(302);
    const msg = decodeRedirect(rawQueryOf(r.location!));
    expect(r.location!.startsWith(`${IDP_SLO}?`)).toBe(true);
    expect(msg.relayState).toBe('slo-sp');
    expect(verifyRedirectSignature(msg, [keys().sp.certPem]).valid).toBe(true);
    const req = readLogoutRequest(parseRoot(msg.xml));
    expect(req).toMatchObject({ issuer: sp.entityId, destination: IDP_SLO, nameId: { value: ALICE, format: NAMEID_FORMAT.emailAddress }, sessionIndexes: ['_session-1'] });
    // The link is single-use.
    expect((await get(sp, url.slice(sp.baseUrl.length))).status).toBe(400);

    const waiting = s.waitForLogoutResponse(5000);
    const answer = buildLogoutResponse({ destination: sp.sloUrl, issuer: IDP_ENTITY_ID, inResponseTo: req.id });
    await get(sp, encodeRedirect({ endpoint: '/slo', param: 'SAMLResponse', xml: answer, sign: { privateKeyPem: keys().idp.key.privateKeyPem } }));
    const outcome = await waiting;
    expect(outcome).toMatchObject({ kind: 'LogoutResponse', scenario: 'slo-sp', ok: true, failedRules: [] });

    const wrong = buildLogoutResponse({ destination: sp.sloUrl, issuer: IDP_ENTITY_ID, inResponseTo: '_not-mine' });
    await get(sp, encodeRedirect({ endpoint: '/slo', param: 'SAMLResponse', xml: wrong, relayState: 'slo-sp', sign: { privateKeyPem: keys().idp.key.privateKeyPem } }));
    expect(s.logouts().at(-1)).toMatchObject({ kind: 'LogoutResponse', ok: false });
    expect(s.logouts().at(-1)!.failedRules).toContain('in-response-to');
  });

  it('SP-initiated over POST with a plan mutation; unknown messages at /slo get a 400', async () => {
    const s = sp.scenario('slo-post');
    const url = s.logoutUrl({ nameId: ALICE, binding: 'post', sign: false, mutate: (x) => x.replace('</samlp:LogoutRequest>', '<samlp:SessionIndex>_extra</samlp:SessionIndex></samlp:LogoutRequest>') });
    const r = await get(sp, url.slice(sp.baseUrl.length));
    expect(r.status).toBe(200);
    const field = /name="SAMLRequest" value="([^"]+)"/.exec(r.body)![1].replace(/&#10;/g, '\n');
    const xml = decodePostField(field);
    expect(readLogoutRequest(parseRoot(xml))).toMatchObject({ signaturePresent: false, sessionIndexes: ['_extra'] });
    expect(s.evidence().at(-1)).toMatchObject({ direction: 'sent', kind: 'LogoutRequest', binding: 'post' });

    const bad = await postForm(sp, '/slo', { SAMLRequest: Buffer.from('<x/>').toString('base64') });
    expect(bad.status).toBe(400);
    expect(resultOfSafe(bad.body)).toBeUndefined();
  });
});

function resultOfSafe(html: string) {
  try {
    return resultOf(html);
  } catch {
    return undefined;
  }
}
