// An IdP's answer samlconf cannot read is never a refusal: the refusal checks throw (the scenario
// ends in error, the message stays in the evidence) instead of reading "no assertion" into it.
import { describe, expect, it } from 'vitest';
import type { AcsOutcome } from '../../mock-sp/index.ts';
import { noAssertionIssued, readableResponse } from '../../scenarios/idp/acs-outcome.ts';

const RESPONSE = (inner: string) =>
  `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${inner}</samlp:Response>`;

function arrived(xml: string | undefined, why = 'the message could not be decoded'): AcsOutcome {
  return {
    path: '/acs',
    url: 'http://sp.samlconf.test/acs',
    binding: 'post',
    scenario: 's',
    ...(xml !== undefined ? { xml } : {}),
    validation: { findings: [{ rule: 'well-formed-xml', requirement: 'core-3.2.2', severity: 'must', ok: xml !== undefined, expected: 'a decodable SAML Response', observed: why }], ok: false, signatures: [], assertionSource: 'unsigned' },
    accepted: false,
    failedRules: [],
    ignoredRules: [],
    receivedAt: new Date(0).toISOString(),
  };
}

describe('refusals read from what reached the mock SP', () => {
  it('counts nothing arriving, or a readable Response without an assertion, as no assertion issued', () => {
    expect(noAssertionIssued(undefined)).toBe(true);
    expect(noAssertionIssued(arrived(RESPONSE('')))).toBe(true);
    expect(noAssertionIssued(arrived(RESPONSE('<saml:Assertion ID="_a" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"/>')))).toBe(false);
  });

  it('throws on a DOCTYPE, on something over the size limit and on garbage, never answering "refused"', () => {
    expect(() => noAssertionIssued(arrived(`<!DOCTYPE Response [<!ENTITY who "alice">]>${RESPONSE('')}`))).toThrow(/cannot read .*whether it refused cannot be told/);
    expect(() => noAssertionIssued(arrived(undefined, 'SAMLResponse is 20971520 bytes, over the 1048576 allowed'))).toThrow(/over the 1048576 allowed/);
    expect(() => noAssertionIssued(arrived('not xml at all'))).toThrow(/cannot read/);
    expect(() => readableResponse(arrived('<<<'), 'its RelayState')).toThrow(/so its RelayState cannot be told/);
  });
});
