import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import xmlenc from 'xml-encryption';
import {
  decryptAssertionsInResponse,
  decryptElement,
  decryptEncryptedElement,
  decryptIdentifiersAndAttributes,
  encryptAssertionInResponse,
  encryptAttributes,
  encryptNameId,
  encryptXml,
  EncryptionError,
} from '../../saml/encryption.ts';
import { createCredential, type Credential } from '../../saml/keys.ts';
import { ENCRYPTION_ALGORITHM, KEY_TRANSPORT, NS } from '../../saml/constants.ts';
import type { EncryptionAlgorithmName, KeyTransportName } from '../../saml/constants.ts';
import { attr, child, children, descendants, parseXml, path, serialize, text, XmlSafetyError } from '../../saml/xml.ts';
import { validateAgainstSamlSchema } from '../peers/xsd.ts';

const ASSERTION_NS = `xmlns:saml="${NS.saml}"`;

/** An assertion that leans on its Response for the xs/xsi prefixes, the way builders often emit it. */
function assertionXml(id: string, user: string): string {
  return (
    `<saml:Assertion ID="${id}" Version="2.0" IssueInstant="2030-01-01T00:00:00Z">` +
    `<saml:Issuer>https://idp.example.test</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${user}</saml:NameID></saml:Subject>` +
    `<saml:AttributeStatement>` +
    `<saml:Attribute Name="mail"><saml:AttributeValue xsi:type="xs:string">${user}</saml:AttributeValue></saml:Attribute>` +
    `<saml:Attribute Name="groups"><saml:AttributeValue xsi:type="xs:string">staff</saml:AttributeValue></saml:Attribute>` +
    `</saml:AttributeStatement></saml:Assertion>`
  );
}

function responseXml(...assertions: string[]): string {
  return (
    `<samlp:Response xmlns:samlp="${NS.samlp}" ${ASSERTION_NS} xmlns:xs="${NS.xs}" xmlns:xsi="${NS.xsi}" ` +
    `ID="_resp1" Version="2.0" IssueInstant="2030-01-01T00:00:00Z">` +
    `<saml:Issuer>https://idp.example.test</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    assertions.join('') +
    `</samlp:Response>`
  );
}

const standaloneAssertion = (id: string, user: string) =>
  assertionXml(id, user).replace('<saml:Assertion ', `<saml:Assertion ${ASSERTION_NS} xmlns:xs="${NS.xs}" xmlns:xsi="${NS.xsi}" `);

async function expectEncryptionError(p: Promise<unknown>, code: string): Promise<EncryptionError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected EncryptionError ${code}`).toBeInstanceOf(EncryptionError);
  expect((err as EncryptionError).code).toBe(code);
  return err as EncryptionError;
}

// --- xmlsec1 as an independent peer -----------------------------------------------------------

