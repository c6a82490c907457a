// HTTP-Redirect binding (SAML Bindings 3.4): DEFLATE + base64 + URL-encoding in a query string,
// with the signature detached into SigAlg/Signature parameters (3.4.4.1).
//
// Verification works on the query string exactly as received. Encoders disagree on %xx case and
// on which characters to escape ('~', '!', '*', space as '+' or %20), so re-encoding decoded
// values would reject honest peers and, worse, check bytes the sender never signed.
import { X509Certificate, createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SIGNATURE_ALGORITHM } from '../constants.ts';
import type { SignatureAlgorithmName } from '../constants.ts';
import { XmlSafetyError, parseXml } from '../xml.ts';
import type { Document, Element } from '../xml.ts';
import {
  appendQuery,
  decodeBase64Strict,
  decodeUtf8Strict,
  formDecode,
  formEncode,
  parseRawQuery,
  pickUniqueParams,
} from './encoding.ts';

export type MessageParam = 'SAMLRequest' | 'SAMLResponse';

export interface RedirectEncodeOptions {
  endpoint: string;
  param: MessageParam;
  xml: string;
  relayState?: string;
  sign?: { privateKeyPem: string; algorithm?: SignatureAlgorithmName };
  /** Attack mutation: put this text in SigAlg instead of the algorithm's URI (the signature is still made with the real algorithm). Without `sign`, adds a SigAlg with no Signature. */
  sigAlgOverride?: string;
}

export interface RedirectMessage {
  param: MessageParam;
  xml: string;
  relayState?: string;
  sigAlg?: string;
  signature?: string;
  /** Exact octets the signature covers, rebuilt from the raw query substrings. */
  signedOctets?: string;
}

export interface RedirectLimits {
  /** Largest inflated message accepted. Default 1 MiB. */
  maxInflatedBytes?: number;
  /** Largest inflated/deflated ratio accepted once the output passes RATIO_FLOOR_BYTES. Default 100. */
  maxRatio?: number;
  /** Largest message parameter, as received (still URL-encoded), checked before any decoding. Default 256 KiB. */
  maxEncodedBytes?: number;
}

export interface RedirectSignatureCheck {
  valid: boolean;
  /** The SigAlg URI as received. */
  algorithm?: string;
  /** Why it failed, in words; undefined when valid. */
  reason?: string;
  /** PEM of the pinned certificate that verified it. */
  certificate?: string;
  /** For ECDSA: which signature value format verified (see verifyRedirectSignature). */
  ecdsaEncoding?: 'ieee-p1363' | 'der';
}

export const DEFLATE_ENCODING = 'urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE';

export const DEFAULT_REDIRECT_LIMITS: Required<RedirectLimits> = {
  maxInflatedBytes: 1024 * 1024,
  maxRatio: 100,
  maxEncodedBytes: 256 * 1024,
};

/**
 * Honest small messages can compress far better than 100:1 only when they are tiny, so the ratio
 * rule only starts to bite once the output would exceed this many bytes.
 */
export const RATIO_FLOOR_BYTES = 64 * 1024;

/** Room for RelayState, SigAlg, Signature and an endpoint's own parameters next to the message. */
const QUERY_OVERHEAD_BYTES = 64 * 1024;

const MESSAGE_PARAMS: readonly MessageParam[] = ['SAMLRequest', 'SAMLResponse'];
const KNOWN_PARAMS = [...MESSAGE_PARAMS, 'RelayState', 'SigAlg', 'Signature', 'SAMLEncoding'] as const;

interface AlgorithmSpec {
  hash: 'sha1' | 'sha256' | 'sha512';
  keyType: 'rsa' | 'ec';
}

const ALGORITHMS: Record<SignatureAlgorithmName, AlgorithmSpec> = {
  'rsa-sha1': { hash: 'sha1', keyType: 'rsa' },
  'rsa-sha256': { hash: 'sha256', keyType: 'rsa' },
  'rsa-sha512': { hash: 'sha512', keyType: 'rsa' },
  'ecdsa-sha256': { hash: 'sha256', keyType: 'ec' },
};

