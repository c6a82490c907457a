import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildIdpMetadata,
  buildSpMetadata,
  defaultAcs,
  defaultEndpoint,
  encryptionCerts,
  findEndpoint,
  findEndpointByIndex,
  MetadataError,
  parseEntity,
  parseMetadata,
  signingCerts,
  type Endpoint,
} from '../../saml/metadata.ts';
import { BINDING, NAMEID_FORMAT, NS } from '../../saml/constants.ts';
import { certToBase64, createCredential, type Credential } from '../../saml/keys.ts';
import { children, parseXml, XmlSafetyError } from '../../saml/xml.ts';
import { validateAgainstSamlSchema } from '../peers/xsd.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/metadata');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
/** Same certificate, whatever the PEM line endings. */
const der = (pem: string) => certToBase64(pem);
const commonName = (pem: string) => /CN=([^\n,]+)/.exec(new crypto.X509Certificate(pem).subject)?.[1];

function expectMetadataError(fn: () => unknown, code: string): MetadataError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected MetadataError ${code}`).toBeInstanceOf(MetadataError);
  expect((err as MetadataError).code).toBe(code);
  return err as MetadataError;
}

describe('reading real-world shapes', () => {
  it('authentik-style IdP: slug endpoints, whitespace-wrapped NameIDFormats, line-broken certificate', () => {
    const e = parseEntity(fixture('authentik-idp.xml'));
    expect(e.entityId).toBe('https://auth.example.test/application/saml/wiki/metadata/');
    expect(e.sp).toBeUndefined();
    const idp = e.idp!;
    expect(findEndpoint(idp.ssoServices, BINDING.redirect)?.location).toBe('https://auth.example.test/application/saml/wiki/sso/binding/redirect/');
    expect(findEndpoint(idp.ssoServices, BINDING.post)?.location).toBe('https://auth.example.test/application/saml/wiki/sso/binding/post/');
    expect(findEndpoint(idp.sloServices, BINDING.redirect)?.location).toBe('https://auth.example.test/application/saml/wiki/slo/binding/redirect/');
    expect(findEndpoint(idp.sloServices, BINDING.post)?.location).toBe('https://auth.example.test/application/saml/wiki/slo/binding/post/');
    expect(findEndpoint(idp.ssoServices, BINDING.artifact)).toBeUndefined();
    expect(idp.nameIdFormats).toEqual([
      NAMEID_FORMAT.emailAddress,
      NAMEID_FORMAT.persistent,
      'urn:oasis:names:tc:SAML:2.0:nameid-format:X509SubjectName',
      'urn:oasis:names:tc:SAML:2.0:nameid-format:WindowsDomainQualifiedName',
      NAMEID_FORMAT.transient,
    ]);
    expect(idp.keys).toHaveLength(1);
    expect(idp.keys[0].use).toBe('signing');
    expect(commonName(idp.keys[0].certPem)).toBe('authentik.example.test');
    expect(signingCerts(idp)).toEqual([idp.keys[0].certPem]);
    expect(encryptionCerts(idp)).toEqual([]);
    expect(idp.wantAuthnRequestsSigned).toBe(false);
    expect(idp.artifactResolutionServices).toEqual([]);
    expect(e.validUntil).toBeUndefined();
  });

  it('Azure-AD-style IdP: default namespace, WS-Fed RoleDescriptor skipped, no WantAuthnRequestsSigned', () => {
    const e = parseEntity(fixture('azure-ad-idp.xml'));
    const tenant = '0b5c4e2a-7d3f-4a61-9c8e-2f1d6b7a9e30';
    expect(e.entityId).toBe(`https://sts.windows.net/${tenant}/`);
    const idp = e.idp!;
    expect(idp.ssoServices).toEqual([
      { binding: BINDING.redirect, location: `https://login.microsoftonline.com/${tenant}/saml2` },
      { binding: BINDING.post, location: `https://login.microsoftonline.com/${tenant}/saml2` },
    ]);
    expect(idp.sloServices).toEqual([{ binding: BINDING.redirect, location: `https://login.microsoftonline.com/${tenant}/saml2` }]);
    expect(idp.wantAuthnRequestsSigned).toBe(false);
    expect(idp.nameIdFormats).toEqual([]);
    // Only the IDPSSODescriptor's key, not the WS-Fed role's copy.
    expect(idp.keys).toHaveLength(1);
    expect(idp.keys[0].use).toBe('signing');
    expect(commonName(signingCerts(idp)[0])).toBe('azure.example.test');
  });

  it('authentik-source-style SP: indexed ACS with isDefault, ResponseLocation, KeyDescriptor without use', () => {
    const e = parseEntity(fixture('authentik-source-sp.xml'));
    const sp = e.sp!;
    expect(e.idp).toBeUndefined();
    expect(e.validUntil).toBe('2031-01-01T00:00:00Z');
    expect(sp.acsServices).toEqual([
      { binding: BINDING.redirect, location: 'https://authentik.example.test/source/saml/company-saml/acs/redirect/', index: 0, isDefault: false },
      { binding: BINDING.post, location: 'https://authentik.example.test/source/saml/company-saml/acs/', index: 1, isDefault: true },
    ]);
    expect(defaultAcs(sp)?.index).toBe(1);
    expect(findEndpoint(sp.acsServices, BINDING.redirect)?.index).toBe(0);
    expect(findEndpointByIndex(sp.acsServices, 1)?.binding).toBe(BINDING.post);
    expect(sp.sloServices[0].responseLocation).toBe('https://authentik.example.test/source/saml/company-saml/slo/response/');
    // No use: the one certificate serves both purposes.
    expect(signingCerts(sp)).toHaveLength(1);
    expect(encryptionCerts(sp)).toEqual(signingCerts(sp));
    expect(sp.keys[0].use).toBeUndefined();
    expect(sp.authnRequestsSigned).toBe(true);
    expect(sp.wantAssertionsSigned).toBe(true); // written as "1"
  });

  it('an aggregate: entities at every depth, earliest validUntil wins, SAML 1.1 + 2.0 roles', () => {
    const xml = fixture('aggregate.xml');
    const all = parseMetadata(xml);
    expect(all.map((e) => e.entityId)).toEqual(['https://idp.federation.example.test/idp', 'https://sp.federation.example.test/sp']);
    const [idpEntity, spEntity] = all;
    expect(idpEntity.validUntil).toBe('2030-06-01T00:00:00Z');
    expect(spEntity.validUntil).toBe('2029-01-01T00:00:00Z');
    const idp = idpEntity.idp!;
    expect(idp.wantAuthnRequestsSigned).toBe(true);
    expect(idp.artifactResolutionServices).toEqual([{ binding: BINDING.soap, location: 'https://idp.federation.example.test/idp/artifact', index: 2 }]);
    expect(commonName(signingCerts(idp)[0])).toBe('authentik.example.test');
    expect(commonName(encryptionCerts(idp)[0])).toBe('sp-enc.example.test');
    expect(spEntity.sp!.authnRequestsSigned).toBe(false);
    expect(spEntity.sp!.wantAssertionsSigned).toBe(false);

    expect(parseEntity(xml, 'https://sp.federation.example.test/sp').sp?.acsServices[0].location).toBe('https://sp.federation.example.test/acs');
    expectMetadataError(() => parseEntity(xml), 'ambiguous-entity');
    expectMetadataError(() => parseEntity(xml, 'https://nobody.example.test'), 'entity-not-found');
  });
});