function xmlsec1(args: string[]): { status: number; stdout: string; stderr: string } {
  const run = spawnSync('xmlsec1', args, { encoding: 'utf8', timeout: 20_000 });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'xmlsec1 not found: install the Debian package xmlsec1' : `xmlsec1 failed to run: ${run.error.message}`);
  }
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** An xmlsec1 encryption template: EncryptedData (Type Element) with an EncryptedKey for the session key. */
function xmlsecTemplate(data: EncryptionAlgorithmName, transport: KeyTransportName): string {
  return (
    `<xenc:EncryptedData xmlns:xenc="${NS.xenc}" xmlns:ds="${NS.ds}" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
    `<xenc:EncryptionMethod Algorithm="${ENCRYPTION_ALGORITHM[data]}"/>` +
    `<ds:KeyInfo><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="${KEY_TRANSPORT[transport]}"/>` +
    `<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>`
  );
}

const DATA_ALGORITHMS: EncryptionAlgorithmName[] = ['aes128-cbc', 'aes256-cbc', 'aes128-gcm', 'aes256-gcm'];
const KEY_TRANSPORTS: KeyTransportName[] = ['rsa-oaep', 'rsa-1_5'];
const COMBINATIONS = DATA_ALGORITHMS.flatMap((d) => KEY_TRANSPORTS.map((k) => [d, k] as const));

let sp: Credential; // the recipient
let other: Credential; // someone else
let dir: string;

beforeAll(() => {
  sp = createCredential();
  other = createCredential();
  dir = mkdtempSync(join(tmpdir(), 'samlconf-enc-'));
  writeFileSync(join(dir, 'sp-key.pem'), sp.key.privateKeyPem);
  writeFileSync(join(dir, 'sp-cert.pem'), sp.certPem);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('round trips: every content algorithm x key transport', () => {
  it.each(COMBINATIONS)('%s with %s', async (data, transport) => {
    const original = responseXml(assertionXml('_a1', 'alice@example.test'));
    const encrypted = await encryptAssertionInResponse(original, { certPem: sp.certPem, dataAlgorithm: data, keyTransport: transport });

    const root = parseXml(encrypted).documentElement!;
    expect(children(root, NS.saml, 'Assertion')).toHaveLength(0);
    const wrapper = child(root, NS.saml, 'EncryptedAssertion')!;
    const encData = child(wrapper, NS.xenc, 'EncryptedData')!;
    expect(attr(child(encData, NS.xenc, 'EncryptionMethod'), 'Algorithm')).toBe(ENCRYPTION_ALGORITHM[data]);
    const encKey = path(encData, [NS.ds, 'KeyInfo'], [NS.xenc, 'EncryptedKey'])!;
    expect(attr(child(encKey, NS.xenc, 'EncryptionMethod'), 'Algorithm')).toBe(KEY_TRANSPORT[transport]);
    expect(encrypted).not.toContain('alice@example.test');

    const decrypted = await decryptAssertionsInResponse(encrypted, sp.key.privateKeyPem, { allowRsa15: transport === 'rsa-1_5' });
    const assertion = child(parseXml(decrypted).documentElement!, NS.saml, 'Assertion')!;
    expect(attr(assertion, 'ID')).toBe('_a1');
    expect(text(path(assertion, [NS.saml, 'Subject'], [NS.saml, 'NameID']))).toBe('alice@example.test');
    // The Response around it is untouched.
    expect(attr(parseXml(decrypted).documentElement!, 'ID')).toBe('_resp1');
  });

  it('encrypts every assertion of a Response, each with its own key', async () => {
    const encrypted = await encryptAssertionInResponse(responseXml(assertionXml('_a1', 'alice'), assertionXml('_a2', 'bob')), { certPem: sp.certPem });
    const wrappers = children(parseXml(encrypted).documentElement!, NS.saml, 'EncryptedAssertion');
    expect(wrappers).toHaveLength(2);
    const keys = wrappers.map((w) => text(descendants(w, NS.xenc, 'CipherValue')[0]));
    expect(keys[0]).not.toBe(keys[1]);
    const decrypted = parseXml(await decryptAssertionsInResponse(encrypted, sp.key.privateKeyPem)).documentElement!;
    expect(children(decrypted, NS.saml, 'Assertion').map((a) => attr(a, 'ID'))).toEqual(['_a1', '_a2']);
  });

  it('defaults to AES-256-GCM with RSA-OAEP (MGF1-SHA1, SHA-1 digest)', async () => {
    const enc = parseXml(await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem })).documentElement!;
    expect(enc.namespaceURI).toBe(NS.xenc);
    expect(enc.localName).toBe('EncryptedData');
    expect(attr(enc, 'Type')).toBe('http://www.w3.org/2001/04/xmlenc#Element');
    expect(attr(child(enc, NS.xenc, 'EncryptionMethod'), 'Algorithm')).toBe(ENCRYPTION_ALGORITHM['aes256-gcm']);
    const keyMethod = path(enc, [NS.ds, 'KeyInfo'], [NS.xenc, 'EncryptedKey'], [NS.xenc, 'EncryptionMethod'])!;
    expect(attr(keyMethod, 'Algorithm')).toBe(KEY_TRANSPORT['rsa-oaep']);
    expect(attr(child(keyMethod, NS.ds, 'DigestMethod'), 'Algorithm')).toBe('http://www.w3.org/2000/09/xmldsig#sha1');
  });

  it('includeCertificate: false leaves the recipient certificate out and still decrypts', async () => {
    const enc = await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem, includeCertificate: false });
    expect(descendants(parseXml(enc).documentElement!, NS.ds, 'X509Certificate')).toHaveLength(0);
    expect(attr(parseXml(await decryptEncryptedElement(enc, sp.key.privateKeyPem)).documentElement!, 'ID')).toBe('_a1');
  });

  it('a bare EncryptedData from encryptXml decrypts back to the element', async () => {
    const enc = await encryptXml(standaloneAssertion('_a9', 'carol'), { certPem: sp.certPem, dataAlgorithm: 'aes128-gcm' });
    const plain = parseXml(await decryptEncryptedElement(enc, sp.key.privateKeyPem)).documentElement!;
    expect(attr(plain, 'ID')).toBe('_a9');
  });

  it('decryptElement works on a wrapper still in its document, in that namespace context', async () => {
    const encrypted = await encryptAssertionInResponse(responseXml(assertionXml('_a1', 'alice')), { certPem: sp.certPem });
    const wrapper = child(parseXml(encrypted).documentElement!, NS.saml, 'EncryptedAssertion')!;
    const assertion = decryptElement(wrapper, sp.key.privateKeyPem);
    expect(assertion.parentNode).toBeNull();
    expect(attr(assertion, 'ID')).toBe('_a1');
    expect(descendants(assertion, NS.saml, 'AttributeValue')[0].lookupNamespaceURI('xs')).toBe(NS.xs);
  });

  it('carries namespace declarations the element used from its ancestors (xsi:type="xs:string")', async () => {
    const encrypted = await encryptAssertionInResponse(responseXml(assertionXml('_a1', 'alice')), { certPem: sp.certPem });
    const wrapper = serialize(child(parseXml(encrypted).documentElement!, NS.saml, 'EncryptedAssertion')!);
    // Decrypted on its own, away from the Response that declared xs and xsi.
    const assertion = parseXml(await decryptEncryptedElement(wrapper, sp.key.privateKeyPem)).documentElement!;
    const value = descendants(assertion, NS.saml, 'AttributeValue')[0];
    expect(value.getAttributeNS(NS.xsi, 'type')).toBe('xs:string');
    expect(value.lookupNamespaceURI('xs')).toBe(NS.xs);
  });
});

describe('EncryptedID and EncryptedAttribute', () => {
  it('NameID becomes EncryptedID and decrypts back', async () => {
    const enc = await encryptNameId(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem, dataAlgorithm: 'aes256-cbc' });
    const root = parseXml(enc).documentElement!;
    const subject = child(root, NS.saml, 'Subject')!;
    expect(child(subject, NS.saml, 'NameID')).toBeUndefined();
    const encryptedId = child(subject, NS.saml, 'EncryptedID')!;
    expect(encryptedId).toBeDefined();
    expect(serialize(subject)).not.toContain('alice');

    const nameId = parseXml(await decryptEncryptedElement(serialize(encryptedId), sp.key.privateKeyPem)).documentElement!;
    expect(nameId.namespaceURI).toBe(NS.saml);
    expect(nameId.localName).toBe('NameID');
    expect(text(nameId)).toBe('alice');
    expect(attr(nameId, 'Format')).toBe('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
  });

  it('a LogoutRequest NameID is encrypted the same way', async () => {
    const logout =
      `<samlp:LogoutRequest xmlns:samlp="${NS.samlp}" ${ASSERTION_NS} ID="_l1" Version="2.0" IssueInstant="2030-01-01T00:00:00Z">` +
      `<saml:Issuer>https://sp.example.test</saml:Issuer><saml:NameID>alice</saml:NameID><samlp:SessionIndex>s1</samlp:SessionIndex></samlp:LogoutRequest>`;
    const enc = parseXml(await encryptNameId(logout, { certPem: sp.certPem })).documentElement!;
    expect(children(enc).map((c) => c.localName)).toEqual(['Issuer', 'EncryptedID', 'SessionIndex']);
  });

  it('each Attribute becomes an EncryptedAttribute; all decrypt back in place', async () => {
    const enc = await encryptAttributes(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem, dataAlgorithm: 'aes128-cbc' });
    const statement = descendants(parseXml(enc).documentElement!, NS.saml, 'AttributeStatement')[0];
    expect(children(statement, NS.saml, 'Attribute')).toHaveLength(0);
    const encrypted = children(statement, NS.saml, 'EncryptedAttribute');
    expect(encrypted).toHaveLength(2);
    const first = parseXml(await decryptEncryptedElement(serialize(encrypted[0]), sp.key.privateKeyPem)).documentElement!;
    expect(attr(first, 'Name')).toBe('mail');

    const both = await encryptNameId(enc, { certPem: sp.certPem });
    const restored = parseXml(await decryptIdentifiersAndAttributes(both, sp.key.privateKeyPem)).documentElement!;
    expect(text(path(restored, [NS.saml, 'Subject'], [NS.saml, 'NameID']))).toBe('alice');
    const names = descendants(restored, NS.saml, 'Attribute').map((a) => attr(a, 'Name'));
    expect(names).toEqual(['mail', 'groups']);
    expect(descendants(restored, NS.xenc, 'EncryptedData')).toHaveLength(0);
  });
});

