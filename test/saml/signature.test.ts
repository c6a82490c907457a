// XML-DSig sign/verify: round trips for every algorithm and message kind, placement, what a valid
// check hands back, and every refused signature shape. Each verification runs through both
// engines ('core' and xml-crypto's checkSignature), which must agree on validity.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAuthnRequest, buildLoginResponse, buildLogoutRequest, buildLogoutResponse } from '../../saml/builders/index.ts';
import { DIGEST_ALGORITHM, NS, SIGNATURE_ALGORITHM, TRANSFORM, type SignatureAlgorithmName } from '../../saml/constants.ts';
import { certToBase64, createCredential, type Credential } from '../../saml/keys.ts';
import {
  acceptedSignatureAlgorithms,
  canonicalizeSignedInfo,
  directCanonicalSignedInfo,
  signAssertions,
  signElementById,
  signedInfoXml,
  signRoot,
  verifyDocumentSignatures,
  verifyElementSignature,
  verifySignatures,
  type SignatureCheck,
  type SignOptions,
} from '../../saml/signature.ts';
import { child, children, descendants, parseXml, serialize, XmlSafetyError, type Document, type Element } from '../../saml/xml.ts';
import {
  assertionXml,
  authnRequestXml,
  issuerlessLogoutResponseXml,
  responseXml,
} from '../fixtures/signature/messages.ts';

const RESPONSE_ID = '_r0123456789abcdef0123456789abcdef01234567';
const ASSERTION_ID = '_a0123456789abcdef0123456789abcdef01234567';

let rsa: Credential;
let ec: Credential;
let evil: Credential;

beforeAll(() => {
  rsa = createCredential({ type: 'rsa' }, { commonName: 'idp.example.test' });
  ec = createCredential({ type: 'ec' }, { commonName: 'idp-ec.example.test' });
  evil = createCredential({ type: 'rsa' }, { commonName: 'attacker.example.test' });
});

function opts(c: Credential, extra: Partial<SignOptions> = {}): SignOptions {
  return { privateKeyPem: c.key.privateKeyPem, certPem: c.certPem, ...extra };
}

/**
 * Both engines; validity must agree check by check. The already-parsed path
 * (verifyDocumentSignatures) must give exactly the text path's checks and leave its document as it
 * was. Returns the core engine's checks.
 */
function verify(xml: string, certs: string[]): SignatureCheck[] {
  const core = verifySignatures(xml, certs);
  const viaXmlCrypto = verifySignatures(xml, certs, { engine: 'xml-crypto' });
  expect(viaXmlCrypto.map((c) => [c.parentId, c.valid])).toEqual(core.map((c) => [c.parentId, c.valid]));
  for (const [i, c] of core.entries()) {
    if (c.valid) expect(viaXmlCrypto[i].signedXml).toBe(c.signedXml);
  }
  const doc = parseXml(xml);
  const before = serialize(doc);
  const fromDoc = verifyDocumentSignatures(doc, certs);
  expect(JSON.parse(JSON.stringify(fromDoc))).toEqual(JSON.parse(JSON.stringify(core)));
  for (const [i, c] of fromDoc.entries()) {
    if (!c.valid) continue;
    expect(serialize(c.signedElement!)).toBe(serialize(core[i].signedElement!));
    // Claims come from the signed text parsed anew, never from the caller's tree.
    expect(c.signedElement!.ownerDocument).not.toBe(doc);
  }
  expect(serialize(doc)).toBe(before);
  return core;
}

function mutate(xml: string, change: (doc: Document) => void): string {
  const doc = parseXml(xml);
  change(doc);
  return serialize(doc);
}

function byId(doc: Document, id: string): Element {
  const found = descendants(doc, '*', '*').filter((e) => e.getAttribute('ID') === id);
  expect(found).toHaveLength(1);
  return found[0];
}

function signatureOf(el: Element): Element {
  const sig = child(el, NS.ds, 'Signature');
  expect(sig).toBeDefined();
  return sig!;
}

function firstDs(root: Document | Element, name: string): Element {
  return descendants(root, NS.ds, name)[0];
}

const both = (xml: string, c: Credential, extra: Partial<SignOptions> = {}) => signRoot(signAssertions(xml, opts(c, extra)), opts(c, extra));

