// SAML SOAP binding (SAML Bindings 3.2): one SAML message as the only child of a SOAP 1.1 Body.
import { NS } from '../constants.ts';
import { XmlSafetyError, children, escapeXml, parseRoot, serialize, text } from '../xml.ts';
import type { Element } from '../xml.ts';

/** SOAPAction header value recommended for SAML requests (Bindings 3.2.3.1). */
export const SOAP_ACTION = 'http://www.oasis-open.org/committees/security';
export const SOAP_CONTENT_TYPE = 'text/xml; charset=utf-8';

/** A SOAP Fault in a received envelope. */
export class SoapFaultError extends Error {
  readonly faultCode: string;
  readonly faultString: string;
  /** The Fault's detail element serialised, when present. */
  readonly detailXml?: string;
  constructor(faultCode: string, faultString: string, detailXml?: string) {
    super(`SOAP fault ${faultCode}: ${faultString}`);
    this.name = 'SoapFaultError';
    this.faultCode = faultCode;
    this.faultString = faultString;
    this.detailXml = detailXml;
  }
}

function withoutXmlDeclaration(xml: string): string {
  return xml.replace(/^\uFEFF?\s*<\?xml\s[^?]*\?>\s*/, '');
}

export function wrapSoap(innerXml: string): string {
  return (
    `<SOAP-ENV:Envelope xmlns:SOAP-ENV="${NS.soap}"><SOAP-ENV:Body>` +
    withoutXmlDeclaration(innerXml) +
    '</SOAP-ENV:Body></SOAP-ENV:Envelope>'
  );
}

/**
 * Parse an envelope safely and return the single element in its Body. Throws SoapFaultError for
 * a Fault, XmlSafetyError('malformed') for anything that is not Envelope > [Header] Body > one
 * element (stray text or a second child would leave the message ambiguous), and parseXml's
 * errors for unsafe XML.
 */
export function unwrapSoap(envelopeXml: string): Element {
  const envelope = parseRoot(envelopeXml, NS.soap, 'Envelope');
  const parts = children(envelope);
  const bodies = parts.filter((el) => el.namespaceURI === NS.soap && el.localName === 'Body');
  if (bodies.length !== 1) throw new XmlSafetyError('malformed', `envelope has ${bodies.length} Body elements, expected 1`);
  const unexpected = parts.filter((el) => !(el.namespaceURI === NS.soap && (el.localName === 'Header' || el.localName === 'Body')));
  if (unexpected.length > 0) throw new XmlSafetyError('malformed', `unexpected ${unexpected[0].localName} element in the envelope`);
  const body = bodies[0];
  for (let n = body.firstChild; n; n = n.nextSibling) {
    if ((n.nodeType === 3 || n.nodeType === 4) && (n.nodeValue ?? '').trim() !== '') {
      throw new XmlSafetyError('malformed', 'text content directly in the SOAP Body');
    }
  }
  const content = children(body);
  if (content.length !== 1) throw new XmlSafetyError('malformed', `SOAP Body has ${content.length} element children, expected exactly 1`);
  const only = content[0];
  if (only.namespaceURI === NS.soap && only.localName === 'Fault') {
    // SOAP 1.1 fault children are unqualified.
    const field = (name: string) => children(only).find((el) => el.localName === name && !el.namespaceURI);
    const detail = field('detail');
    throw new SoapFaultError(
      (text(field('faultcode')) ?? '').trim(),
      text(field('faultstring')) ?? '',
      detail ? serialize(detail) : undefined,
    );
  }
  return only;
}

/** A Fault envelope. A code without a prefix is taken as a SOAP 1.1 code (Client, Server, ...). */
export function soapFault(code: string, message: string): string {
  const qname = code.includes(':') ? code : `SOAP-ENV:${code}`;
  return (
    `<SOAP-ENV:Envelope xmlns:SOAP-ENV="${NS.soap}"><SOAP-ENV:Body><SOAP-ENV:Fault>` +
    `<faultcode>${escapeXml(qname)}</faultcode><faultstring>${escapeXml(message)}</faultstring>` +
    '</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>'
  );
}
