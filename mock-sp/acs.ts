// The ACS decision: decode what arrived, run the strict rules (saml/rules validateResponse), and,
// for a target-mode SP with weaknesses, waive the rules each weakness stands for. Identity comes
// from signed content only, except where a weakness models the classic mistake of reading it
// from the document's first assertion.
import crypto from 'node:crypto';
import { NS } from '../saml/constants.ts';
import { base64ToCertPem } from '../saml/keys.ts';
import { readAssertion } from '../saml/readers.ts';
import { validateResponse } from '../saml/rules/index.ts';
import type { ResponseIdentity, ResponseValidation, ResponseValidationContext, RuleFinding } from '../saml/rules/index.ts';
import { type Element, child, descendants, elementsById, parseXml, textNodes } from '../saml/xml.ts';
import type { SpWeaknesses } from './types.ts';
import { WAIVED_RULES, activeWeaknesses } from './weaknesses.ts';

export interface AcsJudgement {
  /** Strict results, plus the replay finding when a replay cache is in use. */
  validation: ResponseValidation;
  accepted: boolean;
  identity?: ResponseIdentity;
  failedRules: string[];
  ignoredRules: string[];
}

export interface JudgeOptions {
  /** Target mode: the SP's deliberate flaws. */
  weaknesses?: SpWeaknesses;
  /** Replay cache lookup (target mode). Called with the ID of the assertion the SP would use. */
  seenAssertion?: (assertionId: string) => boolean;
  /** Findings decided outside the rules (e.g. a Response on the wrong binding); never waived. */
  extraFindings?: RuleFinding[];
}

export async function judgeResponse(xml: string, ctx: ResponseValidationContext, options: JudgeOptions = {}): Promise<AcsJudgement> {
  const w = options.weaknesses ?? {};
  const active = activeWeaknesses(w);
  const strict = withFindings(await validateResponse(xml, ctx), options.extraFindings ?? []);

  // What the weakened SP concludes: more trusted certificates, unsolicited allowed.
  let effective = strict;
  const extraCerts = w.trustKeyInfoCert ? keyInfoCertificates(xml) : [];
  const allowUnsolicited = ctx.allowUnsolicited === true || w.acceptUnsolicited === true;
  if (extraCerts.length > 0 || allowUnsolicited !== (ctx.allowUnsolicited === true)) {
    const weakCtx = { ...ctx, allowUnsolicited, trustedCerts: [...ctx.trustedCerts, ...extraCerts] };
    effective = withFindings(await validateResponse(xml, weakCtx), options.extraFindings ?? []);
  }

  const noSignature = effective.signatures.length === 0;
  const someSignatureValid = effective.signatures.some((c) => c.valid);
  const waived = new Set<string>();
  for (const name of active) {
    if (name === 'acceptUnsigned' && !noSignature) continue;
    if (name === 'readIdentityFromUnsignedAssertion' && !someSignatureValid) continue;
    for (const rule of WAIVED_RULES[name]) waived.add(rule);
  }

  let identity = effective.identity;
  if ((w.acceptUnsigned && noSignature) || (w.readIdentityFromUnsignedAssertion && someSignatureValid)) {
    identity = firstAssertionIdentity(xml);
  }
  if (identity && w.truncateNameIdAtComment) identity = truncatedAtComment(xml, identity);

  // Replay: judged on the assertion the SP would actually use.
  if (options.seenAssertion && identity?.assertionId !== undefined) {
    const replayed = options.seenAssertion(identity.assertionId);
    const f: RuleFinding = {
      rule: 'assertion-replay',
      requirement: 'profiles-4.1.4.5',
      severity: 'must',
      ok: !replayed,
      expected: 'an assertion ID this SP has not accepted before',
      observed: replayed ? `assertion ${identity.assertionId} was already accepted` : `assertion ${identity.assertionId} is new`,
    };
    strict.findings.push(f);
    strict.ok = strict.ok && f.ok;
    if (effective !== strict) {
      effective.findings.push(f);
      effective.ok = effective.ok && f.ok;
    }
  }

  const strictFailed = failedMustRules(strict.findings);
  const failedRules = failedMustRules(effective.findings).filter((r) => !waived.has(r));
  if (failedRules.length === 0 && !identity) failedRules.push('identity');
  const ignoredRules = strictFailed.filter((r) => !failedRules.includes(r));
  const out: AcsJudgement = { validation: strict, accepted: failedRules.length === 0, failedRules, ignoredRules };
  if (identity) out.identity = identity;
  return out;
}

