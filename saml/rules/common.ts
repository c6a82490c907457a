// Helpers shared by the rule families: building findings, strict SAML time parsing, reading
// signature checks, and running a list of rules so that no rule can throw past the validator.
import { NS } from '../constants.ts';
import { type Document, type Element, type Node, XmlSafetyError, attr, child, descendants, parseXml, serialize, textNodes } from '../xml.ts';
import { requirement as lookupRequirement } from '../requirements.ts';
import type { Rule, RuleFinding, RuleSeverity, SignatureCheck } from './types.ts';

export const DEFAULT_CLOCK_SKEW_SECONDS = 180;
const MAX_EVIDENCE_CHARS = 8000;
const NAMEID_ENTITY = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';
export const NAMEID_UNSPECIFIED = ['urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', 'urn:oasis:names:tc:SAML:2.0:nameid-format:unspecified'];

/** Define a rule; the requirement ID is checked against the registry at load time so typos fail fast. */
export function defineRule<S>(rule: Rule<S>): Rule<S> {
  lookupRequirement(rule.requirement);
  return rule;
}

export interface FindingParts {
  ok: boolean;
  expected: string;
  observed: string;
  el?: Node | null;
  /** Overrides of the rule's defaults for this one finding. */
  requirement?: string;
  severity?: RuleSeverity;
}

export function finding(rule: { id: string; requirement: string; severity: RuleSeverity }, p: FindingParts): RuleFinding {
  const req = p.requirement ?? rule.requirement;
  lookupRequirement(req);
  const out: RuleFinding = {
    rule: rule.id,
    requirement: req,
    severity: p.severity ?? rule.severity,
    ok: p.ok,
    expected: p.expected,
    observed: p.observed,
  };
  const xml = evidence(p.el);
  if (xml !== undefined) out.xml = xml;
  return out;
}

/** The element serialized, bounded so that one finding cannot balloon a report. */
export function evidence(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  let s: string;
  try {
    s = serialize(node);
  } catch {
    return undefined;
  }
  return s.length > MAX_EVIDENCE_CHARS ? `${s.slice(0, MAX_EVIDENCE_CHARS)}…[truncated ${s.length - MAX_EVIDENCE_CHARS} chars]` : s;
}

/** Run every rule; a rule that throws yields a failed finding instead of aborting validation. */
export function runRules<S>(rules: readonly Rule<S>[], subject: S): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const rule of rules) {
    try {
      const r = rule.check(subject);
      out.push(...(Array.isArray(r) ? r : [r]));
    } catch (err) {
      out.push(finding(rule, { ok: false, expected: 'the rule can be evaluated', observed: `evaluation failed: ${(err as Error).message}` }));
    }
  }
  return out;
}

export function allMustPass(findings: readonly RuleFinding[]): boolean {
  return findings.length > 0 && findings.every((f) => f.ok || f.severity !== 'must');
}

// ---------------------------------------------------------------- parsing

export type ParseOutcome = { ok: true; doc: Document; root: Element } | { ok: false; finding: RuleFinding };

const HOSTILE_CODES = new Set(['doctype', 'entity', 'xinclude', 'processing-instruction']);

/**
 * Parse with the safe parser and check the root element. A failure becomes the `well-formed-xml`
 * finding: hostile constructs cite attack-xxe, size problems attack-parser-abuse, anything else the
 * message's schema section.
 */
