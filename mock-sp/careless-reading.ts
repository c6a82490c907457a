// The wrong reads of the target-mode SP's weaknesses: where a careless SP looks for the identity
// or the signature, each modelled on a real library mistake. acs.ts decides when a weakness applies;
// these functions only say what such an SP would see. Nothing here is used by the strict path.
import crypto from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { naiveVerifySignatures } from '../saml/attacks/naive-verify.ts';
import { NS } from '../saml/constants.ts';
import { base64ToCertPem } from '../saml/keys.ts';
import { readAssertion } from '../saml/readers.ts';
import type { ResponseIdentity } from '../saml/rules/index.ts';
import type { SignatureCheck } from '../saml/signature.ts';
import { type Element, child, descendants, elementsById, parseXml, serialize, textNodes } from '../saml/xml.ts';
import type { SpWeaknesses } from './types.ts';

/** Certificates a message ships in its own KeyInfo: what an SP must never trust, and a weak one does. */
export function keyInfoCertificates(xml: string): string[] {
  let root: Element;
  try {
    root = parseXml(xml).documentElement!;
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const sig of descendants(root, NS.ds, 'Signature')) {
    const keyInfo = child(sig, NS.ds, 'KeyInfo');
    if (!keyInfo) continue;
    for (const certEl of descendants(keyInfo, NS.ds, 'X509Certificate')) {
      try {
        const pem = base64ToCertPem(certEl.textContent ?? '');
        new crypto.X509Certificate(pem);
        if (!out.includes(pem)) out.push(pem);
      } catch {
        // Not a certificate; a weak SP would fail on it too.
      }
    }
  }
  return out;
}

/** The vulnerable read: the first saml:Assertion in document order, signed or not. */
export function firstAssertionIdentity(xml: string): ResponseIdentity | undefined {
  let root: Element;
  try {
    root = parseXml(xml).documentElement!;
  } catch {
    return undefined;
  }
  const first = root.namespaceURI === NS.saml && root.localName === 'Assertion' ? root : descendants(root, NS.saml, 'Assertion')[0];
  return first ? assertionIdentity(first) : undefined;
}

/** What a naive SP reads from one assertion element, signed or not. */
export function assertionIdentity(assertion: Element): ResponseIdentity | undefined {
  const info = readAssertion(assertion);
  if (!info.nameId || info.nameId.value.trim() === '') return undefined;
  const identity: ResponseIdentity = { nameId: info.nameId.value, attributes: info.attributes };
  if (info.nameId.format !== undefined) identity.nameIdFormat = info.nameId.format;
  const sessionIndex = info.authnStatements.find((s) => s.sessionIndex !== undefined)?.sessionIndex;
  if (sessionIndex !== undefined) identity.sessionIndex = sessionIndex;
  if (info.id !== undefined) identity.assertionId = info.id;
  return identity;
}

/** The comment-injection mistake: NameID read only up to its first comment (first text node). */
export function truncatedAtComment(xml: string, identity: ResponseIdentity): ResponseIdentity {
  if (identity.assertionId === undefined) return identity;
  try {
    const root = parseXml(xml).documentElement!;
    const assertion = elementsById(root, identity.assertionId).find((e) => e.namespaceURI === NS.saml && e.localName === 'Assertion');
    const subject = assertion && child(assertion, NS.saml, 'Subject');
    const nameId = subject && child(subject, NS.saml, 'NameID');
    const first = nameId ? textNodes(nameId)[0] : undefined;
    return first === undefined ? identity : { ...identity, nameId: first };
  } catch {
    return identity;
  }
}

/** skipEmptySignatureValue: every ds:Signature in the document has an empty SignatureValue. */
export function everySignatureValueEmpty(xml: string): boolean {
  try {
    const sigs = descendants(parseXml(xml).documentElement!, NS.ds, 'Signature');
    return sigs.length > 0 && sigs.every((sig) => (child(sig, NS.ds, 'SignatureValue')?.textContent ?? '').trim() === '');
  } catch {
    return false;
  }
}