function algorithmByUri(uri: string): { name: SignatureAlgorithmName; spec: AlgorithmSpec } | undefined {
  for (const [name, value] of Object.entries(SIGNATURE_ALGORITHM) as [SignatureAlgorithmName, string][]) {
    if (value === uri) return { name, spec: ALGORITHMS[name] };
  }
  return undefined;
}

/** Raw DEFLATE (RFC 1951, no zlib header or checksum), as Bindings 3.4.4.1 requires. */
export function deflateRaw(s: string): Buffer {
  return deflateRawSync(Buffer.from(s, 'utf8'), { level: 9 });
}

/**
 * Inflate raw DEFLATE, stopping as soon as the output passes maxBytes: zlib's maxOutputLength
 * aborts mid-stream, so a bomb costs at most maxBytes of memory and the time to produce them.
 * Throws XmlSafetyError 'inflate-bomb' past the bound, 'encoding' for corrupt data or bad UTF-8.
 */
export function inflateRawBounded(b: Buffer, maxBytes: number): string {
  let out: Buffer;
  try {
    out = inflateRawSync(b, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new XmlSafetyError('inflate-bomb', `inflated message exceeds ${maxBytes} bytes`);
    }
    throw new XmlSafetyError('encoding', `message is not valid raw DEFLATE data (${e.message})`);
  }
  return decodeUtf8Strict(out, 'inflated message');
}

// Parsing a PEM costs about as much as the RSA operation itself, and a deployment signs and
// verifies with a handful of keys. Bounded so that a stream of distinct PEMs cannot grow memory.
const KEY_CACHE_LIMIT = 256;
const privateKeys = new Map<string, KeyObject>();
const pinnedKeys = new Map<string, KeyObject | undefined>();

function cachedByPem<T>(cache: Map<string, T>, pem: string, make: () => T): T {
  if (cache.has(pem)) return cache.get(pem) as T;
  const value = make();
  if (cache.size >= KEY_CACHE_LIMIT) cache.clear();
  cache.set(pem, value);
  return value;
}

/** createPrivateKey, once per PEM. A PEM that does not parse throws every time (not cached). */
function privateKeyOf(privateKeyPem: string): KeyObject {
  if (typeof privateKeyPem !== 'string') return createPrivateKey(privateKeyPem);
  return cachedByPem(privateKeys, privateKeyPem, () => createPrivateKey(privateKeyPem));
}

function detectKeyType(key: KeyObject): 'rsa' | 'ec' | undefined {
  const t = key.asymmetricKeyType;
  return t === 'rsa' ? 'rsa' : t === 'ec' ? 'ec' : undefined;
}

/**
 * Sign the octets with the algorithm. ECDSA values use the raw r||s concatenation (IEEE P1363)
 * that XML-DSig prescribes for ecdsa-sha256; Bindings 3.4.4.1 only points at the SigAlg URI, and
 * we take that URI's XML-DSig definition, value format included.
 */
