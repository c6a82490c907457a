// Mock SP: published metadata, SP-initiated login per plan (Redirect and POST, signed and not),
// and the control API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePostField, decodeRedirect, rawQueryOf, verifyRedirectSignature } from '../../saml/bindings/index.ts';
import { BINDING, NAMEID_FORMAT, SIGNATURE_ALGORITHM } from '../../saml/constants.ts';
import { parseEntity } from '../../saml/metadata.ts';
import { readAuthnRequest } from '../../saml/readers.ts';
import { verifySignatures } from '../../saml/signature.ts';
import { parseRoot } from '../../saml/xml.ts';
import type { MockSp } from '../../mock-sp/index.ts';
import { xmlsec1Verify } from '../peers/xmlsec.ts';
import { IDP_ENTITY_ID, IDP_SSO, IDP_SSO_POST, get, idpMetadata, keys, startSp } from './helpers.ts';

function decodeLocation(location: string) {
  const msg = decodeRedirect(rawQueryOf(location));
  return { msg, info: readAuthnRequest(parseRoot(msg.xml)) };
}

function postFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out[m[1]] = m[2].replace(/&#10;/g, '\n').replace(/&#13;/g, '\r').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  }
  return out;
}

describe('mock SP metadata and login', () => {
  let sp: MockSp;
  beforeAll(async () => {
    sp = await startSp();
  });
  afterAll(() => sp.close());

  it('publishes metadata with /acs, SLO and its signing key, and no rogue ACS', async () => {
    const r = await get(sp, '/metadata');
    expect(r.status).toBe(200);
    expect(r.body).toBe(sp.metadataXml());
    const entity = parseEntity(r.body);
    expect(entity.entityId).toBe(sp.entityId);
    expect(sp.entityId).toBe(`${sp.baseUrl}/metadata`);
    expect(sp.baseUrl).toBe(`http://sp.samlconf.test:${sp.port}`);
    const acs = entity.sp!.acsServices;
    expect(acs).toEqual([
      { binding: BINDING.post, location: `${sp.baseUrl}/acs`, index: 0, isDefault: true },
      { binding: BINDING.artifact, location: `${sp.baseUrl}/acs`, index: 1 },
    ]);
    expect(r.body).not.toContain('/acs-');
    expect(entity.sp!.sloServices.map((e) => e.binding).sort()).toEqual([BINDING.post, BINDING.redirect].sort());
    expect(entity.sp!.keys.map((k) => k.certPem.replace(/\s/g, ''))).toContain(keys().sp.certPem.replace(/\s/g, ''));
    expect(entity.sp!.wantAssertionsSigned).toBe(true);
  });

  it('redirects to the IdP SSO URL with the default AuthnRequest (unsigned when the IdP does not ask)', async () => {
    const r = await get(sp, '/login?scenario=plain');
    expect(r.status).toBe(302);
    expect(r.location!.startsWith(`${IDP_SSO}?SAMLRequest=`)).toBe(true);
    const { msg, info } = decodeLocation(r.location!);
    expect(msg.relayState).toBe('plain');
    expect(msg.signature).toBeUndefined();
    expect(info.destination).toBe(IDP_SSO);
    expect(info.issuer).toBe(sp.entityId);
    expect(info.acsUrl).toBe(`${sp.baseUrl}/acs`);
    expect(info.protocolBinding).toBe(BINDING.post);
    expect(info.nameIdPolicy).toEqual({ format: NAMEID_FORMAT.unspecified, allowCreate: true });
    expect(info.id).toBe(sp.scenario('plain').lastRequestId());
    const ev = sp.scenario('plain').evidence();
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ direction: 'sent', via: 'mock-sp', kind: 'AuthnRequest', binding: 'redirect', url: IDP_SSO, relayState: 'plain', xml: msg.xml });
    expect(ev[0].raw).toBe(rawQueryOf(r.location!));
    expect(ev[0].pretty).toContain('AuthnRequest');
  });

  it('applies the plan: overrides, removals, relay state and a rogue ACS path', async () => {
    const s = sp.scenario('planned');
    s.setPlan({
      request: { forceAuthn: true, isPassive: null, nameIdPolicy: { format: NAMEID_FORMAT.persistent, allowCreate: false }, destination: null },
      relayState: 'back-to-42',
      expectAcsPath: '/acs-evil',
    });
    const r = await get(sp, '/login?scenario=planned');
    const { msg, info } = decodeLocation(r.location!);
    expect(msg.relayState).toBe('back-to-42');
    expect(info.forceAuthn).toBe(true);
    expect(info.destination).toBeUndefined();
    expect(info.acsUrl).toBe(`${sp.baseUrl}/acs-evil`);
    expect(info.nameIdPolicy).toEqual({ format: NAMEID_FORMAT.persistent, allowCreate: false });
  });

  it('signs the Redirect query with the SP key when the plan says so', async () => {
    sp.scenario('signed').setPlan({ sign: { algorithm: 'rsa-sha512' } });
    const r = await get(sp, '/login?scenario=signed');
    const { msg } = decodeLocation(r.location!);
    expect(msg.sigAlg).toBe(SIGNATURE_ALGORITHM['rsa-sha512']);
    expect(verifyRedirectSignature(msg, [keys().sp.certPem])).toMatchObject({ valid: true });
    expect(verifyRedirectSignature(msg, [keys().idp.certPem]).valid).toBe(false);
    expect(msg.xml).not.toContain('Signature');
    expect(sp.scenario('signed').evidence()[0].signatures).toEqual([{ kind: 'redirect-query', valid: true, algorithm: SIGNATURE_ALGORITHM['rsa-sha512'] }]);
  });

  it('signs with the attacker key on request, which the SP certificate does not verify', async () => {
    sp.scenario('attacker').setPlan({ sign: { credential: 'attacker' } });
    const r = await get(sp, '/login?scenario=attacker');
    const { msg } = decodeLocation(r.location!);
    expect(verifyRedirectSignature(msg, [keys().sp.certPem]).valid).toBe(false);
    expect(verifyRedirectSignature(msg, [keys().attacker.certPem]).valid).toBe(true);
    expect(sp.scenario('attacker').evidence()[0].note).toContain('attacker key');
  });

  it('POST plan: an auto-POST page to the IdP POST SSO URL with an enveloped-signed AuthnRequest', async () => {
    sp.scenario('post').setPlan({ binding: 'post', sign: true, mutate: (xml) => xml.replace('<saml:Issuer', '<!-- mutated --><saml:Issuer') });
    const r = await get(sp, '/login?scenario=post');
    expect(r.status).toBe(200);
    expect(r.body).toContain(`action="${IDP_SSO_POST}"`);
    const fields = postFields(r.body);
    expect(fields.RelayState).toBe('post');
    const xml = decodePostField(fields.SAMLRequest);
    expect(xml).toContain('<!-- mutated -->');
    const info = readAuthnRequest(parseRoot(xml));
    expect(info.destination).toBe(IDP_SSO_POST);
    expect(info.signaturePresent).toBe(true);
    const checks = verifySignatures(xml, [keys().sp.certPem]);
    expect(checks).toHaveLength(1);
    // The comment sits outside what exc-c14n with comments removed signs, so it still verifies.
    expect(checks[0]).toMatchObject({ valid: true, parentName: 'AuthnRequest', referenceUri: info.id });
    // An independent implementation agrees, and does not accept it with another key.
    expect(xmlsec1Verify(xml, keys().sp.certPem).ok).toBe(true);
    expect(xmlsec1Verify(xml, keys().idp.certPem).ok).toBe(false);
    const ev = sp.scenario('post').evidence()[0];
    expect(ev).toMatchObject({ binding: 'post', url: IDP_SSO_POST, raw: fields.SAMLRequest });
    expect(ev.signatures).toEqual([expect.objectContaining({ kind: 'xml', valid: true, covers: info.id })]);
  });

  it('signs by default when the IdP metadata wants signed AuthnRequests', async () => {
    const strictIdp = await startSp({ idpWantsSigned: true });
    try {
      const r = await get(strictIdp, '/login?scenario=x');
      const { msg } = decodeLocation(r.location!);
      expect(verifyRedirectSignature(msg, [keys().sp.certPem]).valid).toBe(true);
      strictIdp.scenario('y').setPlan({ sign: false });
      const r2 = await get(strictIdp, '/login?scenario=y');
      expect(decodeLocation(r2.location!).msg.signature).toBeUndefined();
    } finally {
      await strictIdp.close();
    }
  });

  it('attributes /login by header before the query parameter, else to the default scenario', async () => {
    await get(sp, '/login?scenario=q1', { 'x-samlconf-scenario': 'h1' });
    expect(sp.scenario('h1').lastRequestId()).toBeDefined();
    expect(sp.scenario('q1').lastRequestId()).toBeUndefined();
    const r = await get(sp, '/login');
    expect(decodeLocation(r.location!).msg.relayState).toBe('default');
    expect(sp.scenario('default').lastRequestId()).toBe(decodeLocation(r.location!).info.id);
  });

  it('answers 400 with an error page when the IdP has no SSO endpoint for the binding', async () => {
    const noIdp = await startSp({ idp: undefined });
    try {
      const r = await get(noIdp, '/login');
      expect(r.status).toBe(400);
      expect(r.body).toContain('no IdP metadata');
      noIdp.setIdpMetadata(idpMetadata());
      expect((await get(noIdp, '/login')).status).toBe(302);
    } finally {
      await noIdp.close();
    }
  });

  it('control API: plan as JSON, messages, clearing, health', async () => {
    const bad = await fetch(`${sp.listenUrl}/_samlconf/plan?scenario=api`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ binding: 'soap' }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/binding/);
    const unknown = await fetch(`${sp.listenUrl}/_samlconf/plan?scenario=api`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mutate: 'x' }) });
    expect(unknown.status).toBe(400);
    const ok = await fetch(`${sp.listenUrl}/_samlconf/plan?scenario=api`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ binding: 'redirect', sign: { algorithm: 'rsa-sha256' }, request: { forceAuthn: true }, relayState: 'rs' }),
    });
    expect(ok.status).toBe(200);
    const r = await get(sp, '/login?scenario=api');
    const { msg, info } = decodeLocation(r.location!);
    expect(info.forceAuthn).toBe(true);
    expect(msg.relayState).toBe('rs');
    expect(verifyRedirectSignature(msg, [keys().sp.certPem]).valid).toBe(true);

    const messages = await (await fetch(`${sp.listenUrl}/_samlconf/messages?scenario=api`)).json();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ kind: 'AuthnRequest', direction: 'sent', relayState: 'rs' });
    const del = await fetch(`${sp.listenUrl}/_samlconf/messages?scenario=api`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await (await fetch(`${sp.listenUrl}/_samlconf/messages?scenario=api`)).json()).toEqual([]);
    const health = await (await fetch(`${sp.listenUrl}/_samlconf/health`)).json();
    expect(health).toEqual({ ok: true, role: 'sp', mode: 'mock', entityId: sp.entityId, idp: IDP_ENTITY_ID });
  });
});
