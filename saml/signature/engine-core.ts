// The default engine: XML-DSig on the DOM parsed once, with xml-crypto's canonicalizers and Node's
// crypto. Signing splices each ds:Signature into the original text (left byte for byte as it was);
// verifying canonicalizes the enveloping element in place. xml-crypto's SignedXml re-parses the
// document and runs several whole-document XPath scans per signature, four to five times slower.
import * as crypto from 'node:crypto';
import { TRANSFORM } from '../constants.ts';
import { children, type Element } from '../xml.ts';
import { DIGEST_SPECS, SIGNATURE_SPECS } from './algorithms.ts';
import { canonicalize, isElement, prefixList } from './c14n.ts';
import { canonicalizeSignedInfo, directCanonicalSignedInfo, SIGNATURE_OPEN_TAG, signedInfoXml, signSettings, type SignPlan, type SignSettings } from './sign-plan.ts';
import type { CryptoOutcome, SignOptions, TrustedKey } from './types.ts';

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
export function coreSign(xml: string, plans: SignPlan[], options: SignOptions): string {
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

/** XML-DSig core validation for one signature whose structure inspectSignature accepted. */
export function coreVerify(sig: Element, parent: Element, candidates: TrustedKey[]): CryptoOutcome {
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

