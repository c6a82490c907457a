// Our signatures against independent implementations, both ways:
// - xmlsec1 (libxmlsec1) verifies what we sign, with the certificate pinned and KeyInfo ignored,
//   and fails on what we tamper with; what xmlsec1 signs verifies here.
// - lasso and pysaml2, as SPs, accept our signed Responses and reject tampered or forged ones;
//   Responses that lasso and pysaml2 sign as IdPs verify here.
// Missing peers fail these tests with a message naming the package (CI installs them).
import { beforeAll, describe, expect, it } from 'vitest';
import { NS, SIGNATURE_ALGORITHM, TRANSFORM, type SignatureAlgorithmName } from '../../saml/constants.ts';
import { createCredential, type Credential } from '../../saml/keys.ts';
import { signAssertions, signRoot, verifyDocumentSignatures, verifySignatures, type SignatureCheck, type SignOptions } from '../../saml/signature.ts';
import { descendants, parseXml, serialize } from '../../saml/xml.ts';
import { ACS, assertionXml, authnRequestXml, IDP, logoutRequestXml, responseXml, SP } from '../fixtures/signature/messages.ts';
import {
  lassoIdpIssueResponse,
  lassoSpProcessResponses,
  pysaml2IdpIssueResponse,
  pysaml2SpProcessResponses,
  requirePythonModules,
} from '../peers/python.ts';
import { insertSignatureTemplate, requireXmlsec1, signatureTemplate, xmlsec1SignTemplate, xmlsec1Sign, xmlsec1Verify } from '../peers/xmlsec.ts';

const RESPONSE_ID = '_r0123456789abcdef0123456789abcdef01234567';
const ASSERTION_ID = '_a0123456789abcdef0123456789abcdef01234567';
const PEER_TIMEOUT = 180_000;

let rsa: Credential;
let ec: Credential;
let evil: Credential;
let evilEc: Credential;

beforeAll(() => {
  requireXmlsec1();
  rsa = createCredential({ type: 'rsa' }, { commonName: 'idp.example.test' });
  ec = createCredential({ type: 'ec' }, { commonName: 'idp-ec.example.test' });
  evil = createCredential({ type: 'rsa' }, { commonName: 'attacker.example.test' });
  evilEc = createCredential({ type: 'ec' }, { commonName: 'attacker-ec.example.test' });
});

const opts = (c: Credential, algorithm?: SignatureAlgorithmName): SignOptions => ({
  privateKeyPem: c.key.privateKeyPem,
  certPem: c.certPem,
  algorithm,
});
const credFor = (a: SignatureAlgorithmName) => (a === 'ecdsa-sha256' ? ec : rsa);

/** Both engines must accept it; returns the core checks. */
function verifiedHere(xml: string, certs: string[]): SignatureCheck[] {
  const core = verifySignatures(xml, certs);
  const viaXmlCrypto = verifySignatures(xml, certs, { engine: 'xml-crypto' });
  expect(core.length).toBeGreaterThan(0);
  for (const checks of [core, viaXmlCrypto]) {
    expect(checks.map((c) => [c.parentName, c.valid, c.reason])).toEqual(checks.map((c) => [c.parentName, true, undefined]));
  }
  return core;
}

function refusedHere(xml: string, certs: string[]): void {
  for (const engine of ['core', 'xml-crypto'] as const) {
    const checks = verifySignatures(xml, certs, { engine });
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.some((c) => !c.valid)).toBe(true);
  }
}