export function parseMessage(xml: string, rootName: string, schemaRequirement: string): ParseOutcome {
  const rule = { id: 'well-formed-xml', requirement: schemaRequirement, severity: 'must' as const };
  const expected = `a well-formed samlp:${rootName} document without DTD, entities, XInclude or processing instructions`;
  try {
    const doc = parseXml(xml);
    const root = doc.documentElement!;
    if (root.namespaceURI !== NS.samlp || root.localName !== rootName) {
      return {
        ok: false,
        finding: finding(rule, { ok: false, expected, observed: `root element is {${root.namespaceURI ?? ''}}${root.localName}` }),
      };
    }
    return { ok: true, doc, root };
  } catch (err) {
    const code = err instanceof XmlSafetyError ? err.code : 'malformed';
    const req = HOSTILE_CODES.has(code) ? 'attack-xxe' : code === 'too-large' || code === 'inflate-bomb' ? 'attack-parser-abuse' : schemaRequirement;
    return { ok: false, finding: finding(rule, { ok: false, requirement: req, expected, observed: `${code}: ${(err as Error).message}` }) };
  }
}

export function wellFormedOk(rootName: string, schemaRequirement: string): RuleFinding {
  return finding(
    { id: 'well-formed-xml', requirement: schemaRequirement, severity: 'must' },
    { ok: true, expected: `a well-formed samlp:${rootName} document`, observed: 'parsed safely' },
  );
}

// ---------------------------------------------------------------- time

const SAML_TIME = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

export type TimeValue = { ok: true; date: Date } | { ok: false; error: string };

/** Core 1.3.3: xs:dateTime in UTC ('Z'), no other offset. */
export function parseSamlTime(value: string): TimeValue {
  if (!SAML_TIME.test(value)) return { ok: false, error: `"${value}" is not an xs:dateTime in UTC with a trailing Z` };
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return { ok: false, error: `"${value}" is not a valid date` };
  return { ok: true, date: new Date(ms) };
}

/** Why an IssueInstant is unacceptable, or `ok`. Every message family judges freshness this way. */
export type InstantJudgement = { ok: true } | { ok: false; kind: 'absent' | 'future' | 'stale' } | { ok: false; kind: 'malformed'; error: string };

/** An IssueInstant must parse and lie within [now - maxAge - skew, now + skew]. */
export function judgeIssueInstant(value: string | undefined, now: Date, skewMs: number, maxAgeMs: number): InstantJudgement {
  if (value === undefined) return { ok: false, kind: 'absent' };
  const t = parseSamlTime(value);
  if (!t.ok) return { ok: false, kind: 'malformed', error: t.error };
  const ms = t.date.getTime();
  if (ms > now.getTime() + skewMs) return { ok: false, kind: 'future' };
  if (ms < now.getTime() - maxAgeMs - skewMs) return { ok: false, kind: 'stale' };
  return { ok: true };
}

export function iso(d: Date): string {
  return d.toISOString();
}

// ---------------------------------------------------------------- reading

export function local(qname: string | undefined): string {
  if (!qname) return '';
  const i = qname.lastIndexOf(':');
  return i >= 0 ? qname.slice(i + 1) : qname;
}

export function samlChild(el: Element | undefined, name: string): Element | undefined {
  return el ? child(el, NS.saml, name) : undefined;
}

export function samlpChild(el: Element | undefined, name: string): Element | undefined {
  return el ? child(el, NS.samlp, name) : undefined;
}

/** Element text as the joined value of its text nodes (comments dropped, neighbours joined). */
export function joinedText(el: Element | undefined): string | undefined {
  return el ? textNodes(el).join('') : undefined;
}

export function isEntityFormat(format: string | undefined): boolean {
  return format === undefined || format === NAMEID_ENTITY;
}

/** Issuer checks shared by Response, Assertion and protocol messages: value and Format. */
export function issuerProblem(issuer: Element | undefined, expected: string): string | undefined {
  if (!issuer) return 'Issuer is absent';
  const value = joinedText(issuer)?.trim() ?? '';
  const format = attr(issuer, 'Format');
  if (value !== expected) return `Issuer is "${value}"`;
  if (!isEntityFormat(format)) return `Issuer Format is "${format}"`;
  return undefined;
}

