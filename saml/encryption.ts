// XML Encryption (xmlenc-core / xmlenc-core1) for the three SAML wrappers: EncryptedAssertion,
// EncryptedID and EncryptedAttribute (SAML Core 2.2.4, 2.3.4, 2.7.3.2, and 6 for the profile).
//
// Written on Node crypto rather than the xml-encryption package because: Node 20 refuses
// PKCS#1 v1.5 private decryption (CVE-2023-46809), so RSA-1_5 needs our own unpadding anyway;
// SAML puts the EncryptedKey beside EncryptedData as often as inside it; and everything we read
// must go through parseXml, including the decrypted plaintext, which is as hostile as the rest.
import crypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Document, Element } from './xml.ts';
import { attr, child, children, descendants, escapeXml, parseXml, serialize } from './xml.ts';
import { ENCRYPTION_ALGORITHM, KEY_TRANSPORT, NS } from './constants.ts';
import type { EncryptionAlgorithmName, KeyTransportName } from './constants.ts';

export type EncryptionErrorCode =
  | 'bad-key' // the certificate or private key is unusable (not RSA, unparseable)
  | 'missing-element' // a required XML-Enc element is absent
  | 'unsupported-algorithm'
  | 'insecure-algorithm' // RSA-1_5 without allowRsa15
  | 'unsupported-reference' // CipherReference, or a RetrievalMethod that is not a same-document fragment
  | 'key-decrypt-failed' // the EncryptedKey did not unwrap with this private key
  | 'content-decrypt-failed' // bad IV/tag/padding, or plaintext that is not UTF-8
  | 'unexpected-content'; // the plaintext is not the element its wrapper promises

export class EncryptionError extends Error {
  readonly code: EncryptionErrorCode;
  constructor(code: EncryptionErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'EncryptionError';
    this.code = code;
  }
}

export interface EncryptOptions {
  certPem: string;
  dataAlgorithm?: EncryptionAlgorithmName /* default aes256-gcm */;
  keyTransport?: KeyTransportName /* default rsa-oaep */;
  /** Put the recipient certificate in EncryptedKey/ds:KeyInfo so a recipient with several keys can pick one. Default true. */
  includeCertificate?: boolean;
}

export interface DecryptOptions {
  /** RSA PKCS#1 v1.5 key transport is open to Bleichenbacher-style oracles; refused unless set. */
  allowRsa15?: boolean;
}

const XENC_ELEMENT_TYPE = 'http://www.w3.org/2001/04/xmlenc#Element';
const XENC11_RSA_OAEP = 'http://www.w3.org/2009/xmlenc11#rsa-oaep';
const SHA1_URI = 'http://www.w3.org/2000/09/xmldsig#sha1';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** OAEP and MGF1 digests we accept on decryption, by URI. */
const DIGEST_BY_URI: Record<string, string> = {
  [SHA1_URI]: 'sha1',
  'http://www.w3.org/2001/04/xmldsig-more#sha224': 'sha224',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};
const MGF1_BY_URI: Record<string, string> = {
  'http://www.w3.org/2009/xmlenc11#mgf1sha1': 'sha1',
  'http://www.w3.org/2009/xmlenc11#mgf1sha224': 'sha224',
  'http://www.w3.org/2009/xmlenc11#mgf1sha256': 'sha256',
  'http://www.w3.org/2009/xmlenc11#mgf1sha384': 'sha384',
  'http://www.w3.org/2009/xmlenc11#mgf1sha512': 'sha512',
};

