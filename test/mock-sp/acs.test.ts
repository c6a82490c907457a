// Mock SP ACS in mock mode: strict validation, attribution to the scenario, rogue ACS paths,
// evidence, and what happens with messages that are wrong or undecodable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRedirect } from '../../saml/bindings/index.ts';
import { encryptAssertionInResponse } from '../../saml/encryption.ts';
import { createCredential } from '../../saml/keys.ts';
import { parseEntity } from '../../saml/metadata.ts';
import type { MockSp } from '../../mock-sp/index.ts';
import { get, idpMetadata, keys, makeResponse, postForm, postResponse, resultOf, startSp } from './helpers.ts';

describe('mock SP ACS (mock mode)', () => {
  let sp: MockSp;
  beforeAll(async () => {
    sp = await startSp();
  });
  afterAll(() => sp.close());

  it('accepts a valid signed Response answering the request and attributes it by InResponseTo', async () => {
    const s = sp.scenario('ok');
    await get(sp, '/login?scenario=ok');
    const waiting = s.waitForResponse(5000);
    const xml = makeResponse({ sp, inResponseTo: s.lastRequestId() });
    // No header, no RelayState, no cookie: only InResponseTo names the scenario.
    const r = await postResponse(sp, xml);
    expect(r.status).toBe(200);
    expect(resultOf(r.body)).toMatchObject({ accepted: true, nameId: 'alice@example.test', failedRules: [], scenario: 'ok', path: '/acs' });
    const outcome = await waiting;
    expect(outcome).toBeDefined();
    expect(outcome!).toMatchObject({ path: '/acs', url: `${sp.baseUrl}/acs`, binding: 'post', scenario: 'ok', accepted: true, expectedRequestId: s.lastRequestId() });
    expect(outcome!.validation.ok).toBe(true);
    expect(outcome!.identity).toMatchObject({ nameId: 'alice@example.test', sessionIndex: '_session-1', attributes: { email: ['alice@example.test'] } });
    expect(outcome!.xml).toBe(xml);
    expect(s.responses()).toHaveLength(1);

    const ev = s.evidence();
    expect(ev.map((e) => [e.direction, e.kind])).toEqual([['sent', 'AuthnRequest'], ['received', 'Response']]);
    expect(ev[1]).toMatchObject({ binding: 'post', url: `${sp.baseUrl}/acs`, xml, raw: Buffer.from(xml).toString('base64') });
    expect(ev[1].signatures).toEqual([expect.objectContaining({ kind: 'xml', valid: true })]);
    expect(ev[1].note).toContain('accepted as alice@example.test');
  });

  it('records a Response at a rogue /acs-* path with that path', async () => {
    const s = sp.scenario('rogue');
    s.setPlan({ expectAcsPath: '/acs-evil' });
    await get(sp, '/login?scenario=rogue');
    const xml = makeResponse({ sp, inResponseTo: s.lastRequestId(), acsPath: '/acs-evil' });
    const r = await postResponse(sp, xml, { path: '/acs-evil', relayState: 'rogue' });
    expect(resultOf(r.body)).toMatchObject({ accepted: true, path: '/acs-evil', scenario: 'rogue' });
    const outcome = await s.waitForResponse(1000);
    expect(outcome).toMatchObject({ path: '/acs-evil', url: `${sp.baseUrl}/acs-evil`, accepted: true });
    expect(s.evidence()[1].note).toContain('unregistered ACS path /acs-evil');
    // Nested rogue paths work too; the plain /acs-prefix without a name does not exist.
    const nested = await postResponse(sp, xml, { path: '/acs-evil/deeper', headers: { 'x-samlconf-scenario': 'rogue' } });
    expect(resultOf(nested.body).path).toBe('/acs-evil/deeper');
    expect((await postResponse(sp, xml, { path: '/acs-' })).status).toBe(404);
  });

  it('attributes by the scenario header first, then RelayState, then the scenario cookie', async () => {
    const a = sp.scenario('attr-a');
    const b = sp.scenario('attr-b');
    await get(sp, '/login?scenario=attr-a');
    const login = await get(sp, '/login?scenario=attr-b');
    const xml = makeResponse({ sp, inResponseTo: a.lastRequestId() });
    const viaHeader = await postResponse(sp, xml, { headers: { 'x-samlconf-scenario': 'attr-b' } });
    // B expected its own request, so A's InResponseTo fails there.
    expect(resultOf(viaHeader.body)).toMatchObject({ scenario: 'attr-b', accepted: false });
    expect(resultOf(viaHeader.body).failedRules).toEqual(expect.arrayContaining(['in-response-to', 'subject-confirmation-in-response-to']));
    expect(b.responses()[0].expectedRequestId).toBe(b.lastRequestId());

    const unsolicited = makeResponse({ sp, inResponseTo: null });
    expect(resultOf((await postResponse(sp, unsolicited, { relayState: 'attr-a' })).body).scenario).toBe('attr-a');
    const cookie = login.setCookie.map((c) => c.split(';')[0]).join('; ');
    expect(cookie).toBe('samlconf_scenario=attr-b');
    expect(resultOf((await postResponse(sp, unsolicited, { headers: { cookie } })).body).scenario).toBe('attr-b');
    expect(resultOf((await postResponse(sp, unsolicited)).body).scenario).toBe('default');
  });

  it('rejects an unsolicited Response unless the plan allows it', async () => {
    const s = sp.scenario('idp-init');
    const xml = makeResponse({ sp, inResponseTo: null });
    const r1 = resultOf((await postResponse(sp, xml, { headers: { 'x-samlconf-scenario': 'idp-init' } })).body);
    expect(r1.accepted).toBe(false);
    expect(r1.failedRules).toContain('unsolicited-response');
    s.setPlan({ allowUnsolicited: true });
    const again = makeResponse({ sp, inResponseTo: null });
    const r2 = resultOf((await postResponse(sp, again, { headers: { 'x-samlconf-scenario': 'idp-init' } })).body);
    expect(r2).toMatchObject({ accepted: true, nameId: 'alice@example.test' });
  });

  it('rejects unsigned, attacker-signed and wrong-audience Responses with the failing rules named', async () => {
    const s = sp.scenario('bad');
    await get(sp, '/login?scenario=bad');
    const id = s.lastRequestId();
    const h = { 'x-samlconf-scenario': 'bad' };
    const unsigned = resultOf((await postResponse(sp, makeResponse({ sp, inResponseTo: id, sign: 'none' }), { headers: h })).body);
    expect(unsigned.accepted).toBe(false);
    expect(unsigned.nameId).toBeNull();
    expect(unsigned.failedRules).toContain('signature-covers-assertion');
    const forged = resultOf((await postResponse(sp, makeResponse({ sp, inResponseTo: id, credential: keys().attacker }), { headers: h })).body);
    expect(forged.accepted).toBe(false);
    expect(forged.failedRules).toContain('signature-valid');
    const audience = resultOf((await postResponse(sp, makeResponse({ sp, inResponseTo: id, audience: 'https://other.test/sp' }), { headers: h })).body);
    expect(audience).toMatchObject({ accepted: false, failedRules: ['audience'] });
    // Each outcome keeps the evidence of its signatures.
    const sigs = s.evidence().filter((e) => e.kind === 'Response').map((e) => e.signatures?.map((x) => x.valid));
    expect(sigs).toEqual([[], [false], [true]]);
  });

  it('records but rejects a Response on the Redirect binding, and undecodable posts', async () => {
    const s = sp.scenario('odd');
    await get(sp, '/login?scenario=odd');
    const xml = makeResponse({ sp, inResponseTo: s.lastRequestId() });
    const url = encodeRedirect({ endpoint: '/acs', param: 'SAMLResponse', xml, relayState: 'odd' });
    const viaRedirect = resultOf((await get(sp, url)).body);
    expect(viaRedirect.accepted).toBe(false);
    expect(viaRedirect.failedRules).toEqual(['response-binding']);
    expect(s.responses()[0].binding).toBe('redirect');

    const garbage = await postForm(sp, '/acs', { SAMLResponse: '!!!not base64', RelayState: 'odd' });
    expect(garbage.status).toBe(200);
    expect(resultOf(garbage.body)).toMatchObject({ accepted: false, failedRules: ['well-formed-xml'], scenario: 'odd' });
    const doctype = await postForm(sp, '/acs', { SAMLResponse: Buffer.from('<!DOCTYPE x [<!ENTITY e "x">]><x/>').toString('base64'), RelayState: 'odd' });
    expect(resultOf(doctype.body).failedRules).toEqual(['well-formed-xml']);
    const ev = s.evidence().filter((e) => e.direction === 'received');
    expect(ev).toHaveLength(3);
    expect(ev[1].raw).toBe('!!!not base64');
    expect(ev[1].note).toContain('could not be decoded');
    expect((await get(sp, '/acs')).status).toBe(405);
  });

  it('waitForResponse resolves with the first Response after the latest request, or undefined on timeout', async () => {
    const s = sp.scenario('wait');
    expect(await s.waitForResponse(50)).toBeUndefined();
    await get(sp, '/login?scenario=wait');
    const first = s.lastRequestId();
    const p = s.waitForResponse(5000);
    await postResponse(sp, makeResponse({ sp, inResponseTo: first }));
    expect((await p)!.expectedRequestId).toBe(first);
    // A new login moves the mark: the old outcome no longer counts.
    await get(sp, '/login?scenario=wait');
    expect(await s.waitForResponse(50)).toBeUndefined();
    await postResponse(sp, makeResponse({ sp, inResponseTo: s.lastRequestId(), acsPath: '/acs-x' }), { path: '/acs-x' });
    expect((await s.waitForResponse(50))!.path).toBe('/acs-x');
  });

  it('exposes outcomes through the control API', async () => {
    const res = await (await fetch(`${sp.listenUrl}/_samlconf/responses?scenario=ok`)).json();
    expect(res).toHaveLength(1);
    expect(res[0]).toMatchObject({ accepted: true, path: '/acs', scenario: 'ok' });
    expect(res[0].validation.findings.length).toBeGreaterThan(10);
  });
});

