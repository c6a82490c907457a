// Mock SP ACS over HTTP-Artifact: the SAMLart is resolved at the IdP's ArtifactResolutionService
// (a small SOAP server here) with a signed ArtifactResolve, and the Response inside is judged.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOAP_CONTENT_TYPE, createArtifact, encodeArtifactRedirect, unwrapSoap, wrapSoap } from '../../saml/bindings/index.ts';
import { buildArtifactResponse } from '../../saml/builders/index.ts';
import { readArtifactResolve } from '../../saml/readers.ts';
import { signRoot, verifySignatures } from '../../saml/signature.ts';
import { serialize } from '../../saml/xml.ts';
import type { MockSp } from '../../mock-sp/index.ts';
import { IDP_ENTITY_ID, get, idpMetadata, keys, makeResponse, postForm, resultOf, startSp } from './helpers.ts';

describe('mock SP ACS over HTTP-Artifact', () => {
  let sp: MockSp;
  let ars: http.Server;
  const messages = new Map<string, string>();
  const resolves: string[] = [];

  beforeAll(async () => {
    ars = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const resolve = unwrapSoap(body);
        const xml = serialize(resolve);
        resolves.push(xml);
        const info = readArtifactResolve(resolve);
        const answer = buildArtifactResponse({ issuer: IDP_ENTITY_ID, inResponseTo: info.id, messageXml: messages.get(info.artifact ?? '') ?? null });
        const signed = signRoot(answer, { privateKeyPem: keys().idp.key.privateKeyPem, certPem: keys().idp.certPem });
        res.writeHead(200, { 'content-type': SOAP_CONTENT_TYPE }).end(wrapSoap(signed));
      });
    });
    await new Promise<void>((r) => ars.listen(0, '127.0.0.1', r));
    const port = (ars.address() as AddressInfo).port;
    sp = await startSp({ idp: { metadataXml: idpMetadata({ artifactResolutionUrl: `http://idp.samlconf.test:${port}/ars` }) } });
  });
  afterAll(async () => {
    await sp.close();
    await new Promise((r) => ars.close(r));
  });

  it('resolves a POSTed SAMLart and accepts the signed Response it stands for', async () => {
    const s = sp.scenario('art');
    await get(sp, '/login?scenario=art');
    const artifact = createArtifact({ endpointIndex: 0, entityId: IDP_ENTITY_ID });
    messages.set(artifact, makeResponse({ sp, inResponseTo: s.lastRequestId() }));
    const r = await postForm(sp, '/acs', { SAMLart: artifact });
    expect(resultOf(r.body)).toMatchObject({ accepted: true, nameId: 'alice@example.test', scenario: 'art' });
    const outcome = s.responses()[0];
    expect(outcome).toMatchObject({ binding: 'artifact', accepted: true });
    expect(outcome.validation.findings.filter((f) => f.rule.startsWith('artifact-')).every((f) => f.ok)).toBe(true);

    // What reached the IdP: a signed ArtifactResolve from the SP carrying the artifact.
    const sent = resolves.at(-1)!;
    expect(readArtifactResolve(unwrapSoap(wrapSoap(sent)))).toMatchObject({ artifact, issuer: sp.entityId, signaturePresent: true });
    expect(verifySignatures(sent, [keys().sp.certPem])[0].valid).toBe(true);
    expect(s.evidence().map((e) => [e.direction, e.kind, e.binding])).toEqual([
      ['sent', 'AuthnRequest', 'redirect'],
      ['received', 'Other', 'artifact'],
      ['sent', 'ArtifactResolve', 'soap'],
      ['received', 'ArtifactResponse', 'soap'],
      ['received', 'Response', 'artifact'],
    ]);
    // The ArtifactResponse's own signature and the assertion's inside it.
    expect(s.evidence()[3].signatures!.map((x) => [x.kind, x.valid])).toEqual([['xml', true], ['xml', true]]);
  });

  it('takes the artifact from a Redirect query as well, and rejects one the IdP cannot resolve', async () => {
    const s = sp.scenario('art-empty');
    await get(sp, '/login?scenario=art-empty');
    const artifact = createArtifact({ endpointIndex: 0, entityId: IDP_ENTITY_ID });
    const r = await get(sp, encodeArtifactRedirect({ endpoint: '/acs', artifact, relayState: 'art-empty' }));
    const result = resultOf(r.body);
    expect(result).toMatchObject({ accepted: false, scenario: 'art-empty' });
    expect(result.failedRules).toEqual(['artifact-message']);
    expect(s.responses()[0]).toMatchObject({ binding: 'artifact', accepted: false });
  });

  it('refuses an artifact from another issuer without calling anyone', async () => {
    const before = resolves.length;
    const foreign = createArtifact({ endpointIndex: 0, entityId: 'https://someone-else.test/idp' });
    const r = resultOf((await postForm(sp, '/acs', { SAMLart: foreign, RelayState: 'art' })).body);
    expect(r.failedRules).toEqual(['artifact-source']);
    expect(resolves.length).toBe(before);
    expect(resultOf((await postForm(sp, '/acs', { SAMLart: 'not-an-artifact', RelayState: 'art' })).body).failedRules).toEqual(['artifact-format']);
  });
});