interface ContentCipher {
  name: EncryptionAlgorithmName;
  nodeCipher: 'aes-128-cbc' | 'aes-256-cbc' | 'aes-128-gcm' | 'aes-256-gcm';
  keyBytes: number;
  ivBytes: number;
  gcm: boolean;
}
const CONTENT_CIPHERS: ContentCipher[] = [
  { name: 'aes128-cbc', nodeCipher: 'aes-128-cbc', keyBytes: 16, ivBytes: 16, gcm: false },
  { name: 'aes256-cbc', nodeCipher: 'aes-256-cbc', keyBytes: 32, ivBytes: 16, gcm: false },
  { name: 'aes128-gcm', nodeCipher: 'aes-128-gcm', keyBytes: 16, ivBytes: 12, gcm: true },
  { name: 'aes256-gcm', nodeCipher: 'aes-256-gcm', keyBytes: 32, ivBytes: 12, gcm: true },
];
const GCM_TAG_BYTES = 16;
/** More EncryptedKeys than this in one wrapper is an attack on our CPU, not multi-recipient encryption. */
const MAX_KEY_CANDIDATES = 8;

/** The SAML wrappers and the plaintext element each may hold. */
const WRAPPERS: Record<string, { ns: string; allowed: Array<[string, string]> }> = {
  EncryptedAssertion: { ns: NS.saml, allowed: [[NS.saml, 'Assertion']] },
  EncryptedID: { ns: NS.saml, allowed: [[NS.saml, 'NameID'], [NS.saml, 'BaseID']] },
  EncryptedAttribute: { ns: NS.saml, allowed: [[NS.saml, 'Attribute']] },
  NewEncryptedID: { ns: NS.samlp, allowed: [[NS.samlp, 'NewID']] },
};

// ---------------------------------------------------------------------------------------------
// Encryption

/** Encrypt one element (the root of elementXml); returns the xenc:EncryptedData element as XML. */
export async function encryptXml(elementXml: string, o: EncryptOptions): Promise<string> {
  const root = parseXml(elementXml).documentElement!;
  return encryptElementToXml(root, o);
}

/**
 * Replace each saml:Assertion child of the root Response with a saml:EncryptedAssertion.
 * Sign the assertion before this and the Response after it: encryption changes what the
 * Response signature covers.
 */
export async function encryptAssertionInResponse(responseXml: string, o: EncryptOptions): Promise<string> {
  const doc = parseXml(responseXml);
  const assertions = children(doc.documentElement!, NS.saml, 'Assertion');
  for (const assertion of assertions) replaceWithWrapper(doc, assertion, 'EncryptedAssertion', o);
  return serialize(doc);
}

/**
 * Replace every saml:NameID in the document (Subject, SubjectConfirmation, or a LogoutRequest's
 * NameID) with a saml:EncryptedID. Do this before signing: it changes the signed content.
 */
export async function encryptNameId(assertionXml: string, o: EncryptOptions): Promise<string> {
  const doc = parseXml(assertionXml);
  const root = doc.documentElement!;
  const targets = isNamed(root, NS.saml, 'NameID') ? [root] : descendants(root, NS.saml, 'NameID');
  for (const nameId of targets) replaceWithWrapper(doc, nameId, 'EncryptedID', o);
  return serialize(doc);
}

/** Replace each saml:Attribute of every AttributeStatement with a saml:EncryptedAttribute. */
export async function encryptAttributes(assertionXml: string, o: EncryptOptions): Promise<string> {
  const doc = parseXml(assertionXml);
  for (const statement of descendants(doc.documentElement!, NS.saml, 'AttributeStatement')) {
    for (const attribute of children(statement, NS.saml, 'Attribute')) {
      replaceWithWrapper(doc, attribute, 'EncryptedAttribute', o);
    }
  }
  return serialize(doc);
}

function replaceWithWrapper(doc: Document, el: Element, wrapperName: 'EncryptedAssertion' | 'EncryptedID' | 'EncryptedAttribute', o: EncryptOptions): void {
  const encryptedData = encryptElementToXml(el, o);
  const wrapperXml = `<saml:${wrapperName} xmlns:saml="${NS.saml}">${encryptedData}</saml:${wrapperName}>`;
  const wrapper = doc.importNode(parseXml(wrapperXml).documentElement!, true);
  el.parentNode!.replaceChild(wrapper, el);
}

