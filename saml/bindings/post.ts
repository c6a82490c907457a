// HTTP-POST binding (SAML Bindings 3.5): the message travels base64-encoded in a hidden form field
// that a small page submits on load.
import { createHash } from 'node:crypto';
import { DEFAULT_MAX_XML_BYTES, XmlSafetyError, escapeXml, parseXml } from '../xml.ts';
import type { Document, Element } from '../xml.ts';
import { base64DecodedLength, decodeBase64Strict, decodeUtf8Strict } from './encoding.ts';
import type { MessageParam } from './redirect.ts';

export function encodePostFields(o: { param: MessageParam; xml: string; relayState?: string }): Record<string, string> {
  const fields: Record<string, string> = { [o.param]: Buffer.from(o.xml, 'utf8').toString('base64') };
  if (o.relayState !== undefined) fields.RelayState = o.relayState;
  return fields;
}

/**
 * Decode a SAMLRequest/SAMLResponse form field to XML text (not parsed; see decodePostDocument).
 * Whitespace anywhere is tolerated (many senders wrap base64 at 64 or 76 columns). The size is
 * checked on the encoded length before decoding. Throws XmlSafetyError 'too-large' or 'encoding'.
 */
export function decodePostField(b64: string, maxBytes: number = DEFAULT_MAX_XML_BYTES): string {
  if (typeof b64 !== 'string') throw new XmlSafetyError('encoding', 'form field is not a string');
  // Generous allowance for line breaks, so an honest wrapped field is never refused here.
  const encodedLimit = Math.ceil((maxBytes * 4) / 3) * 1.1 + 1024;
  if (b64.length > encodedLimit) {
    throw new XmlSafetyError('too-large', `form field is ${b64.length} characters, limit ${Math.floor(encodedLimit)}`);
  }
  const compactLength = b64.replace(/\s+/g, '').length;
  if (base64DecodedLength(compactLength) > maxBytes + 2) {
    throw new XmlSafetyError('too-large', `form field decodes to about ${base64DecodedLength(compactLength)} bytes, limit ${maxBytes}`);
  }
  const bytes = decodeBase64Strict(b64, 'form field', { allowSpaces: true });
  if (bytes.length > maxBytes) throw new XmlSafetyError('too-large', `form field decodes to ${bytes.length} bytes, limit ${maxBytes}`);
  return decodeUtf8Strict(bytes, 'form field');
}

/** decodePostField, then parse with parseXml (no DTD, entities, PIs; same size bound). */
export function decodePostDocument(b64: string, maxBytes: number = DEFAULT_MAX_XML_BYTES): { xml: string; document: Document; root: Element } {
  const xml = decodePostField(b64, maxBytes);
  const document = parseXml(xml, { maxBytes });
  return { xml, document, root: document.documentElement! };
}

/**
 * The page's only script. Calling submit through the prototype keeps working when a field is
 * named "submit", which would otherwise shadow form.submit.
 */
export const AUTO_POST_SCRIPT = 'HTMLFormElement.prototype.submit.call(document.forms[0]);';

/** The CSP source that allows exactly AUTO_POST_SCRIPT and nothing else inline. */
export const AUTO_POST_SCRIPT_HASH = `'sha256-${createHash('sha256').update(AUTO_POST_SCRIPT, 'utf8').digest('base64')}'`;

/**
 * Policy for the page: no inline code but the hashed script, nothing loaded from anywhere.
 * There is deliberately no form-action: browsers apply it to the redirects that follow the POST,
 * and an ACS that redirects on to the application (often another origin) would then be blocked.
 */
const PAGE_POLICY = `default-src 'none'; script-src ${AUTO_POST_SCRIPT_HASH}; base-uri 'none'`;
export const AUTO_POST_CSP = `${PAGE_POLICY}; frame-ancestors 'none'`;

/** Attribute-safe escaping; line breaks as character references so the HTML parser keeps them. */
function escapeAttr(value: string): string {
  return escapeXml(value).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;');
}

/** Only http(s) targets: a javascript: or data: action from hostile metadata must never be rendered. */
function checkAction(action: string): void {
  let url: URL;
  try {
    url = new URL(action, 'http://relative.invalid/');
  } catch {
    throw new Error(`form action is not a URL: ${JSON.stringify(action)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`form action must be http or https, got ${url.protocol}`);
  }
}

/**
 * A page that POSTs the fields to `action` as soon as it loads, under a strict CSP (send
 * `contentSecurityPolicy` as the Content-Security-Policy header; the page repeats it in a meta tag
 * minus frame-ancestors, which meta cannot carry). Without JavaScript a <noscript> button submits.
 * Note that browsers turn lone CR or LF in field values into CRLF when they submit a form.
 */
export function renderAutoPostPage(o: { action: string; fields: Record<string, string>; title?: string }): {
  html: string;
  contentSecurityPolicy: string;
} {
  checkAction(o.action);
  const inputs = Object.entries(o.fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeAttr(name)}" value="${escapeAttr(value)}">`)
    .join('\n');
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(PAGE_POLICY)}">`,
    `<title>${escapeXml(o.title ?? 'Continue')}</title>`,
    '</head>',
    '<body>',
    `<form method="post" action="${escapeAttr(o.action)}" accept-charset="UTF-8">`,
    inputs,
    '<noscript><p>JavaScript is disabled. Press Continue to go on.</p><input type="submit" value="Continue"></noscript>',
    '</form>',
    `<script>${AUTO_POST_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return { html, contentSecurityPolicy: AUTO_POST_CSP };
}
