// Every builder's default and maximal output validates against the OASIS SAML 2.0 schemas
// (xmllint, offline), and the validator is shown to reject what the schemas forbid.
import { describe, expect, it } from 'vitest';
import { DIGEST_ALGORITHM, NAMEID_FORMAT, NS, SIGNATURE_ALGORITHM, STATUS, TRANSFORM } from '../../saml/constants.ts';
import {
  buildArtifactResolve,
  buildArtifactResponse,
  buildAssertion,
  buildAuthnRequest,
  buildLoginResponse,
  buildLogoutRequest,
  buildLogoutResponse,
  buildResponse,
} from '../../saml/builders/index.ts';
import { validateAgainstSamlSchema } from '../peers/xsd.ts';
import {
  MAXIMAL_ARTIFACT_RESOLVE,
  MAXIMAL_ASSERTION,
  MAXIMAL_AUTHN_REQUEST,
  MAXIMAL_LOGOUT_REQUEST,
  MAXIMAL_LOGOUT_RESPONSE,
  MAXIMAL_RESPONSE,
  NOW,
  maximalArtifactResponse,
} from '../fixtures/builders/options.ts';

const VALID = { valid: true, errors: [] };

/** A structurally complete ds:Signature (values are placeholders: this is about shape, not crypto). */
function fakeSignature(id: string): string {
  return (
    `<ds:Signature xmlns:ds="${NS.ds}"><ds:SignedInfo>` +
    `<ds:CanonicalizationMethod Algorithm="${TRANSFORM.excC14n}"/>` +
    `<ds:SignatureMethod Algorithm="${SIGNATURE_ALGORITHM['rsa-sha256']}"/>` +
    `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="${TRANSFORM.envelopedSignature}"/>` +
    `<ds:Transform Algorithm="${TRANSFORM.excC14n}"/></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${DIGEST_ALGORITHM.sha256}"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>` +
    `</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>`
  );
}

/** Insert `fragment` right after the first `</saml:Issuer>`. */
function afterFirstIssuer(xml: string, fragment: string): string {
  const at = xml.indexOf('</saml:Issuer>') + '</saml:Issuer>'.length;
  return xml.slice(0, at) + fragment + xml.slice(at);
}