describe('round trips', () => {
  const algorithms: SignatureAlgorithmName[] = ['rsa-sha1', 'rsa-sha256', 'rsa-sha512', 'ecdsa-sha256'];
  const credFor = (a: SignatureAlgorithmName) => (a === 'ecdsa-sha256' ? ec : rsa);
  const digestFor = { 'rsa-sha1': 'sha1', 'rsa-sha256': 'sha256', 'rsa-sha512': 'sha512', 'ecdsa-sha256': 'sha256' } as const;

  const login = () =>
    buildLoginResponse({
      idpEntityId: 'https://idp.example.test/metadata',
      spEntityId: 'https://sp.example.test/metadata',
      acsUrl: 'https://sp.example.test/acs',
      inResponseTo: '_req1',
      nameId: { value: 'alice@example.test' },
      attributes: [{ name: 'groups', values: ['staff', 'admins'] }],
      sessionIndex: '_s1',
    });

  for (const algorithm of algorithms) {
    it(`${algorithm}: Response only, Assertion only, and both verify`, () => {
      const c = credFor(algorithm);
      const o = opts(c, { algorithm });
      const xml = login();
      const root = parseXml(xml).documentElement!;
      const responseId = root.getAttribute('ID')!;
      const assertionId = child(root, NS.saml, 'Assertion')!.getAttribute('ID')!;

      const responseOnly = verify(signRoot(xml, o), [c.certPem]);
      expect(responseOnly).toHaveLength(1);
      expect(responseOnly[0]).toMatchObject({
        valid: true,
        parentName: 'Response',
        parentId: responseId,
        referenceUri: responseId,
        signatureAlgorithm: SIGNATURE_ALGORITHM[algorithm],
        digestAlgorithm: DIGEST_ALGORITHM[digestFor[algorithm]],
        certificate: c.certPem,
      });
      expect(responseOnly[0].reason).toBeUndefined();

      const assertionOnly = verify(signAssertions(xml, o), [c.certPem]);
      expect(assertionOnly.map((x) => [x.parentName, x.parentId, x.valid])).toEqual([['Assertion', assertionId, true]]);

      const bothSigned = verify(signRoot(signAssertions(xml, o), o), [c.certPem]);
      expect(bothSigned.map((x) => [x.parentName, x.valid])).toEqual([
        ['Response', true],
        ['Assertion', true],
      ]);
    });

    it(`${algorithm}: AuthnRequest, LogoutRequest and an Issuer-less LogoutResponse verify`, () => {
      const c = credFor(algorithm);
      const o = opts(c, { algorithm });
      for (const [xml, name] of [
        [buildAuthnRequest({}), 'AuthnRequest'],
        [buildLogoutRequest({ nameId: { value: 'alice@example.test' }, sessionIndexes: ['_s1'] }), 'LogoutRequest'],
        [buildLogoutResponse({ issuer: null }), 'LogoutResponse'],
      ] as const) {
        const checks = verify(signRoot(xml, o), [c.certPem]);
        expect(checks).toHaveLength(1);
        expect(checks[0]).toMatchObject({ valid: true, parentName: name, signatureAlgorithm: SIGNATURE_ALGORITHM[algorithm] });
        expect(checks[0].signedElement!.localName).toBe(name);
      }
    });
  }

  it('EC keys default to ecdsa-sha256 and RSA keys to rsa-sha256', () => {
    expect(verify(signRoot(authnRequestXml(), opts(ec)), [ec.certPem])[0].signatureAlgorithm).toBe(SIGNATURE_ALGORITHM['ecdsa-sha256']);
    expect(verify(signRoot(authnRequestXml(), opts(rsa)), [rsa.certPem])[0].signatureAlgorithm).toBe(SIGNATURE_ALGORITHM['rsa-sha256']);
  });

  it('an explicit digest overrides the default', () => {
    const check = verify(signRoot(authnRequestXml(), opts(rsa, { digest: 'sha512' })), [rsa.certPem])[0];
    expect(check.valid).toBe(true);
    expect(check.digestAlgorithm).toBe(DIGEST_ALGORITHM.sha512);
  });

  it('any one of several trusted certificates verifies, and the check names it', () => {
    const checks = verify(signRoot(authnRequestXml(), opts(rsa)), [evil.certPem, ec.certPem, rsa.certPem]);
    expect(checks[0].valid).toBe(true);
    expect(checks[0].certificate).toBe(rsa.certPem);
    // Bare base64, as metadata carries it, is accepted as a trusted certificate too.
    const bare = certToBase64(rsa.certPem);
    expect(verify(signRoot(authnRequestXml(), opts(rsa)), [bare])[0].certificate).toBe(bare);
  });

  it('signElementById signs a nested element by its ID', () => {
    const xml = signElementById(responseXml(), ASSERTION_ID, opts(rsa));
    expect(verifyElementSignature(xml, ASSERTION_ID, [rsa.certPem], { engine: 'xml-crypto' })?.valid).toBe(true);
    expect(verifyElementSignature(xml, ASSERTION_ID, [rsa.certPem])?.valid).toBe(true);
    expect(verifyElementSignature(xml, RESPONSE_ID, [rsa.certPem])).toBeUndefined();
  });

  it('signAssertions signs every Assertion child, or only the first with first: true', () => {
    const two = responseXml({ assertions: [assertionXml({ standalone: false }), assertionXml({ id: '_second', nameId: 'bob@example.test', standalone: false })] });
    expect(verify(signAssertions(two, opts(rsa)), [rsa.certPem]).map((c) => [c.parentId, c.valid])).toEqual([
      [ASSERTION_ID, true],
      ['_second', true],
    ]);
    expect(verify(signAssertions(two, { ...opts(rsa), first: true }), [rsa.certPem]).map((c) => c.parentId)).toEqual([ASSERTION_ID]);
  });
});