function signOctets(octets: string, privateKeyPem: string, algorithm: SignatureAlgorithmName): string {
  const key = privateKeyOf(privateKeyPem);
  const spec = ALGORITHMS[algorithm];
  if (detectKeyType(key) !== spec.keyType) {
    throw new Error(`cannot sign with ${algorithm} using a ${key.asymmetricKeyType} key`);
  }
  const data = Buffer.from(octets, 'utf8');
  const sig =
    spec.keyType === 'ec'
      ? cryptoSign(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' })
      : cryptoSign(spec.hash, data, key);
  return sig.toString('base64');
}

function defaultAlgorithm(privateKeyPem: string): SignatureAlgorithmName {
  return detectKeyType(privateKeyOf(privateKeyPem)) === 'ec' ? 'ecdsa-sha256' : 'rsa-sha256';
}

/** Build the full Redirect URL: message, RelayState, then SigAlg and Signature when signing. */
export function encodeRedirect(o: RedirectEncodeOptions): string {
  const parts = [`${o.param}=${formEncode(deflateRaw(o.xml).toString('base64'))}`];
  if (o.relayState !== undefined) parts.push(`RelayState=${formEncode(o.relayState)}`);
  if (o.sign) {
    const algorithm = o.sign.algorithm ?? defaultAlgorithm(o.sign.privateKeyPem);
    parts.push(`SigAlg=${formEncode(o.sigAlgOverride ?? SIGNATURE_ALGORITHM[algorithm])}`);
    // The signed octets are exactly the parameters so far, joined as they appear in the URL.
    const signature = signOctets(parts.join('&'), o.sign.privateKeyPem, algorithm);
    parts.push(`Signature=${formEncode(signature)}`);
  } else if (o.sigAlgOverride !== undefined) {
    parts.push(`SigAlg=${formEncode(o.sigAlgOverride)}`);
  }
  return appendQuery(o.endpoint, parts.join('&'));
}

/**
 * Decode a Redirect-binding query string, raw as received (a leading '?' is ignored). Returns the
 * XML as text and does NOT parse it: callers that need the tree use decodeRedirectDocument, which
 * applies parseXml's rules (so a DOCTYPE in the message is an XmlSafetyError there, not here).
 * Throws XmlSafetyError: 'too-large' (query or message parameter over the bound, checked before
 * decoding), 'inflate-bomb', 'encoding' (missing/duplicate parameters, bad percent-encoding,
 * base64, DEFLATE or UTF-8, or an unsupported SAMLEncoding).
 */
export function decodeRedirect(rawQuery: string, limits: RedirectLimits = {}): RedirectMessage {
  const { maxInflatedBytes, maxRatio, maxEncodedBytes } = { ...DEFAULT_REDIRECT_LIMITS, ...limits };
  if (typeof rawQuery !== 'string') throw new XmlSafetyError('encoding', 'query is not a string');
  const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  if (query.length > maxEncodedBytes + QUERY_OVERHEAD_BYTES) {
    throw new XmlSafetyError('too-large', `query string is ${query.length} bytes, limit ${maxEncodedBytes + QUERY_OVERHEAD_BYTES}`);
  }
  const params = pickUniqueParams(parseRawQuery(query), KNOWN_PARAMS);
  const present = MESSAGE_PARAMS.filter((p) => params.has(p));
  if (present.length === 0) throw new XmlSafetyError('encoding', 'no SAMLRequest or SAMLResponse parameter');
  if (present.length > 1) throw new XmlSafetyError('encoding', 'both SAMLRequest and SAMLResponse present');
  const param = present[0];
  const message = params.get(param)!;
  if (message.rawValue.length > maxEncodedBytes) {
    throw new XmlSafetyError('too-large', `${param} parameter is ${message.rawValue.length} bytes, limit ${maxEncodedBytes}`);
  }

  const encoding = params.get('SAMLEncoding');
  if (encoding && formDecode(encoding.rawValue, 'SAMLEncoding') !== DEFLATE_ENCODING) {
    throw new XmlSafetyError('encoding', `unsupported SAMLEncoding ${formDecode(encoding.rawValue, 'SAMLEncoding')}`);
  }

  const deflated = decodeBase64Strict(formDecode(message.rawValue, param), param);
  const ratioBound = Math.max(RATIO_FLOOR_BYTES, deflated.length * maxRatio);
  const bound = Math.min(maxInflatedBytes, ratioBound);
  let xml: string;
  try {
    xml = inflateRawBounded(deflated, bound);
  } catch (err) {
    if (err instanceof XmlSafetyError && err.code === 'inflate-bomb' && bound < maxInflatedBytes) {
      throw new XmlSafetyError('inflate-bomb', `${deflated.length} deflated bytes inflate past ${bound} (ratio limit ${maxRatio}:1)`);
    }
    throw err;
  }

  const out: RedirectMessage = { param, xml };
  const relay = params.get('RelayState');
  if (relay) out.relayState = formDecode(relay.rawValue, 'RelayState');
  const sigAlg = params.get('SigAlg');
  if (sigAlg) {
    out.sigAlg = formDecode(sigAlg.rawValue, 'SigAlg');
    // Bindings 3.4.4.1: message, RelayState if present, SigAlg, in that order, as received.
    out.signedOctets = [message.raw, ...(relay ? [relay.raw] : []), sigAlg.raw].join('&');
  }
  const signature = params.get('Signature');
  if (signature) out.signature = formDecode(signature.rawValue, 'Signature');
  return out;
}

/** decodeRedirect, then parse the XML with parseXml (no DTD, entities, PIs; same size bound). */
export function decodeRedirectDocument(
  rawQuery: string,
  limits: RedirectLimits = {},
): RedirectMessage & { document: Document; root: Element } {
  const msg = decodeRedirect(rawQuery, limits);
  const document = parseXml(msg.xml, { maxBytes: limits.maxInflatedBytes ?? DEFAULT_REDIRECT_LIMITS.maxInflatedBytes });
  return { ...msg, document, root: document.documentElement! };
}

/** The public key of a pinned certificate (or bare public key PEM), once per PEM; undefined when unusable, remembered too. */
function loadPinned(pem: string): KeyObject | undefined {
  // Only strings are cache keys; anything else a JavaScript caller slips in is loaded as before.
  return typeof pem === 'string' ? cachedByPem(pinnedKeys, pem, () => publicKeyOf(pem)) : publicKeyOf(pem);
}

function publicKeyOf(pem: string): KeyObject | undefined {
  try {
    return new X509Certificate(pem).publicKey;
  } catch {
    try {
      return createPublicKey(pem);
    } catch {
      return undefined;
    }
  }
}

function verifyOne(spec: AlgorithmSpec, data: Buffer, key: KeyObject, sig: Buffer): 'ieee-p1363' | 'der' | 'rsa' | undefined {
  try {
    if (spec.keyType === 'rsa') return cryptoVerify(spec.hash, data, key, sig) ? 'rsa' : undefined;
    if (cryptoVerify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, sig)) return 'ieee-p1363';
    // Java-based stacks (OpenSAML and friends) emit DER here; the binding does not settle the
    // format, so accept it and say so rather than fail an otherwise sound signature.
    if (sig[0] === 0x30 && cryptoVerify(spec.hash, data, { key, dsaEncoding: 'der' }, sig)) return 'der';
  } catch {
    // A malformed signature value for this key type is simply not a match.
  }
  return undefined;
}