function encryptElementToXml(el: Element, o: EncryptOptions): string {
  const cipher = contentCipherByName(o.dataAlgorithm ?? 'aes256-gcm');
  const transport = o.keyTransport ?? 'rsa-oaep';
  if (!(transport in KEY_TRANSPORT)) throw new EncryptionError('unsupported-algorithm', `key transport ${String(transport)}`);
  const publicKey = publicKeyFromCert(o.certPem);

  const plaintext = Buffer.from(serializeStandalone(el), 'utf8');
  const cek = crypto.randomBytes(cipher.keyBytes);
  const cipherValue = encryptContent(cipher, cek, plaintext);
  const wrappedKey = crypto.publicEncrypt(
    transport === 'rsa-oaep'
      ? { key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }
      : { key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING },
    cek,
  );

  // rsa-oaep-mgf1p fixes MGF1 to SHA-1; the DigestMethod names the OAEP digest, SHA-1 here.
  const digestMethod = transport === 'rsa-oaep' ? `<ds:DigestMethod Algorithm="${SHA1_URI}"/>` : '';
  const certInfo =
    o.includeCertificate === false
      ? ''
      : `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${pemBody(o.certPem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
  return (
    `<xenc:EncryptedData xmlns:xenc="${NS.xenc}" xmlns:ds="${NS.ds}" Type="${XENC_ELEMENT_TYPE}">` +
    `<xenc:EncryptionMethod Algorithm="${ENCRYPTION_ALGORITHM[cipher.name]}"/>` +
    `<ds:KeyInfo><xenc:EncryptedKey>` +
    `<xenc:EncryptionMethod Algorithm="${KEY_TRANSPORT[transport]}">${digestMethod}</xenc:EncryptionMethod>` +
    certInfo +
    `<xenc:CipherData><xenc:CipherValue>${wrappedKey.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedKey></ds:KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue>${cipherValue.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedData>`
  );
}

function encryptContent(c: ContentCipher, key: Buffer, plaintext: Buffer): Buffer {
  const iv = crypto.randomBytes(c.ivBytes);
  if (c.gcm) {
    const gcm = crypto.createCipheriv(c.nodeCipher as crypto.CipherGCMTypes, key, iv);
    const body = Buffer.concat([gcm.update(plaintext), gcm.final()]);
    return Buffer.concat([iv, body, gcm.getAuthTag()]);
  }
  // Node's PKCS#7 padding is one valid instance of the XML-Enc padding (last byte = pad length).
  const cbc = crypto.createCipheriv(c.nodeCipher as string, key, iv);
  return Buffer.concat([iv, cbc.update(plaintext), cbc.final()]);
}

function publicKeyFromCert(certPem: string): KeyObject {
  let key: KeyObject;
  try {
    key = new crypto.X509Certificate(certPem).publicKey;
  } catch (err) {
    throw new EncryptionError('bad-key', `cannot read the recipient certificate: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new EncryptionError('bad-key', `key transport needs an RSA certificate, got ${key.asymmetricKeyType}`);
  }
  return key;
}

function pemBody(pem: string): string {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new EncryptionError('bad-key', 'certPem is not a PEM certificate');
  return m[1].replace(/\s+/g, '');
}

// ---------------------------------------------------------------------------------------------
// Decryption

/**
 * Decrypt a saml:EncryptedAssertion, EncryptedID, EncryptedAttribute, samlp:NewEncryptedID (or a
 * bare xenc:EncryptedData) and return the plaintext element as XML. The plaintext is parsed with
 * parseXml in the namespace context of the wrapper and must be the one element the wrapper allows;
 * namespace declarations it relied on from that context are copied onto it.
 */
export async function decryptEncryptedElement(wrapperXml: string, privateKeyPem: string, o: DecryptOptions = {}): Promise<string> {
  return serialize(decryptElement(parseXml(wrapperXml).documentElement!, privateKeyPem, o));
}

/**
 * The same on a wrapper element still in its document (no serialize/parse round trip, and the
 * namespace context of the whole document applies). Returns the plaintext element, detached,
 * carrying the namespace declarations it used from that context.
 */
export function decryptElement(wrapper: Element, privateKeyPem: string, o: DecryptOptions = {}): Element {
  const plain = decryptWrapper(wrapper, privateKeyFromPem(privateKeyPem), o);
  copyInScopeNamespaces(wrapper, plain);
  return plain;
}

/**
 * Replace every saml:EncryptedAssertion child of the root Response with its decrypted Assertion.
 * A signature on the Response itself covers the encrypted form: verify it before calling this.
 */
export async function decryptAssertionsInResponse(responseXml: string, privateKeyPem: string, o: DecryptOptions = {}): Promise<string> {
  const doc = parseXml(responseXml);
  const key = privateKeyFromPem(privateKeyPem);
  for (const wrapper of children(doc.documentElement!, NS.saml, 'EncryptedAssertion')) {
    replaceWithPlaintext(doc, wrapper, key, o);
  }
  return serialize(doc);
}

/** Replace each EncryptedID and EncryptedAttribute in the document (an Assertion, a LogoutRequest) with its plaintext. */
export async function decryptIdentifiersAndAttributes(xml: string, privateKeyPem: string, o: DecryptOptions = {}): Promise<string> {
  const doc = parseXml(xml);
  const key = privateKeyFromPem(privateKeyPem);
  const root = doc.documentElement!;
  const wrappers = [
    ...descendants(root, NS.saml, 'EncryptedID'),
    ...descendants(root, NS.saml, 'EncryptedAttribute'),
    ...descendants(root, NS.samlp, 'NewEncryptedID'),
  ];
  for (const wrapper of wrappers) replaceWithPlaintext(doc, wrapper, key, o);
  return serialize(doc);
}

function replaceWithPlaintext(doc: Document, wrapper: Element, key: KeyObject, o: DecryptOptions): void {
  const plain = decryptWrapper(wrapper, key, o);
  // It takes the wrapper's place, so only the wrapper's own declarations go missing.
  for (let i = 0; i < wrapper.attributes.length; i++) {
    const a = wrapper.attributes.item(i)!;
    if ((a.name === 'xmlns' || a.name.startsWith('xmlns:')) && !plain.hasAttribute(a.name)) plain.setAttributeNS(XMLNS_NS, a.name, a.value);
  }
  wrapper.parentNode!.replaceChild(doc.importNode(plain, true), wrapper);
}

function privateKeyFromPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = crypto.createPrivateKey(pem);
  } catch (err) {
    throw new EncryptionError('bad-key', `cannot read the private key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new EncryptionError('bad-key', `key transport needs an RSA private key, got ${key.asymmetricKeyType}`);
  }
  return key;
}

/** Decrypt a wrapper element (or a bare EncryptedData) to its plaintext element, parsed in context. */
function decryptWrapper(wrapper: Element, key: KeyObject, o: DecryptOptions): Element {
  let encryptedData: Element;
  let allowed: Array<[string, string]> | undefined;
  if (isNamed(wrapper, NS.xenc, 'EncryptedData')) {
    encryptedData = wrapper;
  } else {
    const spec = WRAPPERS[wrapper.localName ?? ''];
    if (!spec || wrapper.namespaceURI !== spec.ns) {
      throw new EncryptionError('missing-element', `{${wrapper.namespaceURI ?? ''}}${wrapper.localName} is not an XML-Enc wrapper SAML defines`);
    }
    const data = children(wrapper, NS.xenc, 'EncryptedData');
    if (data.length !== 1) throw new EncryptionError('missing-element', `${wrapper.localName} holds ${data.length} xenc:EncryptedData, expected 1`);
    encryptedData = data[0];
    allowed = spec.allowed;
  }

  const type = attr(encryptedData, 'Type');
  if (type !== undefined && type !== XENC_ELEMENT_TYPE) {
    throw new EncryptionError('unexpected-content', `EncryptedData Type is ${type}; SAML encrypts whole elements (${XENC_ELEMENT_TYPE})`);
  }
  const cipher = contentCipherByUri(attr(child(encryptedData, NS.xenc, 'EncryptionMethod'), 'Algorithm'));
  const cipherBytes = cipherValue(encryptedData, 'EncryptedData');

  const candidates = keyCandidates(encryptedData, wrapper === encryptedData ? undefined : wrapper);
  const errors: EncryptionError[] = [];
  for (const encryptedKey of candidates) {
    try {
      const cek = unwrapKey(encryptedKey, key, cipher.keyBytes, o);
      const plaintext = decryptContent(cipher, cek, cipherBytes);
      return parsePlaintext(plaintext, wrapper, allowed);
    } catch (err) {
      // Hostile plaintext (DOCTYPE, entities) is reported as such, never masked by another key.
      if (!(err instanceof EncryptionError) || err.code === 'unexpected-content') throw err;
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  const codes = new Set(errors.map((e) => e.code));
  throw new EncryptionError(
    codes.size === 1 ? errors[0].code : 'key-decrypt-failed',
    `none of the ${errors.length} EncryptedKeys yielded the content: ${errors.map((e) => e.message).join('; ')}`,
  );
}

/**
 * Where the content key may be (SAML Core 6.2 and xmlenc 3.5.1): EncryptedKeys inside
 * EncryptedData/ds:KeyInfo, then the one a ds:RetrievalMethod points at by same-document
 * fragment, or, with no RetrievalMethod, the EncryptedKeys that are siblings in the wrapper.
 */
function keyCandidates(encryptedData: Element, wrapper: Element | undefined): Element[] {
  const keyInfo = child(encryptedData, NS.ds, 'KeyInfo');
  const out = keyInfo ? children(keyInfo, NS.xenc, 'EncryptedKey') : [];
  const siblings = wrapper ? children(wrapper, NS.xenc, 'EncryptedKey') : [];
  const retrieval = keyInfo ? children(keyInfo, NS.ds, 'RetrievalMethod') : [];
  if (retrieval.length > 0) {
    for (const rm of retrieval) {
      const uri = attr(rm, 'URI') ?? '';
      if (!/^#[^#]+$/.test(uri)) {
        throw new EncryptionError('unsupported-reference', `RetrievalMethod URI "${uri}" is not a same-document fragment`);
      }
      const matches = siblings.filter((k) => attr(k, 'Id') === uri.slice(1));
      if (matches.length !== 1) {
        throw new EncryptionError('missing-element', `RetrievalMethod ${uri} matches ${matches.length} EncryptedKeys in the wrapper, expected 1`);
      }
      out.push(matches[0]);
    }
  } else {
    out.push(...siblings);
  }
  if (out.length === 0) throw new EncryptionError('missing-element', 'no xenc:EncryptedKey found for the EncryptedData');
  if (out.length > MAX_KEY_CANDIDATES) {
    throw new EncryptionError('unsupported-reference', `${out.length} EncryptedKeys; at most ${MAX_KEY_CANDIDATES} are tried`);
  }
  return out;
}

function cipherValue(el: Element, what: string): Buffer {
  const cipherData = child(el, NS.xenc, 'CipherData');
  if (!cipherData) throw new EncryptionError('missing-element', `${what} has no xenc:CipherData`);
  // Dereferencing a URI from a hostile document is how SSRF starts: only inline values.
  if (child(cipherData, NS.xenc, 'CipherReference')) {
    throw new EncryptionError('unsupported-reference', `${what} uses xenc:CipherReference; only inline CipherValue is accepted`);
  }
  const value = child(cipherData, NS.xenc, 'CipherValue');
  if (!value) throw new EncryptionError('missing-element', `${what} has no xenc:CipherValue`);
  const b64 = (value.textContent ?? '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw new EncryptionError('content-decrypt-failed', `${what} CipherValue is not base64`);
  }
  return Buffer.from(b64, 'base64');
}

function unwrapKey(encryptedKey: Element, key: KeyObject, cekBytes: number, o: DecryptOptions): Buffer {
  const method = child(encryptedKey, NS.xenc, 'EncryptionMethod');
  const algorithm = attr(method, 'Algorithm');
  if (!method || !algorithm) throw new EncryptionError('missing-element', 'EncryptedKey has no EncryptionMethod Algorithm');
  let wrapped = cipherValue(encryptedKey, 'EncryptedKey');
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (wrapped.length > modulusBytes || wrapped.length < modulusBytes - 8) {
    throw new EncryptionError('key-decrypt-failed', `wrapped key is ${wrapped.length} bytes, the RSA modulus is ${modulusBytes}: not encrypted for this key`);
  }
  // Some encoders drop the leading zero bytes of the RSA ciphertext; OpenSSL wants the full width.
  if (wrapped.length < modulusBytes) wrapped = Buffer.concat([Buffer.alloc(modulusBytes - wrapped.length), wrapped]);

  if (algorithm === KEY_TRANSPORT['rsa-1_5']) {
    if (!o.allowRsa15) {
      throw new EncryptionError('insecure-algorithm', 'RSA-1_5 key transport is refused (Bleichenbacher); pass allowRsa15 to accept it');
    }
    // A ciphertext the key cannot even take (not below its modulus) is rejected the same implicit
    // way as bad padding: one uniform failure, later, at the content.
    let em: Buffer;
    try {
      em = rawRsa(key, wrapped);
    } catch {
      em = Buffer.alloc(modulusBytes);
    }
    return unpadPkcs1v15(em, cekBytes);
  }

  if (algorithm === KEY_TRANSPORT['rsa-oaep'] || algorithm === XENC11_RSA_OAEP) {
    const digestUri = attr(child(method, NS.ds, 'DigestMethod'), 'Algorithm') ?? SHA1_URI;
    const oaepHash = DIGEST_BY_URI[digestUri];
    if (!oaepHash) throw new EncryptionError('unsupported-algorithm', `OAEP digest ${digestUri}`);
    let mgf1Hash = 'sha1';
    const mgf = child(method, NS.xenc11, 'MGF');
    if (algorithm === KEY_TRANSPORT['rsa-oaep']) {
      if (mgf) throw new EncryptionError('unsupported-algorithm', 'rsa-oaep-mgf1p fixes MGF1-SHA1; an xenc11:MGF element is not allowed with it');
    } else if (mgf) {
      const m = MGF1_BY_URI[attr(mgf, 'Algorithm') ?? ''];
      if (!m) throw new EncryptionError('unsupported-algorithm', `mask generation function ${attr(mgf, 'Algorithm')}`);
      mgf1Hash = m;
    }
    const paramsEl = child(method, NS.xenc, 'OAEPparams');
    const label = paramsEl ? Buffer.from((paramsEl.textContent ?? '').replace(/\s+/g, ''), 'base64') : Buffer.alloc(0);
    const cek = oaepHash === mgf1Hash ? nativeOaep(key, wrapped, oaepHash, label) : oaepDecode(rawRsa(key, wrapped), oaepHash, mgf1Hash, label);
    if (!cek) throw new EncryptionError('key-decrypt-failed', 'RSA-OAEP unwrap failed: wrong private key or corrupt EncryptedKey');
    if (cek.length !== cekBytes) {
      throw new EncryptionError('key-decrypt-failed', `content key is ${cek.length} bytes, the content algorithm needs ${cekBytes}`);
    }
    return cek;
  }
  throw new EncryptionError('unsupported-algorithm', `key transport ${algorithm}`);
}

function nativeOaep(key: KeyObject, wrapped: Buffer, hash: string, label: Buffer): Buffer | undefined {
  try {
    return crypto.privateDecrypt(
      { key, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash, ...(label.length ? { oaepLabel: label } : {}) },
      wrapped,
    );
  } catch {
    return undefined;
  }
}

function rawRsa(key: KeyObject, wrapped: Buffer): Buffer {
  try {
    return crypto.privateDecrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, wrapped);
  } catch (err) {
    throw new EncryptionError('key-decrypt-failed', `RSA decryption failed: ${(err as Error).message}`);
  }
}

/**
 * PKCS#1 v1.5 unpadding with implicit rejection (xmlenc-core1 5.5.1 advice): any malformed
 * block, or a key of the wrong length, silently becomes a random key, so the failure shows only
 * later as undecryptable content and the padding check is no oracle.
 */
function unpadPkcs1v15(em: Buffer, cekBytes: number): Buffer {
  const fallback = crypto.randomBytes(cekBytes);
  const start = em.length - cekBytes;
  let good = em[0] === 0x00 && em[1] === 0x02 && em[start - 1] === 0x00 ? 1 : 0;
  for (let i = 2; i < start - 1; i++) good &= em[i] !== 0 ? 1 : 0;
  good &= start - 3 >= 8 ? 1 : 0;
  const out = Buffer.alloc(cekBytes);
  for (let i = 0; i < cekBytes; i++) out[i] = good ? em[start + i] : fallback[i];
  return out;
}

/** OAEP decoding (RFC 8017 7.1.2) for digest/MGF1 pairs Node cannot express in one option. */
function oaepDecode(em: Buffer, hash: string, mgf1Hash: string, label: Buffer): Buffer | undefined {
  const hLen = crypto.createHash(hash).digest().length;
  const k = em.length;
  if (k < 2 * hLen + 2) return undefined;
  const maskedSeed = em.subarray(1, 1 + hLen);
  const maskedDb = em.subarray(1 + hLen);
  const seed = xor(maskedSeed, mgf1(maskedDb, hLen, mgf1Hash));
  const db = xor(maskedDb, mgf1(seed, k - hLen - 1, mgf1Hash));
  const lHash = crypto.createHash(hash).update(label).digest();
  let good = em[0] === 0 && crypto.timingSafeEqual(db.subarray(0, hLen), lHash);
  let sep = -1;
  for (let i = hLen; i < db.length; i++) {
    if (sep === -1 && db[i] === 0x01) sep = i;
    else if (sep === -1 && db[i] !== 0x00) good = false;
  }
  if (!good || sep === -1) return undefined;
  return Buffer.from(db.subarray(sep + 1));
}

function mgf1(seed: Buffer, length: number, hash: string): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0, total = 0; total < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = crypto.createHash(hash).update(seed).update(c).digest();
    blocks.push(block);
    total += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

function decryptContent(c: ContentCipher, cek: Buffer, data: Buffer): string {
  let plain: Buffer;
  try {
    if (c.gcm) {
      if (data.length < c.ivBytes + GCM_TAG_BYTES) throw new Error('ciphertext shorter than IV and tag');
      const gcm = crypto.createDecipheriv(c.nodeCipher as crypto.CipherGCMTypes, cek, data.subarray(0, c.ivBytes));
      gcm.setAuthTag(data.subarray(data.length - GCM_TAG_BYTES));
      plain = Buffer.concat([gcm.update(data.subarray(c.ivBytes, data.length - GCM_TAG_BYTES)), gcm.final()]);
    } else {
      if (data.length < 2 * c.ivBytes || data.length % 16 !== 0) throw new Error('ciphertext is not IV plus whole blocks');
      const cbc = crypto.createDecipheriv(c.nodeCipher as string, cek, data.subarray(0, c.ivBytes));
      cbc.setAutoPadding(false);
      const padded = Buffer.concat([cbc.update(data.subarray(c.ivBytes)), cbc.final()]);
      // XML-Enc padding: only the last byte is defined (the pad length); the others are arbitrary.
      const pad = padded[padded.length - 1];
      if (pad < 1 || pad > 16) throw new Error('bad padding');
      plain = padded.subarray(0, padded.length - pad);
    }
  } catch (err) {
    throw new EncryptionError('content-decrypt-failed', `${c.name} decryption failed (wrong key or corrupt data): ${(err as Error).message}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw new EncryptionError('content-decrypt-failed', `${c.name} plaintext is not UTF-8 (wrong key or corrupt data)`);
  }
}