describe('schema validity', () => {
  it('attributes, NameID and then the assertion encrypted: schema-valid, and it peels back layer by layer', async () => {
    const original = responseXml(assertionXml('_a1', 'alice'));
    expect(validateAgainstSamlSchema(original)).toEqual({ valid: true, errors: [] });
    let xml = await encryptAttributes(original, { certPem: sp.certPem, dataAlgorithm: 'aes128-gcm' });
    xml = await encryptNameId(xml, { certPem: sp.certPem, keyTransport: 'rsa-1_5' });
    xml = await encryptAssertionInResponse(xml, { certPem: sp.certPem, dataAlgorithm: 'aes256-cbc' });
    expect(validateAgainstSamlSchema(xml)).toEqual({ valid: true, errors: [] });

    const outer = await decryptAssertionsInResponse(xml, sp.key.privateKeyPem);
    expect(descendants(parseXml(outer).documentElement!, NS.saml, 'EncryptedID')).toHaveLength(1);
    const inner = await decryptIdentifiersAndAttributes(outer, sp.key.privateKeyPem, { allowRsa15: true });
    const assertion = child(parseXml(inner).documentElement!, NS.saml, 'Assertion')!;
    expect(text(path(assertion, [NS.saml, 'Subject'], [NS.saml, 'NameID']))).toBe('alice');
    expect(descendants(assertion, NS.saml, 'Attribute').map((a) => attr(a, 'Name'))).toEqual(['mail', 'groups']);
    expect(validateAgainstSamlSchema(inner)).toEqual({ valid: true, errors: [] });
  });
});

