// The mock IdP's target-mode weaknesses for the request-handling cases (unknown Issuer, request
// replay and age, IsPassive, NameIDPolicy, RelayState): each switch changes exactly its own
// behaviour, shown side by side with the strict target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockIdp, MockIdpWeaknesses } from '../../mock-idp/index.ts';
import { NAMEID_FORMAT, STATUS } from '../../saml/constants.ts';
import { readResponse } from '../../saml/readers.ts';
import { parseXml } from '../../saml/xml.ts';
import { SP_ACS, authnRequest, decodeB64, readAutoPost, redirectUrl, startIdp } from './helpers.ts';

const USER = { username: 'dave', password: 'pw-dave', nameId: 'dave@example.test', nameIdFormat: NAMEID_FORMAT.emailAddress, attributes: { email: ['dave@example.test'] } };
const UNKNOWN_SP = 'https://unregistered-sp.samlconf.test/metadata';
const ODD_FORMAT = 'urn:samlconf:nameid-format:unsupported';

const WEAKNESSES: (keyof MockIdpWeaknesses)[] = [
  'acceptUnknownIssuer',
  'allowRequestReplay',
  'ignoreRequestIssueInstant',
  'ignoreIsPassive',
  'ignoreNameIdPolicy',
  'reflectRelayStateUnescaped',
  'truncateRelayState',
];

const idps = new Map<string, MockIdp>();
/** The strict target, or the target with exactly this one weakness. */
const target = (w?: keyof MockIdpWeaknesses) => idps.get(w ?? 'strict')!;

beforeAll(async () => {
  idps.set('strict', await startIdp({ mode: 'target', users: [USER], wantAuthnRequestsSigned: true }));
  for (const w of WEAKNESSES) idps.set(w, await startIdp({ mode: 'target', users: [USER], wantAuthnRequestsSigned: true, weaknesses: { [w]: true } }));
});
afterAll(async () => {
  await Promise.all([...idps.values()].map((i) => i.close()));
});

/** Send a signed Redirect AuthnRequest; report whether the IdP refused, showed its login page, or answered at once. */
async function send(idp: MockIdp, xml: string, relayState?: string): Promise<{ status: number; html: string; loginForm: boolean }> {
  const res = await fetch(redirectUrl(idp, xml, relayState !== undefined ? { relayState } : {}));
  const html = await res.text();
  return { status: res.status, html, loginForm: /name="password"/.test(html) };
}