it.each(['authentik-idp.xml', 'authentik-source-sp.xml', 'aggregate.xml', 'authentik-docs-example-corrected.xml'])(
  'fixture %s is valid against the OASIS metadata schema',
  (name) => {
    // (azure-ad-idp.xml is not: its WS-Federation RoleDescriptor type has no schema here.)
    expect(validateAgainstSamlSchema(fixture(name))).toEqual({ valid: true, errors: [] });
  },
);

describe("authentik's documentation example (SAML Source)", () => {
  it('as printed it is not namespace-well-formed: a typed error naming the md prefix', () => {
    const err = expectMetadataError(() => parseMetadata(fixture('authentik-docs-example-as-printed.xml')), 'undeclared-prefix');
    expect(err.prefix).toBe('md');
    expect(err.message).toContain(`xmlns:md="${NS.md}"`);
  });

  it('with xmlns:md declared it parses, NameIDFormats trimmed', () => {
    const e = parseEntity(fixture('authentik-docs-example-corrected.xml'));
    expect(e.entityId).toBe('https://saml.company/idp');
    expect(e.idp!.nameIdFormats).toEqual([NAMEID_FORMAT.persistent, NAMEID_FORMAT.transient, NAMEID_FORMAT.emailAddress, NAMEID_FORMAT.unspecified]);
    expect(e.idp!.ssoServices.map((s) => s.binding)).toEqual([BINDING.redirect, BINDING.post]);
    expect(e.idp!.ssoServices.every((s) => s.location === 'https://saml.company/login/saml/')).toBe(true);
    expect(e.idp!.keys).toEqual([]);
    expect(e.idp!.wantAuthnRequestsSigned).toBe(false);
  });
});

