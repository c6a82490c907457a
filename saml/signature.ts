// Enveloped XML-DSig for SAML messages, built on xml-crypto.
//
// Signing follows the SAML profile of XML Signature (core 5.4): one Reference to the signed
// element's ID, enveloped + exclusive c14n transforms, the ds:Signature right after saml:Issuer.
//
// Verification trusts only pinned certificates, never KeyInfo, and refuses every signature shape
// that signature-wrapping and canonicalization attacks rely on before any cryptography runs. What
// a valid check returns is the canonical XML the signature actually covers, so callers read claims
// from signed bytes rather than from the (possibly wrapped) document.
//
// Two engines do the cryptographic part once the structure has passed. 'xml-crypto' is SignedXml
// (computeSignature / checkSignature with the certificate pinned). 'core', the default, uses
// xml-crypto's canonicalizers and Node's crypto on the DOM parsed once here: xml-crypto re-parses
// the document and runs several whole-document XPath scans per signature, which made it four to
// five times slower. The tests run every case through both and require the same answer.
import * as crypto from 'node:crypto';
import { C14nCanonicalization, ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import {
  DIGEST_ALGORITHM,
  NS,
  SIGNATURE_ALGORITHM,
  TRANSFORM,
  type DigestAlgorithmName,
  type SignatureAlgorithmName,
} from './constants.ts';
import { base64ToCertPem, certToBase64 } from './keys.ts';
import { DEFAULT_MAX_XML_BYTES, XmlSafetyError, child, children, escapeXml, parseXml, type Document, type Element, type Node } from './xml.ts';

export interface SignOptions {
  privateKeyPem: string;
  /** Put in KeyInfo/X509Data when given (unless includeKeyInfo is false). */
  certPem?: string;
  /** Default 'rsa-sha256' for RSA keys, 'ecdsa-sha256' for EC keys. */
  algorithm?: SignatureAlgorithmName;
  /** Default: the digest the signature algorithm uses. */
  digest?: DigestAlgorithmName;
  /** Default true when certPem is given. */
  includeKeyInfo?: boolean;
  /**
   * 'core' (default): the signature is computed on the parsed document and spliced into the
   * original text, which is left byte for byte as it was. 'xml-crypto': SignedXml.computeSignature,
   * which re-serializes the whole document. Same ds:Signature either way (RSA values are identical).
   */
  engine?: SignatureEngine;
}

/** Which implementation does the cryptography (see the top of this file). */
export type SignatureEngine = 'core' | 'xml-crypto';

export interface SignatureCheck {
  valid: boolean;
  /** Why it failed, in words; undefined when valid. */
  reason?: string;
  /** The element that holds the ds:Signature (local name). */
  parentName: string;
  parentId?: string;
  /** The Reference URI (without '#'). */
  referenceUri?: string;
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  /** The exact canonical XML the signature covers, as verified — read claims only from this. */
  signedXml?: string;
  /**
   * signedXml parsed with parseXml (root element of the covered content). Parsed on first read and
   * not enumerable, so that checks stay JSON-serializable; `{...check}` does not copy it.
   */
  signedElement?: Element;
  /** PEM of the pinned certificate that verified it. */
  certificate?: string;
}

// Verification also accepts the SHA-384/512 variants some IdPs offer (authentik, ADFS); signing
// sticks to the algorithm names of constants.ts.
const EXTRA_SIGNATURE_ALGORITHM = {
  'rsa-sha384': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'ecdsa-sha384': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'ecdsa-sha512': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
} as const;
const DIGEST_SHA384 = 'http://www.w3.org/2001/04/xmldsig-more#sha384';

interface AlgorithmSpec {
  keyType: 'rsa' | 'ec';
  hash: string;
}
const SIGNATURE_SPECS: Record<string, AlgorithmSpec> = {
  [SIGNATURE_ALGORITHM['rsa-sha1']]: { keyType: 'rsa', hash: 'sha1' },
  [SIGNATURE_ALGORITHM['rsa-sha256']]: { keyType: 'rsa', hash: 'sha256' },
  [EXTRA_SIGNATURE_ALGORITHM['rsa-sha384']]: { keyType: 'rsa', hash: 'sha384' },
  [SIGNATURE_ALGORITHM['rsa-sha512']]: { keyType: 'rsa', hash: 'sha512' },
  [SIGNATURE_ALGORITHM['ecdsa-sha256']]: { keyType: 'ec', hash: 'sha256' },
  [EXTRA_SIGNATURE_ALGORITHM['ecdsa-sha384']]: { keyType: 'ec', hash: 'sha384' },
  [EXTRA_SIGNATURE_ALGORITHM['ecdsa-sha512']]: { keyType: 'ec', hash: 'sha512' },
};
const DIGEST_SPECS: Record<string, string> = {
  [DIGEST_ALGORITHM.sha1]: 'sha1',
  [DIGEST_ALGORITHM.sha256]: 'sha256',
  [DIGEST_SHA384]: 'sha384',
  [DIGEST_ALGORITHM.sha512]: 'sha512',
};
const DEFAULT_DIGEST: Record<SignatureAlgorithmName, DigestAlgorithmName> = {
  'rsa-sha1': 'sha1',
  'rsa-sha256': 'sha256',
  'rsa-sha512': 'sha512',
  'ecdsa-sha256': 'sha256',
};
/** SignedInfo may be canonicalized exclusively (SAML's SHOULD) or inclusively; never with comments. */
const SIGNED_INFO_C14N = new Set<string>([TRANSFORM.excC14n, TRANSFORM.c14n]);
const REFERENCE_TRANSFORMS = new Set<string>([TRANSFORM.envelopedSignature, TRANSFORM.excC14n]);
const MAX_TRANSFORMS = 2;
const MAX_SIGNATURES = 256;

// One class per URI: xml-crypto instantiates algorithms by URI and hands them the key we pinned.
// XML-DSig wants ECDSA values as r||s (RFC 4050 / xmldsig-core1 6.4.3), not DER.
function algorithmClass(uri: string, spec: AlgorithmSpec) {
  const options = (key: crypto.KeyLike) =>
    spec.keyType === 'ec'
      ? { key: key as crypto.KeyObject, dsaEncoding: 'ieee-p1363' as const }
      : { key: key as crypto.KeyObject, padding: crypto.constants.RSA_PKCS1_PADDING };
  return class {
    getSignature(signedInfo: crypto.BinaryLike, privateKey: crypto.KeyLike): string {
      return crypto.sign(spec.hash, Buffer.from(signedInfo as string), options(privateKey)).toString('base64');
    }
    verifySignature(material: string, key: crypto.KeyLike, signatureValue: string): boolean {
      try {
        return crypto.verify(spec.hash, Buffer.from(material), options(key), Buffer.from(signatureValue, 'base64'));
      } catch {
        return false; // malformed value (e.g. wrong r||s length): simply not a valid signature
      }
    }
    getAlgorithmName(): string {
      return uri;
    }
  };
}
function hashClass(uri: string, hash: string) {
  return class {
    getHash(xml: string): string {
      return crypto.createHash(hash).update(xml, 'utf8').digest('base64');
    }
    getAlgorithmName(): string {
      return uri;
    }
  };
}
const SIGNATURE_CLASSES = Object.fromEntries(Object.entries(SIGNATURE_SPECS).map(([uri, spec]) => [uri, algorithmClass(uri, spec)]));
const HASH_CLASSES = Object.fromEntries(Object.entries(DIGEST_SPECS).map(([uri, hash]) => [uri, hashClass(uri, hash)]));

/** The algorithm URIs verification accepts (signature methods and digests), for reports. */
export function acceptedSignatureAlgorithms(): { signature: string[]; digest: string[]; signedInfoC14n: string[]; transforms: string[] } {
  return {
    signature: Object.keys(SIGNATURE_SPECS),
    digest: Object.keys(DIGEST_SPECS),
    signedInfoC14n: [...SIGNED_INFO_C14N],
    transforms: [...REFERENCE_TRANSFORMS],
  };
}

// Every SignedXml gets exactly our algorithm tables: no HMAC, no RSA-PSS, no XSLT/XPath.
function restrict(sx: SignedXml): SignedXml {
  const c14n = sx.CanonicalizationAlgorithms;
  sx.CanonicalizationAlgorithms = {
    [TRANSFORM.excC14n]: c14n[TRANSFORM.excC14n],
    [TRANSFORM.c14n]: c14n[TRANSFORM.c14n],
    [TRANSFORM.envelopedSignature]: c14n[TRANSFORM.envelopedSignature],
  };
  sx.SignatureAlgorithms = SIGNATURE_CLASSES as unknown as SignedXml['SignatureAlgorithms'];
  sx.HashAlgorithms = HASH_CLASSES as unknown as SignedXml['HashAlgorithms'];
  return sx;
}

// Parsing PEM is a large share of one signature's cost; the harness signs with few keys.
const KEY_CACHE_LIMIT = 256;
const privateKeys = new Map<string, crypto.KeyObject>();
const publicKeys = new Map<string, crypto.KeyObject | null>();
function cached<T>(cache: Map<string, T>, pem: string, make: () => T): T {
  let value = cache.get(pem);
  if (value === undefined && !cache.has(pem)) {
    value = make();
    if (cache.size >= KEY_CACHE_LIMIT) cache.clear();
    cache.set(pem, value);
  }
  return value as T;
}
function privateKeyOf(pem: string): crypto.KeyObject {
  return cached(privateKeys, pem, () => crypto.createPrivateKey(pem));
}
/** null when the PEM (or bare base64, as in metadata) is not a usable RSA/EC certificate. */
function certificateKeyOf(pem: string): crypto.KeyObject | null {
  return cached(publicKeys, pem, () => {
    try {
      const key = new crypto.X509Certificate(pem.includes('-----BEGIN') ? pem : base64ToCertPem(pem)).publicKey;
      return key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'ec' ? key : null;
    } catch {
      return null;
    }
  });
}

// ---------------------------------------------------------------- DOM helpers

const ID_ATTRIBUTE_NAMES = new Set(['ID', 'Id', 'id']);

function isElement(n: Node | null | undefined): n is Element {
  return !!n && n.nodeType === 1;
}

/** Every element whose ID-like attribute (any namespace, as xml-crypto resolves them) has this value. */
function countIdAttributes(doc: Document): Map<string, number> {
  const counts = new Map<string, number>();
  const walk = (el: Element) => {
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes.item(i)!;
      if (ID_ATTRIBUTE_NAMES.has(a.localName ?? a.name)) counts.set(a.value, (counts.get(a.value) ?? 0) + 1);
    }
    for (let n = el.firstChild; n; n = n.nextSibling) if (isElement(n)) walk(n);
  };
  walk(doc.documentElement!);
  return counts;
}