describe('signature placement and content', () => {
  it('goes right after saml:Issuer in Response and Assertion (schema order)', () => {
    const doc = parseXml(both(responseXml(), rsa));
    for (const el of [doc.documentElement!, byId(doc, ASSERTION_ID)]) {
      const kids = children(el);
      expect(kids[0].localName).toBe('Issuer');
      expect(kids[1].namespaceURI).toBe(NS.ds);
      expect(kids[1].localName).toBe('Signature');
      expect(kids[1].prefix).toBe('ds');
    }
  });

  it('is the first child when the element has no Issuer', () => {
    const doc = parseXml(signRoot(issuerlessLogoutResponseXml(), opts(rsa)));
    expect(children(doc.documentElement!)[0].localName).toBe('Signature');
    expect(verify(serialize(doc), [rsa.certPem])[0].valid).toBe(true);
  });

  it('has one Reference to #ID with enveloped + exc-c14n, exc-c14n SignedInfo and the certificate in X509Data', () => {
    const doc = parseXml(signRoot(authnRequestXml(), opts(rsa)));
    const sig = signatureOf(doc.documentElement!);
    expect(firstDs(sig, 'CanonicalizationMethod').getAttribute('Algorithm')).toBe(TRANSFORM.excC14n);
    const refs = descendants(sig, NS.ds, 'Reference');
    expect(refs).toHaveLength(1);
    expect(refs[0].getAttribute('URI')).toBe(`#${doc.documentElement!.getAttribute('ID')}`);
    expect(descendants(sig, NS.ds, 'Transform').map((t) => t.getAttribute('Algorithm'))).toEqual([TRANSFORM.envelopedSignature, TRANSFORM.excC14n]);
    expect(firstDs(sig, 'X509Certificate').textContent).toBe(certToBase64(rsa.certPem));
  });

  it('leaves KeyInfo out without a certificate or when asked to', () => {
    for (const o of [{ privateKeyPem: rsa.key.privateKeyPem }, opts(rsa, { includeKeyInfo: false })]) {
      const xml = signRoot(authnRequestXml(), o);
      expect(descendants(parseXml(xml), NS.ds, 'KeyInfo')).toHaveLength(0);
      expect(verify(xml, [rsa.certPem])[0].valid).toBe(true);
    }
    expect(() => signRoot(authnRequestXml(), { privateKeyPem: rsa.key.privateKeyPem, includeKeyInfo: true })).toThrow(/certPem/);
  });

  it('refuses to sign what it cannot sign unambiguously', () => {
    expect(() => signElementById(responseXml(), '_missing', opts(rsa))).toThrow(/exactly one/);
    const dup = responseXml({ assertions: [assertionXml({ standalone: false }), assertionXml({ standalone: false })] });
    expect(() => signElementById(dup, ASSERTION_ID, opts(rsa))).toThrow(/exactly one/);
    expect(() => signRoot(authnRequestXml(), opts(rsa, { algorithm: 'ecdsa-sha256' }))).toThrow(/needs an EC key/);
    expect(() => signRoot(authnRequestXml(), opts(ec, { algorithm: 'rsa-sha256' }))).toThrow(/needs an RSA key/);
    expect(() => signAssertions(authnRequestXml(), opts(rsa))).toThrow(/no saml:Assertion/);
    expect(() => signRoot('<a/>', opts(rsa))).toThrow(/no ID/);
    expect(() => signRoot('<!DOCTYPE a><a ID="x"/>', opts(rsa))).toThrow(XmlSafetyError);
  });
});

