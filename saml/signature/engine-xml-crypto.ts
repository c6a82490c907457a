// The other engine: xml-crypto's SignedXml (computeSignature / checkSignature) with our algorithm
// tables only and the certificate pinned. Slower; kept as an independent second opinion.
import * as crypto from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { TRANSFORM } from '../constants.ts';
import { children, type Element } from '../xml.ts';
import { DIGEST_SPECS, SIGNATURE_SPECS, type AlgorithmSpec } from './algorithms.ts';
import { isElement } from './c14n.ts';
import { signSettings, type SignPlan } from './sign-plan.ts';
import type { CryptoOutcome, SignOptions, TrustedKey } from './types.ts';

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

/** The same signature made by xml-crypto's SignedXml.computeSignature, one element per call. */
export function xmlCryptoSign(xml: string, plan: SignPlan, options: SignOptions): string {
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

/** The same question answered by SignedXml.checkSignature, one pinned certificate at a time. */
export function xmlCryptoVerify(xml: string, sig: Element, candidates: TrustedKey[]): CryptoOutcome {
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
