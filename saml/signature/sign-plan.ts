// What both signing engines share: which element each ID names (refusing anything ambiguous), the
// key and algorithms, and the ds:SignedInfo we write with its canonical form.
import type * as crypto from 'node:crypto';
import { DIGEST_ALGORITHM, NS, SIGNATURE_ALGORITHM, TRANSFORM, type SignatureAlgorithmName } from '../constants.ts';
import { certToBase64 } from '../keys.ts';
import { child, children, escapeXml, parseXml, type Document, type Element } from '../xml.ts';
import { DEFAULT_DIGEST, SIGNATURE_SPECS, privateKeyOf } from './algorithms.ts';
import { canonicalize, countIdAttributes, isElement } from './c14n.ts';
import type { SignOptions } from './types.ts';

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

export interface SignPlan {
  id: string;
  target: Element;
  /** Index of the target in document order among all elements. */
  order: number;
  issuer?: Element;
}

/** Resolve each ID to exactly one element; refuse anything ambiguous. */
export function planSignatures(doc: Document, ids: string[]): SignPlan[] {
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

export interface SignSettings {
  key: crypto.KeyObject;
  algorithm: string;
  digest: string;
  keyInfoXml: string;
}

export function signSettings(options: SignOptions): SignSettings {
  const key = privateKeyOf(options.privateKeyPem);
  const { algorithm, digest } = resolveSignAlgorithm(options, key);
  const certBase64 = options.certPem ? certToBase64(options.certPem) : undefined;
  const includeKeyInfo = options.includeKeyInfo ?? certBase64 !== undefined;
  if (includeKeyInfo && !certBase64) throw new Error('includeKeyInfo needs certPem');
  const keyInfoXml = includeKeyInfo ? `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` : '';
  return { key, algorithm, digest, keyInfoXml };
}

export const SIGNATURE_OPEN_TAG = `<ds:Signature xmlns:ds="${NS.ds}">`;

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