describe('xmlsec1 verifies what we sign', () => {
  for (const algorithm of ['rsa-sha1', 'rsa-sha256', 'rsa-sha512', 'ecdsa-sha256'] as const) {
    it(`${algorithm}: both signatures of a Response, an AuthnRequest and a LogoutRequest`, () => {
      const c = credFor(algorithm);
      const signed = signRoot(signAssertions(responseXml(), opts(c, algorithm)), opts(c, algorithm));
      const response = xmlsec1Verify(signed, c.certPem);
      expect(response.stderr).toMatch(/^OK/m);
      expect(response.ok).toBe(true);
      expect(xmlsec1Verify(signed, c.certPem, undefined, { signatureParentId: ASSERTION_ID }).ok).toBe(true);
      for (const request of [authnRequestXml(), logoutRequestXml()]) {
        const r = xmlsec1Verify(signRoot(request, opts(c, algorithm)), c.certPem);
        expect(r.stderr).toMatch(/^OK/m);
      }
    });
  }

  it('an Assertion signed on its own (no Response around it), by either signing engine', () => {
    expect(xmlsec1Verify(signRoot(assertionXml(), opts(rsa)), rsa.certPem).ok).toBe(true);
    for (const c of [rsa, ec]) {
      const viaXmlCrypto = signRoot(signAssertions(responseXml(), { ...opts(c), engine: 'xml-crypto' }), { ...opts(c), engine: 'xml-crypto' });
      expect(xmlsec1Verify(viaXmlCrypto, c.certPem).ok).toBe(true);
      expect(xmlsec1Verify(viaXmlCrypto, c.certPem, undefined, { signatureParentId: ASSERTION_ID }).ok).toBe(true);
    }
  });

  it('ECDSA values are raw r||s (64 bytes for P-256), which xmlsec1 requires', () => {
    const signed = signRoot(authnRequestXml(), opts(ec));
    const value = descendants(parseXml(signed), NS.ds, 'SignatureValue')[0].textContent!;
    expect(Buffer.from(value, 'base64')).toHaveLength(64);
    expect(xmlsec1Verify(signed, ec.certPem).ok).toBe(true);
  });

  it('fails there too when content is tampered, the certificate is wrong, or the attacker put his certificate in KeyInfo', () => {
    const signed = signRoot(signAssertions(responseXml(), opts(rsa)), opts(rsa));
    const tampered = signed.replace('alice@example.test</saml:NameID>', 'mallory@example.test</saml:NameID>');
    const t = xmlsec1Verify(tampered, rsa.certPem, undefined, { signatureParentId: ASSERTION_ID });
    expect(t.ok).toBe(false);
    expect(t.stderr).toMatch(/digest do not match/);
    // The Response signature covers the Assertion too.
    expect(xmlsec1Verify(tampered, rsa.certPem).ok).toBe(false);

    expect(xmlsec1Verify(signed, evil.certPem).ok).toBe(false);

    const forged = signAssertions(responseXml({ nameId: 'mallory@example.test' }), opts(evil));
    const f = xmlsec1Verify(forged, rsa.certPem, undefined, { signatureParentId: ASSERTION_ID });
    expect(f.ok).toBe(false);
    expect(f.stderr).toMatch(/FAIL/);
  });
});

