// DOM helpers and canonicalization shared by signing, the structure checks and the core engine:
// xml-crypto's canonicalizers run on the DOM parseXml built, without copying it where that is safe.
import { C14nCanonicalization, ExclusiveCanonicalization } from 'xml-crypto';
import { NS, TRANSFORM } from '../constants.ts';
import { children, type Document, type Element, type Node } from '../xml.ts';

// ---------------------------------------------------------------- DOM helpers

const ID_ATTRIBUTE_NAMES = new Set(['ID', 'Id', 'id']);

export function isElement(n: Node | null | undefined): n is Element {
  return !!n && n.nodeType === 1;
}

/** Every element whose ID-like attribute (any namespace, as xml-crypto resolves them) has this value. */
export function countIdAttributes(doc: Document): Map<string, number> {
  const counts = new Map<string, number>();
  const walk = (el: Element) => {
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes.item(i)!;
      if (ID_ATTRIBUTE_NAMES.has(a.localName ?? a.name)) counts.set(a.value, (counts.get(a.value) ?? 0) + 1);
    }
    for (let n = el.firstChild; n; n = n.nextSibling) if (isElement(n)) walk(n);
  };
  walk(doc.documentElement!);
  return counts;
}

// ---------------------------------------------------------------- canonicalization

/** In-scope namespace declarations of the ancestors, nearest first, as xml-crypto collects them. */
function ancestorNamespaces(el: Element): Array<{ prefix: string; namespaceURI: string }> {
  const own = new Set<string>([el.prefix ?? '']);
  for (let i = 0; i < el.attributes.length; i++) {
    const name = el.attributes.item(i)!.name;
    if (name === 'xmlns' || name.startsWith('xmlns:')) own.add(name.slice(6));
  }
  const seen = new Set<string>();
  const out: Array<{ prefix: string; namespaceURI: string }> = [];
  for (let n = el.parentNode; isElement(n); n = n.parentNode) {
    for (let i = 0; i < n.attributes.length; i++) {
      const a = n.attributes.item(i)!;
      if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) continue;
      const prefix = a.name.slice(6);
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      if (a.value !== '' && !own.has(prefix)) out.push({ prefix, namespaceURI: a.value });
    }
  }
  return out;
}

export function prefixList(transformOrMethod: Element): string[] {
  const inc = children(transformOrMethod, TRANSFORM.excC14n, 'InclusiveNamespaces')[0];
  return (inc?.getAttribute('PrefixList') ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Whether xml-crypto's canonicalizer may write into its input. Only exc-c14n does, and only with a
 * non-empty inclusive prefix list: the one passed in or, when none is, one it finds itself in an
 * InclusiveNamespaces child of a CanonicalizationMethod child of its input (meant for SignedInfo;
 * it matches both by local name in any namespace). This errs on the side of copying: any such
 * child counts, whatever its PrefixList says.
 */
function canonicalizerMayWrite(algorithm: string, el: Element, prefixes: string[]): boolean {
  if (algorithm === TRANSFORM.c14n) return false;
  if (prefixes.length > 0) return true;
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (!isElement(n) || n.localName !== 'CanonicalizationMethod') continue;
    for (let m = n.firstChild; m; m = m.nextSibling) if (isElement(m) && m.localName === 'InclusiveNamespaces') return true;
  }
  return false;
}

/**
 * Canonical form of `el` without the `omit` child (the enveloped-signature transform).
 * When the canonicalizer may write namespace attributes into its input (canonicalizerMayWrite),
 * it gets a copy. Otherwise the omitted child is detached for the duration and put back: copying a
 * DOM subtree costs more than all the rest of a verification. Neither canonicalizer looks above
 * its input (ancestors come in through `ancestorNamespaces`), so a detached copy and the element
 * in place canonicalize alike.
 */
export function canonicalize(algorithm: string, el: Element, prefixes: string[], omit?: Element): string {
  const options = {
    ancestorNamespaces: ancestorNamespaces(el),
    inclusiveNamespacesPrefixList: prefixes,
    defaultNsForPrefix: { ds: NS.ds },
  };
  const c14n = algorithm === TRANSFORM.c14n ? new C14nCanonicalization() : new ExclusiveCanonicalization();
  if (canonicalizerMayWrite(algorithm, el, prefixes)) {
    const copy = el.cloneNode(true) as Element;
    if (omit) {
      const position = Array.prototype.indexOf.call(el.childNodes, omit);
      copy.removeChild(copy.childNodes.item(position)!);
    }
    return c14n.process(copy as unknown as globalThis.Element, options).toString();
  }
  const next = omit?.nextSibling ?? null;
  if (omit) el.removeChild(omit);
  try {
    return c14n.process(el as unknown as globalThis.Element, options).toString();
  } finally {
    if (omit) el.insertBefore(omit, next);
  }
}

export function isDs(el: Element, localName: string): boolean {
  return el.namespaceURI === NS.ds && el.localName === localName;
}

