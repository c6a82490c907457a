// validateResponse: what a strict SP applies to a received samlp:Response (the mock SP's ACS
// reports these findings). Never throws; identity is read only from signed content.
import { NS } from '../constants.ts';
import { type Element, attr, children } from '../xml.ts';
import { allMustPass, finding, joinedText, parseMessage, runRules, samlChild, wellFormedOk } from './common.ts';
import { ASSERTION_RULES } from './assertion-rules.ts';
import { RESPONSE_LEVEL_RULES } from './response-rules.ts';
import { type ResponseSubject, prepareResponse } from './response-subject.ts';
import type { ResponseIdentity, ResponseValidation, ResponseValidationContext, Rule } from './types.ts';

export { prepareResponse } from './response-subject.ts';
export type { ResponseSubject } from './response-subject.ts';

/** Every rule validateResponse applies, in report order. */
export const RESPONSE_RULES: readonly Rule<ResponseSubject>[] = [...RESPONSE_LEVEL_RULES, ...ASSERTION_RULES];

const SCHEMA_REQUIREMENT = 'core-3.2.2';

export async function validateResponse(xml: string, ctx: ResponseValidationContext): Promise<ResponseValidation> {
  const parsed = parseMessage(xml, 'Response', SCHEMA_REQUIREMENT);
  if (!parsed.ok) return { findings: [parsed.finding], ok: false, signatures: [], assertionSource: 'none' };
  let subject: ResponseSubject;
  try {
    subject = await prepareResponse(parsed.root, xml, ctx);
  } catch (err) {
    // Decryption or signature evaluation failed outright: a document we cannot trust.
    const f = finding(
      { id: 'well-formed-xml', requirement: SCHEMA_REQUIREMENT, severity: 'must' },
      { ok: false, expected: 'a Response whose signatures and encrypted parts can be evaluated', observed: `evaluation failed: ${(err as Error).message}` },
    );
    return { findings: [f], ok: false, signatures: [], assertionSource: 'none' };
  }
  const findings = [wellFormedOk('Response', SCHEMA_REQUIREMENT), ...runRules(RESPONSE_RULES, subject)];
  const result: ResponseValidation = {
    findings,
    ok: allMustPass(findings),
    signatures: subject.signatures,
    assertionSource: subject.assertionSource,
  };
  const identity = signedIdentity(subject);
  if (identity) result.identity = identity;
  return result;
}

/** Identity from the signed assertion only; undefined when nothing signed names a subject. */
function signedIdentity(s: ResponseSubject): ResponseIdentity | undefined {
  if (s.assertionSource !== 'signed-response' && s.assertionSource !== 'signed-assertion') return undefined;
  const a = s.assertion!;
  const nameId = joinedText(s.nameId);
  if (nameId === undefined || nameId.trim() === '') return undefined;
  const identity: ResponseIdentity = { nameId, attributes: attributesOf(a) };
  const format = attr(s.nameId, 'Format');
  if (format !== undefined) identity.nameIdFormat = format;
  const nameQualifier = attr(s.nameId, 'NameQualifier');
  if (nameQualifier !== undefined) identity.nameQualifier = nameQualifier;
  const spNameQualifier = attr(s.nameId, 'SPNameQualifier');
  if (spNameQualifier !== undefined) identity.spNameQualifier = spNameQualifier;
  const spProvidedId = attr(s.nameId, 'SPProvidedID');
  if (spProvidedId !== undefined) identity.spProvidedId = spProvidedId;
  const statement = samlChild(a, 'AuthnStatement');
  const sessionIndex = attr(statement, 'SessionIndex');
  if (sessionIndex !== undefined) identity.sessionIndex = sessionIndex;
  const id = attr(a, 'ID');
  if (id !== undefined) identity.assertionId = id;
  return identity;
}

function attributesOf(assertion: Element): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const statement of children(assertion, NS.saml, 'AttributeStatement')) {
    for (const attribute of children(statement, NS.saml, 'Attribute')) {
      const name = attr(attribute, 'Name');
      if (name === undefined) continue;
      const values = children(attribute, NS.saml, 'AttributeValue').map((v) => joinedText(v) ?? '');
      (out[name] ??= []).push(...values);
    }
  }
  return out;
}
