// The mock IdP in 'mock' mode over real HTTP on 127.0.0.1: metadata, SP-initiated SSO over both
// bindings, attribution, plan signing/encryption/mutation variants, ACS choice, IdP-initiated SSO
// and the control API. Responses are checked with saml/rules validateResponse, the SP's view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINDING, NAMEID_FORMAT, NS } from '../../saml/constants.ts';
import { certToBase64 } from '../../saml/keys.ts';
import { parseEntity, signingCerts } from '../../saml/metadata.ts';
import { readResponse } from '../../saml/readers.ts';
import { validateResponse, type ResponseValidationContext } from '../../saml/rules/index.ts';
import { children, parseXml } from '../../saml/xml.ts';
import type { MockIdp } from '../../mock-idp/index.ts';
import {
  SP_ACS,
  SP_ACS_2,
  SP_ENTITY_ID,
  authnRequest,
  credentials,
  decodeB64,
  postRequest,
  readAutoPost,
  redirectUrl,
  startIdp,
} from './helpers.ts';

let idp: MockIdp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(async () => {
  await idp?.close();
});

function idOf(xml: string): string {
  return parseXml(xml).documentElement!.getAttribute('ID')!;
}

function ctx(o: Partial<ResponseValidationContext> = {}): ResponseValidationContext {
  return {
    trustedCerts: [credentials().idp.certPem],
    idpEntityId: idp.entityId,
    spEntityId: SP_ENTITY_ID,
    acsUrl: SP_ACS,
    requireSignedAssertion: true,
    ...o,
  };
}

/** Send a signed Redirect AuthnRequest (optionally for a scenario) and read the auto-POST form. */
async function loginVia(o: { scenario?: string; relayState?: string; request?: Parameters<typeof authnRequest>[1] } = {}) {
  const xml = authnRequest(idp, o.request ?? {});
  const res = await fetch(redirectUrl(idp, xml, o.relayState !== undefined ? { relayState: o.relayState } : {}), {
    headers: o.scenario ? { 'x-samlconf-scenario': o.scenario } : {},
  });
  const html = await res.text();
  const form = readAutoPost(html);
  return { requestXml: xml, requestId: idOf(xml), res, html, form, responseXml: form?.fields.SAMLResponse ? decodeB64(form.fields.SAMLResponse) : undefined };
}