describe('signing engines', () => {
  it('core and xml-crypto make the same ds:Signature (RSA values are deterministic)', () => {
    for (const algorithm of ['rsa-sha1', 'rsa-sha256', 'rsa-sha512'] as const) {
      const o = opts(rsa, { algorithm });
      const core = parseXml(signAssertions(responseXml(), o));
      const viaXmlCrypto = parseXml(signAssertions(responseXml(), { ...o, engine: 'xml-crypto' }));
      expect(serialize(firstDs(core, 'Signature'))).toBe(serialize(firstDs(viaXmlCrypto, 'Signature')));
    }
    const ecViaXmlCrypto = signRoot(authnRequestXml(), { ...opts(ec), engine: 'xml-crypto' });
    expect(verify(ecViaXmlCrypto, [ec.certPem])[0].valid).toBe(true);
  });

  it('core signing leaves every byte of the original text in place', () => {
    const original =
      `<?xml version="1.0" encoding="UTF-8"?>\n<!-- before -->\n` +
      `<samlp:LogoutRequest xmlns:samlp='${NS.samlp}' xmlns:saml="${NS.saml}" ID='_odd&amp;id' Version="2.0" IssueInstant="2030-01-01T00:00:00Z" Note="a&#13;b&#10;c > d">\n` +
      `  <saml:Issuer>https://sp.example.test/metadata</saml:Issuer>\n` +
      `  <saml:NameID><![CDATA[alice<>]]>&#13;</saml:NameID><!-- c -->\n` +
      `</samlp:LogoutRequest>\n`;
    const signed = signRoot(original, opts(rsa));
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
    expect(signed.replace(sig, '')).toBe(original);
    expect(signed.indexOf(sig)).toBe(original.indexOf('</saml:Issuer>') + '</saml:Issuer>'.length);
    const [check] = verify(signed, [rsa.certPem]);
    expect(check).toMatchObject({ valid: true, parentId: '_odd&id', referenceUri: '_odd&id' });
    expect(descendants(check.signedElement!, NS.saml, 'NameID')[0].textContent).toBe('alice<>\r');
  });

  it('an empty element written as <x/> is opened up to hold its signature', () => {
    const signed = signRoot(`<x:Thing xmlns:x="urn:example" ID="_t"/>`, opts(ec));
    expect(signed).toMatch(/^<x:Thing xmlns:x="urn:example" ID="_t"><ds:Signature [\s\S]*<\/ds:Signature><\/x:Thing>$/);
    expect(verify(signed, [ec.certPem])[0].valid).toBe(true);
  });
});

describe('SignedInfo emitted in canonical form', () => {
  const signatureUris = Object.values(SIGNATURE_ALGORITHM);
  const digestUris = Object.values(DIGEST_ALGORITHM);
  const digestOf = (uri: string) => {
    const hash = { [DIGEST_ALGORITHM.sha1]: 'sha1', [DIGEST_ALGORITHM.sha256]: 'sha256', [DIGEST_ALGORITHM.sha512]: 'sha512' }[uri]!;
    return createHash(hash).update(uri).digest('base64');
  };

  it('equals the canonicalizer\'s output for every signature and digest algorithm', () => {
    expect(signatureUris).toHaveLength(4);
    expect(digestUris).toHaveLength(3);
    const ids = [RESPONSE_ID, ASSERTION_ID, '_x', 'id-1.2:3', 'A'];
    let compared = 0;
    for (const algorithm of signatureUris) {
      for (const digest of digestUris) {
        for (const id of ids) {
          const digestValue = digestOf(digest);
          const direct = directCanonicalSignedInfo(id, algorithm, digest, digestValue);
          expect(direct).toBeDefined();
          expect(direct).toBe(canonicalizeSignedInfo(signedInfoXml(id, algorithm, digest, digestValue)));
          compared++;
        }
      }
    }
    expect(compared).toBe(4 * 3 * 5);
  });

  it('declines values that escaping would change, and signing then canonicalizes the parsed SignedInfo', () => {
    for (const id of ['_a&b', '_a<b', '_a>b', '_a"b', "_a'b", '_a b', '_a\tb', '_a\nb', '_a\rb', '_é', '']) {
      expect(directCanonicalSignedInfo(id, SIGNATURE_ALGORITHM['rsa-sha256'], DIGEST_ALGORITHM.sha256, 'AAAA')).toBeUndefined();
    }
    expect(directCanonicalSignedInfo('_a', 'urn:x"y', DIGEST_ALGORITHM.sha256, 'AAAA')).toBeUndefined();
    expect(directCanonicalSignedInfo('_a', SIGNATURE_ALGORITHM['rsa-sha256'], DIGEST_ALGORITHM.sha256, 'AA<A')).toBeUndefined();
    // IDs outside the verbatim set still sign and verify (through the parse-and-canonicalize path).
    for (const [id, written] of [
      ['_a&b<c>d', '_a&amp;b&lt;c&gt;d'],
      ['_caf\u00e9', '_caf\u00e9'],
    ]) {
      for (const c of [rsa, ec]) {
        const signed = signRoot(`<x:Thing xmlns:x="urn:example" ID="${written}"><x:v>1</x:v></x:Thing>`, opts(c));
        const [check] = verify(signed, [c.certPem]);
        expect(check).toMatchObject({ valid: true, parentId: id, referenceUri: id });
      }
    }
  });

  it('what we sign carries the written SignedInfo, and its canonical form is what was signed', () => {
    for (const algorithm of ['rsa-sha1', 'rsa-sha256', 'rsa-sha512', 'ecdsa-sha256'] as const) {
      const c = algorithm === 'ecdsa-sha256' ? ec : rsa;
      for (const digest of ['sha1', 'sha256', 'sha512'] as const) {
        const signed = signRoot(authnRequestXml(), opts(c, { algorithm, digest }));
        const [check] = verify(signed, [c.certPem]);
        expect(check).toMatchObject({ valid: true, signatureAlgorithm: SIGNATURE_ALGORITHM[algorithm], digestAlgorithm: DIGEST_ALGORITHM[digest] });
        const digestValue = firstDs(parseXml(signed), 'DigestValue').textContent!;
        const id = parseXml(signed).documentElement!.getAttribute('ID')!;
        expect(signed).toContain(signedInfoXml(id, SIGNATURE_ALGORITHM[algorithm], DIGEST_ALGORITHM[digest], digestValue));
      }
    }
  });
});

