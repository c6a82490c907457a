// The generic evidence recorder: numbering, kinds, decoded and pretty XML, signature evidence.
import { describe, expect, it } from 'vitest';
import { buildLogoutRequest } from '../../saml/builders/index.ts';
import { EvidenceRecorder, messageKindOf, redirectSignatureEvidence, xmlSignatureEvidence } from '../../mock-kit/recorder.ts';

describe('EvidenceRecorder', () => {
  it('numbers messages from 1 in order, derives the kind, and pretty-prints the XML', () => {
    const r = new EvidenceRecorder('mock-sp');
    const xml = buildLogoutRequest({ nameId: { value: 'a@example.test' } });
    const m1 = r.record({ direction: 'sent', binding: 'redirect', raw: 'SAMLRequest=abc', xml, relayState: 'rs' });
    const m2 = r.record({ direction: 'received', raw: 'garbage', note: 'not decodable' });
    expect([m1.seq, m2.seq]).toEqual([1, 2]);
    expect(m1).toMatchObject({ via: 'mock-sp', kind: 'LogoutRequest', raw: 'SAMLRequest=abc', xml, relayState: 'rs', binding: 'redirect' });
    expect(m1.pretty).toContain('\n  <saml:Issuer');
    expect(m2).toMatchObject({ kind: 'Other', note: 'not decodable' });
    expect(m2.xml).toBeUndefined();
    expect(Date.parse(m1.at)).not.toBeNaN();
    const list = r.list();
    list[0].raw = 'changed';
    expect(r.list()[0].raw).toBe('SAMLRequest=abc');
    r.clear();
    expect(r.list()).toEqual([]);
    expect(r.record({ direction: 'sent', raw: 'x' }).seq).toBe(1);
  });

  it('keeps at most `limit` messages', () => {
    const r = new EvidenceRecorder('x', { limit: 2 });
    for (let i = 0; i < 3; i++) r.record({ direction: 'sent', raw: String(i) });
    expect(r.list().map((m) => m.seq)).toEqual([2, 3]);
  });

  it('names kinds from the root element, tolerating hostile XML', () => {
    expect(messageKindOf('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>')).toBe('Metadata');
    expect(messageKindOf('<!DOCTYPE x [<!ENTITY a "b">]><x/>')).toBe('Other');
    expect(messageKindOf(undefined)).toBe('Other');
  });

  it('turns signature checks into SignatureEvidence', () => {
    expect(xmlSignatureEvidence([{ valid: false, parentName: 'Assertion', parentId: '_a', referenceUri: '_a', signatureAlgorithm: 'alg', reason: 'bad digest' }])).toEqual([
      { kind: 'xml', valid: false, algorithm: 'alg', covers: '_a', reason: 'bad digest' },
    ]);
    expect(redirectSignatureEvidence({ valid: true, algorithm: 'alg' }, '_r')).toEqual({ kind: 'redirect-query', valid: true, algorithm: 'alg', covers: '_r' });
  });
});