describe('metadata', () => {
  it('is served, parses, and matches the options', async () => {
    const res = await fetch(idp.metadataUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('samlmetadata+xml');
    const entity = parseEntity(await res.text());
    expect(entity.entityId).toBe(idp.entityId);
    expect(entity.idp?.wantAuthnRequestsSigned).toBe(false);
    expect(signingCerts(entity.idp!).map(certToBase64)).toEqual([certToBase64(credentials().idp.certPem)]);
    const sso = entity.idp!.ssoServices;
    expect(sso).toContainEqual(expect.objectContaining({ binding: BINDING.redirect, location: idp.ssoUrl }));
    expect(sso).toContainEqual(expect.objectContaining({ binding: BINDING.post, location: idp.ssoPostUrl }));
    expect(entity.idp!.sloServices.map((e) => e.location)).toContain(idp.sloUrl);
    expect(idp.metadataXml()).toContain(idp.entityId);
  });
});

describe('SP-initiated SSO', () => {
  it('answers a signed Redirect AuthnRequest with an auto-POST Response that a strict SP accepts', async () => {
    const r = await loginVia({ scenario: 'redirect-ok', relayState: '/dashboard' });
    expect(r.res.status).toBe(200);
    expect(r.res.headers.get('content-security-policy')).toContain("script-src 'sha256-");
    expect(r.form?.action).toBe(SP_ACS);
    expect(r.form?.fields.RelayState).toBe('/dashboard');
    const v = await validateResponse(r.responseXml!, ctx({ expectedRequestId: r.requestId }));
    expect(v.findings.filter((f) => !f.ok)).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.identity?.nameId).toBe('alice@example.test');
    expect(readResponse(parseXml(r.responseXml!).documentElement!).inResponseTo).toBe(r.requestId);

    const s = idp.scenario('redirect-ok');
    expect(s.lastAuthnRequest()?.binding).toBe('redirect');
    expect(s.lastAuthnRequest()?.signatureValid).toBe(true);
    expect(s.lastAuthnRequest()?.info.id).toBe(r.requestId);
    expect(s.lastResponse()).toMatchObject({ acsUrl: SP_ACS, nameId: 'alice@example.test', xml: r.responseXml });
  });

  it('records received and sent messages with seq order, raw wire form, decoded XML and signature evidence', async () => {
    const r = await loginVia({ scenario: 'evidence', relayState: 'rs-1' });
    const ev = idp.scenario('evidence').evidence();
    expect(ev.map((e) => [e.seq, e.direction, e.kind, e.binding])).toEqual([
      [1, 'received', 'AuthnRequest', 'redirect'],
      [2, 'sent', 'Response', 'post'],
    ]);
    expect(ev[0].raw).toMatch(/^SAMLRequest=.*&RelayState=rs-1&SigAlg=.*&Signature=/);
    expect(ev[0].xml).toBe(r.requestXml);
    expect(ev[0].pretty).toContain('\n');
    expect(ev[0].relayState).toBe('rs-1');
    expect(ev[0].signatures).toEqual([expect.objectContaining({ kind: 'redirect-query', valid: true, covers: r.requestId })]);
    expect(ev[1].raw).toBe(r.form!.fields.SAMLResponse);
    expect(ev[1].url).toBe(SP_ACS);
    expect(ev[1].signatures?.map((s) => [s.kind, s.valid])).toEqual([
      ['xml', true],
      ['xml', true],
    ]);
  });

  it("replaces the SP's RelayState with the plan's", async () => {
    idp.scenario('relay-plan').setPlan({ relayState: 'javascript:alert(1)' });
    const r = await loginVia({ scenario: 'relay-plan', relayState: '/dashboard' });
    expect(r.form?.fields.RelayState).toBe('javascript:alert(1)');
  });

  it('answers an XML-signed POST AuthnRequest the same way', async () => {
    const xml = authnRequest(idp, {}, idp.ssoPostUrl);
    const res = await postRequest(idp, xml, { relayState: 'post-rs', headers: { 'x-samlconf-scenario': 'post-ok' } });
    const form = readAutoPost(await res.text());
    expect(form?.action).toBe(SP_ACS);
    const responseXml = decodeB64(form!.fields.SAMLResponse);
    const v = await validateResponse(responseXml, ctx({ expectedRequestId: idOf(xml) }));
    expect(v.ok).toBe(true);
    const last = idp.scenario('post-ok').lastAuthnRequest();
    expect(last?.binding).toBe('post');
    expect(last?.signatureValid).toBe(true);
    expect(idp.scenario('post-ok').evidence()[0].signatures?.[0]).toMatchObject({ kind: 'xml', valid: true });
  });

  it('flags a Redirect request signed with the wrong key, but still answers in mock mode', async () => {
    const xml = authnRequest(idp);
    const res = await fetch(redirectUrl(idp, xml, { sign: credentials().attacker }), { headers: { 'x-samlconf-scenario': 'bad-sig' } });
    expect(readAutoPost(await res.text())?.fields.SAMLResponse).toBeDefined();
    expect(idp.scenario('bad-sig').lastAuthnRequest()?.signatureValid).toBe(false);
    expect(idp.scenario('bad-sig').evidence()[0].signatures?.[0]).toMatchObject({ kind: 'redirect-query', valid: false });
  });

  it('answers an undecodable message with a 400 page and records it', async () => {
    const res = await fetch(`${idp.ssoUrl}?SAMLRequest=%%%`, { headers: { 'x-samlconf-scenario': 'garbage' } });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('SAMLResponse');
    const ev = idp.scenario('garbage').evidence();
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ direction: 'received', kind: 'Other', raw: 'SAMLRequest=%%%' });
    expect(ev[0].note).toMatch(/not decodable/);
  });
});

describe('attribution', () => {
  it('uses the x-samlconf-scenario header, and the default scenario without one', async () => {
    idp.scenario('who-a').setPlan({ user: { nameId: 'a@example.test' } });
    idp.scenario('default').setPlan({ user: { nameId: 'default-user@example.test' } });
    const before = idp.scenario('default').evidence().length;
    const a = await loginVia({ scenario: 'who-a' });
    const d = await loginVia();
    expect(parseXml(a.responseXml!).documentElement!.textContent).toContain('a@example.test');
    expect(idp.scenario('who-a').lastResponse()?.nameId).toBe('a@example.test');
    expect(idp.scenario('default').lastResponse()?.nameId).toBe('default-user@example.test');
    expect(d.responseXml).toContain('default-user@example.test');
    expect(idp.scenario('default').evidence().length).toBe(before + 2);
    idp.scenario('default').setPlan({});
  });

  it('correlates a RelayState equal to a known scenario key', async () => {
    idp.scenario('by-relay').setPlan({ user: { nameId: 'relay@example.test' } });
    const r = await loginVia({ relayState: 'by-relay' });
    expect(r.responseXml).toContain('relay@example.test');
    expect(idp.scenario('by-relay').lastAuthnRequest()?.info.id).toBe(r.requestId);
  });
});

