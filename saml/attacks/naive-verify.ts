// The signature check of a careless SP, as the wrapping attacks expect it. With `resolve: 'id-table'`
// (the default) every ds:Signature is checked against whatever element its Reference URI names,
// looked up by ID anywhere in the document through an ID table filled in document order (so the
// last element declaring an ID wins): nothing requires the signature to sit in the element it
// signs. With `resolve: 'holder'` the element holding the signature must carry the referenced ID
// and is the one checked, but no one asks whether another element carries the same ID. Nothing
// says which element the caller reads afterwards. Keys are still pinned: only the question of WHAT
// was signed is answered carelessly.
//
// Used to prove a wrapped message is well-formed (the moved signature still verifies this way)
// and by the mock SP's wrapping weaknesses. Never use it to decide trust.
import * as crypto from 'node:crypto';
import { C14nCanonicalization, ExclusiveCanonicalization } from 'xml-crypto';
import { DIGEST_ALGORITHM, NS, SIGNATURE_ALGORITHM, TRANSFORM } from '../constants.ts';
import { base64ToCertPem } from '../keys.ts';
import { type Document, type Element, type Node, attr, child, children, descendants } from '../xml.ts';

export interface NaiveSignatureCheck {
  valid: boolean;
  reason?: string;
  /** The Reference URI without '#'. */
  referenceId?: string;
  /** The element the ID lookup picked (in the checked document). */
  referenced?: Element;
  /** The element that holds the ds:Signature. */
  holder?: Element;
}

const HASHES: Record<string, string> = {
  [DIGEST_ALGORITHM.sha1]: 'sha1',
  [DIGEST_ALGORITHM.sha256]: 'sha256',
  [DIGEST_ALGORITHM.sha512]: 'sha512',
};
const RSA_HASHES: Record<string, string> = {
  [SIGNATURE_ALGORITHM['rsa-sha1']]: 'sha1',
  [SIGNATURE_ALGORITHM['rsa-sha256']]: 'sha256',
  [SIGNATURE_ALGORITHM['rsa-sha512']]: 'sha512',
};

function isElement(n: Node | null | undefined): n is Element {
  return !!n && n.nodeType === 1;
}

/** ID -> element, filled in document order: a later declaration of the same ID replaces an earlier one. */
function idTable(root: Element): Map<string, Element> {
  const table = new Map<string, Element>();
  const walk = (el: Element) => {
    const id = el.getAttribute('ID');
    if (id) table.set(id, el);
    for (let n = el.firstChild; n; n = n.nextSibling) if (isElement(n)) walk(n);
  };
  walk(root);
  return table;
}

function isAncestor(ancestor: Node, node: Node): boolean {
  for (let n: Node | null = node.parentNode; n; n = n.parentNode) if (n === ancestor) return true;
  return false;
}

function ancestorNamespaces(el: Element): Array<{ prefix: string; namespaceURI: string }> {
  const seen = new Set<string>();
  const out: Array<{ prefix: string; namespaceURI: string }> = [];
  for (let n = el.parentNode; isElement(n); n = n.parentNode) {
    for (let i = 0; i < n.attributes.length; i++) {
      const a = n.attributes.item(i)!;
      if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) continue;
      const prefix = a.name === 'xmlns' ? '' : a.name.slice(6);
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      out.push({ prefix, namespaceURI: a.value });
    }
  }
  return out;
}

function canonical(algorithm: string, el: Element): string {
  const c14n = algorithm === TRANSFORM.c14n ? new C14nCanonicalization() : new ExclusiveCanonicalization();
  return c14n
    .process(el as unknown as globalThis.Element, { ancestorNamespaces: ancestorNamespaces(el), inclusiveNamespacesPrefixList: [], defaultNsForPrefix: { ds: NS.ds } })
    .toString();
}

function trustedKeys(certsPem: string[]): crypto.KeyObject[] {
  const out: crypto.KeyObject[] = [];
  for (const pem of certsPem) {
    try {
      out.push(new crypto.X509Certificate(pem.includes('-----BEGIN') ? pem : base64ToCertPem(pem)).publicKey);
    } catch {
      // not a certificate: a careless SP would not trust it either
    }
  }
  return out;
}