// ---------------------------------------------------------------- canonicalization

/** In-scope namespace declarations of the ancestors, nearest first, as xml-crypto collects them. */
function ancestorNamespaces(el: Element): Array<{ prefix: string; namespaceURI: string }> {
  const own = new Set<string>([el.prefix ?? '']);
  for (let i = 0; i < el.attributes.length; i++) {
    const name = el.attributes.item(i)!.name;
    if (name === 'xmlns' || name.startsWith('xmlns:')) own.add(name.slice(6));
  }
  const seen = new Set<string>();
  const out: Array<{ prefix: string; namespaceURI: string }> = [];
  for (let n = el.parentNode; isElement(n); n = n.parentNode) {
    for (let i = 0; i < n.attributes.length; i++) {
      const a = n.attributes.item(i)!;
      if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) continue;
      const prefix = a.name.slice(6);
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      if (a.value !== '' && !own.has(prefix)) out.push({ prefix, namespaceURI: a.value });
    }
  }
  return out;
}

function prefixList(transformOrMethod: Element): string[] {
  const inc = children(transformOrMethod, TRANSFORM.excC14n, 'InclusiveNamespaces')[0];
  return (inc?.getAttribute('PrefixList') ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Whether xml-crypto's canonicalizer may write into its input. Only exc-c14n does, and only with a
 * non-empty inclusive prefix list: the one passed in or, when none is, one it finds itself in an
 * InclusiveNamespaces child of a CanonicalizationMethod child of its input (meant for SignedInfo;
 * it matches both by local name in any namespace). This errs on the side of copying: any such
 * child counts, whatever its PrefixList says.
 */
function canonicalizerMayWrite(algorithm: string, el: Element, prefixes: string[]): boolean {
  if (algorithm === TRANSFORM.c14n) return false;
  if (prefixes.length > 0) return true;
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (!isElement(n) || n.localName !== 'CanonicalizationMethod') continue;
    for (let m = n.firstChild; m; m = m.nextSibling) if (isElement(m) && m.localName === 'InclusiveNamespaces') return true;
  }
  return false;
}

/**
 * Canonical form of `el` without the `omit` child (the enveloped-signature transform).
 * When the canonicalizer may write namespace attributes into its input (canonicalizerMayWrite),
 * it gets a copy. Otherwise the omitted child is detached for the duration and put back: copying a
 * DOM subtree costs more than all the rest of a verification. Neither canonicalizer looks above
 * its input (ancestors come in through `ancestorNamespaces`), so a detached copy and the element
 * in place canonicalize alike.
 */
function canonicalize(algorithm: string, el: Element, prefixes: string[], omit?: Element): string {
  const options = {
    ancestorNamespaces: ancestorNamespaces(el),
    inclusiveNamespacesPrefixList: prefixes,
    defaultNsForPrefix: { ds: NS.ds },
  };
  const c14n = algorithm === TRANSFORM.c14n ? new C14nCanonicalization() : new ExclusiveCanonicalization();
  if (canonicalizerMayWrite(algorithm, el, prefixes)) {
    const copy = el.cloneNode(true) as Element;
    if (omit) {
      const position = Array.prototype.indexOf.call(el.childNodes, omit);
      copy.removeChild(copy.childNodes.item(position)!);
    }
    return c14n.process(copy as unknown as globalThis.Element, options).toString();
  }
  const next = omit?.nextSibling ?? null;
  if (omit) el.removeChild(omit);
  try {
    return c14n.process(el as unknown as globalThis.Element, options).toString();
  } finally {
    if (omit) el.insertBefore(omit, next);
  }
}

// ---------------------------------------------------------------- signing

function resolveSignAlgorithm(options: SignOptions, key: crypto.KeyObject): { algorithm: string; digest: string } {
  const keyType = key.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') throw new Error(`cannot sign XML with a ${keyType} key`);
  const name: SignatureAlgorithmName = options.algorithm ?? (keyType === 'ec' ? 'ecdsa-sha256' : 'rsa-sha256');
  const uri = SIGNATURE_ALGORITHM[name];
  if (!uri) throw new Error(`unknown signature algorithm ${String(name)}`);
  if (SIGNATURE_SPECS[uri].keyType !== keyType) throw new Error(`${name} needs an ${SIGNATURE_SPECS[uri].keyType.toUpperCase()} key, got ${keyType}`);
  const digestName = options.digest ?? DEFAULT_DIGEST[name];
  const digest = DIGEST_ALGORITHM[digestName];
  if (!digest) throw new Error(`unknown digest algorithm ${String(digestName)}`);
  return { algorithm: uri, digest };
}

interface SignPlan {
  id: string;
  target: Element;
  /** Index of the target in document order among all elements. */
  order: number;
  issuer?: Element;
}

/** Resolve each ID to exactly one element; refuse anything ambiguous. */
function planSignatures(doc: Document, ids: string[]): SignPlan[] {
  const idCounts = countIdAttributes(doc);
  const order = new Map<Element, number>();
  const byId = new Map<string, Element[]>();
  let index = 0;
  const walk = (el: Element) => {
    order.set(el, index++);
    const id = el.getAttribute('ID');
    if (id !== null && ids.includes(id)) byId.set(id, [...(byId.get(id) ?? []), el]);
    for (let n = el.firstChild; n; n = n.nextSibling) if (isElement(n)) walk(n);
  };
  walk(doc.documentElement!);
  return ids.map((id) => {
    const found = byId.get(id) ?? [];
    if (found.length !== 1) throw new Error(`expected exactly one element with ID="${id}", found ${found.length}`);
    if ((idCounts.get(id) ?? 0) !== 1) throw new Error(`ID "${id}" is used by more than one ID/Id/id attribute`);
    const target = found[0];
    return { id, target, order: order.get(target)!, issuer: child(target, NS.saml, 'Issuer') };
  });
}

interface SignSettings {
  key: crypto.KeyObject;
  algorithm: string;
  digest: string;
  keyInfoXml: string;
}

function signSettings(options: SignOptions): SignSettings {
  const key = privateKeyOf(options.privateKeyPem);
  const { algorithm, digest } = resolveSignAlgorithm(options, key);
  const certBase64 = options.certPem ? certToBase64(options.certPem) : undefined;
  const includeKeyInfo = options.includeKeyInfo ?? certBase64 !== undefined;
  if (includeKeyInfo && !certBase64) throw new Error('includeKeyInfo needs certPem');
  const keyInfoXml = includeKeyInfo ? `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` : '';
  return { key, algorithm, digest, keyInfoXml };
}

interface ElementSpan {
  qname: string;
  /** Offset just after the start tag's '>'. */
  openEnd: number;
  selfClosing: boolean;
  /** Offset just after the element's last '>'. */
  end: number;
}
/**
 * Start and end offsets of every element of a document parseXml accepted (so well-formed, no
 * DTD), in document order. Lets a signature be spliced into the original text: the bytes around
 * it stay exactly as they were, and the document is not serialized again.
 */
function elementSpans(xml: string): ElementSpan[] {
  const spans: ElementSpan[] = [];
  const open: ElementSpan[] = [];
  const skip = (from: number, terminator: string) => {
    const at = xml.indexOf(terminator, from);
    if (at < 0) throw new Error('unterminated markup');
    return at + terminator.length;
  };
  let i = 0;
  for (;;) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) i = skip(lt + 4, '-->');
    else if (xml.startsWith('<![CDATA[', lt)) i = skip(lt + 9, ']]>');
    else if (xml.startsWith('<?', lt)) i = skip(lt + 2, '?>');
    else if (xml[lt + 1] === '/') {
      i = skip(lt, '>');
      const span = open.pop();
      if (!span) throw new Error('unbalanced end tag');
      span.end = i;
    } else {
      let j = lt + 1;
      let quote = '';
      for (; j < xml.length; j++) {
        const ch = xml[j];
        if (quote) {
          if (ch === quote) quote = '';
        } else if (ch === '"' || ch === "'") quote = ch;
        else if (ch === '>') break;
      }
      const selfClosing = xml[j - 1] === '/';
      const span: ElementSpan = { qname: /^[^\s/>]+/.exec(xml.slice(lt + 1, j))![0], openEnd: j + 1, selfClosing, end: j + 1 };
      spans.push(span);
      if (!selfClosing) open.push(span);
      i = j + 1;
    }
  }
  return spans;
}

