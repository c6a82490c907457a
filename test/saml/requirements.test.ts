import { describe, expect, it } from 'vitest';
import { REQUIREMENTS, isRequirementId, requirement } from '../../saml/requirements.ts';
import { AUTHN_REQUEST_RULES, LOGOUT_REQUEST_RULES, LOGOUT_RESPONSE_RULES, RESPONSE_RULES } from '../../saml/rules/index.ts';

const KEYWORDS = new Set(['MUST', 'MUST NOT', 'SHOULD', 'SHOULD NOT', 'MAY']);

describe('requirement registry', () => {
  it('keys every entry by its own ID, with the document prefix and a section', () => {
    const entries = Object.entries(REQUIREMENTS);
    expect(entries.length).toBeGreaterThan(60);
    for (const [key, r] of entries) {
      expect(r.id).toBe(key);
      expect(KEYWORDS.has(r.keyword), `${key} keyword`).toBe(true);
      expect(r.section.length, `${key} section`).toBeGreaterThan(0);
      if (r.document === 'attack') {
        expect(key).toMatch(/^(attack-[a-z0-9-]+|cve-\d{4}-\d{4,}|ghsa-[a-z0-9-]+)$/);
      } else {
        expect(key).toBe(`${r.document}-${r.section}`);
        expect(r.section).toMatch(/^\d+(\.\d+)*$/);
      }
    }
  });

  it('writes each summary as one sentence of our own', () => {
    for (const r of Object.values(REQUIREMENTS)) {
      expect(r.summary, r.id).toMatch(/^[A-Z].*\.$/);
      expect(r.summary.length, r.id).toBeLessThan(400);
      expect(r.summary.split(/\.\s+[A-Z]/).length, `${r.id} is one sentence`).toBe(1);
    }
  });

  it('holds the statements the first scenarios cite', () => {
    const cited = [
      'core-2.5.1.4', // wrong Audience
      'core-2.5.1.2', // expired assertion
      'profiles-4.1.4.2', // Response usage
      'profiles-4.1.4.3', // Response processing rules
      'profiles-4.1.3.5', // POST: assertions signed
      'profiles-4.1.4.5', // POST-specific rules, replay
      'profiles-4.1.5', // unsolicited / IdP-initiated
      'profiles-4.1.4.1', // AuthnRequest usage, ACS URL belongs to the SP
      'core-3.4.1', // AuthnRequest
      'bindings-3.4.4.1', // DEFLATE encoding
      'bindings-3.5.4', // POST encoding
      'metadata-2.4.3', // WantAuthnRequestsSigned
      'metadata-2.4.4', // WantAssertionsSigned, ACS endpoints
      'conformance-3.2', // feature matrix
      'core-3.2.2',
      'core-3.2.2.2',
      'core-2.4.1.2',
      'core-3.7.1',
      'core-5.4.2',
      'profiles-4.4',
      'profiles-4.4.4.1',
      'attack-xsw',
      'attack-certificate-faking',
      'cve-2025-29775',
      'cve-2017-11427',
    ];
    for (const id of cited) expect(requirement(id).id).toBe(id);
  });

  it('records the checked keyword and document of key sections', () => {
    expect(requirement('core-2.5.1.4')).toMatchObject({ document: 'core', section: '2.5.1.4', keyword: 'MUST' });
    expect(requirement('profiles-4.1.5')).toMatchObject({ document: 'profiles', keyword: 'MUST NOT' });
    expect(requirement('bindings-3.4.3')).toMatchObject({ document: 'bindings', keyword: 'MUST NOT' });
    expect(requirement('attack-xsw').section).toMatch(/Somorovsky/);
    expect(requirement('cve-2025-29775').document).toBe('attack');
  });

  it('throws on an unknown ID so a typo fails the test that uses it', () => {
    expect(() => requirement('core-2.5.1.44')).toThrow(/unknown requirement id "core-2.5.1.44"/);
    expect(() => requirement('toString')).toThrow();
    expect(isRequirementId('core-2.5.1.4')).toBe(true);
    expect(isRequirementId('__proto__')).toBe(false);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(REQUIREMENTS)).toBe(true);
    expect(Object.isFrozen(REQUIREMENTS['core-2.5.1.4'])).toBe(true);
  });

  it('backs every rule with a registered requirement', () => {
    for (const rule of [...RESPONSE_RULES, ...LOGOUT_REQUEST_RULES, ...LOGOUT_RESPONSE_RULES, ...AUTHN_REQUEST_RULES]) {
      expect(isRequirementId(rule.requirement), `${rule.id} -> ${rule.requirement}`).toBe(true);
      expect(rule.id).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
    }
  });
});