/**
 * Parse decrypted text as one element in the namespace context of the wrapper. The plaintext is
 * attacker-controlled like everything else: parseXml refuses DTDs, entities and oversize input.
 */
function parsePlaintext(plaintext: string, context: Element, allowed: Array<[string, string]> | undefined): Element {
  const body = plaintext.replace(/^\uFEFF?\s*<\?xml\s[^?]*\?>/, '');
  const scope = inScopeNamespaces(context);
  const decls = [...scope].map(([p, uri]) => (p ? ` xmlns:${p}="${escapeXml(uri)}"` : ` xmlns="${escapeXml(uri)}"`)).join('');
  const holder = parseXml(`<samlconf-plaintext${decls}>${body}</samlconf-plaintext>`).documentElement!;
  const elements = children(holder);
  const strayText = Array.from({ length: holder.childNodes.length }, (_, i) => holder.childNodes.item(i)!).some(
    (n) => (n.nodeType === 3 || n.nodeType === 4) && (n.nodeValue ?? '').trim() !== '',
  );
  if (elements.length !== 1 || strayText) {
    throw new EncryptionError('unexpected-content', `plaintext holds ${elements.length} elements${strayText ? ' and text' : ''}, expected exactly one element`);
  }
  const el = elements[0];
  if (allowed && !allowed.some(([ns, name]) => isNamed(el, ns, name))) {
    throw new EncryptionError(
      'unexpected-content',
      `${context.localName} decrypted to {${el.namespaceURI ?? ''}}${el.localName}; allowed: ${allowed.map(([, n]) => n).join(', ')}`,
    );
  }
  holder.removeChild(el);
  return el;
}