describe('failures are typed', () => {
  it('wrong private key: OAEP unwrap fails with key-decrypt-failed', async () => {
    const enc = await encryptAssertionInResponse(responseXml(assertionXml('_a1', 'alice')), { certPem: sp.certPem });
    await expectEncryptionError(decryptAssertionsInResponse(enc, other.key.privateKeyPem), 'key-decrypt-failed');
  });

  it('wrong private key with RSA-1_5 allowed: implicit rejection, so it fails at the content', async () => {
    for (const data of ['aes256-gcm', 'aes128-cbc'] as const) {
      const enc = await encryptAssertionInResponse(responseXml(assertionXml('_a1', 'alice')), { certPem: sp.certPem, dataAlgorithm: data, keyTransport: 'rsa-1_5' });
      await expectEncryptionError(decryptAssertionsInResponse(enc, other.key.privateKeyPem, { allowRsa15: true }), 'content-decrypt-failed');
    }
  });

  it('RSA-1_5 is refused unless explicitly allowed', async () => {
    const enc = await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem, keyTransport: 'rsa-1_5' });
    const err = await expectEncryptionError(decryptEncryptedElement(enc, sp.key.privateKeyPem), 'insecure-algorithm');
    expect(err.message).toMatch(/allowRsa15/);
  });

  it('a flipped ciphertext bit fails the GCM tag', async () => {
    const enc = await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem });
    const doc = parseXml(enc);
    const value = path(doc.documentElement!, [NS.xenc, 'CipherData'], [NS.xenc, 'CipherValue'])!;
    const bytes = Buffer.from(text(value)!, 'base64');
    bytes[20] ^= 0x01;
    value.textContent = bytes.toString('base64');
    await expectEncryptionError(decryptEncryptedElement(serialize(doc), sp.key.privateKeyPem), 'content-decrypt-failed');
  });

  it('a non-RSA recipient certificate or key is bad-key', async () => {
    const ec = createCredential({ type: 'ec' });
    await expectEncryptionError(encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: ec.certPem }), 'bad-key');
    const enc = await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem });
    await expectEncryptionError(decryptEncryptedElement(enc, ec.key.privateKeyPem), 'bad-key');
  });

  it('an unknown content algorithm is unsupported-algorithm', async () => {
    const enc = (await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem })).replace(
      ENCRYPTION_ALGORITHM['aes256-gcm'],
      'http://www.w3.org/2001/04/xmlenc#tripledes-cbc',
    );
    await expectEncryptionError(decryptEncryptedElement(enc, sp.key.privateKeyPem), 'unsupported-algorithm');
  });

  it('CipherReference is never dereferenced', async () => {
    const enc = (await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem })).replace(
      /<xenc:CipherData><xenc:CipherValue>[^<]*<\/xenc:CipherValue><\/xenc:CipherData><\/xenc:EncryptedData>$/,
      '<xenc:CipherData><xenc:CipherReference URI="http://127.0.0.1:9/ciphertext"/></xenc:CipherData></xenc:EncryptedData>',
    );
    expect(enc).toContain('CipherReference');
    await expectEncryptionError(decryptEncryptedElement(enc, sp.key.privateKeyPem), 'unsupported-reference');
  });

  it('a hostile wrapper (DOCTYPE) is refused before any crypto', async () => {
    const hostile = `<!DOCTYPE x [<!ENTITY e "boom">]><saml:EncryptedAssertion ${ASSERTION_NS}>&e;</saml:EncryptedAssertion>`;
    await expect(decryptEncryptedElement(hostile, sp.key.privateKeyPem)).rejects.toBeInstanceOf(XmlSafetyError);
  });

  it('no EncryptedData or no EncryptedKey is missing-element', async () => {
    await expectEncryptionError(decryptEncryptedElement(`<saml:EncryptedAssertion ${ASSERTION_NS}/>`, sp.key.privateKeyPem), 'missing-element');
    const enc = (await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem })).replace(/<ds:KeyInfo><xenc:EncryptedKey>.*<\/xenc:EncryptedKey><\/ds:KeyInfo>/, '');
    await expectEncryptionError(decryptEncryptedElement(enc, sp.key.privateKeyPem), 'missing-element');
  });
});

