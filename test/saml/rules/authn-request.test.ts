import { describe, expect, it } from 'vitest';
import { BINDING } from '../../../saml/constants.ts';
import { decodeRedirect, encodeRedirect, verifyRedirectSignature } from '../../../saml/bindings/redirect.ts';
import { type AuthnRequestOptions, buildAuthnRequest } from '../../../saml/builders/index.ts';
import { createCredential, type Credential } from '../../../saml/keys.ts';
import { REQUIREMENTS } from '../../../saml/requirements.ts';
import {
  AUTHN_REQUEST_RULES,
  type AuthnRequestValidation,
  type AuthnRequestValidationContext,
  type KnownServiceProvider,
  validateAuthnRequest,
} from '../../../saml/rules/index.ts';
import { signRoot, verifySignatures } from '../../../saml/signature.ts';
import { ACS, NOW, SP, attacker, isoAt } from '../../fixtures/rules/responses.ts';

const SSO = 'https://idp.rules.test/sso';
const ACS_ARTIFACT = 'https://sp.rules.test/acs/artifact';
const REQ_ID = '_authn0123456789abcdef';
let spCred: Credential | undefined;
const spKey = () => (spCred ??= createCredential());

const failing = (v: AuthnRequestValidation) => [...new Set(v.findings.filter((f) => !f.ok).map((f) => f.rule))].sort();

function knownSp(): KnownServiceProvider {
  return {
    entityId: SP,
    signingCerts: [spKey().certPem],
    acsServices: [
      { binding: BINDING.post, location: ACS, index: 0, isDefault: true },
      { binding: BINDING.artifact, location: ACS_ARTIFACT, index: 1 },
    ],
  };
}

function request(o: Partial<AuthnRequestOptions> = {}): string {
  return buildAuthnRequest({ id: REQ_ID, issuer: SP, destination: SSO, assertionConsumerServiceUrl: ACS, now: NOW, ...o });
}

function signed(xml: string, cred: Credential = spKey()): string {
  return signRoot(xml, { privateKeyPem: cred.key.privateKeyPem, certPem: cred.certPem });
}

function context(over: Partial<AuthnRequestValidationContext> = {}): AuthnRequestValidationContext {
  return { ssoUrl: SSO, knownServiceProviders: [knownSp()], wantAuthnRequestsSigned: true, binding: 'post', now: NOW, ...over };
}