describe('hostile and invalid metadata', () => {
  it('DOCTYPE with an external entity is an XmlSafetyError', () => {
    let err: unknown;
    try {
      parseMetadata(fixture('hostile-doctype.xml'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XmlSafetyError);
    expect((err as XmlSafetyError).code).toBe('doctype');
  });

  const md = (role: string, rootAttrs = '') =>
    `<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:ds="${NS.ds}" entityID="https://x.example.test"${rootAttrs}>${role}</md:EntityDescriptor>`;
  const spRole = (inner: string, attrs = '') => `<md:SPSSODescriptor protocolSupportEnumeration="${NS.samlp}"${attrs}>${inner}</md:SPSSODescriptor>`;
  const acs = (extra = ' index="0"') => `<md:AssertionConsumerService Binding="${BINDING.post}" Location="https://x.example.test/acs"${extra}/>`;

  it('the size bound applies (1 MiB by default) and can be raised for an aggregate', () => {
    const xml = fixture('aggregate.xml').replace('<md:EntityDescriptor ', `<!--${'x'.repeat(1024 * 1024)}--><md:EntityDescriptor `);
    let err: unknown;
    try {
      parseMetadata(xml);
    } catch (e) {
      err = e;
    }
    expect((err as XmlSafetyError).code).toBe('too-large');
    expect(parseMetadata(xml, { maxBytes: 4 * 1024 * 1024 })).toHaveLength(2);
  });

  it('a root that is not metadata', () => {
    expectMetadataError(() => parseMetadata(`<samlp:Response xmlns:samlp="${NS.samlp}"/>`), 'not-metadata');
  });

  it.each([
    ['no entityID', md(spRole(acs())).replace(' entityID="https://x.example.test"', '')],
    ['ACS without index', md(spRole(acs('')))],
    ['index out of range', md(spRole(acs(' index="70000"')))],
    ['endpoint without Location', md(spRole(`<md:AssertionConsumerService Binding="${BINDING.post}" index="0"/>`))],
    ['boolean that is not xs:boolean', md(spRole(acs(), ' WantAssertionsSigned="yes"'))],
    ['KeyDescriptor use that is neither signing nor encryption', md(spRole(`<md:KeyDescriptor use="both"/>${acs()}`))],
    ['certificate that does not parse', md(spRole(`<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>${acs()}`))],
  ])('%s is invalid', (_name, xml) => {
    expectMetadataError(() => parseMetadata(xml), 'invalid');
  });

  it('aggregates nested absurdly deep are refused, not recursed into', () => {
    const depth = 40;
    const xml = `<md:EntitiesDescriptor xmlns:md="${NS.md}">`.repeat(depth) + md(spRole(acs())).replace(` xmlns:md="${NS.md}"`, '') + '</md:EntitiesDescriptor>'.repeat(depth);
    expectMetadataError(() => parseMetadata(xml), 'invalid');
  });

  it('a role that does not declare SAML 2.0 support is ignored', () => {
    const xml = md(`<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol">${acs()}</md:SPSSODescriptor>`);
    expect(parseEntity(xml).sp).toBeUndefined();
  });
});

describe('writing metadata for our mocks', () => {
  let idpCred: Credential;
  let encCred: Credential;
  beforeAll(() => {
    idpCred = createCredential();
    encCred = createCredential();
  });

  const idpEndpoints = {
    ssoServices: [
      { binding: BINDING.redirect, location: 'http://127.0.0.1:4000/sso/redirect' },
      { binding: BINDING.post, location: 'http://127.0.0.1:4000/sso/post' },
    ],
    sloServices: [{ binding: BINDING.redirect, location: 'http://127.0.0.1:4000/slo', responseLocation: 'http://127.0.0.1:4000/slo/response' }],
    artifactResolutionServices: [{ binding: BINDING.soap, location: 'http://127.0.0.1:4000/artifact', index: 0, isDefault: true }],
  };

  it('IdP: build -> parse round trip, schema order, schema-valid', () => {
    const validUntil = new Date('2031-02-03T04:05:06Z');
    const xml = buildIdpMetadata({
      entityId: 'http://127.0.0.1:4000/idp?tenant=a&b',
      signingCertPem: idpCred.certPem,
      encryptionCertPem: encCred.certPem,
      ...idpEndpoints,
      nameIdFormats: [NAMEID_FORMAT.persistent, NAMEID_FORMAT.emailAddress],
      wantAuthnRequestsSigned: true,
      validUntil,
      id: '_md1',
    });
    const e = parseEntity(xml);
    expect(e.entityId).toBe('http://127.0.0.1:4000/idp?tenant=a&b');
    expect(e.validUntil).toBe('2031-02-03T04:05:06Z');
    const { keys, ...rest } = e.idp!;
    expect(rest).toEqual({ ...idpEndpoints, nameIdFormats: [NAMEID_FORMAT.persistent, NAMEID_FORMAT.emailAddress], wantAuthnRequestsSigned: true });
    expect(keys.map((k) => [k.use, der(k.certPem)])).toEqual([
      ['signing', der(idpCred.certPem)],
      ['encryption', der(encCred.certPem)],
    ]);

    const role = children(parseXml(xml).documentElement!, NS.md, 'IDPSSODescriptor')[0];
    expect(role.getAttribute('protocolSupportEnumeration')).toBe(NS.samlp);
    expect(children(role).map((c) => c.localName)).toEqual([
      'KeyDescriptor', 'KeyDescriptor', 'ArtifactResolutionService', 'SingleLogoutService',
      'NameIDFormat', 'NameIDFormat', 'SingleSignOnService', 'SingleSignOnService',
    ]);
    const check = validateAgainstSamlSchema(xml);
    expect(check.errors).toEqual([]);
    expect(check.valid).toBe(true);
  });

  it('IdP with the minimum: one certificate, one SSO endpoint', () => {
    const xml = buildIdpMetadata({ entityId: 'urn:samlconf:idp', signingCertPem: idpCred.certPem, ssoServices: idpEndpoints.ssoServices.slice(0, 1) });
    const idp = parseEntity(xml).idp!;
    expect(idp.sloServices).toEqual([]);
    expect(idp.wantAuthnRequestsSigned).toBe(false);
    expect(encryptionCerts(idp)).toEqual([]);
    expect(validateAgainstSamlSchema(xml).valid).toBe(true);
  });

  it('SP: build -> parse round trip; first ACS becomes default when none is marked; schema-valid', () => {
    const acsServices: Endpoint[] = [
      { binding: BINDING.post, location: 'http://127.0.0.1:5000/acs/post' },
      { binding: BINDING.artifact, location: 'http://127.0.0.1:5000/acs/artifact' },
    ];
    const xml = buildSpMetadata({
      entityId: 'http://127.0.0.1:5000/sp',
      signingCertPem: idpCred.certPem,
      encryptionCertPem: encCred.certPem,
      acsServices,
      sloServices: [{ binding: BINDING.post, location: 'http://127.0.0.1:5000/slo' }],
      nameIdFormats: [NAMEID_FORMAT.transient],
      authnRequestsSigned: true,
      wantAssertionsSigned: true,
    });
    const sp = parseEntity(xml).sp!;
    expect(sp.acsServices).toEqual([
      { ...acsServices[0], index: 0, isDefault: true },
      { ...acsServices[1], index: 1 },
    ]);
    expect(defaultAcs(sp)?.location).toBe('http://127.0.0.1:5000/acs/post');
    expect(sp.sloServices).toEqual([{ binding: BINDING.post, location: 'http://127.0.0.1:5000/slo' }]);
    expect(sp.nameIdFormats).toEqual([NAMEID_FORMAT.transient]);
    expect(signingCerts(sp).map(der)).toEqual([der(idpCred.certPem)]);
    expect(encryptionCerts(sp).map(der)).toEqual([der(encCred.certPem)]);
    expect(sp.authnRequestsSigned).toBe(true);
    expect(sp.wantAssertionsSigned).toBe(true);

    const role = children(parseXml(xml).documentElement!, NS.md, 'SPSSODescriptor')[0];
    expect(children(role).map((c) => c.localName)).toEqual([
      'KeyDescriptor', 'KeyDescriptor', 'SingleLogoutService', 'NameIDFormat', 'AssertionConsumerService', 'AssertionConsumerService',
    ]);
    expect(validateAgainstSamlSchema(xml)).toEqual({ valid: true, errors: [] });
  });

  it('SP: explicit indexes and isDefault are kept; no certificates and false flags are written out', () => {
    const xml = buildSpMetadata({
      entityId: 'urn:samlconf:sp',
      acsServices: [
        { binding: BINDING.post, location: 'http://127.0.0.1:5000/a', index: 5, isDefault: false },
        { binding: BINDING.post, location: 'http://127.0.0.1:5000/b', index: 7, isDefault: true },
      ],
    });
    const sp = parseEntity(xml).sp!;
    expect(sp.acsServices.map((a) => [a.index, a.isDefault])).toEqual([[5, false], [7, true]]);
    expect(defaultAcs(sp)?.location).toBe('http://127.0.0.1:5000/b');
    expect(sp.keys).toEqual([]);
    expect(xml).toContain('AuthnRequestsSigned="false"');
    expect(xml).toContain('WantAssertionsSigned="false"');
    expect(validateAgainstSamlSchema(xml).valid).toBe(true);
  });

  it('refuses to build a role without its required endpoint', () => {
    expectMetadataError(() => buildIdpMetadata({ entityId: 'x', signingCertPem: idpCred.certPem, ssoServices: [] }), 'invalid');
    expectMetadataError(() => buildSpMetadata({ entityId: 'x', acsServices: [] }), 'invalid');
  });
});

describe('endpoint selection helpers', () => {
  const e = (location: string, isDefault?: boolean): Endpoint => ({ binding: BINDING.post, location, ...(isDefault === undefined ? {} : { isDefault }) });
  it('default: isDefault=true first, then the first without isDefault, then the first', () => {
    expect(defaultEndpoint([e('a', false), e('b'), e('c', true)])?.location).toBe('c');
    expect(defaultEndpoint([e('a', false), e('b'), e('c')])?.location).toBe('b');
    expect(defaultEndpoint([e('a', false), e('b', false)])?.location).toBe('a');
    expect(defaultEndpoint([])).toBeUndefined();
  });
});
