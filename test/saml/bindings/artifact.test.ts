import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { XmlSafetyError } from '../../../saml/xml.ts';
import {
  ArtifactError,
  createArtifact,
  decodeArtifactQuery,
  encodeArtifactRedirect,
  parseArtifact,
  rawQueryOf,
  sourceIdFor,
} from '../../../saml/bindings/index.ts';

const IDP = 'https://idp.example.test/metadata';

function artifactError(fn: () => unknown): ArtifactError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ArtifactError);
    return err as ArtifactError;
  }
  throw new Error('expected an ArtifactError');
}

describe('HTTP-Artifact type 0x0004', () => {
  it('lays out type code, endpoint index, SourceID and handle in 44 bytes', () => {
    const handle = Buffer.from('00112233445566778899aabbccddeeff01234567', 'hex');
    const b64 = createArtifact({ endpointIndex: 0x0102, entityId: IDP, messageHandle: handle });
    const bytes = Buffer.from(b64, 'base64');
    expect(bytes).toHaveLength(44);
    expect(bytes.subarray(0, 2).toString('hex')).toBe('0004');
    expect(bytes.subarray(2, 4).toString('hex')).toBe('0102');
    expect(bytes.subarray(4, 24).equals(createHash('sha1').update(IDP).digest())).toBe(true);
    expect(bytes.subarray(24).equals(handle)).toBe(true);
    expect(parseArtifact(b64)).toEqual({ typeCode: 4, endpointIndex: 0x0102, sourceId: sourceIdFor(IDP), messageHandle: handle });
  });

  it('matches a known SourceID and uses a fresh random handle by default', () => {
    // SHA-1("https://idp.example.test/metadata"), computed independently with `sha1sum`.
    expect(sourceIdFor(IDP).toString('hex')).toBe('32f294f1ffbb9de5f6799d758bd7e7b1d80fc235');
    const a = parseArtifact(createArtifact({ endpointIndex: 0, entityId: IDP }));
    const b = parseArtifact(createArtifact({ endpointIndex: 65535, entityId: IDP }));
    expect(a.messageHandle.equals(b.messageHandle)).toBe(false);
    expect(a.messageHandle).toHaveLength(20);
    expect([a.endpointIndex, b.endpointIndex]).toEqual([0, 65535]);
  });

  it('refuses out-of-range inputs when creating', () => {
    expect(() => createArtifact({ endpointIndex: 65536, entityId: IDP })).toThrow(RangeError);
    expect(() => createArtifact({ endpointIndex: -1, entityId: IDP })).toThrow(RangeError);
    expect(() => createArtifact({ endpointIndex: 1.5, entityId: IDP })).toThrow(RangeError);
    expect(() => createArtifact({ endpointIndex: 0, entityId: IDP, messageHandle: Buffer.alloc(19) })).toThrow(RangeError);
  });

  it('throws typed errors for bad length, type code and base64', () => {
    const good = Buffer.from(createArtifact({ endpointIndex: 1, entityId: IDP }), 'base64');
    expect(artifactError(() => parseArtifact(good.subarray(0, 43).toString('base64'))).code).toBe('length');
    expect(artifactError(() => parseArtifact(Buffer.concat([good, Buffer.alloc(1)]).toString('base64'))).code).toBe('length');
    const wrongType = Buffer.from(good);
    wrongType.writeUInt16BE(0x0002, 0);
    const e = artifactError(() => parseArtifact(wrongType.toString('base64')));
    expect(e.code).toBe('type-code');
    expect(e.message).toMatch(/0x0002/);
    expect(artifactError(() => parseArtifact('not*base64')).code).toBe('encoding');
    expect(artifactError(() => parseArtifact('')).code).toBe('encoding');
  });

  it('carries SAMLart and RelayState in a redirect URL', () => {
    const artifact = createArtifact({ endpointIndex: 2, entityId: IDP });
    const url = encodeArtifactRedirect({ endpoint: 'https://sp.example.test/acs/artifact?x=1', artifact, relayState: 'a b&c' });
    expect(url.startsWith('https://sp.example.test/acs/artifact?x=1&SAMLart=')).toBe(true);
    expect(decodeArtifactQuery(rawQueryOf(url))).toEqual({ artifact, relayState: 'a b&c' });
    expect(() => decodeArtifactQuery(`${rawQueryOf(url)}&SAMLart=AAAA`)).toThrow(XmlSafetyError);
    expect(() => decodeArtifactQuery('RelayState=x')).toThrow(/no SAMLart/);
  });
});
