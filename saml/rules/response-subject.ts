// Prepares a received Response for the rules: verifies signatures, decrypts, and picks the one
// assertion whose content is covered by a valid signature. Identity and assertion checks are read
// from that covered content (SignatureCheck.signedElement), never from the document as received,
// so content an attacker wraps around, beside or inside the signed part is ignored.
import { CONFIRMATION_METHOD, NS } from '../constants.ts';
import { decryptEncryptedElement } from '../encryption.ts';
import { verifyDocumentSignatures, verifySignatures } from '../signature.ts';
import { type Document, type Element, attr, child, children, parseXml, serialize } from '../xml.ts';
import { DEFAULT_CLOCK_SKEW_SECONDS, parseSamlTime, samlChild, validCoverFor } from './common.ts';
import type { ResponseValidationContext, ResponseValidation, SignatureCheck } from './types.ts';

export type AssertionSource = ResponseValidation['assertionSource'];

export interface ResponseSubject {
  ctx: ResponseValidationContext;
  now: Date;
  skewMs: number;
  /** The document root as received. */
  root: Element;
  /** Where Response-level fields are read: the signed Response content when the Response is signed, else the root. */
  envelope: Element;
  responseSigned: boolean;
  /** Every signature check: the document's, then those found inside decrypted assertions. */
  signatures: SignatureCheck[];
  /** The assertion the rules evaluate: signed content when any exists, else an unsigned candidate for diagnostics. */
  assertion?: Element;
  assertionSource: AssertionSource;
  /** The used assertion carries its own valid signature. */
  assertionSelfSigned: boolean;
  /** The chosen bearer SubjectConfirmation of the used assertion. */
  bearer?: Element;
  /** Every bearer SubjectConfirmation of the used assertion. */
  bearers: Element[];
  /** NameID of the used assertion (decrypted from EncryptedID when a key was given). */
  nameId?: Element;
  encryptedAssertions: number;
  decryptionErrors: string[];
  /** Plaintext documents of decrypted assertions (for checks over what was actually delivered). */
  decryptedAssertions: Element[];
}

interface Candidate {
  assertion: Element;
  /** Covered by the Response's signature. */
  inSignedResponse: boolean;
  /** Its own valid signature, if any. */
  selfCover?: SignatureCheck;
}

/**
 * `root` is the document element of parseXml(xml). Signatures are verified on that same parsed
 * document rather than on the text parsed again; the text is only used when `root` is not its
 * document's root element.
 */