const SIGNATURE_OPEN_TAG = `<ds:Signature xmlns:ds="${NS.ds}">`;

/**
 * The ds:SignedInfo we write for one reference. With `canonical` the same SignedInfo in the form
 * exclusive c14n gives it inside that ds:Signature: the ds declaration on SignedInfo itself (it is
 * the apex, and exc-c14n renders only visibly used prefixes, so the document around it adds
 * nothing), empty elements as start and end tag, one attribute per element so no ordering.
 */
function signedInfoMarkup(id: string, algorithm: string, digest: string, digestValue: string, canonical: boolean): string {
  const open = canonical ? `<ds:SignedInfo xmlns:ds="${NS.ds}">` : '<ds:SignedInfo>';
  const empty = (name: string, algorithmUri: string) =>
    canonical ? `<ds:${name} Algorithm="${algorithmUri}"></ds:${name}>` : `<ds:${name} Algorithm="${algorithmUri}"/>`;
  return (
    `${open}${empty('CanonicalizationMethod', TRANSFORM.excC14n)}${empty('SignatureMethod', algorithm)}` +
    `<ds:Reference URI="#${escapeXml(id)}"><ds:Transforms>` +
    `${empty('Transform', TRANSFORM.envelopedSignature)}${empty('Transform', TRANSFORM.excC14n)}</ds:Transforms>` +
    `${empty('DigestMethod', digest)}<ds:DigestValue>${digestValue}</ds:DigestValue></ds:Reference></ds:SignedInfo>`
  );
}