/** Elements carrying an ID attribute whose value appears more than once in the document. */
export function duplicateIds(root: Element): Map<string, Element[]> {
  const byId = new Map<string, Element[]>();
  for (const el of [root, ...descendants(root, '*', '*')]) {
    const id = attr(el, 'ID');
    if (id === undefined) continue;
    const list = byId.get(id) ?? [];
    list.push(el);
    byId.set(id, list);
  }
  for (const [id, list] of byId) if (list.length < 2) byId.delete(id);
  return byId;
}

// ---------------------------------------------------------------- signatures

/** Checks whose ds:Signature is held by this element (matched by local name and ID). */
export function checksHeldBy(signatures: readonly SignatureCheck[], el: Element | undefined): SignatureCheck[] {
  if (!el) return [];
  const id = attr(el, 'ID');
  if (id === undefined) return [];
  return signatures.filter((c) => local(c.parentName) === el.localName && c.parentId === id);
}

/** The valid check for this element whose covered content is the element itself, if any. */
export function validCoverFor(signatures: readonly SignatureCheck[], el: Element | undefined): SignatureCheck | undefined {
  if (!el) return undefined;
  return checksHeldBy(signatures, el).find(
    (c) =>
      c.valid &&
      c.signedElement !== undefined &&
      c.signedElement.localName === el.localName &&
      c.signedElement.namespaceURI === el.namespaceURI &&
      attr(c.signedElement, 'ID') === attr(el, 'ID') &&
      (c.referenceUri === undefined || c.referenceUri === attr(el, 'ID')),
  );
}

export function describeCheck(c: SignatureCheck): string {
  const where = `${local(c.parentName)}${c.parentId ? ` ID="${c.parentId}"` : ''}`;
  return c.valid ? `valid signature on ${where}` : `invalid signature on ${where}: ${c.reason ?? 'no reason given'}`;
}

/** ds:Signature elements that are direct children of an element (for evidence). */
export function signatureElementOf(el: Element | undefined): Element | undefined {
  return el ? child(el, NS.ds, 'Signature') : undefined;
}

/**
 * Bindings 3.4.4.1: a message sent with HTTP-Redirect has its own XML signature removed before it
 * is deflated (the query string carries any signature). An enveloped ds:Signature on the protocol
 * message itself is a finding, whether or not the query is signed; signatures inside (on an
 * assertion) are not this rule's business.
 */
export function redirectEmbeddedSignatureRule<S extends { root: Element; ctx: { binding: string } }>(): Rule<S> {
  return defineRule<S>({
    id: 'redirect-no-embedded-signature',
    requirement: 'bindings-3.4.4.1',
    severity: 'must',
    check(s) {
      const expected = 'no XML signature on a message sent with HTTP-Redirect (it is removed before deflating)';
      if (s.ctx.binding !== 'redirect') return finding(this, { ok: true, expected, observed: `sent with ${s.ctx.binding}, not HTTP-Redirect` });
      const embedded = signatureElementOf(s.root);
      return finding(this, {
        ok: embedded === undefined,
        expected,
        observed: embedded ? `the ${local(s.root.tagName)} arrived with HTTP-Redirect and still carries its own ds:Signature` : 'no ds:Signature on the message',
        el: embedded,
      });
    },
  });
}

/**
 * Core 1.3.4: an ID value may be declared once. Shared by every message family, since a repeated
 * ID is what signature-wrapping attacks rely on whatever the message.
 */
export function duplicateIdsRule<S extends { root: Element }>(): Rule<S> {
  return defineRule<S>({
    id: 'duplicate-ids',
    requirement: 'core-1.3.4',
    severity: 'must',
    check(s) {
      const dups = duplicateIds(s.root);
      return finding(this, {
        ok: dups.size === 0,
        expected: 'every ID value is declared by exactly one element',
        observed: dups.size === 0 ? 'all ID values are unique' : [...dups].map(([id, els]) => `ID "${id}" on ${els.map((e) => e.tagName).join(', ')}`).join('; '),
        el: [...dups.values()][0]?.[1],
      });
    },
  });
}