describe('mock SP ACS with an encryption key and IdP metadata by URL', () => {
  let sp: MockSp;
  let idpServer: import('node:http').Server;
  const encryption = createCredential();
  beforeAll(async () => {
    const http = await import('node:http');
    idpServer = http.createServer((req, res) => {
      if (req.url === '/metadata') res.writeHead(200, { 'content-type': 'application/xml' }).end(idpMetadata());
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => idpServer.listen(0, '127.0.0.1', r));
    const port = (idpServer.address() as import('node:net').AddressInfo).port;
    // The *.test name is served from loopback, as in a harness run.
    sp = await startSp({ encryption, idp: { metadataUrl: `http://idp.samlconf.test:${port}/metadata` } });
  });
  afterAll(async () => {
    await sp.close();
    await new Promise((r) => idpServer.close(r));
  });

  it('publishes the encryption key and decrypts an EncryptedAssertion signed inside', async () => {
    const entity = parseEntity(sp.metadataXml());
    expect(entity.sp!.keys.filter((k) => k.use === 'encryption')).toHaveLength(1);
    const s = sp.scenario('enc');
    await get(sp, '/login?scenario=enc');
    const xml = await encryptAssertionInResponse(makeResponse({ sp, inResponseTo: s.lastRequestId() }), { certPem: encryption.certPem });
    expect(xml).toContain('EncryptedAssertion');
    expect(xml).not.toContain('alice@example.test');
    const r = resultOf((await postResponse(sp, xml)).body);
    expect(r).toMatchObject({ accepted: true, nameId: 'alice@example.test', scenario: 'enc' });
  });

  it('refuses to fetch IdP metadata from a host that is not loopback', async () => {
    await expect(startSp({ idp: { metadataUrl: 'http://idp.example.com/metadata' } })).rejects.toThrow(/only talks to loopback/);
  });
});
