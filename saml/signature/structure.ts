// The structure checks that run before any cryptography: every ds:Signature shape that signature
// wrapping and canonicalization attacks rely on is refused here, by either engine, with a reason.
import { NS, TRANSFORM } from '../constants.ts';
import { children, type Element, type Node } from '../xml.ts';
import { DIGEST_SPECS, REFERENCE_TRANSFORMS, SIGNATURE_SPECS, SIGNED_INFO_C14N } from './algorithms.ts';
import { isDs, isElement } from './c14n.ts';

const MAX_TRANSFORMS = 2;

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

/** Only text (and CDATA) may carry a value; a comment or element inside one is an attack (CVE-2025-29775 family). */
function plainTextProblem(el: Element): string | undefined {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 8) return `${el.localName} contains a comment`;
    if (n.nodeType !== 3 && n.nodeType !== 4) return `${el.localName} contains a child element or other node`;
  }
  return undefined;
}

export interface ParsedSignature {
  signatureAlgorithm: string;
  digestAlgorithm: string;
  referenceUri: string;
}

/** Structural checks on one ds:Signature; returns the reason it is refused, or what it claims. */
export function inspectSignature(sig: Element, parentId: string): { problem: string; partial: Partial<ParsedSignature> } | ParsedSignature {
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

export function insideSignature(el: Element): boolean {
  for (let n: Node | null = el; n && isElement(n); n = n.parentNode) {
    if (n.namespaceURI === NS.ds) return true;
  }
  return false;
}