describe('plan signing variants', () => {
  const cases = [
    { name: 'both', sign: { response: true, assertion: true }, responseSig: true, assertionSig: true },
    { name: 'response only', sign: { response: true, assertion: false }, responseSig: true, assertionSig: false },
    { name: 'assertion only', sign: { response: false, assertion: true }, responseSig: false, assertionSig: true },
    { name: 'none', sign: { response: false, assertion: false }, responseSig: false, assertionSig: false },
  ];
  for (const c of cases) {
    it(`signs ${c.name}`, async () => {
      const key = `sign-${c.name.replace(/ /g, '-')}`;
      idp.scenario(key).setPlan({ sign: c.sign });
      const r = await loginVia({ scenario: key });
      const root = parseXml(r.responseXml!).documentElement!;
      const responseSigned = children(root, NS.ds, 'Signature').length > 0;
      expect(responseSigned).toBe(c.responseSig);
      const v = await validateResponse(r.responseXml!, ctx({ expectedRequestId: r.requestId, requireSignedAssertion: false }));
      const valid = v.signatures.filter((s) => s.valid).map((s) => s.parentName).sort();
      expect(valid).toEqual([...(c.assertionSig ? ['Assertion'] : []), ...(c.responseSig ? ['Response'] : [])]);
      expect(v.ok).toBe(c.responseSig || c.assertionSig);
    });
  }

  it("signs with the attacker's key and certificate: fails against the real certificate", async () => {
    idp.scenario('attacker').setPlan({ sign: { credential: 'attacker' } });
    const r = await loginVia({ scenario: 'attacker' });
    expect(r.responseXml).toContain(certToBase64(credentials().attacker.certPem));
    const v = await validateResponse(r.responseXml!, ctx({ expectedRequestId: r.requestId }));
    expect(v.ok).toBe(false);
    expect(v.identity).toBeUndefined();
    expect(v.signatures.every((s) => !s.valid)).toBe(true);
    const sent = idp.scenario('attacker').evidence().find((e) => e.direction === 'sent')!;
    expect(sent.signatures?.every((s) => s.valid === false)).toBe(true);
    expect(sent.note).toContain('attacker');
  });

  it('signs with rsa-sha1 when asked', async () => {
    idp.scenario('sha1').setPlan({ sign: { algorithm: 'rsa-sha1' } });
    const r = await loginVia({ scenario: 'sha1' });
    expect(r.responseXml).toContain('http://www.w3.org/2000/09/xmldsig#rsa-sha1');
    expect(r.responseXml).toContain('http://www.w3.org/2000/09/xmldsig#sha1');
  });
});

