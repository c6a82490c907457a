// Reading what reached the mock SP's ACS in IdP scenarios: whether an assertion came with it, the
// status it carried, and one line that says what happened (for observations).
import type { Checker } from '../../harness/scenario.ts';
import type { AcsOutcome } from '../../mock-sp/index.ts';
import { NS } from '../../saml/constants.ts';
import { readAssertion, readResponse, type AssertionInfo, type ResponseInfo } from '../../saml/readers.ts';
import { elementsById, parseRoot } from '../../saml/xml.ts';

/** The Response's header fields, or undefined when nothing (or nothing parseable) arrived. */
export function responseInfo(outcome: AcsOutcome | undefined): ResponseInfo | undefined {
  if (!outcome?.xml) return undefined;
  try {
    return readResponse(parseRoot(outcome.xml));
  } catch {
    return undefined;
  }
}

/** Whether what reached the mock SP carried an assertion (plain or encrypted). */
export function carriesAssertion(outcome: AcsOutcome | undefined): boolean {
  const info = responseInfo(outcome);
  return info !== undefined && info.assertionCount + info.encryptedAssertionCount > 0;
}

/**
 * For refusal checks: true when no assertion was issued to the mock SP (nothing arrived, or a
 * readable Response without one). An answer samlconf cannot read (a DOCTYPE, a message over the
 * size limit, garbage) says nothing about a refusal, so it throws: the scenario ends in error, and
 * the message stays in the evidence.
 */
export function noAssertionIssued(outcome: AcsOutcome | undefined): boolean {
  if (!outcome) return true;
  const info = readableResponse(outcome, 'whether it refused');
  return info.assertionCount + info.encryptedAssertionCount === 0;
}

/**
 * The Response's header fields, for a scenario that judges what came with it (its RelayState, its
 * status). An answer samlconf cannot read is no SAML answer at all: it throws, naming what cannot
 * be told, and the scenario ends in error with the message in the evidence.
 */
export function readableResponse(outcome: AcsOutcome, toTell: string): ResponseInfo {
  const info = responseInfo(outcome);
  if (info) return info;
  const why = outcome.validation.findings.find((f) => !f.ok)?.observed ?? 'it could not be decoded';
  throw new Error(`the IdP answered at ${outcome.path} with something samlconf cannot read (${why}), so ${toTell} cannot be told`);
}

/** The last segment of each status code, `Requester/InvalidNameIDPolicy`; `(no status)` when absent. */
export function statusText(info: ResponseInfo | undefined): string {
  const codes = [info?.status.code, ...(info?.status.subCodes ?? [])].filter((c): c is string => c !== undefined);
  return codes.length ? codes.map((c) => c.slice(c.lastIndexOf(':') + 1)).join('/') : '(no status)';
}

/** True when the Response's status is `code` with `subCode` somewhere among its second-level codes. */
export function hasStatus(info: ResponseInfo | undefined, code: string, subCode: string): boolean {
  return info?.status.code === code && info.status.subCodes.includes(subCode);
}

/** One line for an observation: where the Response went, with or without an assertion, and its status. */
export function describeOutcome(outcome: AcsOutcome | undefined): string {
  if (!outcome) return 'nothing reached the mock SP';
  const info = responseInfo(outcome);
  if (!info) return `something unreadable reached ${outcome.path}`;
  return `a Response reached ${outcome.path} ${carriesAssertion(outcome) ? 'WITH an assertion' : 'without an assertion'} (status ${statusText(info)})`;
}

/**
 * The plain assertion the mock SP read its identity from (signed content only), or undefined when
 * no signed plain assertion arrived (nothing, unsigned, or encrypted: its plaintext is not in `xml`).
 */
export function signedAssertionOf(outcome: AcsOutcome | undefined): AssertionInfo | undefined {
  const id = outcome?.validation.identity?.assertionId;
  if (!outcome?.xml || id === undefined) return undefined;
  try {
    const found = elementsById(parseRoot(outcome.xml), id).filter((el) => el.namespaceURI === NS.saml && el.localName === 'Assertion');
    return found.length === 1 ? readAssertion(found[0]!) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The should-level check every refusal case makes of the IdP's answer: a Response to the SP with
 * the status the specification names for it (an error page of the IdP's own tells the SP nothing).
 */
export function checkErrorStatus(
  check: Checker,
  outcome: AcsOutcome | undefined,
  o: { check: string; requirement: string; code: string; subCode: string; label: string; otherwise?: string },
): void {
  const info = responseInfo(outcome);
  check.should(hasStatus(info, o.code, o.subCode), {
    check: o.check,
    requirement: o.requirement,
    expected: `a Response to the SP with status ${o.label}`,
    observed: outcome ? `status ${statusText(info)}` : (o.otherwise ?? describeOutcome(outcome)),
    xml: outcome?.xml,
  });
}