describe('key placement (SAML Core 6.2)', () => {
  /** Move the EncryptedKey out of EncryptedData/KeyInfo to be its sibling, optionally pointed at by RetrievalMethod. */
  async function siblingKeyWrapper(retrievalUri: string | null): Promise<string> {
    const enc = await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem });
    const doc = parseXml(`<saml:EncryptedAssertion ${ASSERTION_NS}>${enc}</saml:EncryptedAssertion>`);
    const wrapper = doc.documentElement!;
    const encData = child(wrapper, NS.xenc, 'EncryptedData')!;
    const keyInfo = child(encData, NS.ds, 'KeyInfo')!;
    const encKey = child(keyInfo, NS.xenc, 'EncryptedKey')!;
    keyInfo.removeChild(encKey);
    encKey.setAttribute('Id', '_k1');
    wrapper.appendChild(encKey);
    if (retrievalUri !== null) {
      const rm = doc.createElementNS(NS.ds, 'ds:RetrievalMethod');
      rm.setAttribute('URI', retrievalUri);
      rm.setAttribute('Type', 'http://www.w3.org/2001/04/xmlenc#EncryptedKey');
      keyInfo.appendChild(rm);
    } else {
      encData.removeChild(keyInfo);
    }
    return serialize(doc);
  }

  it('EncryptedKey as a sibling, found through RetrievalMethod', async () => {
    const plain = parseXml(await decryptEncryptedElement(await siblingKeyWrapper('#_k1'), sp.key.privateKeyPem)).documentElement!;
    expect(attr(plain, 'ID')).toBe('_a1');
  });

  it('EncryptedKey as a sibling with no KeyInfo at all', async () => {
    const plain = parseXml(await decryptEncryptedElement(await siblingKeyWrapper(null), sp.key.privateKeyPem)).documentElement!;
    expect(attr(plain, 'ID')).toBe('_a1');
  });

  it('RetrievalMethod to anything but a same-document fragment is refused', async () => {
    await expectEncryptionError(decryptEncryptedElement(await siblingKeyWrapper('http://127.0.0.1:9/key'), sp.key.privateKeyPem), 'unsupported-reference');
    await expectEncryptionError(decryptEncryptedElement(await siblingKeyWrapper('#_nope'), sp.key.privateKeyPem), 'missing-element');
  });

  it('several recipients: the key for someone else is skipped', async () => {
    const forOther = await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: other.certPem });
    const forSp = await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem });
    // The other party's EncryptedKey goes first: it does not unwrap with our private key, so
    // the next one is tried.
    const otherKey = serialize(descendants(parseXml(forOther).documentElement!, NS.xenc, 'EncryptedKey')[0]);
    const doc = parseXml(`<saml:EncryptedAssertion ${ASSERTION_NS}>${forSp}</saml:EncryptedAssertion>`);
    const keyInfo = path(doc.documentElement!, [NS.xenc, 'EncryptedData'], [NS.ds, 'KeyInfo'])!;
    keyInfo.insertBefore(doc.importNode(parseXml(otherKey).documentElement!, true), keyInfo.firstChild);
    expect(children(keyInfo, NS.xenc, 'EncryptedKey')).toHaveLength(2);
    const plain = parseXml(await decryptEncryptedElement(serialize(doc), sp.key.privateKeyPem)).documentElement!;
    expect(attr(plain, 'ID')).toBe('_a1');
  });
});