/** The SignedInfo we write (signedInfoMarkup, non-canonical). */
export function signedInfoXml(id: string, algorithm: string, digest: string, digestValue: string): string {
  return signedInfoMarkup(id, algorithm, digest, digestValue, false);
}

/**
 * Characters that neither escapeXml, nor parsing the attribute or text back, nor c14n's escaping
 * change: for values made only of these, the written SignedInfo and its canonical form hold them
 * verbatim. IDs (NCNames in practice), our algorithm URIs and base64 digests all qualify.
 */
const VERBATIM_VALUE = /^[A-Za-z0-9_.:/#+=-]+$/;

/**
 * The exclusive canonical form of signedInfoXml(...) emitted directly, or undefined when some
 * value would need escaping (then only canonicalizing the parsed SignedInfo is known right).
 * Exported for the test that holds it to the canonicalizer's output for every algorithm.
 */
export function directCanonicalSignedInfo(id: string, algorithm: string, digest: string, digestValue: string): string | undefined {
  for (const value of [id, algorithm, digest, digestValue]) if (!VERBATIM_VALUE.test(value)) return undefined;
  return signedInfoMarkup(id, algorithm, digest, digestValue, true);
}

/** The canonicalizer's answer: SignedInfo parsed where it will live (in a ds:Signature declaring ds), exc-c14n. */
export function canonicalizeSignedInfo(signedInfo: string): string {
  const parsedInfo = children(parseXml(`${SIGNATURE_OPEN_TAG}${signedInfo}</ds:Signature>`).documentElement!)[0];
  return canonicalize(TRANSFORM.excC14n, parsedInfo, []);
}

/** The complete ds:Signature for one target: digest of the element as it stands, then SignedInfo signed. */
function signatureXml(plan: SignPlan, settings: SignSettings): string {
  const spec = SIGNATURE_SPECS[settings.algorithm];
  // No signature is inside the target yet, so this is the enveloped + exc-c14n transform output.
  const digestValue = crypto
    .createHash(DIGEST_SPECS[settings.digest])
    .update(canonicalize(TRANSFORM.excC14n, plan.target, []), 'utf8')
    .digest('base64');
  const signedInfo = signedInfoXml(plan.id, settings.algorithm, settings.digest, digestValue);
  const open = SIGNATURE_OPEN_TAG;
  const canonicalInfo =
    directCanonicalSignedInfo(plan.id, settings.algorithm, settings.digest, digestValue) ?? canonicalizeSignedInfo(signedInfo);
  const material = Buffer.from(canonicalInfo, 'utf8');
  const signOptions =
    spec.keyType === 'ec'
      ? { key: settings.key, dsaEncoding: 'ieee-p1363' as const }
      : { key: settings.key, padding: crypto.constants.RSA_PKCS1_PADDING };
  const value = crypto.sign(spec.hash, material, signOptions).toString('base64');
  return `${open}${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue>${settings.keyInfoXml}</ds:Signature>`;
}

/** Sign every planned element of one parsed document, splicing the signatures into its text. */
function coreSign(xml: string, plans: SignPlan[], options: SignOptions): string {
  const settings = signSettings(options);
  const spans = elementSpans(xml);
  const edits: Array<{ at: number; remove: number; text: string }> = [];
  for (const plan of plans) {
    const sig = signatureXml(plan, settings);
    const span = spans[plan.order];
    if (!span || span.qname !== plan.target.tagName) throw new Error(`could not locate ${plan.target.tagName} in the document text`);
    if (plan.issuer) {
      // Schema order puts ds:Signature right after saml:Issuer in every SAML message that has one.
      const issuerSpan = spans[plan.order + 1 + countDescendantsBefore(plan.target, plan.issuer)];
      if (!issuerSpan || issuerSpan.qname !== plan.issuer.tagName) throw new Error('could not locate saml:Issuer in the document text');
      edits.push({ at: issuerSpan.end, remove: 0, text: sig });
    } else if (span.selfClosing) {
      // <x .../> becomes <x ...>SIG</x>; the enveloped transform gives back the same empty element.
      edits.push({ at: span.openEnd - 2, remove: 2, text: `>${sig}</${span.qname}>` });
    } else {
      edits.push({ at: span.openEnd, remove: 0, text: sig });
    }
  }
  let out = xml;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.at + e.remove);
  return out;
}

