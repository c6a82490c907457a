// Verification entry points: find the signatures, refuse bad structure (structure.ts) and unpinned
// keys, let the chosen engine do the cryptography, and return only what the signature covers.
import { DEFAULT_MAX_XML_BYTES, XmlSafetyError, children, parseXml, type Document, type Element } from '../xml.ts';
import { SIGNATURE_SPECS, certificateKeyOf } from './algorithms.ts';
import { countIdAttributes, isDs, isElement } from './c14n.ts';
import { coreVerify } from './engine-core.ts';
import { xmlCryptoVerify } from './engine-xml-crypto.ts';
import { inspectSignature, insideSignature, type ParsedSignature } from './structure.ts';
import type { CryptoOutcome, SignatureCheck, SignatureEngine, TrustedKey, VerifyOptions } from './types.ts';

const MAX_SIGNATURES = 256;

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