describe('verifying a document parsed once', () => {
  it('verifyDocumentSignatures gives the text path\'s checks and leaves the document alone', () => {
    const signed = both(responseXml(), rsa);
    const checks = verify(signed, [rsa.certPem]);
    expect(checks.map((c) => [c.parentName, c.valid])).toEqual([
      ['Response', true],
      ['Assertion', true],
    ]);
    const tampered = signed.replace('alice@example.test</saml:NameID>', 'mallory@example.test</saml:NameID>');
    const doc = parseXml(tampered);
    expect(verifyDocumentSignatures(doc, [rsa.certPem]).map((c) => c.valid)).toEqual([false, false]);
    expect(verifyDocumentSignatures(doc, [evil.certPem]).map((c) => c.reason)).toEqual([
      expect.stringMatching(/does not verify with any trusted certificate/),
      expect.stringMatching(/does not verify with any trusted certificate/),
    ]);
  });

  it('a wrapped document is refused through the parsed path too, and the caller\'s tree is never what a check reports', () => {
    const signed = signAssertions(responseXml(), opts(rsa));
    const wrapped = mutate(signed, (doc) => {
      const original = byId(doc, ASSERTION_ID);
      const copy = original.cloneNode(true) as Element;
      copy.removeChild(signatureOf(copy));
      descendants(copy, NS.saml, 'NameID')[0].textContent = 'mallory@example.test';
      doc.documentElement!.insertBefore(copy, original);
    });
    expect(verifyDocumentSignatures(parseXml(wrapped), [rsa.certPem]).map((c) => [c.valid, c.reason])).toEqual([
      [false, expect.stringMatching(/occurs 2 times/)],
    ]);
    // Changing the caller's tree after the check does not change what the check says was signed.
    const doc = parseXml(signed);
    const [check] = verifyDocumentSignatures(doc, [rsa.certPem]);
    descendants(doc, NS.saml, 'NameID')[0].textContent = 'mallory@example.test';
    expect(descendants(check.signedElement!, NS.saml, 'NameID')[0].textContent).toBe('alice@example.test');
  });

  it('refuses the xml-crypto engine, which needs the text', () => {
    const doc = parseXml(signRoot(authnRequestXml(), opts(rsa)));
    expect(() => verifyDocumentSignatures(doc, [rsa.certPem], { engine: 'xml-crypto' })).toThrow(TypeError);
  });
});

describe('what a valid check returns', () => {
  it('signedXml is the canonical element without its signature; signedElement is it parsed', () => {
    const check = verify(signAssertions(responseXml(), opts(rsa)), [rsa.certPem])[0];
    expect(check.signedXml).toMatch(/^<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a0123/);
    expect(check.signedXml).not.toContain('Signature');
    expect(check.signedXml).not.toContain('samlp:');
    const el = check.signedElement!;
    expect(el.localName).toBe('Assertion');
    expect(descendants(el, NS.saml, 'NameID')[0].textContent).toBe('alice@example.test');
  });

  it('content outside the signed element can change without affecting the check or what it covers', () => {
    const signed = signAssertions(responseXml(), opts(rsa));
    const before = verify(signed, [rsa.certPem])[0];
    const changed = signed.replace('Destination="https://sp.example.test/acs"', 'Destination="https://evil.example.test/acs"');
    const after = verify(changed, [rsa.certPem])[0];
    expect(after.valid).toBe(true);
    expect(after.signedXml).toBe(before.signedXml);
  });

  it('a comment injected into a signed NameID does not split what the check reports (CVE-2017-11427 family)', () => {
    const signed = signAssertions(responseXml({ nameId: 'alice@example.test.evil.example' }), opts(rsa));
    const injected = signed.replace('alice@example.test.evil.example', 'alice@example.test<!---->.evil.example');
    expect(injected).not.toBe(signed);
    const check = verify(injected, [rsa.certPem])[0];
    // Comments are not signed (exc-c14n without comments), so the signature still holds...
    expect(check.valid).toBe(true);
    // ...and the covered content carries the whole value, as signed.
    expect(descendants(check.signedElement!, NS.saml, 'NameID')[0].textContent).toBe('alice@example.test.evil.example');
    expect(check.signedXml).not.toContain('<!--');
  });

  it('a check is JSON-serializable and signedElement is still there to read', () => {
    const check = verify(signRoot(authnRequestXml(), opts(rsa)), [rsa.certPem])[0];
    const json = JSON.parse(JSON.stringify(check)) as SignatureCheck;
    expect(json.valid).toBe(true);
    expect(json.signedXml).toBe(check.signedXml);
    expect(check.signedElement!.localName).toBe('AuthnRequest');
  });

  it('an unsigned document has no checks', () => {
    expect(verify(responseXml(), [rsa.certPem])).toEqual([]);
  });

  it('lists the algorithms it accepts, none of them HMAC or with comments', () => {
    const a = acceptedSignatureAlgorithms();
    expect(a.signature).toContain(SIGNATURE_ALGORITHM['ecdsa-sha256']);
    expect(a.transforms.sort()).toEqual([TRANSFORM.envelopedSignature, TRANSFORM.excC14n].sort());
    expect([...a.signature, ...a.digest, ...a.signedInfoC14n, ...a.transforms].join(' ')).not.toMatch(/hmac|WithComments|xslt|xpath/i);
  });
});