describe('hostile plaintext (encrypted by the xml-encryption package, a second implementation)', () => {
  function encryptWithXmlEncryption(content: string, cred: Credential): Promise<string> {
    return new Promise((resolve, reject) =>
      xmlenc.encrypt(
        content,
        {
          rsa_pub: cred.key.publicKeyPem,
          pem: cred.certPem,
          encryptionAlgorithm: ENCRYPTION_ALGORITHM['aes256-gcm'],
          keyEncryptionAlgorithm: KEY_TRANSPORT['rsa-oaep'],
        },
        (err: Error | null, result: string) => (err ? reject(err) : resolve(result)),
      ),
    );
  }
  const wrap = (encryptedData: string) => `<saml:EncryptedAssertion ${ASSERTION_NS}>${encryptedData}</saml:EncryptedAssertion>`;

  it('its ciphertext of a real assertion decrypts here', async () => {
    const enc = await encryptWithXmlEncryption(standaloneAssertion('_xe1', 'dave'), sp);
    const plain = parseXml(await decryptEncryptedElement(wrap(enc), sp.key.privateKeyPem)).documentElement!;
    expect(attr(plain, 'ID')).toBe('_xe1');
  });

  it('our ciphertext decrypts with it', async () => {
    const enc = await encryptXml(standaloneAssertion('_a1', 'alice'), { certPem: sp.certPem });
    const plain = await new Promise<string>((resolve, reject) =>
      xmlenc.decrypt(enc, { key: sp.key.privateKeyPem }, (err: Error | null, result: string) => (err ? reject(err) : resolve(result))),
    );
    expect(attr(parseXml(plain).documentElement!, 'ID')).toBe('_a1');
  });

  it.each([
    ['rsa-oaep-mgf1p, SHA-256 digest (MGF1 stays SHA-1)', KEY_TRANSPORT['rsa-oaep'], 'sha256', undefined],
    ['xmlenc11 rsa-oaep, SHA-256 digest, MGF1-SHA256', 'http://www.w3.org/2009/xmlenc11#rsa-oaep', 'sha256', 'sha256'],
    ['xmlenc11 rsa-oaep, SHA-512 digest, default MGF1-SHA1', 'http://www.w3.org/2009/xmlenc11#rsa-oaep', 'sha512', undefined],
  ])('OAEP variant from other implementations: %s', async (_name, keyEncryptionAlgorithm, keyEncryptionDigest, keyEncryptionMgf) => {
    // Options the bundled typings predate; the library itself supports them.
    const options = {
      rsa_pub: sp.key.publicKeyPem,
      pem: sp.certPem,
      encryptionAlgorithm: ENCRYPTION_ALGORITHM['aes128-gcm'],
      keyEncryptionAlgorithm,
      keyEncryptionDigest,
      ...(keyEncryptionMgf ? { keyEncryptionMgf } : {}),
    } as unknown as Parameters<typeof xmlenc.encrypt>[1];
    const enc = await new Promise<string>((resolve, reject) =>
      xmlenc.encrypt(standaloneAssertion('_oaep', 'frank'), options, (err: Error | null, result: string) => (err ? reject(err) : resolve(result))),
    );
    const plain = parseXml(await decryptEncryptedElement(wrap(enc), sp.key.privateKeyPem)).documentElement!;
    expect(attr(plain, 'ID')).toBe('_oaep');
    await expectEncryptionError(decryptEncryptedElement(wrap(enc), other.key.privateKeyPem), 'key-decrypt-failed');
  });

  it('a DOCTYPE/entity bomb inside the ciphertext is an XmlSafetyError', async () => {
    const bomb = `<!DOCTYPE saml:Assertion [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><saml:Assertion ${ASSERTION_NS} ID="_x">&b;</saml:Assertion>`;
    const enc = await encryptWithXmlEncryption(bomb, sp);
    const err = await decryptEncryptedElement(wrap(enc), sp.key.privateKeyPem).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(XmlSafetyError);
    expect((err as XmlSafetyError).code).toBe('doctype');
  });

  it('an EncryptedAssertion holding something other than an Assertion is unexpected-content', async () => {
    const enc = await encryptWithXmlEncryption(`<samlp:Response xmlns:samlp="${NS.samlp}" ID="_r"/>`, sp);
    await expectEncryptionError(decryptEncryptedElement(wrap(enc), sp.key.privateKeyPem), 'unexpected-content');
    const two = await encryptWithXmlEncryption(standaloneAssertion('_1', 'a') + standaloneAssertion('_2', 'b'), sp);
    await expectEncryptionError(decryptEncryptedElement(wrap(two), sp.key.privateKeyPem), 'unexpected-content');
  });
});

