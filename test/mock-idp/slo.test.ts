// Single Logout at the mock IdP: SP-initiated (Redirect and POST) answered with a signed
// LogoutResponse to the SP's SLO endpoint, and IdP-initiated via logoutRequestUrl, with the SP's
// LogoutResponse attributed back to the scenario by InResponseTo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRedirect, encodePostFields, encodeRedirect, rawQueryOf, verifyRedirectSignature } from '../../saml/bindings/index.ts';
import { buildLogoutRequest, buildLogoutResponse } from '../../saml/builders/index.ts';
import { NAMEID_FORMAT } from '../../saml/constants.ts';
import { readLogoutRequest, readLogoutResponse } from '../../saml/readers.ts';
import { signRoot, verifySignatures } from '../../saml/signature.ts';
import { parseXml } from '../../saml/xml.ts';
import type { MockIdp } from '../../mock-idp/index.ts';
import { SP_ENTITY_ID, SP_SLO, authnRequest, credentials, decodeB64, readAutoPost, redirectUrl, spMetadata, startIdp } from './helpers.ts';

let idp: MockIdp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(async () => {
  await idp?.close();
});

async function loginFor(scenario: string) {
  await fetch(redirectUrl(idp, authnRequest(idp)), { headers: { 'x-samlconf-scenario': scenario } });
  return idp.scenario(scenario).lastResponse()!;
}

describe('SP-initiated logout', () => {
  it('answers a signed Redirect LogoutRequest with a signed Redirect LogoutResponse, attributed by SessionIndex', async () => {
    const session = await loginFor('slo-redirect');
    const request = buildLogoutRequest({
      issuer: SP_ENTITY_ID,
      destination: idp.sloUrl,
      nameId: { value: session.nameId, format: NAMEID_FORMAT.emailAddress },
      sessionIndexes: [session.sessionIndex!],
    });
    const url = encodeRedirect({ endpoint: idp.sloUrl, param: 'SAMLRequest', xml: request, relayState: 'bye', sign: { privateKeyPem: credentials().sp.key.privateKeyPem } });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${SP_SLO}?SAMLResponse=`)).toBe(true);
    const msg = decodeRedirect(rawQueryOf(location));
    expect(msg.relayState).toBe('bye');
    expect(verifyRedirectSignature(msg, [credentials().idp.certPem]).valid).toBe(true);
    const info = readLogoutResponse(parseXml(msg.xml).documentElement!);
    expect(info.inResponseTo).toBe(parseXml(request).documentElement!.getAttribute('ID'));
    expect(info.status.code).toBe('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect(info.destination).toBe(SP_SLO);

    const ev = idp.scenario('slo-redirect').evidence();
    expect(ev.map((e) => `${e.direction}:${e.kind}:${e.binding}`)).toEqual([
      'received:AuthnRequest:redirect',
      'sent:Response:post',
      'received:LogoutRequest:redirect',
      'sent:LogoutResponse:redirect',
    ]);
    expect(ev[2].signatures).toEqual([expect.objectContaining({ kind: 'redirect-query', valid: true })]);
    expect(ev[3].signatures).toEqual([expect.objectContaining({ kind: 'redirect-query', valid: true })]);
  });

  it('answers a POST LogoutRequest with an auto-POST, XML-signed LogoutResponse', async () => {
    const request = signRoot(buildLogoutRequest({ issuer: SP_ENTITY_ID, destination: idp.sloUrl, nameId: { value: 'alice@example.test' } }), {
      privateKeyPem: credentials().sp.key.privateKeyPem,
      certPem: credentials().sp.certPem,
    });
    const res = await fetch(idp.sloUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-samlconf-scenario': 'slo-post' },
      body: new URLSearchParams(encodePostFields({ param: 'SAMLRequest', xml: request })).toString(),
    });
    const form = readAutoPost(await res.text());
    expect(form?.action).toBe(SP_SLO);
    const xml = decodeB64(form!.fields.SAMLResponse);
    const checks = verifySignatures(xml, [credentials().idp.certPem]);
    expect(checks).toHaveLength(1);
    expect(checks[0].valid).toBe(true);
    expect(idp.scenario('slo-post').evidence()[0].signatures?.[0]).toMatchObject({ kind: 'xml', valid: true });
  });
});

describe('IdP-initiated logout', () => {
  it('sends a signed LogoutRequest to the SP and attributes the LogoutResponse by InResponseTo', async () => {
    const session = await loginFor('slo-idp');
    const start = idp.scenario('slo-idp').logoutRequestUrl({ nameId: session.nameId, nameIdFormat: NAMEID_FORMAT.emailAddress, sessionIndex: session.sessionIndex });
    const res = await fetch(start, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${SP_SLO}?SAMLRequest=`)).toBe(true);
    const msg = decodeRedirect(rawQueryOf(location));
    expect(verifyRedirectSignature(msg, [credentials().idp.certPem]).valid).toBe(true);
    const request = readLogoutRequest(parseXml(msg.xml).documentElement!);
    expect(request.nameId?.value).toBe(session.nameId);
    expect(request.sessionIndexes).toEqual([session.sessionIndex]);
    expect(request.issuer).toBe(idp.entityId);

    // The SP answers without any scenario header: InResponseTo finds the scenario.
    const answer = buildLogoutResponse({ issuer: SP_ENTITY_ID, destination: idp.sloUrl, inResponseTo: request.id });
    const back = await fetch(encodeRedirect({ endpoint: idp.sloUrl, param: 'SAMLResponse', xml: answer, sign: { privateKeyPem: credentials().sp.key.privateKeyPem } }));
    expect(back.status).toBe(200);
    expect(await back.text()).toContain('Success');
    const kinds = idp.scenario('slo-idp').evidence().map((e) => `${e.direction}:${e.kind}`);
    expect(kinds.slice(-2)).toEqual(['sent:LogoutRequest', 'received:LogoutResponse']);
  });

  it('can send the LogoutRequest unsigned', async () => {
    const start = idp.scenario('slo-unsigned').logoutRequestUrl({ nameId: 'alice@example.test', sign: false });
    const location = (await fetch(start, { redirect: 'manual' })).headers.get('location')!;
    const msg = decodeRedirect(rawQueryOf(location));
    expect(msg.signature).toBeUndefined();
    expect(msg.sigAlg).toBeUndefined();
  });

  it('sends over a binding the SP does not list only when asked to, to the Location it lists for the other', async () => {
    const postOnly = await startIdp({
      sp: { metadataXml: spMetadata({ withEncryption: true, sloBindings: ['post'] }) },
    });
    try {
      const refused = await fetch(postOnly.scenario('slo-unlisted').logoutRequestUrl({ nameId: 'alice@example.test', binding: 'redirect' }), { redirect: 'manual' });
      expect(refused.status).toBe(400);
      const start = postOnly.scenario('slo-unlisted').logoutRequestUrl({ nameId: 'alice@example.test', binding: 'redirect', sign: false, evenIfUnlisted: true });
      const location = (await fetch(start, { redirect: 'manual' })).headers.get('location')!;
      expect(location.startsWith(`${SP_SLO}?`)).toBe(true);
      expect(decodeRedirect(rawQueryOf(location)).xml).toContain('alice@example.test');
    } finally {
      await postOnly.close();
    }
  });
});
