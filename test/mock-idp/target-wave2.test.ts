// Target-mode behaviour behind the second wave of IdP scenarios, strict and with each weakness
// switch: ForceAuthn over a live session, RequestedAuthnContext, the Redirect ProtocolBinding, and
// attribute values holding XML markup.
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authnContextSatisfied } from '../../mock-idp/authn-context.ts';
import type { MockIdp, MockIdpWeaknesses } from '../../mock-idp/index.ts';
import { AUTHN_CONTEXT, BINDING, NS, STATUS } from '../../saml/constants.ts';
import { readAssertion, readResponse } from '../../saml/readers.ts';
import { verifySignatures } from '../../saml/signature.ts';
import { children, parseXml } from '../../saml/xml.ts';
import { SP_ACS, authnRequest, credentials, decodeB64, readAutoPost, redirectUrl, startIdp } from './helpers.ts';

const SMARTCARD = 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard';
const MARKUP = 'x</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin';
const USERS = [{ username: 'dave', password: 'pw-dave', nameId: 'dave@example.test', attributes: { email: ['dave@example.test'], displayName: [MARKUP] } }];

/** Log in through the form the IdP shows for `xml`; returns the Response XML and the session cookie. */
async function login(idp: MockIdp, xml: string): Promise<{ responseXml: string; cookie: string }> {
  const page = await (await fetch(redirectUrl(idp, xml))).text();
  const token = /name="token" value="([^"]+)"/.exec(page)?.[1];
  expect(token, 'a login form').toBeDefined();
  const res = await fetch(`${idp.baseUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: token!, username: 'dave', password: 'pw-dave' }).toString(),
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const form = readAutoPost(await res.text());
  expect(form?.fields.SAMLResponse).toBeDefined();
  return { responseXml: decodeB64(form!.fields.SAMLResponse!), cookie };
}

function firstAssertion(responseXml: string) {
  const el = children(parseXml(responseXml).documentElement!, NS.saml, 'Assertion')[0];
  return el ? readAssertion(el) : undefined;
}

async function start(weaknesses: MockIdpWeaknesses = {}): Promise<MockIdp> {
  return startIdp({ mode: 'target', users: USERS, wantAuthnRequestsSigned: true, weaknesses });
}

describe('authnContextSatisfied', () => {
  const ppt = AUTHN_CONTEXT.passwordProtectedTransport;
  it('judges exact by membership and the ordered comparisons by the strength it knows', () => {
    expect(authnContextSatisfied(undefined, ppt)).toBe(true);
    expect(authnContextSatisfied({ classRefs: [ppt] }, ppt)).toBe(true);
    expect(authnContextSatisfied({ comparison: 'exact', classRefs: [SMARTCARD] }, ppt)).toBe(false);
    expect(authnContextSatisfied({ comparison: 'minimum', classRefs: [AUTHN_CONTEXT.password] }, ppt)).toBe(true);
    expect(authnContextSatisfied({ comparison: 'minimum', classRefs: [SMARTCARD] }, ppt)).toBe(false);
    expect(authnContextSatisfied({ comparison: 'better', classRefs: [ppt] }, ppt)).toBe(false);
    expect(authnContextSatisfied({ comparison: 'maximum', classRefs: [ppt] }, ppt)).toBe(true);
    expect(authnContextSatisfied({ comparison: 'sideways', classRefs: [ppt] }, ppt)).toBe(false);
  });
});

describe('target mode, strict', () => {
  let idp: MockIdp;
  beforeAll(async () => {
    idp = await start();
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('answers from the session with the sign-in AuthnInstant, and shows the login form again for ForceAuthn', async () => {
    const first = await login(idp, authnRequest(idp));
    const signedIn = firstAssertion(first.responseXml)!.authnStatements[0]!.authnInstant;
    const again = await fetch(redirectUrl(idp, authnRequest(idp)), { headers: { cookie: first.cookie } });
    const answered = decodeB64(readAutoPost(await again.text())!.fields.SAMLResponse!);
    expect(firstAssertion(answered)!.authnStatements[0]!.authnInstant).toBe(signedIn);

    const forced = await (await fetch(redirectUrl(idp, authnRequest(idp, { forceAuthn: true })), { headers: { cookie: first.cookie } })).text();
    expect(forced).toContain('name="password"');
    expect(readAutoPost(forced)?.fields.SAMLResponse).toBeUndefined();
  });

  it('answers an unsatisfiable RequestedAuthnContext with Responder/NoAuthnContext and no assertion, without a login form', async () => {
    const res = await fetch(redirectUrl(idp, authnRequest(idp, { requestedAuthnContext: { comparison: 'exact', classRefs: [SMARTCARD] } })));
    const info = readResponse(parseXml(decodeB64(readAutoPost(await res.text())!.fields.SAMLResponse!)).documentElement!);
    expect(info.status.code).toBe(STATUS.responder);
    expect(info.status.subCodes).toEqual([STATUS.noAuthnContext]);
    expect(info.assertionCount).toBe(0);
  });

  it('refuses ProtocolBinding HTTP-Redirect', async () => {
    const res = await fetch(redirectUrl(idp, authnRequest(idp, { protocolBinding: BINDING.redirect })), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('escapes attribute values, so the markup stays text inside the signed assertion', async () => {
    const { responseXml } = await login(idp, authnRequest(idp));
    expect(verifySignatures(responseXml, [credentials().idp.certPem]).every((c) => c.valid)).toBe(true);
    const a = firstAssertion(responseXml)!;
    expect(a.attributes.displayName).toEqual([MARKUP]);
    expect(a.attributes.role).toBeUndefined();
  });
});

describe('target mode, weakened', () => {
  it('ignoreForceAuthn: answers ForceAuthn from the session, AuthnInstant unchanged', async () => {
    const idp = await start({ ignoreForceAuthn: true });
    try {
      const first = await login(idp, authnRequest(idp));
      const res = await fetch(redirectUrl(idp, authnRequest(idp, { forceAuthn: true })), { headers: { cookie: first.cookie } });
      const answered = decodeB64(readAutoPost(await res.text())!.fields.SAMLResponse!);
      expect(firstAssertion(answered)!.authnStatements[0]!.authnInstant).toBe(firstAssertion(first.responseXml)!.authnStatements[0]!.authnInstant);
    } finally {
      await idp.close();
    }
  });

  it('ignoreRequestedAuthnContext: logs the user in and asserts PasswordProtectedTransport', async () => {
    const idp = await start({ ignoreRequestedAuthnContext: true });
    try {
      const { responseXml } = await login(idp, authnRequest(idp, { requestedAuthnContext: { comparison: 'exact', classRefs: [SMARTCARD] } }));
      expect(firstAssertion(responseXml)!.authnStatements[0]!.classRef).toBe(AUTHN_CONTEXT.passwordProtectedTransport);
    } finally {
      await idp.close();
    }
  });

  it('answerWithRequestedBinding: sends the signed Response to the ACS URL by HTTP-Redirect', async () => {
    const idp = await start({ answerWithRequestedBinding: true });
    try {
      const first = await login(idp, authnRequest(idp));
      const res = await fetch(redirectUrl(idp, authnRequest(idp, { protocolBinding: BINDING.redirect }), { relayState: 'rs' }), { headers: { cookie: first.cookie }, redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(SP_ACS);
      expect(location.searchParams.get('RelayState')).toBe('rs');
      const xml = inflateRawSync(Buffer.from(location.searchParams.get('SAMLResponse')!, 'base64')).toString('utf8');
      expect(readResponse(parseXml(xml).documentElement!).assertionCount).toBe(1);
    } finally {
      await idp.close();
    }
  });

  it('unescapedAttributeValues: the markup becomes an attribute of its own, and the signature still verifies', async () => {
    const idp = await start({ unescapedAttributeValues: true });
    try {
      const { responseXml } = await login(idp, authnRequest(idp));
      expect(verifySignatures(responseXml, [credentials().idp.certPem]).every((c) => c.valid)).toBe(true);
      const a = firstAssertion(responseXml)!;
      expect(a.attributes.displayName).toEqual(['x']);
      expect(a.attributes.role).toEqual(['admin']);
      expect(a.attributes.email).toEqual(['dave@example.test']);
    } finally {
      await idp.close();
    }
  });
});