describe('validateAuthnRequest', () => {
  it('reports exactly the checks verifySignatures gives for the text (signatures checked on the parsed document)', () => {
    const plain = (checks: unknown) => JSON.parse(JSON.stringify(checks));
    const good = signed(request());
    const cases = [good, signed(request(), attacker()), good.replace(`Destination="${SSO}"`, 'Destination="https://evil.rules.test/sso"')];
    for (const xml of cases) {
      const v = validateAuthnRequest(xml, context());
      expect(v.signatures).toHaveLength(1);
      expect(plain(v.signatures)).toEqual(plain(verifySignatures(xml, [spKey().certPem])));
    }
    expect(cases.map((xml) => validateAuthnRequest(xml, context()).signatures[0].valid)).toEqual([true, false, false]);
  });

  it('accepts a signed POST request to a registered ACS and returns where to answer', () => {
    const v = validateAuthnRequest(signed(request({ forceAuthn: true })), context());
    expect(failing(v)).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.acs).toMatchObject({ location: ACS, binding: BINDING.post });
    expect(v.serviceProvider?.entityId).toBe(SP);
    expect(v.request).toMatchObject({ id: REQ_ID, issuer: SP, acsUrl: ACS, protocolBinding: BINDING.post, forceAuthn: true, allowCreate: true });
    for (const rule of AUTHN_REQUEST_RULES) expect(v.findings.some((f) => f.rule === rule.id), rule.id).toBe(true);
  });

  it('accepts a Redirect request signed on the query string (WantAuthnRequestsSigned honoured)', () => {
    const url = encodeRedirect({ endpoint: SSO, param: 'SAMLRequest', xml: request(), relayState: 'rs', sign: { privateKeyPem: spKey().key.privateKeyPem } });
    const msg = decodeRedirect(new URL(url).search.slice(1));
    const v = validateAuthnRequest(msg.xml, context({ binding: 'redirect', redirectSignature: verifyRedirectSignature(msg, [spKey().certPem]) }));
    expect(failing(v)).toEqual([]);
  });

  it('finds an HTTP-Redirect request that still carries its own XML signature (Bindings 3.4.4.1), query-signed or not', () => {
    const embedded = signed(request());
    for (const sign of [true, false]) {
      const url = encodeRedirect({ endpoint: SSO, param: 'SAMLRequest', xml: embedded, ...(sign ? { sign: { privateKeyPem: spKey().key.privateKeyPem } } : {}) });
      const msg = decodeRedirect(new URL(url).search.slice(1));
      const redirectSignature = sign ? verifyRedirectSignature(msg, [spKey().certPem]) : undefined;
      const v = validateAuthnRequest(msg.xml, context({ binding: 'redirect', wantAuthnRequestsSigned: sign, ...(redirectSignature ? { redirectSignature } : {}) }));
      expect(failing(v)).toEqual(['redirect-no-embedded-signature']);
      expect(v.ok).toBe(false);
      expect(v.findings.find((f) => f.rule === 'redirect-no-embedded-signature')).toMatchObject({ requirement: 'bindings-3.4.4.1', severity: 'must' });
    }
    // The same XML signature over HTTP-POST is how POST signs.
    expect(failing(validateAuthnRequest(embedded, context()))).toEqual([]);
  });

  it('accepts an unsigned request when the IdP does not want signatures, and answers the default ACS', () => {
    const v = validateAuthnRequest(request({ assertionConsumerServiceUrl: null, protocolBinding: null }), context({ wantAuthnRequestsSigned: false }));
    expect(failing(v)).toEqual([]);
    expect(v.acs?.location).toBe(ACS);
  });

  it('resolves AssertionConsumerServiceIndex to the registered endpoint', () => {
    const v = validateAuthnRequest(signed(request({ assertionConsumerServiceUrl: null, assertionConsumerServiceIndex: 1 })), context());
    expect(failing(v)).toEqual([]);
    expect(v.acs).toMatchObject({ location: ACS_ARTIFACT, binding: BINDING.artifact });
  });

  const cases: Array<{ name: string; fails: string[]; xml: () => string; ctx?: Partial<AuthnRequestValidationContext>; stillOk?: boolean }> = [
    { name: 'unsigned while WantAuthnRequestsSigned', fails: ['signature-required'], xml: () => request() },
    { name: 'signed by a key the SP does not own', fails: ['signature-required', 'signature-valid'], xml: () => signed(request(), attacker()) },
    {
      name: 'Redirect signature removed',
      fails: ['signature-required'],
      xml: () => request(),
      ctx: { binding: 'redirect' },
    },
    { name: 'two elements share an ID', fails: ['duplicate-ids'], xml: () => signed(request({ extensionsXml: '<x:A xmlns:x="urn:x" ID="_d"/><x:B xmlns:x="urn:x" ID="_d"/>' })) },
    { name: 'Version 3.0', fails: ['version'], xml: () => signed(request({ version: '3.0' })) },
    { name: 'ID already used (replay)', fails: ['request-id'], xml: () => signed(request()), ctx: { seenRequestIds: new Set([REQ_ID]) } },
    { name: 'ID that is not an xs:ID', fails: ['request-id'], xml: () => signed(request({ id: '1-not-an-ncname' })) },
    { name: 'stale IssueInstant', fails: ['issue-instant'], xml: () => signed(request({ issueInstant: isoAt(-3600) })) },
    { name: 'IssueInstant in the future', fails: ['issue-instant'], xml: () => signed(request({ issueInstant: isoAt(3600) })) },
    { name: 'wrong Destination', fails: ['destination'], xml: () => signed(request({ destination: 'https://evil.test/sso' })) },
    { name: 'Destination missing on a signed request', fails: ['destination'], xml: () => signed(request({ destination: null })) },
    {
      name: 'unknown Issuer',
      fails: ['acs-registered', 'issuer-known', 'signature-required', 'signature-valid'],
      xml: () => signed(request({ issuer: 'https://unknown.test/sp' })),
    },
    { name: 'Issuer with a non-entity Format', fails: ['issuer-known'], xml: () => signed(request({ issuerFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' })) },
    { name: 'ACS URL not in metadata (rogue ACS)', fails: ['acs-registered'], xml: () => signed(request({ assertionConsumerServiceUrl: 'https://evil.test/acs' })) },
    {
      name: 'ACS URL registered but with another binding',
      fails: ['acs-registered'],
      xml: () => signed(request({ assertionConsumerServiceUrl: ACS, protocolBinding: BINDING.artifact })),
    },
    {
      name: 'ACS URL and index together (no binding left to judge either)',
      fails: ['acs-registered', 'protocol-binding'],
      xml: () => signed(request({ assertionConsumerServiceUrl: ACS, assertionConsumerServiceIndex: 0 })),
    },
    {
      name: 'unknown ACS index (falls back to the default)',
      fails: ['acs-registered'],
      stillOk: true,
      xml: () => signed(request({ assertionConsumerServiceUrl: null, assertionConsumerServiceIndex: 7 })),
    },
    { name: 'Response over HTTP-Redirect requested', fails: ['protocol-binding'], xml: () => signed(request({ assertionConsumerServiceUrl: null, protocolBinding: BINDING.redirect })) },
    {
      name: 'binding the IdP does not support',
      fails: ['protocol-binding'],
      xml: () => signed(request({ assertionConsumerServiceUrl: ACS_ARTIFACT, protocolBinding: BINDING.artifact })),
      ctx: { supportedResponseBindings: [BINDING.post] },
    },
  ];
  for (const c of cases) {
    it(`${c.name} -> fails ${c.fails.join(', ')}`, () => {
      const v = validateAuthnRequest(c.xml(), context(c.ctx));
      expect(failing(v)).toEqual([...c.fails].sort());
      expect(v.ok).toBe(c.stillOk === true);
      for (const f of v.findings) expect(REQUIREMENTS[f.requirement], f.requirement).toBeDefined();
    });
  }

  it('never offers an unregistered ACS as the place to answer', () => {
    const v = validateAuthnRequest(signed(request({ assertionConsumerServiceUrl: 'https://evil.test/acs' })), context());
    expect(v.acs).toBeUndefined();
    expect(v.findings.find((f) => f.rule === 'acs-registered')).toMatchObject({ requirement: 'attack-rogue-acs', ok: false });
  });

  it('reads ACS URL from signed content only', () => {
    const tampered = signed(request()).replace(`AssertionConsumerServiceURL="${ACS}"`, 'AssertionConsumerServiceURL="https://evil.test/acs"');
    const v = validateAuthnRequest(tampered, context());
    expect(v.ok).toBe(false);
    expect(failing(v)).toContain('signature-valid');
  });

  it('returns a well-formed-xml finding for a DOCTYPE', () => {
    const v = validateAuthnRequest('<!DOCTYPE a SYSTEM "http://evil.test/x.dtd"><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>', context());
    expect(v.ok).toBe(false);
    expect(v.findings).toEqual([expect.objectContaining({ rule: 'well-formed-xml', requirement: 'attack-xxe', ok: false })]);
  });
});