/** How many elements come before `el` in document order inside `ancestor` (so `el`'s offset from it, minus one). */
function countDescendantsBefore(ancestor: Element, el: Element): number {
  let count = 0;
  let found = false;
  const walk = (n: Element): void => {
    for (let c = n.firstChild; c && !found; c = c.nextSibling) {
      if (!isElement(c)) continue;
      if (c === el) {
        found = true;
        return;
      }
      count++;
      walk(c);
    }
  };
  walk(ancestor);
  if (!found) throw new Error('element is not inside its ancestor');
  return count;
}

/** The same signature made by xml-crypto's SignedXml.computeSignature, one element per call. */
function xmlCryptoSign(xml: string, plan: SignPlan, options: SignOptions): string {
  if (/['"]/.test(plan.id)) throw new Error(`cannot sign an element whose ID contains quotes: ${plan.id}`);
  const settings = signSettings(options);
  const sx = restrict(
    new SignedXml({
      privateKey: settings.key,
      signatureAlgorithm: settings.algorithm,
      canonicalizationAlgorithm: TRANSFORM.excC14n,
      getKeyInfoContent: () => (settings.keyInfoXml ? settings.keyInfoXml.replace(/^<ds:KeyInfo>|<\/ds:KeyInfo>$/g, '') : null),
    }),
  );
  // Positional XPath to the element resolved by ID: a //*[@ID=...] search scans the whole document.
  const target = positionalPath(plan.target);
  sx.addReference({ xpath: target, transforms: [TRANSFORM.envelopedSignature, TRANSFORM.excC14n], digestAlgorithm: settings.digest });
  const location = plan.issuer
    ? { reference: positionalPath(plan.issuer), action: 'after' as const }
    : { reference: target, action: 'prepend' as const };
  sx.computeSignature(xml, { prefix: 'ds', location });
  const uris = sx.getReferences().map((r) => r.uri);
  if (uris.length !== 1 || uris[0] !== plan.id) throw new Error(`signature references ${uris.join(', ')}, expected ${plan.id}`);
  return sx.getSignedXml();
}

/** '/*[1]/*[3]'-style path of element children from the root. */
function positionalPath(el: Element): string {
  const steps: string[] = [];
  for (let n: Element = el; ; ) {
    const parent = n.parentNode;
    if (!isElement(parent)) break;
    steps.unshift(`*[${children(parent).indexOf(n) + 1}]`);
    n = parent;
  }
  return '/*' + steps.map((s) => `/${s}`).join('');
}

function signIds(xml: string, doc: Document, ids: string[], options: SignOptions): string {
  if (options.engine !== 'xml-crypto') return coreSign(xml, planSignatures(doc, ids), options);
  let out = xml;
  let outDoc = doc;
  for (const [i, id] of ids.entries()) {
    if (i > 0) outDoc = parseXml(out);
    out = xmlCryptoSign(out, planSignatures(outDoc, [id])[0], options);
  }
  return out;
}

/** Sign the element with this ID attribute value (enveloped, exc-c14n), Signature placed right after its saml:Issuer (or first child if no Issuer). Returns the whole document. */
export function signElementById(xml: string, id: string, options: SignOptions): string {
  return signIds(xml, parseXml(xml), [id], options);
}

/** Sign the root element (Response, AuthnRequest, LogoutRequest, ...). */
export function signRoot(xml: string, options: SignOptions): string {
  const doc = parseXml(xml);
  const id = doc.documentElement!.getAttribute('ID');
  if (!id) throw new Error(`root element ${doc.documentElement!.localName} has no ID attribute to sign`);
  return signIds(xml, doc, [id], options);
}

/** Sign every saml:Assertion child of the root Response (first one only if `first`). */
export function signAssertions(xml: string, options: SignOptions & { first?: boolean }): string {
  const doc = parseXml(xml);
  let ids = children(doc.documentElement!, NS.saml, 'Assertion').map((a) => a.getAttribute('ID') ?? '');
  if (ids.length === 0) throw new Error('no saml:Assertion child of the root to sign');
  if (ids.some((id) => !id)) throw new Error('a saml:Assertion has no ID attribute');
  if (options.first) ids = ids.slice(0, 1);
  return signIds(xml, doc, ids, options);
}

// ---------------------------------------------------------------- verification

/** Element children by local name in any namespace: xml-crypto looks elements up that way. */
function namedDescendants(root: Element, localName: string): Element[] {
  const out: Element[] = [];
  const walk = (el: Element) => {
    for (let n = el.firstChild; n; n = n.nextSibling) {
      if (!isElement(n)) continue;
      if (n.localName === localName) out.push(n);
      walk(n);
    }
  };
  walk(root);
  return out;
}

function isDs(el: Element, localName: string): boolean {
  return el.namespaceURI === NS.ds && el.localName === localName;
}

/** Only text (and CDATA) may carry a value; a comment or element inside one is an attack (CVE-2025-29775 family). */
function plainTextProblem(el: Element): string | undefined {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 8) return `${el.localName} contains a comment`;
    if (n.nodeType !== 3 && n.nodeType !== 4) return `${el.localName} contains a child element or other node`;
  }
  return undefined;
}

interface ParsedSignature {
  signatureAlgorithm: string;
  digestAlgorithm: string;
  referenceUri: string;
}