describe('what xmlsec1 signs verifies here', () => {
  const cases: Array<{ name: string; cred: () => Credential; template: Parameters<typeof xmlsec1Sign>[4] }> = [
    { name: 'rsa-sha1', cred: () => rsa, template: { algorithm: 'rsa-sha1' } },
    { name: 'rsa-sha256', cred: () => rsa, template: { algorithm: 'rsa-sha256' } },
    { name: 'rsa-sha512', cred: () => rsa, template: { algorithm: 'rsa-sha512' } },
    { name: 'ecdsa-sha256', cred: () => ec, template: { algorithm: 'ecdsa-sha256' } },
    {
      name: 'rsa-sha384 with a sha384 digest',
      cred: () => rsa,
      template: {
        signatureMethodUri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
        digestMethodUri: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
      },
    },
    { name: 'ecdsa-sha512', cred: () => ec, template: { signatureMethodUri: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512', digest: 'sha512' } },
    { name: 'an InclusiveNamespaces PrefixList', cred: () => rsa, template: { prefixList: ['xs', 'xsi'] } },
    { name: 'inclusive c14n of SignedInfo', cred: () => rsa, template: { signedInfoC14n: 'inclusive' } },
    { name: 'no KeyInfo', cred: () => rsa, template: { x509Data: false } },
  ];
  for (const c of cases) {
    it(`a Response signed by xmlsec1 with ${c.name}`, () => {
      const cred = c.cred();
      const signed = xmlsec1Sign(responseXml(), RESPONSE_ID, cred.key.privateKeyPem, cred.certPem, c.template);
      const [check] = verifiedHere(signed, [cred.certPem]);
      expect(check.parentId).toBe(RESPONSE_ID);
      expect(check.certificate).toBe(cred.certPem);
      expect(descendants(check.signedElement!, NS.saml, 'NameID')[0].textContent).toBe('alice@example.test');
      refusedHere(signed.replace('alice@example.test</saml:NameID>', 'mallory@example.test</saml:NameID>'), [cred.certPem]);
      refusedHere(signed, [cred === ec ? evilEc.certPem : evil.certPem]);
    });
  }

  it('SignedInfo canonicalized with an InclusiveNamespaces PrefixList: verifies, and verifying leaves the parsed document as it was', () => {
    // The canonicalizer adds the listed ancestors' declarations to its input; ours must get a copy.
    const template = signatureTemplate({ id: RESPONSE_ID, prefixList: ['xs'] }).replace(
      `<ds:CanonicalizationMethod Algorithm="${TRANSFORM.excC14n}"/>`,
      `<ds:CanonicalizationMethod Algorithm="${TRANSFORM.excC14n}"><ec:InclusiveNamespaces xmlns:ec="${TRANSFORM.excC14n}" PrefixList="xs xsi"/></ds:CanonicalizationMethod>`,
    );
    expect(template).toContain('PrefixList="xs xsi"');
    const signed = xmlsec1SignTemplate(insertSignatureTemplate(responseXml(), template, RESPONSE_ID), rsa.key.privateKeyPem, rsa.certPem);
    const [check] = verifiedHere(signed, [rsa.certPem]);
    expect(check.parentId).toBe(RESPONSE_ID);
    const doc = parseXml(signed);
    const before = serialize(doc);
    expect(verifyDocumentSignatures(doc, [rsa.certPem]).map((c) => [c.valid, c.signedXml])).toEqual([[true, check.signedXml]]);
    expect(serialize(doc)).toBe(before);
    refusedHere(signed.replace('alice@example.test</saml:NameID>', 'mallory@example.test</saml:NameID>'), [rsa.certPem]);
  });

  it('a Response whose Assertion and Response xmlsec1 both signed, and an AuthnRequest', () => {
    const assertionSigned = xmlsec1Sign(responseXml(), ASSERTION_ID, rsa.key.privateKeyPem, rsa.certPem);
    // xmlsec1 fills the first template in document order: the Response's comes before the Assertion.
    const withResponseTemplate = insertSignatureTemplate(assertionSigned, signatureTemplate({ id: RESPONSE_ID }), RESPONSE_ID);
    const bothSigned = xmlsec1SignTemplate(withResponseTemplate, rsa.key.privateKeyPem, rsa.certPem);
    expect(verifiedHere(bothSigned, [rsa.certPem]).map((c) => c.parentName)).toEqual(['Response', 'Assertion']);

    const request = xmlsec1Sign(authnRequestXml(), '_q0123456789abcdef0123456789abcdef01234567', ec.key.privateKeyPem, ec.certPem, {
      algorithm: 'ecdsa-sha256',
    });
    expect(verifiedHere(request, [ec.certPem])[0].parentName).toBe('AuthnRequest');
  });
});

describe('SAML libraries', () => {
  const peer = { idpEntityId: IDP, spEntityId: SP, acsUrl: ACS };

  beforeAll(() => {
    requirePythonModules('lasso', 'saml2');
  });

  /** Current times: the libraries check validity windows and audience, as a real SP does. */
  function liveResponses(c: Credential, algorithm?: SignatureAlgorithmName) {
    const fresh = responseXml({ now: new Date() });
    const assertionSigned = signAssertions(fresh, opts(c, algorithm));
    return {
      assertionSigned,
      bothSigned: signRoot(assertionSigned, opts(c, algorithm)),
      tampered: assertionSigned.replace('alice@example.test</saml:NameID>', 'mallory@example.test</saml:NameID>'),
      forged: signAssertions(responseXml({ now: new Date(), nameId: 'mallory@example.test' }), opts(evil, algorithm)),
      unsigned: fresh,
    };
  }

  it(
    'lasso (as SP) accepts our signed Responses and rejects tampered, forged and unsigned ones',
    () => {
      const r = liveResponses(rsa);
      const verdicts = lassoSpProcessResponses([r.assertionSigned, r.bothSigned, r.tampered, r.forged, r.unsigned], {
        ...peer,
        idpCertPem: rsa.certPem,
      });
      expect(verdicts.map((v) => v.accepted)).toEqual([true, true, false, false, false]);
      expect(verdicts[0].nameId).toBe('alice@example.test');
      expect(verdicts[1].nameId).toBe('alice@example.test');
      expect(verdicts[2].error).toMatch(/Signature/);
      expect(verdicts[3].error).toMatch(/Signature/);
    },
    PEER_TIMEOUT,
  );

  it(
    'pysaml2 (as SP) accepts our RSA and ECDSA signed Responses and rejects tampered and forged ones',
    () => {
      const r = liveResponses(rsa, 'rsa-sha256');
      const e = liveResponses(ec);
      const verdicts = pysaml2SpProcessResponses([r.assertionSigned, r.bothSigned, e.assertionSigned, r.tampered, r.forged], {
        ...peer,
        idpCertPem: [rsa.certPem, ec.certPem],
      });
      expect(verdicts.map((v) => v.accepted)).toEqual([true, true, true, false, false]);
      expect(verdicts.slice(0, 3).map((v) => v.nameId)).toEqual(['alice@example.test', 'alice@example.test', 'alice@example.test']);
      expect(verdicts[3].error).toMatch(/Failed to verify signature/);
    },
    PEER_TIMEOUT,
  );

  it(
    'a Response signed by lasso (as IdP) verifies here, and only with its certificate',
    () => {
      const issued = lassoIdpIssueResponse({ ...peer, idpKeyPem: rsa.key.privateKeyPem, idpCertPem: rsa.certPem });
      const checks = verifiedHere(issued, [rsa.certPem]);
      expect(checks.map((c) => c.parentName)).toEqual(['Response', 'Assertion']);
      expect(checks[0].signatureAlgorithm).toBe(SIGNATURE_ALGORITHM['rsa-sha256']);
      // lasso writes ds in the default namespace, with line breaks in the values.
      expect(issued).toMatch(/<Signature xmlns="http:\/\/www.w3.org\/2000\/09\/xmldsig#">/);
      expect(descendants(checks[1].signedElement!, NS.saml, 'Audience')[0].textContent).toBe(SP);
      refusedHere(issued, [evil.certPem]);
      refusedHere(issued.replace(`<saml:Audience>${SP}`, '<saml:Audience>https://evil.example.test'), [rsa.certPem]);
    },
    PEER_TIMEOUT,
  );

  it(
    'a Response signed by pysaml2 (as IdP) verifies here, and only with its certificate',
    () => {
      const issued = pysaml2IdpIssueResponse({ ...peer, idpKeyPem: rsa.key.privateKeyPem, idpCertPem: rsa.certPem, nameId: 'alice@example.test' });
      const checks = verifiedHere(issued, [rsa.certPem]);
      expect(checks.map((c) => c.parentName)).toEqual(['Response', 'Assertion']);
      // pysaml2 declares the ds prefix on the root, away from the Signature.
      expect(issued).toMatch(/<ns\d:Signature Id=/);
      expect(descendants(checks[1].signedElement!, NS.saml, 'NameID')[0].textContent).toBe('alice@example.test');
      refusedHere(issued, [evil.certPem]);
      const tampered = issued.replace('>alice@example.test<', '>mallory@example.test<');
      expect(tampered).not.toBe(issued);
      refusedHere(tampered, [rsa.certPem]);
    },
    PEER_TIMEOUT,
  );
});