describe('schema validity of builder output', () => {
  const cases: Array<[string, () => string]> = [
    ['AuthnRequest default', () => buildAuthnRequest()],
    ['AuthnRequest maximal', () => buildAuthnRequest(MAXIMAL_AUTHN_REQUEST)],
    ['Assertion default', () => buildAssertion()],
    ['Assertion maximal', () => buildAssertion(MAXIMAL_ASSERTION)],
    ['Response default', () => buildResponse()],
    ['Response maximal', () => buildResponse(MAXIMAL_RESPONSE)],
    ['Response failure with nested sub-codes', () => buildResponse({ status: { code: STATUS.requester, subCode: [STATUS.invalidNameIdPolicy, STATUS.unsupportedBinding], message: 'm', detailXml: '<x:D xmlns:x="urn:x"/>' } })],
    ['login Response', () => buildLoginResponse({ idpEntityId: 'https://idp.t', spEntityId: 'https://sp.t', acsUrl: 'https://sp.t/acs', inResponseTo: '_q', nameId: { value: 'u', format: NAMEID_FORMAT.transient }, attributes: [{ name: 'mail', values: ['u@t'] }], sessionIndex: '_s' })],
    ['LogoutRequest default', () => buildLogoutRequest({ nameId: { value: 'u' } })],
    ['LogoutRequest maximal', () => buildLogoutRequest(MAXIMAL_LOGOUT_REQUEST)],
    ['LogoutResponse default', () => buildLogoutResponse()],
    ['LogoutResponse maximal', () => buildLogoutResponse(MAXIMAL_LOGOUT_RESPONSE)],
    ['ArtifactResolve default', () => buildArtifactResolve({ artifact: 'AAQ=' })],
    ['ArtifactResolve maximal', () => buildArtifactResolve(MAXIMAL_ARTIFACT_RESOLVE)],
    ['ArtifactResponse default', () => buildArtifactResponse()],
    ['ArtifactResponse maximal carrying a maximal Response', () => buildArtifactResponse(maximalArtifactResponse(buildResponse(MAXIMAL_RESPONSE)))],
  ];
  for (const [name, build] of cases) {
    it(name, () => {
      expect(validateAgainstSamlSchema(build())).toEqual(VALID);
    });
  }

  it('every NameID format, in an assertion and a LogoutRequest', () => {
    for (const format of Object.values(NAMEID_FORMAT)) {
      const nameId = { value: 'v', format, nameQualifier: 'nq', spNameQualifier: 'spnq', spProvidedId: 'p' };
      expect(validateAgainstSamlSchema(buildAssertion({ nameId })), format).toEqual(VALID);
      expect(validateAgainstSamlSchema(buildLogoutRequest({ nameId })), format).toEqual(VALID);
    }
  });

  it('an Assertion cut out of a maximal Response validates on its own', () => {
    const response = buildResponse(MAXIMAL_RESPONSE);
    const start = response.indexOf('<saml:Assertion');
    const end = response.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
    expect(validateAgainstSamlSchema(response.slice(start, end))).toEqual(VALID);
  });

  it('ds:Signature right after the Issuer is where the schemas want it (Response and Assertion)', () => {
    const response = buildResponse({ now: NOW, id: '_r', assertions: [{ id: '_a' }] });
    expect(validateAgainstSamlSchema(afterFirstIssuer(response, fakeSignature('_r')))).toEqual(VALID);
    const assertionSigned = response.replace(
      /(<saml:Assertion[^>]*><saml:Issuer>[^<]*<\/saml:Issuer>)/,
      `$1${fakeSignature('_a')}`,
    );
    expect(assertionSigned).toContain('_a"><ds:Transforms>');
    expect(validateAgainstSamlSchema(assertionSigned)).toEqual(VALID);
    expect(validateAgainstSamlSchema(afterFirstIssuer(buildAuthnRequest({ id: '_q', extensionsXml: '<x:E xmlns:x="urn:x"/>' }), fakeSignature('_q')))).toEqual(VALID);
  });

  it('an EncryptedAssertion (xenc schema) validates', () => {
    const encrypted =
      `<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="${NS.xenc}" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
      `<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>` +
      `<xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>`;
    expect(validateAgainstSamlSchema(buildResponse({ assertionXml: [encrypted] }))).toEqual(VALID);
  });

  it('a SOAP envelope with an ArtifactResolve validates', () => {
    const soap = `<s:Envelope xmlns:s="${NS.soap}"><s:Body>${buildArtifactResolve({ artifact: 'AAQ=' })}</s:Body></s:Envelope>`;
    expect(validateAgainstSamlSchema(soap)).toEqual(VALID);
  });
});

describe('the validator can fail', () => {
  function expectInvalid(xml: string, pattern: RegExp) {
    const result = validateAgainstSamlSchema(xml);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(pattern);
  }

  it('rejects elements out of schema order', () => {
    const good = buildResponse({ now: NOW, extensionsXml: '<x:E xmlns:x="urn:x"/>' });
    const swapped = good.replace(
      /(<saml:Issuer>[^<]*<\/saml:Issuer>)(<samlp:Extensions>.*?<\/samlp:Extensions>)/,
      '$2$1',
    );
    expect(swapped).not.toBe(good);
    expectInvalid(swapped, /Issuer': This element is not expected/);
  });

  it('rejects an Assertion whose Subject comes after Conditions', () => {
    const good = buildAssertion({ now: NOW });
    const moved = good.replace(/(<saml:Subject>.*?<\/saml:Subject>)(<saml:Conditions.*?<\/saml:Conditions>)/, '$2$1');
    expect(moved).not.toBe(good);
    expectInvalid(moved, /not expected/);
  });

  it('rejects a ds:Signature before the Issuer', () => {
    const response = buildResponse({ now: NOW, id: '_r' });
    expectInvalid(response.replace('<saml:Issuer>', `${fakeSignature('_r')}<saml:Issuer>`), /not expected/);
  });

  it('rejects what `null` removes from required attributes and elements', () => {
    expectInvalid(buildAuthnRequest({ id: null }), /attribute 'ID' is required/);
    expectInvalid(buildResponse({ version: null }), /attribute 'Version' is required/);
    expectInvalid(buildResponse({ status: null, assertions: [] }), /Missing child element/);
    expectInvalid(buildLogoutRequest({ nameId: null }), /Missing child element|not expected/);
    expectInvalid(buildAssertion({ nameId: null, subjectConfirmations: [], authnStatement: { classRef: null } }), /AuthnContext/);
  });

  it('rejects malformed values, unknown roots and broken XML', () => {
    expectInvalid(buildAuthnRequest({ issueInstant: 'tomorrow' }), /xs:dateTime/);
    expectInvalid(buildAuthnRequest({ assertionConsumerServiceIndex: 70000 }), /unsignedShort/);
    expectInvalid('<foo/>', /No matching global declaration/);
    expectInvalid('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">', /parser error/);
  });
});