/** Structural checks on one ds:Signature; returns the reason it is refused, or what it claims. */
function inspectSignature(sig: Element, parentId: string): { problem: string; partial: Partial<ParsedSignature> } | ParsedSignature {
  const partial: Partial<ParsedSignature> = {};
  const fail = (problem: string) => ({ problem, partial });

  // Exactly one of each part anywhere inside the Signature, so that no lookup can pick a decoy.
  for (const name of ['SignedInfo', 'SignatureValue', 'CanonicalizationMethod', 'SignatureMethod', 'Reference', 'DigestMethod', 'DigestValue']) {
    const count = namedDescendants(sig, name).length;
    if (count !== 1) return fail(`ds:Signature must contain exactly one ${name}, found ${count}`);
  }
  const parts = children(sig);
  const expected = ['SignedInfo', 'SignatureValue', 'KeyInfo'];
  if (parts.length < 2 || parts.length > 3 || parts.some((p, i) => !isDs(p, expected[i]))) {
    return fail(`ds:Signature children must be SignedInfo, SignatureValue and optionally KeyInfo; found ${parts.map((p) => p.tagName).join(', ')}`);
  }
  const [signedInfo, signatureValue] = parts;
  const svProblem = plainTextProblem(signatureValue);
  if (svProblem) return fail(svProblem);

  const infoParts = children(signedInfo);
  const infoExpected = ['CanonicalizationMethod', 'SignatureMethod', 'Reference'];
  if (infoParts.length !== 3 || infoParts.some((p, i) => !isDs(p, infoExpected[i]))) {
    return fail(`ds:SignedInfo children must be CanonicalizationMethod, SignatureMethod, one Reference; found ${infoParts.map((p) => p.tagName).join(', ')}`);
  }
  const [c14nMethod, sigMethod, reference] = infoParts;
  const c14n = c14nMethod.getAttribute('Algorithm') ?? '';
  if (!SIGNED_INFO_C14N.has(c14n)) {
    return fail(/WithComments/i.test(c14n) ? `SignedInfo canonicalization with comments is refused: ${c14n}` : `unsupported SignedInfo canonicalization ${c14n || '(none)'}`);
  }
  for (const inc of children(c14nMethod)) {
    if (inc.localName !== 'InclusiveNamespaces' || inc.namespaceURI !== TRANSFORM.excC14n) return fail(`unexpected ${inc.tagName} in CanonicalizationMethod`);
  }
  const signatureAlgorithm = sigMethod.getAttribute('Algorithm') ?? '';
  partial.signatureAlgorithm = signatureAlgorithm;
  if (/hmac/i.test(signatureAlgorithm)) return fail(`HMAC signature method refused: ${signatureAlgorithm}`);
  if (!SIGNATURE_SPECS[signatureAlgorithm]) return fail(`unsupported signature method ${signatureAlgorithm || '(none)'}`);
  if (children(sigMethod).length > 0) return fail('SignatureMethod must be empty (no HMACOutputLength or other parameters)');

  if (!reference.hasAttribute('URI')) return fail('Reference has no URI: the whole document would be signed, not the enveloping element');
  const uri = reference.getAttribute('URI') ?? '';
  partial.referenceUri = uri.startsWith('#') ? uri.slice(1) : uri;
  if (uri !== `#${parentId}`) {
    return fail(`Reference URI "${uri}" does not point at the element holding the signature (ID "${parentId}")`);
  }
  const refParts = children(reference);
  const withTransforms = refParts.length === 3;
  const refExpected = withTransforms ? ['Transforms', 'DigestMethod', 'DigestValue'] : ['DigestMethod', 'DigestValue'];
  if (refParts.length !== refExpected.length || refParts.some((p, i) => !isDs(p, refExpected[i]))) {
    return fail(`ds:Reference children must be Transforms, DigestMethod, DigestValue; found ${refParts.map((p) => p.tagName).join(', ')}`);
  }
  if (withTransforms) {
    const transforms = children(refParts[0]);
    if (transforms.length === 0 || transforms.length > MAX_TRANSFORMS) return fail(`Reference has ${transforms.length} transforms, allowed 1 to ${MAX_TRANSFORMS}`);
    const seen = new Set<string>();
    for (const t of transforms) {
      if (!isDs(t, 'Transform')) return fail(`unexpected ${t.tagName} in Transforms`);
      const alg = t.getAttribute('Algorithm') ?? '';
      if (!REFERENCE_TRANSFORMS.has(alg)) {
        if (/WithComments/i.test(alg)) return fail(`transform with comments refused: ${alg}`);
        if (/xslt|xpath|xpointer/i.test(alg)) return fail(`XSLT/XPath transform refused: ${alg}`);
        return fail(`transform not allowed: ${alg || '(none)'}`);
      }
      if (seen.has(alg)) return fail(`transform repeated: ${alg}`);
      // The other order would canonicalize first and re-parse: not what SAML signers produce.
      if (alg === TRANSFORM.envelopedSignature && seen.size > 0) return fail('the enveloped-signature transform must come first');
      seen.add(alg);
      for (const inner of children(t)) {
        if (alg !== TRANSFORM.excC14n || inner.localName !== 'InclusiveNamespaces' || inner.namespaceURI !== TRANSFORM.excC14n) {
          return fail(`unexpected ${inner.tagName} inside Transform ${alg}`);
        }
      }
    }
  }
  const digestMethod = refParts[refParts.length - 2];
  const digestAlgorithm = digestMethod.getAttribute('Algorithm') ?? '';
  partial.digestAlgorithm = digestAlgorithm;
  if (!DIGEST_SPECS[digestAlgorithm]) return fail(`unsupported digest method ${digestAlgorithm || '(none)'}`);
  const dvProblem = plainTextProblem(refParts[refParts.length - 1]);
  if (dvProblem) return fail(dvProblem);
  return { signatureAlgorithm, digestAlgorithm, referenceUri: partial.referenceUri };
}

function insideSignature(el: Element): boolean {
  for (let n: Node | null = el; n && isElement(n); n = n.parentNode) {
    if (n.namespaceURI === NS.ds) return true;
  }
  return false;
}

interface TrustedKey {
  pem: string;
  key: crypto.KeyObject;
}