describe('refused signatures', () => {
  let signedAssertion: string; // Response with a signed Assertion
  let signedBoth: string;

  beforeAll(() => {
    signedAssertion = signAssertions(responseXml(), opts(rsa));
    signedBoth = both(responseXml(), rsa);
  });

  function expectRefused(xml: string, reason: RegExp, certs: string[] = [rsa.certPem]): SignatureCheck[] {
    const checks = verify(xml, certs);
    const invalid = checks.filter((c) => !c.valid);
    expect(invalid.length).toBeGreaterThan(0);
    expect(invalid.map((c) => c.reason).join(' | ')).toMatch(reason);
    return checks;
  }

  it('tampered signed content: digest mismatch', () => {
    const checks = expectRefused(signedAssertion.replace('alice@example.test</saml:NameID>', 'mallory@example.test</saml:NameID>'), /digest mismatch/);
    expect(checks[0].signedXml).toBeUndefined();
    expect(checks[0].signedElement).toBeUndefined();
  });

  it('tampered SignatureValue (xml-crypto throws here): invalid, never thrown', () => {
    const xml = mutate(signedAssertion, (doc) => {
      const sv = firstDs(doc, 'SignatureValue');
      const v = sv.textContent!;
      sv.textContent = (v[0] === 'A' ? 'B' : 'A') + v.slice(1);
    });
    expectRefused(xml, /signature value does not verify/);
    expect(verifySignatures(xml, [rsa.certPem], { engine: 'xml-crypto' })[0].reason).toMatch(/signature value does not verify/);
  });

  it('garbage or empty SignatureValue: invalid, never thrown', () => {
    for (const value of ['', '!!!not base64!!!', 'AAAA']) {
      const xml = mutate(signedAssertion, (doc) => {
        firstDs(doc, 'SignatureValue').textContent = value;
      });
      expect(verify(xml, [rsa.certPem])[0].valid).toBe(false);
    }
  });

  it('wrong key: a certificate that did not sign it', () => {
    expectRefused(signedAssertion, /signature value does not verify/, [evil.certPem]);
  });

  it('an attacker signature with the attacker certificate in KeyInfo is not trusted', () => {
    const forged = both(responseXml({ nameId: 'mallory@example.test' }), evil);
    expect(descendants(parseXml(forged), NS.ds, 'X509Certificate')[0].textContent).toBe(certToBase64(evil.certPem));
    const checks = expectRefused(forged, /signature value does not verify/);
    expect(checks.every((c) => !c.valid)).toBe(true);
    // The same document is fine for whoever pins the attacker's certificate: KeyInfo decided nothing.
    expect(verify(forged, [evil.certPem]).every((c) => c.valid)).toBe(true);
  });

  it('signature moved from the Assertion to the Response', () => {
    const xml = mutate(signedAssertion, (doc) => {
      const sig = signatureOf(byId(doc, ASSERTION_ID));
      const response = doc.documentElement!;
      response.insertBefore(sig, child(response, NS.saml, 'Issuer')!.nextSibling);
    });
    const checks = expectRefused(xml, /does not point at the element holding the signature/);
    expect(checks[0].parentName).toBe('Response');
  });

  it('signature moved into samlp:Extensions (no ID) is reported, not ignored', () => {
    const xml = mutate(signedAssertion, (doc) => {
      const sig = signatureOf(byId(doc, ASSERTION_ID));
      const response = doc.documentElement!;
      const ext = doc.createElementNS(NS.samlp, 'samlp:Extensions');
      ext.appendChild(sig);
      response.insertBefore(ext, child(response, NS.samlp, 'Status')!);
    });
    const checks = expectRefused(xml, /no ID attribute/);
    expect(checks).toHaveLength(1);
    expect(checks[0].parentName).toBe('Extensions');
  });

  it('a signature nested in ds:Object of another signature is reported as invalid', () => {
    const xml = mutate(signedBoth, (doc) => {
      const outer = signatureOf(doc.documentElement!);
      const inner = signatureOf(byId(doc, ASSERTION_ID));
      const object = doc.createElementNS(NS.ds, 'ds:Object');
      object.setAttribute('ID', 'obj1');
      object.appendChild(inner);
      outer.appendChild(object);
    });
    const checks = verify(xml, [rsa.certPem]);
    expect(checks).toHaveLength(2);
    const nested = checks.find((c) => c.parentName === 'Object')!;
    expect(nested.valid).toBe(false);
    expect(nested.reason).toMatch(/nested inside another XML-DSig element/);
    // The outer signature now holds a second SignedInfo (and an Object, which SAML never uses).
    expect(checks.find((c) => c.parentName === 'Response')!.reason).toMatch(/exactly one SignedInfo, found 2/);
  });

  it('duplicate IDs (signature wrapping): an evil copy of the signed Assertion next to it', () => {
    const xml = mutate(signedAssertion, (doc) => {
      const original = byId(doc, ASSERTION_ID);
      const copy = original.cloneNode(true) as Element;
      copy.removeChild(signatureOf(copy));
      descendants(copy, NS.saml, 'NameID')[0].textContent = 'mallory@example.test';
      doc.documentElement!.insertBefore(copy, original);
    });
    expect(verify(xml, [rsa.certPem]).map((c) => [c.valid, c.reason])).toEqual([[false, expect.stringMatching(/occurs 2 times/)]]);
  });

  it('duplicate IDs through Id/id attributes count too', () => {
    const xml = mutate(signedAssertion, (doc) => {
      const decoy = doc.createElementNS(NS.samlp, 'samlp:Extensions');
      decoy.setAttribute('Id', ASSERTION_ID);
      doc.documentElement!.insertBefore(decoy, child(doc.documentElement!, NS.samlp, 'Status')!);
    });
    expectRefused(xml, /occurs 2 times/);
  });

  it('Reference to another element than the one holding the signature', () => {
    const xml = mutate(signedAssertion, (doc) => {
      firstDs(byId(doc, ASSERTION_ID), 'Reference').setAttribute('URI', `#${RESPONSE_ID}`);
    });
    expectRefused(xml, /does not point at the element holding the signature/);
  });

  it('Reference without URI, or with an empty one (whole document)', () => {
    expectRefused(mutate(signedAssertion, (doc) => firstDs(doc, 'Reference').removeAttribute('URI')), /Reference has no URI/);
    expectRefused(mutate(signedAssertion, (doc) => firstDs(doc, 'Reference').setAttribute('URI', '')), /does not point at/);
  });

  it('two SignedInfo', () => {
    const xml = mutate(signedAssertion, (doc) => {
      const si = firstDs(doc, 'SignedInfo');
      si.parentNode!.insertBefore(si.cloneNode(true), si);
    });
    expectRefused(xml, /exactly one SignedInfo/);
  });

  it('two References', () => {
    const xml = mutate(signedAssertion, (doc) => {
      const ref = firstDs(doc, 'Reference');
      ref.parentNode!.appendChild(ref.cloneNode(true));
    });
    expectRefused(xml, /exactly one Reference/);
  });

  it('a comment inside DigestValue (CVE-2025-29775)', () => {
    const xml = mutate(signedAssertion, (doc) => {
      const dv = firstDs(doc, 'DigestValue');
      dv.insertBefore(doc.createComment('x'), dv.firstChild);
    });
    expectRefused(xml, /DigestValue contains a comment/);
  });

  it('an element inside DigestValue', () => {
    const xml = mutate(signedAssertion, (doc) => {
      const dv = firstDs(doc, 'DigestValue');
      dv.appendChild(doc.createElementNS('urn:x', 'x:y'));
    });
    expectRefused(xml, /DigestValue contains a child element/);
  });

  it('an XSLT transform, an XPath transform, a with-comments transform, three transforms', () => {
    const withTransform = (algorithm: string, count = 1) =>
      mutate(signedAssertion, (doc) => {
        const transforms = firstDs(doc, 'Transforms');
        for (let i = 0; i < count; i++) {
          const t = doc.createElementNS(NS.ds, 'ds:Transform');
          t.setAttribute('Algorithm', algorithm);
          transforms.insertBefore(t, transforms.firstChild);
        }
      });
    // Replace the exc-c14n transform so the count stays within bounds and the algorithm decides.
    const replaced = (algorithm: string) =>
      mutate(signedAssertion, (doc) => {
        descendants(doc, NS.ds, 'Transform')[1].setAttribute('Algorithm', algorithm);
      });
    expectRefused(replaced('http://www.w3.org/TR/1999/REC-xslt-19991116'), /XSLT\/XPath transform refused/);
    expectRefused(replaced('http://www.w3.org/TR/1999/REC-xpath-19991116'), /XSLT\/XPath transform refused/);
    expectRefused(replaced(TRANSFORM.excC14nWithComments), /with comments refused/);
    expectRefused(replaced(TRANSFORM.c14n), /transform not allowed/);
    expectRefused(withTransform(TRANSFORM.excC14n), /transforms, allowed 1 to 2/);
    const swapped = mutate(signedAssertion, (doc) => {
      const [enveloped, exc] = descendants(doc, NS.ds, 'Transform');
      enveloped.parentNode!.insertBefore(exc, enveloped);
    });
    expectRefused(swapped, /enveloped-signature transform must come first/);
  });

  it('SignedInfo canonicalized with comments', () => {
    const xml = mutate(signedAssertion, (doc) => {
      firstDs(doc, 'CanonicalizationMethod').setAttribute('Algorithm', TRANSFORM.excC14nWithComments);
    });
    expectRefused(xml, /with comments is refused/);
  });

  it('HMAC signature method (key confusion)', () => {
    const xml = mutate(signedAssertion, (doc) => {
      firstDs(doc, 'SignatureMethod').setAttribute('Algorithm', 'http://www.w3.org/2000/09/xmldsig#hmac-sha1');
    });
    expectRefused(xml, /HMAC signature method refused/);
  });

  it('unknown signature and digest methods', () => {
    expectRefused(mutate(signedAssertion, (doc) => firstDs(doc, 'SignatureMethod').setAttribute('Algorithm', 'urn:x:none')), /unsupported signature method/);
    expectRefused(mutate(signedAssertion, (doc) => firstDs(doc, 'DigestMethod').setAttribute('Algorithm', 'http://www.w3.org/2001/04/xmldsig-more#md5')), /unsupported digest method/);
  });

  it('an ds:Object child in the Signature', () => {
    const xml = mutate(signedAssertion, (doc) => {
      firstDs(doc, 'Signature').appendChild(doc.createElementNS(NS.ds, 'ds:Object'));
    });
    expectRefused(xml, /children must be SignedInfo, SignatureValue and optionally KeyInfo/);
  });

  it('algorithm and key type must match; no trusted certificate means invalid', () => {
    expectRefused(signedAssertion, /needs an RSA key; no trusted certificate has one/, [ec.certPem]);
    expectRefused(signedAssertion, /no usable trusted certificate/, []);
    expectRefused(signedAssertion, /no usable trusted certificate/, ['not a certificate']);
  });

  it('a Signature as the document root signs nothing', () => {
    const sig = serialize(firstDs(parseXml(signedAssertion), 'Signature'));
    expect(verify(sig, [rsa.certPem]).map((c) => [c.valid, c.parentName])).toEqual([[false, '#document']]);
  });

  it('two signatures in one element: verifyElementSignature says invalid', () => {
    const xml = mutate(signedAssertion, (doc) => {
      const a = byId(doc, ASSERTION_ID);
      const sig = signatureOf(a);
      a.insertBefore(sig.cloneNode(true), sig);
    });
    const check = verifyElementSignature(xml, ASSERTION_ID, [rsa.certPem])!;
    expect(check.valid).toBe(false);
    expect(check.reason).toMatch(/holds 2 signatures/);
  });

  it('a flood of signatures is refused as a whole', () => {
    const sig = serialize(firstDs(parseXml(signedAssertion), 'Signature'));
    const flood = `<r xmlns="urn:x">${Array.from({ length: 300 }, (_, i) => `<e ID="_e${i}">${sig}</e>`).join('')}</r>`;
    const checks = verifySignatures(flood, [rsa.certPem]);
    expect(checks).toHaveLength(300);
    expect(checks.every((c) => !c.valid && /more than 256/.test(c.reason!))).toBe(true);
  });

  it('hostile XML is refused with XmlSafetyError, not verified', () => {
    const hostile = `<!DOCTYPE r [<!ENTITY x "y">]>${signedAssertion}`;
    expect(() => verifySignatures(hostile, [rsa.certPem])).toThrow(XmlSafetyError);
    expect(() => verifyElementSignature('<a>', ASSERTION_ID, [rsa.certPem])).toThrow(XmlSafetyError);
  });
});
