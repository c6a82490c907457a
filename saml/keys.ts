// Key pairs and self-signed X.509 certificates for the harness's own identities and for attack
// material (attacker keys, expired or not-yet-valid certificates), plus the PEM/DER/base64
// conversions that metadata and ds:X509Certificate need.
//
// Keys come from Node's crypto (native, fast). RSA certificates are signed by node-forge; forge
// cannot sign with EC keys, so for EC the TBSCertificate is assembled with forge.asn1 and signed
// by Node's crypto (ECDSA with SHA-256, DER signature as X.509 requires).
import * as crypto from 'node:crypto';
import forge from 'node-forge';

export type KeySpec = { type: 'rsa'; bits?: 2048 | 3072 | 4096 } | { type: 'ec'; curve?: 'P-256' };
export interface KeyPair {
  type: 'rsa' | 'ec';
  privateKeyPem: string;
  publicKeyPem: string;
}
export interface CertOptions {
  commonName?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** Hex; made positive (a leading 00 is added when the top bit is set). Default: 16 random bytes. */
  serialNumber?: string;
  /** Lifetime from now when notAfter is not given. Default 3650: harness identities are kept across runs. */
  validDays?: number;
}
export interface Credential {
  key: KeyPair;
  certPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/** Default RSA 2048. PKCS#8 private key and SPKI public key, both PEM. */
export function generateKeyPair(spec: KeySpec = { type: 'rsa' }): KeyPair {
  if (spec.type === 'ec') {
    const curve = spec.curve ?? 'P-256';
    if (curve !== 'P-256') throw new Error(`unsupported curve ${String(curve)}`);
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    return { type: 'ec', privateKeyPem: privateKey, publicKeyPem: publicKey };
  }
  if (spec.type !== 'rsa') throw new Error(`unsupported key type ${String((spec as { type: unknown }).type)}`);
  const bits = spec.bits ?? 2048;
  if (![2048, 3072, 4096].includes(bits)) throw new Error(`unsupported RSA size ${bits}`);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { type: 'rsa', privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function positiveSerialHex(serial: string | undefined): string {
  let hex = (serial ?? crypto.randomBytes(16).toString('hex')).toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]+$/.test(hex)) throw new Error(`serial number must be hex, got ${serial}`);
  if (hex.length % 2 === 1) hex = '0' + hex;
  // DER INTEGER is signed: a set top bit would make the serial negative, which RFC 5280 forbids.
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = '00' + hex;
  return hex;
}

function validity(options: CertOptions): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  // A few minutes back so that a peer whose clock runs slightly behind still accepts it.
  const notBefore = options.notBefore ?? new Date(now - 10 * 60 * 1000);
  const notAfter = options.notAfter ?? new Date(now + (options.validDays ?? 3650) * DAY_MS);
  if (notAfter.getTime() <= notBefore.getTime()) throw new Error('certificate notAfter must be after notBefore');
  return { notBefore, notAfter };
}

function subjectAttributes(options: CertOptions): forge.pki.CertificateField[] {
  return [
    { name: 'commonName', value: options.commonName ?? 'samlconf' },
    { name: 'organizationName', value: 'samlconf' },
  ];
}

/** SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1), hex. */
function subjectKeyIdentifierHex(spkiDer: Buffer): string {
  const spki = forge.asn1.fromDer(forge.util.createBuffer(spkiDer.toString('binary')));
  const bitString = (spki.value as forge.asn1.Asn1[])[1].value as string;
  // The BIT STRING value starts with the count of unused bits (always 0 for keys).
  return crypto.createHash('sha1').update(Buffer.from(bitString.slice(1), 'binary')).digest('hex');
}

function extensionsFor(type: KeyPair['type'], spkiDer: Buffer): unknown[] {
  // RSA certificates also serve XML-Enc key transport; EC keys only sign (or agree keys).
  const usage = type === 'rsa' ? { keyEncipherment: true, dataEncipherment: true } : { keyAgreement: true };
  return [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, ...usage, critical: true },
    {
      name: 'subjectKeyIdentifier',
      // Given as a ready value: forge would otherwise derive it from an RSA key only.
      value: forge.asn1.create(
        forge.asn1.Class.UNIVERSAL,
        forge.asn1.Type.OCTETSTRING,
        false,
        forge.util.hexToBytes(subjectKeyIdentifierHex(spkiDer)),
      ),
    },
  ];
}

