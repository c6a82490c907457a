// The ACS decision: decode what arrived, run the strict rules (saml/rules validateResponse), and,
// for a target-mode SP with weaknesses, waive the rules each weakness stands for. Identity comes
// from signed content only, except where a weakness models the classic mistake of reading it
// from the document's first assertion.
import { decryptAssertionsInResponse } from '../saml/encryption.ts';
import { validateResponse } from '../saml/rules/index.ts';
import type { ResponseIdentity, ResponseValidation, ResponseValidationContext, RuleFinding } from '../saml/rules/index.ts';
import {
  assertionIdentity,
  carelesslyReadAssertion,
  everySignatureValueEmpty,
  firstAssertionIdentity,
  holderIdentity,
  holderOfMisplacedSignature,
  keyInfoCertificates,
  lastSignedAssertion,
  truncatedAtComment,
} from './careless-reading.ts';
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
  /** Target mode: the should-level SHA-1 finding refuses the Response (unless weaknesses.acceptSha1 waives it). */
  refuseSha1?: boolean;
}

/** The Response with its EncryptedAssertions decrypted (as received when there are none, or they do not decrypt). */
async function decryptedForReading(xml: string, keyPem: string | undefined): Promise<string> {
  if (!keyPem || !xml.includes('EncryptedAssertion')) return xml;
  return decryptAssertionsInResponse(xml, keyPem).catch(() => xml);
}

export async function judgeResponse(xml: string, ctx: ResponseValidationContext, options: JudgeOptions = {}): Promise<AcsJudgement> {
  const w = options.weaknesses ?? {};
  const active = activeWeaknesses(w);
  const strict = withFindings(await validateResponse(xml, ctx), options.extraFindings ?? []);
  // The careless reads below model an SP that decrypts first and then reads carelessly, so they
  // see the document with its EncryptedAssertions decrypted, as the strict rules do.
  const readable = await decryptedForReading(xml, ctx.decryptionKeyPem);

  // What the weakened SP concludes: more trusted certificates, unsolicited allowed.
  let effective = strict;
  const extraCerts = w.trustKeyInfoCert ? keyInfoCertificates(readable) : [];
  const allowUnsolicited = ctx.allowUnsolicited === true || w.acceptUnsolicited === true;
  if (extraCerts.length > 0 || allowUnsolicited !== (ctx.allowUnsolicited === true)) {
    const weakCtx = { ...ctx, allowUnsolicited, trustedCerts: [...ctx.trustedCerts, ...extraCerts] };
    effective = withFindings(await validateResponse(xml, weakCtx), options.extraFindings ?? []);
  }

  const noSignature = effective.signatures.length === 0;
  const someSignatureValid = effective.signatures.some((c) => c.valid);
  // The conditional weaknesses, each judged on the document as received.
  const onlyEmptyValues = w.skipEmptySignatureValue === true && !noSignature && everySignatureValueEmpty(readable);
  const misplacedHolder = w.ignoreReferenceTarget ? holderOfMisplacedSignature(readable, effective.signatures, ctx.trustedCerts) : undefined;
  const lastSigned = w.lastAssertionWins ? lastSignedAssertion(readable, effective.signatures, effective.identity?.assertionId) : undefined;
  const wrappedRead = carelesslyReadAssertion(readable, w, ctx.trustedCerts);
  const waived = new Set<string>();
  for (const name of active) {
    if (name === 'acceptUnsigned' && !noSignature) continue;
    if (name === 'readIdentityFromUnsignedAssertion' && !someSignatureValid) continue;
    if (name === 'skipEmptySignatureValue' && !onlyEmptyValues) continue;
    if (name === 'ignoreReferenceTarget' && !misplacedHolder) continue;
    if (name === 'lastAssertionWins' && !lastSigned) continue;
    if ((name === 'responseSignatureReferenceAnywhere' || name === 'splitDuplicateIdLookup') && !wrappedRead) continue;
    for (const rule of WAIVED_RULES[name]) waived.add(rule);
  }

  let identity = effective.identity;
  if ((w.acceptUnsigned && noSignature) || (w.readIdentityFromUnsignedAssertion && someSignatureValid) || onlyEmptyValues) {
    identity = firstAssertionIdentity(readable);
  }
  if (misplacedHolder) identity = holderIdentity(misplacedHolder);
  if (lastSigned) identity = assertionIdentity(lastSigned);
  if (wrappedRead) identity = assertionIdentity(wrappedRead);
  if (identity && w.truncateNameIdAtComment) identity = truncatedAtComment(readable, identity);
  if (identity && w.normalizeNameId) identity = { ...identity, nameId: identity.nameId.trim().toLowerCase() };

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

  // A refusing SP treats SHA-1 as a failure, not just a note.
  const refusedSha1 = (v: ResponseValidation) => (options.refuseSha1 && v.findings.some((f) => f.rule === 'signature-algorithm' && !f.ok) ? ['signature-algorithm'] : []);
  const strictFailed = [...failedMustRules(strict.findings), ...refusedSha1(strict)];
  const failedRules = [...failedMustRules(effective.findings), ...refusedSha1(effective)].filter((r) => !waived.has(r));
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
