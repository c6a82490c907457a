// idp-unsupported-nameid-format-refused reads the NameID Format truthfully in its observation:
// Lasso's Format="" is "empty", not "absent or unreadable", and a missing attribute is absent.
import { describe, expect, it } from 'vitest';
import type { AcsOutcome } from '../../mock-sp/index.ts';
import type { ResponseValidation } from '../../saml/rules/index.ts';
import { describeFormat } from '../../scenarios/idp/nameid/nameid-format.ts';

const UNSIGNED: ResponseValidation = { findings: [], ok: false, signatures: [], assertionSource: 'unsigned' };

function outcome(nameIdAttrs: string, identity?: ResponseValidation['identity']): AcsOutcome {
  const xml =
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">' +
    `<saml:Assertion><saml:Subject><saml:NameID${nameIdAttrs}>alice</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>`;
  return {
    path: '/acs',
    url: 'http://sp.samlconf.test/acs',
    binding: 'post',
    scenario: 's',
    xml,
    validation: { ...UNSIGNED, ...(identity ? { identity, assertionSource: 'signed-assertion' as const } : {}) },
    accepted: false,
    failedRules: [],
    ignoredRules: [],
    receivedAt: new Date(0).toISOString(),
  };
}

describe('describeFormat', () => {
  it('tells an empty Format from an absent one, from signed content', () => {
    expect(describeFormat(outcome(' Format=""', { nameId: 'alice', nameIdFormat: '', attributes: {} }))).toBe('its NameID Format is empty (Format="")');
    expect(describeFormat(outcome('', { nameId: 'alice', attributes: {} }))).toBe('its NameID has no Format attribute');
    expect(describeFormat(outcome(' Format="urn:x"', { nameId: 'alice', nameIdFormat: 'urn:x', attributes: {} }))).toBe('its NameID Format is urn:x');
  });

  it('describes unsigned content as such, and says when there is no NameID to read', () => {
    expect(describeFormat(outcome(' Format=""'))).toBe('its NameID Format is empty (Format="") (read from unsigned content)');
    expect(describeFormat({ ...outcome(''), xml: '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>' })).toBe('its NameID could not be read (no plain NameID in the message)');
  });
});