/**
 * Check a decoded message's detached signature against pinned certificates only. Never throws:
 * an unsigned message, an unknown SigAlg, a malformed value or no matching certificate all give
 * valid=false with the reason. ECDSA accepts r||s (what we emit) and DER, reported in ecdsaEncoding.
 */
export function verifyRedirectSignature(msg: RedirectMessage, trustedCertsPem: string[]): RedirectSignatureCheck {
  const algorithm = msg?.sigAlg;
  const fail = (reason: string): RedirectSignatureCheck => ({ valid: false, algorithm, reason });
  if (!msg || msg.signature === undefined) return fail('message is not signed (no Signature parameter)');
  if (algorithm === undefined) return fail('Signature parameter without SigAlg');
  const known = algorithmByUri(algorithm);
  if (!known) return fail(`unsupported SigAlg ${JSON.stringify(algorithm.slice(0, 200))}`);
  if (msg.signedOctets === undefined) return fail('signed octets unknown (decode the message from its raw query)');
  let sig: Buffer;
  try {
    sig = decodeBase64Strict(msg.signature, 'Signature');
  } catch (err) {
    return fail((err as Error).message);
  }
  const pinned = (trustedCertsPem ?? []).map((pem) => ({ pem, key: loadPinned(pem) }));
  const usable = pinned.filter((p) => p.key && detectKeyType(p.key) === known.spec.keyType);
  if (pinned.length === 0) return fail('no trusted certificates given');
  if (usable.length === 0) return fail(`none of the ${pinned.length} pinned certificates has a ${known.spec.keyType.toUpperCase()} key for ${known.name}`);
  const data = Buffer.from(msg.signedOctets, 'utf8');
  for (const { pem, key } of usable) {
    const how = verifyOne(known.spec, data, key!, sig);
    if (how) {
      const check: RedirectSignatureCheck = { valid: true, algorithm, certificate: pem };
      if (how !== 'rsa') check.ecdsaEncoding = how;
      return check;
    }
  }
  return fail(`signature does not verify with ${known.name} against any of the ${usable.length} pinned certificate(s)`);
}
