import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../harness/config.ts';
import { loadTargetFacts, TargetMetadataError } from '../../harness/target-facts.ts';
import { BINDING, NAMEID_FORMAT } from '../../saml/constants.ts';
import { createCredential } from '../../saml/keys.ts';
import { buildIdpMetadata, buildSpMetadata } from '../../saml/metadata.ts';

const cert = createCredential({ type: 'ec' }).certPem;
const idpXml = buildIdpMetadata({
  entityId: 'https://idp.example.test/metadata',
  signingCertPem: cert,
  ssoServices: [
    { binding: BINDING.redirect, location: 'http://idp.example.test/sso/redirect' },
    { binding: BINDING.post, location: 'http://idp.example.test/sso/post' },
    { binding: BINDING.redirect, location: 'http://idp.example.test/sso/redirect2' },
  ],
  sloServices: [{ binding: BINDING.post, location: 'http://idp.example.test/slo' }],
  nameIdFormats: [NAMEID_FORMAT.persistent, NAMEID_FORMAT.emailAddress],
  wantAuthnRequestsSigned: true,
});
const spXml = buildSpMetadata({
  entityId: 'https://sp.example.test/metadata',
  signingCertPem: cert,
  acsServices: [{ binding: BINDING.post, location: 'http://sp.example.test/acs', index: 0 }],
  nameIdFormats: [NAMEID_FORMAT.transient],
  authnRequestsSigned: true,
  wantAssertionsSigned: false,
});
const strip = (xml: string) => xml.replace(/^<\?xml[^>]*>\s*/, '');
const aggregate = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${strip(idpXml)}${strip(spXml)}${strip(
  buildSpMetadata({ entityId: 'https://other-sp.example.test/', acsServices: [{ binding: BINDING.artifact, location: 'http://o.test/acs', index: 1 }] }),
)}</md:EntitiesDescriptor>`;

let server: http.Server;
let base: string;
let dir: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/idp') return res.end(idpXml);
    if (req.url === '/aggregate') return res.end(aggregate);
    res.statusCode = 404;
    res.end('not here');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://md.target.test:${(server.address() as AddressInfo).port}`;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-facts-'));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function metadataError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TargetMetadataError);
  return (err as Error).message;
}

describe('target facts', () => {
  it('reads an IdP from a metadata URL over loopback', async () => {
    const target: TargetConfig = { name: 'idp', role: 'idp', metadata: `${base}/idp`, capabilities: ['slo'], users: [{ username: 'u', password: 'p' }] };
    const { facts, metadata, metadataXml } = await loadTargetFacts(target);
    expect(metadataXml).toBe(idpXml);
    expect(metadata.entityId).toBe('https://idp.example.test/metadata');
    expect(facts).toEqual({
      role: 'idp',
      name: 'idp',
      entityId: 'https://idp.example.test/metadata',
      ssoBindings: [BINDING.redirect, BINDING.post],
      sloBindings: [BINDING.post],
      nameIdFormats: [NAMEID_FORMAT.persistent, NAMEID_FORMAT.emailAddress],
      wantAuthnRequestsSigned: true,
      capabilities: ['slo'],
    });
  });

  it('reads an SP from a file', async () => {
    const file = path.join(dir, 'sp.xml');
    fs.writeFileSync(file, spXml);
    const { facts } = await loadTargetFacts({ name: 'sp', role: 'sp', metadata: file });
    expect(facts).toEqual({
      role: 'sp',
      name: 'sp',
      entityId: 'https://sp.example.test/metadata',
      ssoBindings: [BINDING.post],
      sloBindings: [],
      nameIdFormats: [NAMEID_FORMAT.transient],
      authnRequestsSigned: true,
      wantAssertionsSigned: false,
      capabilities: [],
    });
  });

  it('picks the entity from an aggregate by role, or by the configured entityId', async () => {
    const idp = await loadTargetFacts({ name: 'agg-idp', role: 'idp', metadata: `${base}/aggregate` });
    expect(idp.facts.entityId).toBe('https://idp.example.test/metadata');
    const ambiguous = await metadataError(loadTargetFacts({ name: 'agg-sp', role: 'sp', metadata: `${base}/aggregate` }));
    expect(ambiguous).toMatch(/holds 2 entities with an SPSSODescriptor .*set entityId/);
    const picked = await loadTargetFacts({ name: 'agg-sp', role: 'sp', metadata: `${base}/aggregate`, entityId: 'https://other-sp.example.test/' });
    expect(picked.facts.ssoBindings).toEqual([BINDING.artifact]);
    expect(await metadataError(loadTargetFacts({ name: 'agg-sp', role: 'sp', metadata: `${base}/aggregate`, entityId: 'urn:nope' }))).toMatch(/'urn:nope' is not in its metadata; it has: /);
  });

  it('explains a role mismatch, an HTTP error, a missing file and an off-machine URL', async () => {
    expect(await metadataError(loadTargetFacts({ name: 'wrong', role: 'sp', metadata: `${base}/idp` }))).toMatch(/target 'wrong': its metadata has no SPSSODescriptor, but the target's role is 'sp'/);
    expect(await metadataError(loadTargetFacts({ name: 'gone', role: 'sp', metadata: `${base}/missing` }))).toMatch(/answered HTTP 404/);
    expect(await metadataError(loadTargetFacts({ name: 'nofile', role: 'sp', metadata: path.join(dir, 'none.xml') }))).toMatch(/cannot read metadata file .*none\.xml/);
    expect(await metadataError(loadTargetFacts({ name: 'far', role: 'sp', metadata: 'https://sp.example.com/metadata' }))).toMatch(/refusing to contact sp\.example\.com/);
    const bad = path.join(dir, 'bad.xml');
    fs.writeFileSync(bad, '<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>');
    expect(await metadataError(loadTargetFacts({ name: 'dtd', role: 'sp', metadata: bad }))).toMatch(/its metadata cannot be read/);
  });
});