describe('mutations', () => {
  it('applies mutate after signing, so the change breaks the signature', async () => {
    idp.scenario('mutate').setPlan({ mutate: (xml) => xml.replace('alice@example.test</saml:NameID>', 'mallory@example.test</saml:NameID>') });
    const r = await loginVia({ scenario: 'mutate' });
    expect(r.responseXml).toContain('mallory@example.test</saml:NameID>');
    const v = await validateResponse(r.responseXml!, ctx({ expectedRequestId: r.requestId }));
    expect(v.ok).toBe(false);
    expect(v.identity?.nameId).not.toBe('mallory@example.test');
    expect(idp.scenario('mutate').lastResponse()?.xml).toBe(r.responseXml);
  });

  it('applies mutateBeforeSign before signing, so the change is signed', async () => {
    idp.scenario('mutate-before').setPlan({ mutateBeforeSign: (xml) => xml.replace('alice@example.test</saml:NameID>', 'bob@example.test</saml:NameID>') });
    const r = await loginVia({ scenario: 'mutate-before' });
    const v = await validateResponse(r.responseXml!, ctx({ expectedRequestId: r.requestId }));
    expect(v.ok).toBe(true);
    expect(v.identity?.nameId).toBe('bob@example.test');
  });

  it('honours response overrides: audience removed, other InResponseTo, lifetime in the past', async () => {
    idp.scenario('overrides').setPlan({ response: { audience: null, inResponseTo: '_other', lifetimeSeconds: -600 } });
    const r = await loginVia({ scenario: 'overrides' });
    expect(r.responseXml).not.toContain('AudienceRestriction');
    expect(readResponse(parseXml(r.responseXml!).documentElement!).inResponseTo).toBe('_other');
    const v = await validateResponse(r.responseXml!, ctx({ expectedRequestId: r.requestId }));
    const failed = new Set(v.findings.filter((f) => !f.ok).map((f) => f.rule));
    expect(v.ok).toBe(false);
    expect(failed.has('audience')).toBe(true);
    expect(failed.has('in-response-to')).toBe(true);
  });

  it('sends a non-Success status without an assertion', async () => {
    idp.scenario('status').setPlan({ response: { status: { code: 'urn:oasis:names:tc:SAML:2.0:status:Responder', subCode: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed' } } });
    const r = await loginVia({ scenario: 'status' });
    const info = readResponse(parseXml(r.responseXml!).documentElement!);
    expect(info.status.code).toBe('urn:oasis:names:tc:SAML:2.0:status:Responder');
    expect(info.assertionCount).toBe(0);
  });
});

describe('encryption', () => {
  it("encrypts the signed assertion with the SP's certificate, and it decrypts", async () => {
    idp.scenario('enc').setPlan({ encrypt: { dataAlgorithm: 'aes256-gcm' } });
    const r = await loginVia({ scenario: 'enc' });
    const info = readResponse(parseXml(r.responseXml!).documentElement!);
    expect(info.assertionCount).toBe(0);
    expect(info.encryptedAssertionCount).toBe(1);
    expect(r.responseXml).not.toContain('alice@example.test');
    const v = await validateResponse(r.responseXml!, ctx({ expectedRequestId: r.requestId, decryptionKeyPem: credentials().spEnc.key.privateKeyPem }));
    expect(v.ok).toBe(true);
    expect(v.identity?.nameId).toBe('alice@example.test');
  });
});

describe('ACS choice (mock mode)', () => {
  it('uses a registered requested ACS URL', async () => {
    const r = await loginVia({ scenario: 'acs-2', request: { assertionConsumerServiceUrl: SP_ACS_2 } });
    expect(r.form?.action).toBe(SP_ACS_2);
  });

  it('falls back to the default ACS for an unregistered URL', async () => {
    const r = await loginVia({ scenario: 'acs-rogue', request: { assertionConsumerServiceUrl: 'https://evil.test/acs' } });
    expect(r.form?.action).toBe(SP_ACS);
  });

  it('uses AssertionConsumerServiceIndex', async () => {
    const r = await loginVia({ scenario: 'acs-index', request: { assertionConsumerServiceUrl: null, protocolBinding: null, assertionConsumerServiceIndex: 1 } });
    expect(r.form?.action).toBe(SP_ACS_2);
  });

  it('lets plan.acsUrl override everything', async () => {
    idp.scenario('acs-plan').setPlan({ acsUrl: 'https://sp.samlconf.test/acs-rogue' });
    const r = await loginVia({ scenario: 'acs-plan' });
    expect(r.form?.action).toBe('https://sp.samlconf.test/acs-rogue');
    const assertion = parseXml(r.responseXml!).documentElement!;
    expect(assertion.getAttribute('Destination')).toBe('https://sp.samlconf.test/acs-rogue');
  });
});

describe('IdP-initiated SSO', () => {
  it('posts an unsolicited Response to the default ACS, with no RelayState unless one is asked for', async () => {
    const s = idp.scenario('unsolicited');
    const res = await fetch(s.idpInitiatedUrl());
    const form = readAutoPost(await res.text());
    expect(form?.action).toBe(SP_ACS);
    // An SP takes an unsolicited RelayState as its landing page (mod_auth_mellon redirected to the scenario key).
    expect(form?.fields).not.toHaveProperty('RelayState');
    const xml = decodeB64(form!.fields.SAMLResponse);
    expect(readResponse(parseXml(xml).documentElement!).inResponseTo).toBeUndefined();
    const v = await validateResponse(xml, ctx({ allowUnsolicited: true }));
    expect(v.ok).toBe(true);
    expect(s.evidence().map((e) => e.kind)).toEqual(['Response']);

    const withRelay = await fetch(s.idpInitiatedUrl({ relayState: '/home' }));
    expect(readAutoPost(await withRelay.text())?.fields.RelayState).toBe('/home');
  });
});

describe('control API', () => {
  it('sets a JSON plan, returns and clears messages, and reports health', async () => {
    const health = await (await fetch(`${idp.baseUrl}/_samlconf/health`)).json();
    expect(health).toMatchObject({ ok: true, role: 'idp', entityId: idp.entityId });

    const put = await fetch(`${idp.baseUrl}/_samlconf/plan?scenario=ctl`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { nameId: 'ctl@example.test', nameIdFormat: NAMEID_FORMAT.unspecified } }),
    });
    expect(put.status).toBe(200);
    const r = await loginVia({ scenario: 'ctl' });
    expect(r.responseXml).toContain('ctl@example.test');

    const messages = await (await fetch(`${idp.baseUrl}/_samlconf/messages?scenario=ctl`)).json();
    expect(messages.messages.map((m: { kind: string }) => m.kind)).toEqual(['AuthnRequest', 'Response']);

    const bad = await fetch(`${idp.baseUrl}/_samlconf/plan?scenario=ctl`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mutate: 'x' }) });
    expect(bad.status).toBe(400);
    const textPlain = await fetch(`${idp.baseUrl}/_samlconf/plan`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(textPlain.status).toBe(415);

    const del = await fetch(`${idp.baseUrl}/_samlconf/messages?scenario=ctl`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(idp.scenario('ctl').evidence()).toEqual([]);
  });
});