describe('interop with xmlsec1', () => {
  it.each(COMBINATIONS)('xmlsec1 decrypts our %s / %s EncryptedAssertion', async (data, transport) => {
    const encrypted = await encryptAssertionInResponse(responseXml(assertionXml('_a1', 'alice@example.test')), {
      certPem: sp.certPem,
      dataAlgorithm: data,
      keyTransport: transport,
    });
    const file = join(dir, `ours-${data}-${transport}.xml`);
    writeFileSync(file, encrypted);
    // --trusted-pem only quiets the lookup of the X509Data we put in EncryptedKey/KeyInfo.
    const run = xmlsec1(['--decrypt', '--privkey-pem', join(dir, 'sp-key.pem'), '--trusted-pem', join(dir, 'sp-cert.pem'), file]);
    expect(run.status, run.stderr).toBe(0);
    const assertion = descendants(parseXml(run.stdout).documentElement!, NS.saml, 'Assertion')[0];
    expect(attr(assertion, 'ID')).toBe('_a1');
    expect(text(descendants(assertion, NS.saml, 'NameID')[0])).toBe('alice@example.test');
  });

  it.each([
    ['aes256-cbc', 'rsa-oaep'],
    ['aes128-cbc', 'rsa-oaep'],
    ['aes128-gcm', 'rsa-oaep'],
    ['aes256-gcm', 'rsa-oaep'],
    ['aes256-cbc', 'rsa-1_5'],
  ] as const)('an assertion xmlsec1 encrypted with %s / %s decrypts here', async (data, transport) => {
    // The data file is the wrapper with the plaintext assertion inside; xmlsec1 replaces the
    // Assertion with the EncryptedData built from the template.
    const dataFile = join(dir, `plain-${data}-${transport}.xml`);
    writeFileSync(dataFile, `<saml:EncryptedAssertion ${ASSERTION_NS}>${assertionXml('_xs1', 'erin').replace('<saml:Assertion ', `<saml:Assertion xmlns:xs="${NS.xs}" xmlns:xsi="${NS.xsi}" `)}</saml:EncryptedAssertion>`);
    const template = join(dir, `tmpl-${data}-${transport}.xml`);
    writeFileSync(template, xmlsecTemplate(data, transport));
    const out = join(dir, `theirs-${data}-${transport}.xml`);
    const sessionKey = data.startsWith('aes128') ? 'aes-128' : 'aes-256';
    const run = xmlsec1([
      '--encrypt', '--pubkey-cert-pem', join(dir, 'sp-cert.pem'), '--session-key', sessionKey,
      '--xml-data', dataFile, '--node-name', `${NS.saml}:Assertion`, '--output', out, template,
    ]);
    expect(run.status, run.stderr).toBe(0);
    const theirs = readFileSync(out, 'utf8');
    expect(theirs).not.toContain('erin');

    const plain = parseXml(await decryptEncryptedElement(theirs, sp.key.privateKeyPem, { allowRsa15: transport === 'rsa-1_5' })).documentElement!;
    expect(attr(plain, 'ID')).toBe('_xs1');
    expect(text(descendants(plain, NS.saml, 'NameID')[0])).toBe('erin');
  });
});
