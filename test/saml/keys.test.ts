// Keys and certificates: every certificate must be accepted by Node's X509 parser and by OpenSSL,
// expiry must be what was asked for, and the conversions must agree with OpenSSL's view.
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  base64ToCertPem,
  certFingerprint,
  certInfo,
  certToBase64,
  createCredential,
  createSelfSignedCertificate,
  derToPem,
  expiredCredential,
  generateKeyPair,
  notYetValidCredential,
  pemToDer,
  type Credential,
  type KeyPair,
} from '../../saml/keys.ts';
import { withTempDir, writeFiles } from '../peers/tmp.ts';

const OPENSSL = '/usr/bin/openssl';

function openssl(args: string[], files: Record<string, string>): { status: number | null; out: string } {
  return withTempDir((dir) => {
    const paths = writeFiles(dir, files);
    const r = spawnSync(OPENSSL, args.map((a) => paths[a] ?? a), { encoding: 'utf8', timeout: 20_000 });
    if (r.error) throw new Error(`openssl is required for this test: ${r.error.message}`);
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  });
}

let rsaKey: KeyPair;
let ecKey: KeyPair;
let rsa: Credential;
let ec: Credential;

beforeAll(() => {
  rsaKey = generateKeyPair();
  ecKey = generateKeyPair({ type: 'ec' });
  rsa = { key: rsaKey, certPem: createSelfSignedCertificate(rsaKey, { commonName: 'idp.example.test' }) };
  ec = { key: ecKey, certPem: createSelfSignedCertificate(ecKey, { commonName: 'ec.example.test' }) };
});

