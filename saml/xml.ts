// Safe XML for hostile input. Everything samlconf reads from a target goes through parseXml:
// no DTDs (so no entities, internal or external), no XInclude, a size bound, and every problem
// surfaces as an XmlSafetyError whose `code` names it. Query helpers are namespace-aware so that
// a prefix chosen by an attacker never changes what we read.
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { NS } from './constants.ts';

export type { Document, Element, Node } from '@xmldom/xmldom';

export type XmlErrorCode =
  | 'too-large'
  | 'doctype'
  | 'entity'
  | 'xinclude'
  | 'processing-instruction'
  | 'malformed'
  | 'empty'
  | 'inflate-bomb'
  | 'encoding';

export class XmlSafetyError extends Error {
  readonly code: XmlErrorCode;
  constructor(code: XmlErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'XmlSafetyError';
    this.code = code;
  }
}

/** 1 MiB: far above any honest SAML message, far below what hurts. */
export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;

export interface ParseOptions {
  maxBytes?: number;
}

export function parseXml(text: string, options: ParseOptions = {}): Document {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  if (typeof text !== 'string') throw new XmlSafetyError('malformed', 'input is not a string');
  // Length check first: a 50 MB document must be refused before any parser work. UTF-8 never takes
  // fewer bytes than UTF-16 code units, so the cheap length test settles the huge cases without
  // touching (and flattening) the string.
  if (text.length > maxBytes) throw new XmlSafetyError('too-large', `document is over ${text.length} bytes, limit ${maxBytes}`);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw new XmlSafetyError('too-large', `document is ${bytes} bytes, limit ${maxBytes}`);
  if (text.trim() === '') throw new XmlSafetyError('empty', 'document is empty');
  // Refuse declarations before the parser sees them: xmldom would otherwise keep the DOCTYPE.
  if (/<!DOCTYPE/i.test(text)) throw new XmlSafetyError('doctype', 'DOCTYPE declarations are not allowed');
  if (/<!ENTITY/i.test(text)) throw new XmlSafetyError('entity', 'entity declarations are not allowed');
  const withoutDecl = text.replace(/^\uFEFF?\s*<\?xml\s[^?]*\?>/, '');
  if (/<\?(?!xml\s)[A-Za-z_]/.test(withoutDecl) || /<\?xml\s/.test(withoutDecl)) {
    throw new XmlSafetyError('processing-instruction', 'processing instructions are not allowed');
  }

  // xmldom wraps what onError throws, so keep the first problem and rethrow it unwrapped.
  let firstError: XmlSafetyError | undefined;
  const parser = new DOMParser({
    onError(level: string, message: string) {
      const code: XmlErrorCode = /entity/i.test(message) ? 'entity' : 'malformed';
      firstError ??= new XmlSafetyError(code, `${level}: ${message}`);
      throw firstError;
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (err) {
    if (firstError) throw firstError;
    if (err instanceof XmlSafetyError) throw err;
    throw new XmlSafetyError('malformed', (err as Error).message);
  }
  if (!doc || !doc.documentElement) throw new XmlSafetyError('malformed', 'no root element');
  if (doc.doctype) throw new XmlSafetyError('doctype', 'DOCTYPE declarations are not allowed');
  if (doc.getElementsByTagNameNS(NS.xinclude, '*').length > 0) {
    throw new XmlSafetyError('xinclude', 'XInclude elements are not allowed');
  }
  return doc;
}

/** Parse and return the root element, checking its namespace and local name when given. */
export function parseRoot(text: string, ns?: string, localName?: string, options?: ParseOptions): Element {
  const root = parseXml(text, options).documentElement!;
  if (ns !== undefined && root.namespaceURI !== ns) {
    throw new XmlSafetyError('malformed', `root element is {${root.namespaceURI ?? ''}}${root.localName}, expected {${ns}}${localName ?? '*'}`);
  }
  if (localName !== undefined && root.localName !== localName) {
    throw new XmlSafetyError('malformed', `root element is ${root.localName}, expected ${localName}`);
  }
  return root;
}

export function serialize(node: Node): string {
  return new XMLSerializer().serializeToString(node);
}

const ELEMENT_NODE = 1;

function isElement(node: Node | null | undefined): node is Element {
  return !!node && node.nodeType === ELEMENT_NODE;
}

/** Direct element children, optionally filtered by namespace and local name. */
export function children(parent: Node, ns?: string, localName?: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (!isElement(n)) continue;
    if (ns !== undefined && n.namespaceURI !== ns) continue;
    if (localName !== undefined && n.localName !== localName) continue;
    out.push(n);
  }
  return out;
}

/** The first direct child with this name, or undefined. */
export function child(parent: Node, ns: string, localName: string): Element | undefined {
  return children(parent, ns, localName)[0];
}

/** Follow a path of direct children: path(el, [NS.saml, 'Subject'], [NS.saml, 'NameID']). */
export function path(parent: Node, ...steps: Array<[string, string]>): Element | undefined {
  let cur: Node | undefined = parent;
  for (const [ns, name] of steps) {
    if (!cur) return undefined;
    cur = child(cur, ns, name);
  }
  return cur as Element | undefined;
}

/** Every descendant element with this name, in document order. */
export function descendants(root: Node, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  const walk = (node: Node) => {
    for (let n = node.firstChild; n; n = n.nextSibling) {
      if (!isElement(n)) continue;
      if ((ns === '*' || n.namespaceURI === ns) && (localName === '*' || n.localName === localName)) out.push(n);
      walk(n);
    }
  };
  walk(root);
  return out;
}

/**
 * The text content of an element, with comments ignored but their neighbours joined.
 * Callers who must notice comment splitting (CVE-2017-11427 family) use textNodes().
 */
export function text(el: Node | undefined | null): string | undefined {
  if (!el) return undefined;
  return el.textContent ?? '';
}

/** The text of the element's direct text children only, each separately. */
export function textNodes(el: Node): string[] {
  const out: string[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 3 || n.nodeType === 4) out.push(n.nodeValue ?? '');
  }
  return out;
}

export function attr(el: Element | undefined | null, name: string): string | undefined {
  if (!el || !el.hasAttribute(name)) return undefined;
  return el.getAttribute(name) ?? undefined;
}

/** Every element carrying an `ID` attribute with this value (more than one is itself a finding). */
export function elementsById(root: Node, id: string): Element[] {
  return descendants(root, '*', '*').filter((el) => el.getAttribute('ID') === id).concat(
    isElement(root) && root.getAttribute('ID') === id ? [root] : [],
  );
}

/** Human-readable indentation for evidence; never used on anything that is signed or verified. */
export function prettyPrint(xml: string): string {
  let doc: Document;
  try {
    doc = parseXml(xml, { maxBytes: 4 * DEFAULT_MAX_XML_BYTES });
  } catch {
    return xml;
  }
  const lines: string[] = [];
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const escAttr = (s: string) => esc(s).replace(/"/g, '&quot;');
  const walk = (node: Node, depth: number) => {
    const pad = '  '.repeat(depth);
    if (node.nodeType === 8) {
      lines.push(`${pad}<!--${node.nodeValue}-->`);
      return;
    }
    if (!isElement(node)) {
      const t = (node.nodeValue ?? '').trim();
      if (t) lines.push(pad + esc(t));
      return;
    }
    const attrs = Array.from({ length: node.attributes.length }, (_, i) => node.attributes.item(i)!)
      .map((a) => ` ${a.name}="${escAttr(a.value)}"`)
      .join('');
    const kids = Array.from({ length: node.childNodes.length }, (_, i) => node.childNodes.item(i)!).filter(
      (n) => isElement(n) || n.nodeType === 8 || (n.nodeValue ?? '').trim() !== '',
    );
    if (kids.length === 0) lines.push(`${pad}<${node.tagName}${attrs}/>`);
    else if (kids.length === 1 && !isElement(kids[0]) && kids[0].nodeType !== 8) {
      lines.push(`${pad}<${node.tagName}${attrs}>${esc((kids[0].nodeValue ?? '').trim())}</${node.tagName}>`);
    } else {
      lines.push(`${pad}<${node.tagName}${attrs}>`);
      for (const k of kids) walk(k, depth + 1);
      lines.push(`${pad}</${node.tagName}>`);
    }
  };
  walk(doc.documentElement!, 0);
  return lines.join('\n');
}

/** Escape a string for use as XML text or attribute value. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