// ---------------------------------------------------------------------------------------------
// Namespaces and small helpers

/** Prefix ('' for the default namespace) to URI, for every declaration in scope at el. */
function inScopeNamespaces(el: Element): Map<string, string> {
  const scope = new Map<string, string>();
  for (let n: Element | null = el; n && n.nodeType === 1; n = n.parentNode as Element | null) {
    for (let i = 0; i < n.attributes.length; i++) {
      const a = n.attributes.item(i)!;
      const prefix = a.name === 'xmlns' ? '' : a.name.startsWith('xmlns:') ? a.name.slice(6) : undefined;
      if (prefix !== undefined && !scope.has(prefix)) scope.set(prefix, a.value);
    }
  }
  return scope;
}

/** Declare on target every namespace in scope at source that target does not declare itself. */
function copyInScopeNamespaces(source: Element, target: Element): void {
  for (const [prefix, uri] of inScopeNamespaces(source)) {
    const name = prefix ? `xmlns:${prefix}` : 'xmlns';
    if (!target.hasAttribute(name)) target.setAttributeNS(XMLNS_NS, name, uri);
  }
}

/**
 * The element serialized so that it parses on its own: namespace declarations it inherits from
 * ancestors (including ones only used inside values, like xsi:type="xs:string") are carried along.
 */
function serializeStandalone(el: Element): string {
  const copy = el.cloneNode(true) as Element;
  copyInScopeNamespaces(el, copy);
  return serialize(copy);
}

function isNamed(el: Element, ns: string, localName: string): boolean {
  return el.namespaceURI === ns && el.localName === localName;
}

function contentCipherByName(name: EncryptionAlgorithmName): ContentCipher {
  const c = CONTENT_CIPHERS.find((x) => x.name === name);
  if (!c) throw new EncryptionError('unsupported-algorithm', `content algorithm ${String(name)}`);
  return c;
}

function contentCipherByUri(uri: string | undefined): ContentCipher {
  if (!uri) throw new EncryptionError('missing-element', 'EncryptedData has no EncryptionMethod Algorithm');
  const c = CONTENT_CIPHERS.find((x) => ENCRYPTION_ALGORITHM[x.name] === uri);
  if (!c) throw new EncryptionError('unsupported-algorithm', `content algorithm ${uri}`);
  return c;
}