export interface VerifyOptions {
  /**
   * 'core' (default): xml-crypto's canonicalizers and Node's crypto on the DOM we already parsed,
   * about four times faster. 'xml-crypto': SignedXml.checkSignature with the certificate pinned
   * (publicCert, getCertFromKeyInfo returning null); its false and its throw both mean invalid.
   * Both accept and refuse the same documents; tests hold them to that.
   */
  engine?: SignatureEngine;
}

interface CryptoOutcome {
  /** Set when invalid. */
  reason?: string;
  signedXml?: string;
  certificate?: string;
}

/** XML-DSig core validation for one signature whose structure inspectSignature accepted. */
function coreVerify(sig: Element, parent: Element, candidates: TrustedKey[]): CryptoOutcome {
  const [signedInfo, signatureValueEl] = children(sig);
  const [c14nMethod, sigMethod, reference] = children(signedInfo);
  const spec = SIGNATURE_SPECS[sigMethod.getAttribute('Algorithm')!];
  const signedInfoCanon = Buffer.from(canonicalize(c14nMethod.getAttribute('Algorithm')!, signedInfo, prefixList(c14nMethod)));
  const signatureValue = Buffer.from((signatureValueEl.textContent ?? '').replace(/\s+/g, ''), 'base64');
  const options = (key: crypto.KeyObject) =>
    spec.keyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' as const } : { key, padding: crypto.constants.RSA_PKCS1_PADDING };
  // The SignedInfo signature first: nothing the signer did not vouch for is processed further.
  const signer = candidates.find((c) => {
    try {
      return crypto.verify(spec.hash, signedInfoCanon, options(c.key), signatureValue);
    } catch {
      return false;
    }
  });
  if (!signer) return { reason: 'signature value does not verify with any trusted certificate' };

  const refParts = children(reference);
  const transforms = refParts.length === 3 ? children(refParts[0]) : [];
  const enveloped = transforms.some((t) => t.getAttribute('Algorithm') === TRANSFORM.envelopedSignature);
  const excTransform = transforms.find((t) => t.getAttribute('Algorithm') === TRANSFORM.excC14n);
  // Without an exc-c14n transform the node-set becomes octets by inclusive c14n (xmldsig-core 4.4.3.2).
  const signedXml = canonicalize(
    excTransform ? TRANSFORM.excC14n : TRANSFORM.c14n,
    parent,
    excTransform ? prefixList(excTransform) : [],
    enveloped ? sig : undefined,
  );
  const digestAlgorithm = refParts[refParts.length - 2].getAttribute('Algorithm')!;
  const digest = crypto.createHash(DIGEST_SPECS[digestAlgorithm]).update(signedXml, 'utf8').digest();
  const expected = Buffer.from((refParts[refParts.length - 1].textContent ?? '').replace(/\s+/g, ''), 'base64');
  if (digest.length !== expected.length || !crypto.timingSafeEqual(digest, expected)) {
    return { reason: `digest mismatch: the signed content was altered (computed ${digest.toString('base64')})` };
  }
  return { signedXml, certificate: signer.pem };
}

/** The same question answered by SignedXml.checkSignature, one pinned certificate at a time. */
function xmlCryptoVerify(xml: string, sig: Element, candidates: TrustedKey[]): CryptoOutcome {
  for (const candidate of candidates) {
    // getCertFromKeyInfo returning null pins the key: KeyInfo never chooses it.
    const sx = restrict(new SignedXml({ publicCert: candidate.key, getCertFromKeyInfo: () => null }));
    // SAML's ID only. Uniqueness across ID/Id/id was checked before; each name xml-crypto tries
    // costs a whole-document XPath scan.
    sx.idAttributes = ['ID'];
    let ok: boolean;
    try {
      sx.loadSignature(sig as unknown as globalThis.Node);
      ok = sx.checkSignature(xml);
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      // A wrong SignatureValue throws; another key may still match. Anything else is final.
      if (/signature value [\s\S]* is incorrect/.test(message)) continue;
      return { reason: `xml-crypto refused the signature: ${message}` };
    }
    if (!ok) {
      // The digest does not depend on the key, so no other certificate can help.
      const refError = sx.getReferences()[0]?.validationError?.message;
      return { reason: refError ? `digest mismatch: the signed content was altered (${refError})` : 'reference validation failed' };
    }
    const signed = sx.getSignedReferences();
    if (signed.length !== 1) return { reason: `expected one signed reference, xml-crypto reported ${signed.length}` };
    return { signedXml: signed[0], certificate: candidate.pem };
  }
  return { reason: 'signature value does not verify with any trusted certificate' };
}

function checkOne(xml: string, sig: Element, idCounts: Map<string, number>, trusted: TrustedKey[], engine: SignatureEngine): SignatureCheck {
  const parent = sig.parentNode;
  if (!isElement(parent)) {
    return { valid: false, parentName: '#document', reason: 'ds:Signature is the document root; it signs nothing enveloping it' };
  }
  const check: SignatureCheck = { valid: false, parentName: parent.localName ?? parent.tagName };
  const parentId = parent.getAttribute('ID') || undefined;
  if (parentId) check.parentId = parentId;
  const refuse = (reason: string, partial: Partial<ParsedSignature> = {}): SignatureCheck => ({ ...check, ...partial, valid: false, reason });

  if (insideSignature(parent)) return refuse('ds:Signature is nested inside another XML-DSig element (e.g. ds:Object); it signs no SAML element');
  if (!parentId) return refuse(`ds:Signature sits in ${parent.tagName}, which has no ID attribute; a SAML signature must be a direct child of the element it signs`);

  const inspected = inspectSignature(sig, parentId);
  if ('problem' in inspected) return refuse(inspected.problem, inspected.partial);
  Object.assign(check, inspected);

  const idCount = idCounts.get(parentId) ?? 0;
  if (idCount !== 1) return refuse(`ID "${parentId}" occurs ${idCount} times in the document (signature wrapping)`);

  if (trusted.length === 0) return refuse('no usable trusted certificate was given');
  const wantType = SIGNATURE_SPECS[inspected.signatureAlgorithm].keyType;
  const candidates = trusted.filter((t) => t.key.asymmetricKeyType === wantType);
  if (candidates.length === 0) return refuse(`signature method ${inspected.signatureAlgorithm} needs an ${wantType.toUpperCase()} key; no trusted certificate has one`);

  let outcome: CryptoOutcome;
  try {
    outcome = engine === 'xml-crypto' ? xmlCryptoVerify(xml, sig, candidates) : coreVerify(sig, parent, candidates);
  } catch (err) {
    return refuse(`signature could not be processed: ${(err as Error).message}`);
  }
  if (outcome.reason !== undefined || outcome.signedXml === undefined) return refuse(outcome.reason ?? 'no signed content');

  const result: SignatureCheck = { ...check, valid: true, signedXml: outcome.signedXml, certificate: outcome.certificate };
  if (engine === 'core') {
    // The canonical text was produced from `parent` itself, so it is that element by construction.
    return withSignedElement(result, outcome.signedXml);
  }
  let signedElement: Element;
  try {
    signedElement = parseSigned(outcome.signedXml);
  } catch (err) {
    return refuse(`signed content does not parse: ${(err as Error).message}`);
  }
  // What xml-crypto resolved must be the element that holds the signature, nothing else.
  if (
    signedElement.localName !== parent.localName ||
    signedElement.namespaceURI !== parent.namespaceURI ||
    signedElement.getAttribute('ID') !== parentId
  ) {
    return refuse(`signed content is ${signedElement.tagName} ID="${signedElement.getAttribute('ID')}", not the enveloping ${parent.tagName}`);
  }
  return withSignedElement(result, outcome.signedXml, signedElement);
}