function timeAsn1(date: Date): forge.asn1.Asn1 {
  const { asn1 } = forge;
  // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function rsaCertificate(key: KeyPair, options: CertOptions): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
  cert.serialNumber = positiveSerialHex(options.serialNumber);
  const { notBefore, notAfter } = validity(options);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const attrs = subjectAttributes(options);
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const spkiDer = crypto.createPublicKey(key.publicKeyPem).export({ type: 'spki', format: 'der' });
  cert.setExtensions(extensionsFor('rsa', spkiDer) as never[]);
  cert.sign(forge.pki.privateKeyFromPem(key.privateKeyPem), forge.md.sha256.create());
  // Re-wrapped: forge writes CRLF line ends, everything else here uses LF.
  return derToPem(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary'), 'CERTIFICATE');
}

function ecCertificate(key: KeyPair, options: CertOptions): string {
  const { asn1 } = forge;
  const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
  const algorithm = seq([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID_ECDSA_WITH_SHA256).getBytes())]);

  // forge's name and extension encoders are reused through a throwaway certificate object.
  const scratch = forge.pki.createCertificate();
  const attrs = subjectAttributes(options);
  scratch.setSubject(attrs);
  scratch.setIssuer(attrs);
  const spkiDer = crypto.createPublicKey(key.publicKeyPem).export({ type: 'spki', format: 'der' });
  scratch.setExtensions(extensionsFor('ec', spkiDer) as never[]);
  const { notBefore, notAfter } = validity(options);
  const serialBytes = forge.util.hexToBytes(positiveSerialHex(options.serialNumber));

  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(2).getBytes()),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, serialBytes),
    algorithm,
    forge.pki.distinguishedNameToAsn1(scratch.issuer),
    seq([timeAsn1(notBefore), timeAsn1(notAfter)]),
    forge.pki.distinguishedNameToAsn1(scratch.subject),
    asn1.fromDer(forge.util.createBuffer(spkiDer.toString('binary'))),
    // Already wrapped in the [3] EXPLICIT tag by forge.
    (forge.pki as unknown as { certificateExtensionsToAsn1(e: unknown[]): forge.asn1.Asn1 }).certificateExtensionsToAsn1(
      scratch.extensions,
    ),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = crypto.sign('sha256', tbsDer, crypto.createPrivateKey(key.privateKeyPem)); // DER ECDSA-Sig-Value
  const certificate = seq([
    tbs,
    seq([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID_ECDSA_WITH_SHA256).getBytes())]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + signature.toString('binary')),
  ]);
  return derToPem(Buffer.from(asn1.toDer(certificate).getBytes(), 'binary'), 'CERTIFICATE');
}

/** A self-signed certificate (SHA-256) for the key pair, PEM. */
export function createSelfSignedCertificate(key: KeyPair, options: CertOptions = {}): string {
  return key.type === 'ec' ? ecCertificate(key, options) : rsaCertificate(key, options);
}

export function createCredential(spec?: KeySpec, options?: CertOptions): Credential {
  const key = generateKeyPair(spec);
  return { key, certPem: createSelfSignedCertificate(key, options) };
}

/** Valid for a year that ended yesterday. */
export function expiredCredential(spec?: KeySpec): Credential {
  const now = Date.now();
  return createCredential(spec, {
    commonName: 'samlconf expired',
    notBefore: new Date(now - 366 * DAY_MS),
    notAfter: new Date(now - DAY_MS),
  });
}

/** Valid only from a month from now. */
export function notYetValidCredential(spec?: KeySpec): Credential {
  const now = Date.now();
  return createCredential(spec, {
    commonName: 'samlconf not yet valid',
    notBefore: new Date(now + 30 * DAY_MS),
    notAfter: new Date(now + 395 * DAY_MS),
  });
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/** The base64 body of a certificate, no whitespace: what goes in ds:X509Certificate. Bare base64 is accepted too. */
export function certToBase64(certPem: string): string {
  const match = PEM_BLOCK.exec(certPem);
  const body = (match ? match[2] : certPem).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new Error('certificate is neither PEM nor base64');
  return body;
}

/** PEM from the base64 in metadata or KeyInfo, whatever whitespace it carries. */
export function base64ToCertPem(b64: string): string {
  const body = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new Error('certificate is not base64');
  return derToPem(Buffer.from(body, 'base64'), 'CERTIFICATE');
}

/** DER of the first PEM block. */
export function pemToDer(pem: string): Buffer {
  const match = PEM_BLOCK.exec(pem);
  if (!match) throw new Error('no PEM block found');
  return Buffer.from(match[2].replace(/\s+/g, ''), 'base64');
}

export function derToPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Colon-separated upper-case hex of the certificate's DER digest, as most tools print it. */
export function certFingerprint(certPem: string, algorithm: 'sha1' | 'sha256' = 'sha256'): string {
  const der = PEM_BLOCK.test(certPem) ? pemToDer(certPem) : Buffer.from(certToBase64(certPem), 'base64');
  return crypto
    .createHash(algorithm)
    .update(der)
    .digest('hex')
    .toUpperCase()
    .match(/../g)!
    .join(':');
}

export function certInfo(certPem: string): {
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  keyType: 'rsa' | 'ec';
  fingerprintSha256: string;
} {
  const pem = PEM_BLOCK.test(certPem) ? certPem : base64ToCertPem(certPem);
  const x509 = new crypto.X509Certificate(pem);
  const keyType = x509.publicKey.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') throw new Error(`unsupported certificate key type ${keyType}`);
  return {
    subject: x509.subject,
    issuer: x509.issuer,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    keyType,
    fingerprintSha256: certFingerprint(pem, 'sha256'),
  };
}