/** Log in on the page the IdP showed and return the auto-POST page that follows. */
async function login(idp: MockIdp, loginHtml: string): Promise<string> {
  const token = /name="token" value="([^"]+)"/.exec(loginHtml)?.[1];
  expect(token, 'the IdP showed its login form').toBeDefined();
  const res = await fetch(`${idp.baseUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: token!, username: USER.username, password: USER.password }).toString(),
  });
  return res.text();
}

function postedResponse(html: string) {
  const form = readAutoPost(html);
  expect(form?.fields.SAMLResponse, 'an auto-POST page with a SAMLResponse').toBeDefined();
  const xml = decodeB64(form!.fields.SAMLResponse);
  return { form: form!, xml, info: readResponse(parseXml(xml).documentElement!) };
}

describe('acceptUnknownIssuer', () => {
  it('the strict IdP refuses an Issuer it has not registered, even signed with the SP key', async () => {
    const r = await send(target(), authnRequest(target(), { issuer: UNKNOWN_SP }));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.html).not.toContain('SAMLResponse');
  });
  it('the weak IdP takes it for its one configured SP and answers at that SP ACS', async () => {
    const idp = target('acceptUnknownIssuer');
    const r = await send(idp, authnRequest(idp, { issuer: UNKNOWN_SP }));
    expect(r.loginForm).toBe(true);
    const { form, info } = postedResponse(await login(idp, r.html));
    expect(form.action).toBe(SP_ACS);
    expect(info.assertionCount).toBe(1);
  });
  it('the weak IdP still wants the SP signature', async () => {
    const idp = target('acceptUnknownIssuer');
    const res = await fetch(redirectUrl(idp, authnRequest(idp, { issuer: UNKNOWN_SP }), { sign: false }));
    expect(res.status).toBe(403);
  });
});

describe('allowRequestReplay', () => {
  it('the strict IdP answers one AuthnRequest ID once', async () => {
    const xml = authnRequest(target());
    expect((await send(target(), xml)).loginForm).toBe(true);
    const again = await send(target(), xml);
    expect(again.status).toBe(400);
    expect(again.html).toContain('already used');
  });
  it('the weak IdP answers the same request again', async () => {
    const idp = target('allowRequestReplay');
    const xml = authnRequest(idp);
    expect((await send(idp, xml)).loginForm).toBe(true);
    expect((await send(idp, xml)).loginForm).toBe(true);
  });
});

describe('ignoreRequestIssueInstant', () => {
  const hourAgo = () => new Date(Date.now() - 3600_000);
  it('the strict IdP refuses a request issued an hour ago', async () => {
    const r = await send(target(), authnRequest(target(), { issueInstant: hourAgo() }));
    expect(r.status).toBe(400);
    expect(r.html).toContain('stale');
  });
  it('the weak IdP answers it, but still refuses one from the future', async () => {
    const idp = target('ignoreRequestIssueInstant');
    expect((await send(idp, authnRequest(idp, { issueInstant: hourAgo() }))).loginForm).toBe(true);
    const future = await send(idp, authnRequest(idp, { issueInstant: new Date(Date.now() + 3600_000) }));
    expect(future.status).toBe(400);
  });
});

describe('ignoreIsPassive', () => {
  it('the strict IdP answers IsPassive with Responder/NoPassive and no login page', async () => {
    const r = await send(target(), authnRequest(target(), { isPassive: true }));
    expect(r.loginForm).toBe(false);
    const { info } = postedResponse(r.html);
    expect(info.status.code).toBe(STATUS.responder);
    expect(info.status.subCodes).toEqual([STATUS.noPassive]);
  });
  it('the weak IdP shows its login page anyway', async () => {
    const idp = target('ignoreIsPassive');
    const r = await send(idp, authnRequest(idp, { isPassive: true }));
    expect(r.loginForm).toBe(true);
    expect(r.html).not.toContain('SAMLResponse');
  });
});

describe('ignoreNameIdPolicy', () => {
  it('the strict IdP answers an unsupported Format with Requester/InvalidNameIDPolicy and no assertion', async () => {
    const r = await send(target(), authnRequest(target(), { nameIdPolicy: { format: ODD_FORMAT } }));
    const { info } = postedResponse(await login(target(), r.html));
    expect(info.status.code).toBe(STATUS.requester);
    expect(info.status.subCodes).toEqual([STATUS.invalidNameIdPolicy]);
    expect(info.assertionCount).toBe(0);
  });
  it('the weak IdP issues its default format instead', async () => {
    const idp = target('ignoreNameIdPolicy');
    const r = await send(idp, authnRequest(idp, { nameIdPolicy: { format: ODD_FORMAT } }));
    const { info, xml } = postedResponse(await login(idp, r.html));
    expect(info.status.code).toBe(STATUS.success);
    expect(xml).toContain(`Format="${NAMEID_FORMAT.emailAddress}"`);
    expect(xml).not.toContain(ODD_FORMAT);
  });
});

describe('RelayState weaknesses', () => {
  const markup = 'rs"><i id="injected">x</i>';
  const long = 'r'.repeat(120);

  it('the strict IdP escapes markup and returns long values whole', async () => {
    for (const relayState of [markup, long]) {
      const r = await send(target(), authnRequest(target()), relayState);
      const html = await login(target(), r.html);
      expect(html).not.toContain('<i id="injected">');
      expect(postedResponse(html).form.fields.RelayState).toBe(relayState);
    }
  });
  it('reflectRelayStateUnescaped pastes markup into the page as it came', async () => {
    const idp = target('reflectRelayStateUnescaped');
    const r = await send(idp, authnRequest(idp), markup);
    const html = await login(idp, r.html);
    expect(html).toContain(`value="${markup}"`);
    // A plain value is still posted unchanged.
    const plain = await send(idp, authnRequest(idp), 'plain-state');
    expect(postedResponse(await login(idp, plain.html)).form.fields.RelayState).toBe('plain-state');
  });
  it('truncateRelayState cuts the value to 80 bytes and leaves short ones alone', async () => {
    const idp = target('truncateRelayState');
    const r = await send(idp, authnRequest(idp), long);
    expect(postedResponse(await login(idp, r.html)).form.fields.RelayState).toBe(long.slice(0, 80));
    const short = await send(idp, authnRequest(idp), markup);
    expect(postedResponse(await login(idp, short.html)).form.fields.RelayState).toBe(markup);
  });
});
