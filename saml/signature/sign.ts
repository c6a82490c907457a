// Signing entry points: plan the IDs, then hand them to the engine the options name.
import { NS } from '../constants.ts';
import { children, parseXml, type Document } from '../xml.ts';
import { coreSign } from './engine-core.ts';
import { xmlCryptoSign } from './engine-xml-crypto.ts';
import { planSignatures } from './sign-plan.ts';
import type { SignOptions } from './types.ts';

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