export async function prepareResponse(root: Element, xml: string, ctx: ResponseValidationContext): Promise<ResponseSubject> {
  const now = ctx.now ?? new Date();
  const skewMs = (ctx.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
  const doc = root.ownerDocument;
  const signatures = doc && doc.documentElement === root ? verifyDocumentSignatures(doc, ctx.trustedCerts) : verifySignatures(xml, ctx.trustedCerts);

  const responseCover = validCoverFor(signatures, root);
  const envelope = responseCover?.signedElement ?? root;
  const subject: ResponseSubject = {
    ctx,
    now,
    skewMs,
    root,
    envelope,
    responseSigned: responseCover !== undefined,
    signatures,
    assertionSource: 'none',
    assertionSelfSigned: false,
    bearers: [],
    encryptedAssertions: children(root, NS.saml, 'EncryptedAssertion').length,
    decryptionErrors: [],
    decryptedAssertions: [],
  };

  // Candidates come from the signed Response content when there is one; otherwise from the
  // root's direct children (an assertion nested anywhere else is never the one used).
  const candidates: Candidate[] = [];
  for (const el of children(envelope)) {
    if (el.namespaceURI !== NS.saml) continue;
    if (el.localName === 'Assertion') {
      // Its own signature is verified in the received document; the element there has the same ID.
      const received = responseCover ? receivedTwin(root, el) : el;
      candidates.push({ assertion: el, inSignedResponse: !!responseCover, selfCover: validCoverFor(signatures, received) });
    } else if (el.localName === 'EncryptedAssertion') {
      const plain = await decryptCandidate(el, subject);
      if (plain) candidates.push({ ...plain, inSignedResponse: !!responseCover });
    }
  }

  const signed = candidates.find((c) => c.inSignedResponse || c.selfCover);
  if (signed) {
    subject.assertion = signed.inSignedResponse ? signed.assertion : signed.selfCover!.signedElement!;
    subject.assertionSource = signed.inSignedResponse ? 'signed-response' : 'signed-assertion';
    subject.assertionSelfSigned = !!signed.selfCover;
  } else if (candidates.length > 0) {
    subject.assertion = candidates[0].assertion;
    subject.assertionSource = 'unsigned';
  }

  if (subject.assertion) {
    subject.nameId = await nameIdOf(subject.assertion, subject);
    subject.bearers = bearerConfirmations(subject.assertion);
    subject.bearer = subject.bearers.find((b) => bearerSatisfied(b, subject)) ?? subject.bearers[0];
  }
  return subject;
}

/** The element in the received document with the same name and ID as one from signed content. */
function receivedTwin(root: Element, signedEl: Element): Element | undefined {
  const id = attr(signedEl, 'ID');
  return children(root, signedEl.namespaceURI ?? undefined, signedEl.localName ?? undefined).find((e) => attr(e, 'ID') === id);
}

async function decryptCandidate(wrapper: Element, subject: ResponseSubject): Promise<Omit<Candidate, 'inSignedResponse'> | undefined> {
  const key = subject.ctx.decryptionKeyPem;
  if (!key) {
    subject.decryptionErrors.push('EncryptedAssertion present but no decryption key is configured');
    return undefined;
  }
  let plainDoc: Document;
  let assertion: Element;
  try {
    plainDoc = parseXml(await decryptEncryptedElement(serialize(wrapper), key));
    assertion = plainDoc.documentElement!;
  } catch (err) {
    subject.decryptionErrors.push(`EncryptedAssertion could not be decrypted: ${(err as Error).message}`);
    return undefined;
  }
  if (assertion.namespaceURI !== NS.saml || assertion.localName !== 'Assertion') {
    subject.decryptionErrors.push(`EncryptedAssertion holds ${assertion.tagName}, not saml:Assertion`);
    return undefined;
  }
  subject.decryptedAssertions.push(assertion);
  // A signature inside the plaintext covers the assertion as it was before encryption.
  let inner: SignatureCheck[] = [];
  try {
    inner = verifyDocumentSignatures(plainDoc, subject.ctx.trustedCerts);
  } catch (err) {
    subject.decryptionErrors.push(`decrypted assertion could not be checked: ${(err as Error).message}`);
  }
  subject.signatures.push(...inner);
  return { assertion, selfCover: validCoverFor(inner, assertion) };
}

async function nameIdOf(assertion: Element, subject: ResponseSubject): Promise<Element | undefined> {
  const subj = samlChild(assertion, 'Subject');
  const plain = samlChild(subj, 'NameID');
  if (plain) return plain;
  const encrypted = samlChild(subj, 'EncryptedID');
  if (!encrypted || !subject.ctx.decryptionKeyPem) return undefined;
  try {
    const el = parseXml(await decryptEncryptedElement(serialize(encrypted), subject.ctx.decryptionKeyPem)).documentElement!;
    return el.namespaceURI === NS.saml && el.localName === 'NameID' ? el : undefined;
  } catch (err) {
    subject.decryptionErrors.push(`EncryptedID could not be decrypted: ${(err as Error).message}`);
    return undefined;
  }
}

export function bearerConfirmations(assertion: Element): Element[] {
  const subj = samlChild(assertion, 'Subject');
  if (!subj) return [];
  return children(subj, NS.saml, 'SubjectConfirmation').filter((sc) => attr(sc, 'Method') === CONFIRMATION_METHOD.bearer);
}

export function confirmationData(sc: Element | undefined): Element | undefined {
  return sc ? child(sc, NS.saml, 'SubjectConfirmationData') : undefined;
}

/** Whether one bearer confirmation meets every requirement (so the rules judge the best one). */
export function bearerSatisfied(sc: Element, s: ResponseSubject): boolean {
  const scd = confirmationData(sc);
  if (!scd) return false;
  if (attr(scd, 'Recipient') !== s.ctx.acsUrl) return false;
  if (attr(scd, 'InResponseTo') !== s.ctx.expectedRequestId) return false;
  const noa = attr(scd, 'NotOnOrAfter');
  if (noa === undefined) return false;
  const t = parseSamlTime(noa);
  if (!t.ok || s.now.getTime() >= t.date.getTime() + s.skewMs) return false;
  const nb = attr(scd, 'NotBefore');
  if (nb !== undefined) {
    const b = parseSamlTime(nb);
    if (!b.ok || s.now.getTime() + s.skewMs < b.date.getTime()) return false;
  }
  return true;
}