export interface NaiveVerifyOptions {
  /** How the Reference URI finds the signed element (see the top of this file). Default 'id-table'. */
  resolve?: 'id-table' | 'holder';
}

function checkOne(sig: Element, ids: Map<string, Element>, keys: crypto.KeyObject[], resolve: 'id-table' | 'holder'): NaiveSignatureCheck {
  const holder = isElement(sig.parentNode) ? sig.parentNode : undefined;
  const out: NaiveSignatureCheck = { valid: false, ...(holder ? { holder } : {}) };
  const signedInfo = child(sig, NS.ds, 'SignedInfo');
  const reference = signedInfo && child(signedInfo, NS.ds, 'Reference');
  const uri = attr(reference, 'URI');
  if (!signedInfo || !reference || !uri?.startsWith('#')) return { ...out, reason: 'no same-document Reference' };
  out.referenceId = uri.slice(1);
  const referenced = resolve === 'holder' ? (holder?.getAttribute('ID') === out.referenceId ? holder : undefined) : ids.get(out.referenceId);
  if (!referenced) return { ...out, reason: `no element with ID "${out.referenceId}"` };
  out.referenced = referenced;

  const transforms = children(child(reference, NS.ds, 'Transforms') ?? reference, NS.ds, 'Transform').map((t) => attr(t, 'Algorithm'));
  const c14n = transforms.includes(TRANSFORM.c14n) && !transforms.includes(TRANSFORM.excC14n) ? TRANSFORM.c14n : TRANSFORM.excC14n;
  // The enveloped transform drops the signature only where it is inside what it signs.
  const drop = transforms.includes(TRANSFORM.envelopedSignature) && isAncestor(referenced, sig);
  const next = sig.nextSibling;
  const parent = sig.parentNode!;
  if (drop) parent.removeChild(sig);
  let digestInput: string;
  try {
    digestInput = canonical(c14n, referenced);
  } finally {
    if (drop) parent.insertBefore(sig, next);
  }
  const hash = HASHES[attr(child(reference, NS.ds, 'DigestMethod'), 'Algorithm') ?? ''];
  if (!hash) return { ...out, reason: 'unsupported digest' };
  const digest = crypto.createHash(hash).update(digestInput, 'utf8').digest('base64');
  const expected = (child(reference, NS.ds, 'DigestValue')?.textContent ?? '').replace(/\s+/g, '');
  if (digest !== expected) return { ...out, reason: `digest mismatch on the element with ID "${out.referenceId}"` };

  const sigHash = RSA_HASHES[attr(child(signedInfo, NS.ds, 'SignatureMethod'), 'Algorithm') ?? ''];
  if (!sigHash) return { ...out, reason: 'unsupported signature method' };
  const material = Buffer.from(canonical(attr(child(signedInfo, NS.ds, 'CanonicalizationMethod'), 'Algorithm') ?? TRANSFORM.excC14n, signedInfo), 'utf8');
  const value = Buffer.from((child(sig, NS.ds, 'SignatureValue')?.textContent ?? '').replace(/\s+/g, ''), 'base64');
  const ok = keys.some((key) => {
    try {
      return crypto.verify(sigHash, material, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, value);
    } catch {
      return false;
    }
  });
  return ok ? { ...out, valid: true } : { ...out, reason: 'signature value does not verify with a trusted certificate' };
}

/** The careless check of every ds:Signature in the document, in document order. `doc` is left as it was. */
export function naiveVerifySignatures(doc: Document, trustedCertsPem: string[], options: NaiveVerifyOptions = {}): NaiveSignatureCheck[] {
  const root = doc.documentElement!;
  const ids = idTable(root);
  const keys = trustedKeys(trustedCertsPem);
  return descendants(root, NS.ds, 'Signature').map((sig) => checkOne(sig, ids, keys, options.resolve ?? 'id-table'));
}
