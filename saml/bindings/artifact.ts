// HTTP-Artifact binding (SAML Bindings 3.6): a 44-byte reference to a message, resolved later
// over SOAP. Type 0x0004 layout: TypeCode(2) EndpointIndex(2) SourceID(20) MessageHandle(20).
import { createHash, randomBytes } from 'node:crypto';
import { ARTIFACT_TYPE_CODE } from '../constants.ts';
import { XmlSafetyError } from '../xml.ts';
import { appendQuery, decodeBase64Strict, formDecode, formEncode, parseRawQuery, pickUniqueParams } from './encoding.ts';

export const ARTIFACT_LENGTH = 44;

export type ArtifactErrorCode = 'encoding' | 'length' | 'type-code';

export class ArtifactError extends Error {
  readonly code: ArtifactErrorCode;
  constructor(code: ArtifactErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'ArtifactError';
    this.code = code;
  }
}

/** SourceID for type 0x0004: SHA-1 of the issuer's entity ID (Bindings 3.6.4). */
export function sourceIdFor(entityId: string): Buffer {
  return createHash('sha1').update(entityId, 'utf8').digest();
}

export function createArtifact(o: { endpointIndex: number; entityId: string; messageHandle?: Buffer }): string {
  if (!Number.isInteger(o.endpointIndex) || o.endpointIndex < 0 || o.endpointIndex > 0xffff) {
    throw new RangeError(`endpointIndex must be an integer 0..65535, got ${o.endpointIndex}`);
  }
  // The handle must be unguessable: it is all that stands between an observer and the message.
  const handle = o.messageHandle ?? randomBytes(20);
  if (handle.length !== 20) throw new RangeError(`messageHandle must be 20 bytes, got ${handle.length}`);
  const out = Buffer.alloc(ARTIFACT_LENGTH);
  out.writeUInt16BE(ARTIFACT_TYPE_CODE, 0);
  out.writeUInt16BE(o.endpointIndex, 2);
  sourceIdFor(o.entityId).copy(out, 4);
  handle.copy(out, 24);
  return out.toString('base64');
}

/** Decode and check an artifact; throws ArtifactError for bad base64, length or type code. */
export function parseArtifact(b64: string): { typeCode: number; endpointIndex: number; sourceId: Buffer; messageHandle: Buffer } {
  let bytes: Buffer;
  try {
    bytes = decodeBase64Strict(b64, 'artifact');
  } catch (err) {
    throw new ArtifactError('encoding', (err as Error).message);
  }
  if (bytes.length !== ARTIFACT_LENGTH) {
    throw new ArtifactError('length', `artifact is ${bytes.length} bytes, type 0x0004 artifacts are ${ARTIFACT_LENGTH}`);
  }
  const typeCode = bytes.readUInt16BE(0);
  if (typeCode !== ARTIFACT_TYPE_CODE) {
    throw new ArtifactError('type-code', `artifact type code 0x${typeCode.toString(16).padStart(4, '0')}, expected 0x0004`);
  }
  return {
    typeCode,
    endpointIndex: bytes.readUInt16BE(2),
    sourceId: Buffer.from(bytes.subarray(4, 24)),
    messageHandle: Buffer.from(bytes.subarray(24, 44)),
  };
}

/** The URL that carries an artifact by redirect (Bindings 3.6.3): SAMLart and RelayState. */
export function encodeArtifactRedirect(o: { endpoint: string; artifact: string; relayState?: string }): string {
  const parts = [`SAMLart=${formEncode(o.artifact)}`];
  if (o.relayState !== undefined) parts.push(`RelayState=${formEncode(o.relayState)}`);
  return appendQuery(o.endpoint, parts.join('&'));
}

/** Read SAMLart and RelayState from a raw query; duplicates or a missing SAMLart throw XmlSafetyError('encoding'). */
export function decodeArtifactQuery(rawQuery: string): { artifact: string; relayState?: string } {
  const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  if (query.length > 16 * 1024) throw new XmlSafetyError('too-large', `query string is ${query.length} bytes`);
  const params = pickUniqueParams(parseRawQuery(query), ['SAMLart', 'RelayState']);
  const art = params.get('SAMLart');
  if (!art) throw new XmlSafetyError('encoding', 'no SAMLart parameter');
  const out: { artifact: string; relayState?: string } = { artifact: formDecode(art.rawValue, 'SAMLart') };
  const relay = params.get('RelayState');
  if (relay) out.relayState = formDecode(relay.rawValue, 'RelayState');
  return out;
}