function withFindings(v: ResponseValidation, extra: RuleFinding[]): ResponseValidation {
  if (extra.length === 0) return v;
  const findings = [...v.findings, ...extra];
  return { ...v, findings, ok: v.ok && extra.every((f) => f.ok || f.severity !== 'must') };
}

export function failedMustRules(findings: RuleFinding[]): string[] {
  const out: string[] = [];
  for (const f of findings) if (!f.ok && f.severity === 'must' && !out.includes(f.rule)) out.push(f.rule);
  return out;
}

/** A failed well-formedness result for a message that could not even be decoded. */
export function undecodableValidation(reason: string, requirement: string): ResponseValidation {
  return {
    findings: [{ rule: 'well-formed-xml', requirement, severity: 'must', ok: false, expected: 'a decodable SAML Response', observed: reason }],
    ok: false,
    signatures: [],
    assertionSource: 'none',
  };
}

/** Certificates a message ships in its own KeyInfo: what an SP must never trust, and a weak one does. */
export function keyInfoCertificates(xml: string): string[] {
  let root: Element;
  try {
    root = parseXml(xml).documentElement!;
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const sig of descendants(root, NS.ds, 'Signature')) {
    const keyInfo = child(sig, NS.ds, 'KeyInfo');
    if (!keyInfo) continue;
    for (const certEl of descendants(keyInfo, NS.ds, 'X509Certificate')) {
      try {
        const pem = base64ToCertPem(certEl.textContent ?? '');
        new crypto.X509Certificate(pem);
        if (!out.includes(pem)) out.push(pem);
      } catch {
        // Not a certificate; a weak SP would fail on it too.
      }
    }
  }
  return out;
}

/** The vulnerable read: the first saml:Assertion in document order, signed or not. */
export function firstAssertionIdentity(xml: string): ResponseIdentity | undefined {
  let root: Element;
  try {
    root = parseXml(xml).documentElement!;
  } catch {
    return undefined;
  }
  const first = root.namespaceURI === NS.saml && root.localName === 'Assertion' ? root : descendants(root, NS.saml, 'Assertion')[0];
  if (!first) return undefined;
  const info = readAssertion(first);
  if (!info.nameId || info.nameId.value.trim() === '') return undefined;
  const identity: ResponseIdentity = { nameId: info.nameId.value, attributes: info.attributes };
  if (info.nameId.format !== undefined) identity.nameIdFormat = info.nameId.format;
  const sessionIndex = info.authnStatements.find((s) => s.sessionIndex !== undefined)?.sessionIndex;
  if (sessionIndex !== undefined) identity.sessionIndex = sessionIndex;
  if (info.id !== undefined) identity.assertionId = info.id;
  return identity;
}

/** The comment-injection mistake: NameID read only up to its first comment (first text node). */
function truncatedAtComment(xml: string, identity: ResponseIdentity): ResponseIdentity {
  if (identity.assertionId === undefined) return identity;
  try {
    const root = parseXml(xml).documentElement!;
    const assertion = elementsById(root, identity.assertionId).find((e) => e.namespaceURI === NS.saml && e.localName === 'Assertion');
    const subject = assertion && child(assertion, NS.saml, 'Subject');
    const nameId = subject && child(subject, NS.saml, 'NameID');
    const first = nameId ? textNodes(nameId)[0] : undefined;
    return first === undefined ? identity : { ...identity, nameId: first };
  } catch {
    return identity;
  }
}