describe('generateKeyPair', () => {
  it('makes RSA 2048 by default, as PKCS#8 and SPKI PEM', () => {
    expect(rsaKey.type).toBe('rsa');
    expect(rsaKey.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(rsaKey.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const key = crypto.createPrivateKey(rsaKey.privateKeyPem);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // The public half belongs to the private half.
    expect(crypto.createPublicKey(key).export({ type: 'spki', format: 'pem' })).toBe(rsaKey.publicKeyPem);
  });

  it('makes RSA 3072 on request', () => {
    const key = generateKeyPair({ type: 'rsa', bits: 3072 });
    expect(crypto.createPublicKey(key.publicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(3072);
  });

  it('makes EC P-256', () => {
    expect(ecKey.type).toBe('ec');
    expect(crypto.createPrivateKey(ecKey.privateKeyPem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('refuses sizes and curves it does not offer', () => {
    expect(() => generateKeyPair({ type: 'rsa', bits: 1024 as 2048 })).toThrow(/unsupported RSA size/);
    expect(() => generateKeyPair({ type: 'ec', curve: 'P-384' as 'P-256' })).toThrow(/unsupported curve/);
  });
});

describe('createSelfSignedCertificate', () => {
  it('RSA certificate parses in Node, is self-signed and matches its key', () => {
    const x = new crypto.X509Certificate(rsa.certPem);
    expect(x.subject).toContain('CN=idp.example.test');
    expect(x.issuer).toBe(x.subject);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(crypto.createPrivateKey(rsa.key.privateKeyPem))).toBe(true);
    expect(rsa.certPem).not.toContain('\r');
  });

  it('EC certificate (TBSCertificate built by hand, signed by Node) parses in Node and matches its key', () => {
    const x = new crypto.X509Certificate(ec.certPem);
    expect(x.subject).toContain('CN=ec.example.test');
    expect(x.publicKey.asymmetricKeyType).toBe('ec');
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(crypto.createPrivateKey(ec.key.privateKeyPem))).toBe(true);
  });

  it('OpenSSL reads both certificates and verifies their self-signatures', () => {
    const r = openssl(['x509', '-noout', '-text', '-in', 'c.pem'], { 'c.pem': rsa.certPem });
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(r.out).toMatch(/Version: 3/);
    expect(r.out).toMatch(/CA:FALSE/);
    const e = openssl(['x509', '-noout', '-text', '-in', 'c.pem'], { 'c.pem': ec.certPem });
    expect(e.status).toBe(0);
    expect(e.out).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(e.out).toMatch(/NIST CURVE: P-256/);
    expect(e.out).toMatch(/Subject Key Identifier/);
    for (const pem of [rsa.certPem, ec.certPem]) {
      const v = openssl(['verify', '-CAfile', 'c.pem', 'c.pem'], { 'c.pem': pem });
      expect(v.out).toMatch(/: OK/);
    }
  });

  it('honours notBefore, notAfter, validDays and serialNumber (kept positive)', () => {
    const notBefore = new Date('2031-02-03T04:05:06Z');
    const notAfter = new Date('2052-02-03T04:05:06Z'); // past 2049: GeneralizedTime
    for (const key of [rsaKey, ecKey]) {
      const pem = createSelfSignedCertificate(key, { notBefore, notAfter, serialNumber: 'ff01' });
      const x = new crypto.X509Certificate(pem);
      expect(new Date(x.validFrom).toISOString()).toBe(notBefore.toISOString());
      expect(new Date(x.validTo).toISOString()).toBe(notAfter.toISOString());
      // A DER INTEGER with the top bit set would be negative: a 00 byte is prepended.
      expect(x.serialNumber.toUpperCase()).toBe('FF01');
      expect(x.raw.includes(Buffer.from([0x02, 0x03, 0x00, 0xff, 0x01]))).toBe(true);
    }
    const days = new crypto.X509Certificate(createSelfSignedCertificate(ecKey, { validDays: 10 }));
    const lifetime = new Date(days.validTo).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(9.9 * 86400_000);
    expect(lifetime).toBeLessThan(10.1 * 86400_000);
    expect(() => createSelfSignedCertificate(ecKey, { notBefore: notAfter, notAfter: notBefore })).toThrow(/after notBefore/);
  });

  it('createCredential pairs a new key with its certificate', () => {
    const c = createCredential({ type: 'ec' }, { commonName: 'cred.example.test' });
    const x = new crypto.X509Certificate(c.certPem);
    expect(x.subject).toContain('CN=cred.example.test');
    expect(x.checkPrivateKey(crypto.createPrivateKey(c.key.privateKeyPem))).toBe(true);
  });
});

describe('expired and not-yet-valid credentials', () => {
  it('expiredCredential ended in the past and OpenSSL says so', () => {
    const c = expiredCredential({ type: 'ec' });
    const info = certInfo(c.certPem);
    expect(info.notAfter.getTime()).toBeLessThan(Date.now());
    expect(info.notBefore.getTime()).toBeLessThan(info.notAfter.getTime());
    expect(openssl(['verify', '-CAfile', 'c.pem', 'c.pem'], { 'c.pem': c.certPem }).out).toMatch(/certificate has expired/);
  });

  it('notYetValidCredential starts in the future and OpenSSL says so', () => {
    const c = notYetValidCredential({ type: 'ec' });
    const info = certInfo(c.certPem);
    expect(info.notBefore.getTime()).toBeGreaterThan(Date.now());
    expect(openssl(['verify', '-CAfile', 'c.pem', 'c.pem'], { 'c.pem': c.certPem }).out).toMatch(/certificate is not yet valid/);
  });

  it('RSA variants work too', () => {
    expect(certInfo(expiredCredential().certPem).keyType).toBe('rsa');
  });
});

describe('conversions', () => {
  it('certToBase64 gives the bare body; base64ToCertPem tolerates whitespace and restores a valid PEM', () => {
    const b64 = certToBase64(rsa.certPem);
    expect(b64).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const messy = `\n  ${b64.replace(/(.{50})/g, '$1\r\n\t ')}  \n`;
    const pem = base64ToCertPem(messy);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(pem.split('\n').every((l) => l.length <= 64)).toBe(true);
    expect(new crypto.X509Certificate(pem).fingerprint256).toBe(new crypto.X509Certificate(rsa.certPem).fingerprint256);
    // Bare base64 is accepted where PEM is expected.
    expect(certToBase64(messy)).toBe(b64);
    expect(() => base64ToCertPem('not base64!')).toThrow();
    expect(() => certToBase64('-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----')).toThrow();
  });

  it('pemToDer and derToPem are inverse and agree with Node', () => {
    const der = pemToDer(ec.certPem);
    expect(der.equals(new crypto.X509Certificate(ec.certPem).raw)).toBe(true);
    expect(derToPem(der, 'CERTIFICATE')).toBe(ec.certPem);
    const keyDer = pemToDer(rsa.key.privateKeyPem);
    expect(crypto.createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('rsa');
    expect(() => pemToDer('no pem here')).toThrow(/no PEM block/);
  });

  it('certFingerprint matches OpenSSL for sha1 and sha256', () => {
    for (const alg of ['sha1', 'sha256'] as const) {
      const r = openssl(['x509', '-noout', '-fingerprint', `-${alg}`, '-in', 'c.pem'], { 'c.pem': ec.certPem });
      const fromOpenssl = r.out.trim().split('=')[1];
      expect(certFingerprint(ec.certPem, alg)).toBe(fromOpenssl);
    }
    expect(certFingerprint(rsa.certPem)).toBe(new crypto.X509Certificate(rsa.certPem).fingerprint256);
    expect(certFingerprint(certToBase64(rsa.certPem))).toBe(certFingerprint(rsa.certPem));
  });

  it('certInfo reports subject, issuer, validity, key type and fingerprint', () => {
    const info = certInfo(ec.certPem);
    expect(info.subject).toContain('CN=ec.example.test');
    expect(info.issuer).toBe(info.subject);
    expect(info.keyType).toBe('ec');
    expect(info.notBefore.getTime()).toBeLessThanOrEqual(Date.now());
    expect(info.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(info.fingerprintSha256).toBe(certFingerprint(ec.certPem, 'sha256'));
    expect(certInfo(rsa.certPem).keyType).toBe('rsa');
    // Bare base64 from metadata is accepted too.
    expect(certInfo(certToBase64(rsa.certPem)).subject).toContain('CN=idp.example.test');
  });
});