/** Canonical form may be larger than the document it came from (expanded empty tags, namespaces). */
function parseSigned(signedXml: string): Element {
  return parseXml(signedXml, { maxBytes: 4 * DEFAULT_MAX_XML_BYTES }).documentElement!;
}

/**
 * signedElement is parsed on first use and is not enumerable: a DOM node has cycles, so a check
 * must stay JSON-serializable for evidence records. Spreading a check drops it; read it directly.
 */
function withSignedElement(check: SignatureCheck, signedXml: string, parsed?: Element): SignatureCheck {
  let element = parsed;
  Object.defineProperty(check, 'signedElement', {
    enumerable: false,
    configurable: true,
    get: () => (element ??= parseSigned(signedXml)),
  });
  return check;
}

/**
 * Checks for the signatures of a parsed document (those held by the element with ID `wantId`
 * only, when given). `xml` is the text it was parsed from, which only the xml-crypto engine reads.
 */
function verifyMatching(doc: Document, xml: string | undefined, trustedCertsPem: string[], wantId: string | undefined, options: VerifyOptions): SignatureCheck[] {
  const root = doc.documentElement;
  if (!root) throw new XmlSafetyError('malformed', 'document has no root element');
  const signatures = isDs(root, 'Signature') ? [root] : [];
  const walk = (el: Element) => {
    for (let n = el.firstChild; n; n = n.nextSibling) {
      if (!isElement(n)) continue;
      if (isDs(n, 'Signature')) signatures.push(n);
      walk(n);
    }
  };
  walk(root);
  const selected =
    wantId === undefined
      ? signatures
      : signatures.filter((s) => isElement(s.parentNode) && (s.parentNode as Element).getAttribute('ID') === wantId);
  if (selected.length === 0) return [];
  const refuseAll = (reason: string): SignatureCheck[] =>
    selected.map((s) => ({ valid: false, parentName: (s.parentNode as Element | null)?.localName ?? '#document', reason }));
  if (children(doc).length !== 1) return refuseAll('document does not have exactly one root element');
  // Honest SAML messages carry one or two; thousands of them would only be there to cost us time.
  if (signatures.length > MAX_SIGNATURES) return refuseAll(`document holds ${signatures.length} signatures, more than ${MAX_SIGNATURES}`);
  const idCounts = countIdAttributes(doc);
  const trusted: TrustedKey[] = [];
  for (const pem of trustedCertsPem) {
    const key = certificateKeyOf(pem);
    if (key) trusted.push({ pem, key });
  }
  const engine = options.engine ?? 'core';
  if (engine === 'xml-crypto' && xml === undefined) throw new TypeError('the xml-crypto engine parses the text itself: verify with verifySignatures(xml, ...)');
  return selected.map((s) => checkOne(xml ?? '', s, idCounts, trusted, engine));
}

/** Verify every ds:Signature in the document against the pinned certificates only (KeyInfo is never trusted). Never throws for bad signatures: a check with valid=false instead. Throws XmlSafetyError for unparseable input. */
export function verifySignatures(xml: string, trustedCertsPem: string[], options: VerifyOptions = {}): SignatureCheck[] {
  return verifyMatching(parseXml(xml), xml, trustedCertsPem, undefined, options);
}

/**
 * verifySignatures for a document the caller already parsed, so a message is parsed once. `doc`
 * must come from parseXml (the safe parser) and is left as it was (the core engine detaches each
 * signature while it canonicalizes, synchronously, and puts it back). Same checks, same answers;
 * signedElement is still parsed from the canonical signed text, never taken from `doc`.
 * Core engine only: xml-crypto parses text itself, and a serialized DOM is not always the text it
 * came from (a character reference &#13; in content comes back as a bare CR, which a parser turns
 * into LF), so asking for it here throws a TypeError; use verifySignatures for that engine.
 */
export function verifyDocumentSignatures(doc: Document, trustedCertsPem: string[], options: VerifyOptions = {}): SignatureCheck[] {
  return verifyMatching(doc, undefined, trustedCertsPem, undefined, options);
}

/** Convenience: the check for the signature enveloped in the element with this ID (or undefined). Two signatures in one element give an invalid check. */
export function verifyElementSignature(xml: string, id: string, trustedCertsPem: string[], options: VerifyOptions = {}): SignatureCheck | undefined {
  const checks = verifyMatching(parseXml(xml), xml, trustedCertsPem, id, options);
  if (checks.length <= 1) return checks[0];
  return { valid: false, parentName: checks[0].parentName, parentId: id, reason: `element with ID "${id}" holds ${checks.length} signatures` };
}