/**
 * ignoreReferenceTarget: the element holding a signature whose Reference names another element,
 * when xml-crypto (key pinned, KeyInfo ignored) verifies that signature over what it names. The
 * strict verifier refused it for exactly that mismatch; a naive SP believes the holder is signed.
 */
export function holderOfMisplacedSignature(xml: string, checks: readonly SignatureCheck[], trustedCerts: readonly string[]): Element | undefined {
  // Any refused signature is worth a look: the strict verifier may report another fault first
  // (a copy inside ds:Signature, XSW6, is refused as an extra child before the URI mismatch).
  if (!checks.some((c) => !c.valid)) return undefined;
  let root: Element;
  try {
    root = parseXml(xml).documentElement!;
  } catch {
    return undefined;
  }
  for (const sig of descendants(root, NS.ds, 'Signature')) {
    const holder = sig.parentNode as Element | null;
    const signedInfo = child(sig, NS.ds, 'SignedInfo');
    const uri = signedInfo && child(signedInfo, NS.ds, 'Reference')?.getAttribute('URI');
    if (!holder || uri === undefined || uri === null || uri === `#${holder.getAttribute('ID') ?? ''}`) continue;
    for (const cert of trustedCerts) {
      const sx = new SignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
      try {
        sx.loadSignature(serialize(sig));
        if (sx.checkSignature(xml)) return holder;
      } catch {
        // Not valid with this key either.
      }
    }
  }
  return undefined;
}

/** The identity a naive SP takes from the element it believes signed: an assertion, or a Response's first assertion. */
export function holderIdentity(holder: Element): ResponseIdentity | undefined {
  if (holder.namespaceURI === NS.saml && holder.localName === 'Assertion') return assertionIdentity(holder);
  const first = descendants(holder, NS.saml, 'Assertion')[0];
  return first ? assertionIdentity(first) : undefined;
}

/**
 * lastAssertionWins: the last saml:Assertion in document order (nested ones included) that carries
 * a valid signature of its own, when it is not the assertion the strict rules validated.
 */
export function lastSignedAssertion(xml: string, checks: readonly SignatureCheck[], validatedId: string | undefined): Element | undefined {
  const signedIds = new Set(checks.filter((c) => c.valid && c.parentName === 'Assertion' && c.parentId !== undefined).map((c) => c.parentId!));
  let root: Element;
  try {
    root = parseXml(xml).documentElement!;
  } catch {
    return undefined;
  }
  const signed = descendants(root, NS.saml, 'Assertion').filter((a) => signedIds.has(a.getAttribute('ID') ?? ''));
  const last = signed[signed.length - 1];
  return last && last.getAttribute('ID') !== validatedId ? last : undefined;
}

/**
 * responseSignatureReferenceAnywhere / splitDuplicateIdLookup: the assertion such an SP reads once
 * every signature it checks passes the careless check (saml/attacks/naive-verify.ts, ID table with
 * the last element winning), or undefined when that check fails and the SP refuses.
 */
export function carelesslyReadAssertion(xml: string, w: SpWeaknesses, trustedCerts: readonly string[]): Element | undefined {
  if (!w.responseSignatureReferenceAnywhere && !w.splitDuplicateIdLookup) return undefined;
  let root: Element;
  try {
    root = parseXml(xml).documentElement!;
  } catch {
    return undefined;
  }
  const checks = naiveVerifySignatures(root.ownerDocument!, [...trustedCerts]);
  if (w.responseSignatureReferenceAnywhere) {
    // Only the Response's own signature is looked at; the Response's assertion child is read.
    const own = checks.filter((c) => c.holder === root);
    if (own.length === 0 || !own.every((c) => c.valid)) return undefined;
    return child(root, NS.saml, 'Assertion');
  }
  if (checks.length === 0 || !checks.every((c) => c.valid)) return undefined;
  // The reader's own lookup of the signed ID: the first element carrying it, in document order.
  const first = [root, ...descendants(root, '*', '*')].find((el) => el.getAttribute('ID') === checks[0].referenceId);
  if (!first) return undefined;
  return first.namespaceURI === NS.saml && first.localName === 'Assertion' ? first : child(first, NS.saml, 'Assertion');
}
