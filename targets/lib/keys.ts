// A target's own key pair and self-signed certificate, made on first start and kept in its
// state directory so the metadata (and any peer that pinned it) stays valid across restarts.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface KeyPair {
  privateKeyPem: string;
  certificatePem: string;
}

export function loadOrCreateKeyPair(stateDir: string, name: string, commonName: string): KeyPair {
  const keyFile = join(stateDir, `${name}.key.pem`);
  const certFile = join(stateDir, `${name}.cert.pem`);
  if (existsSync(keyFile) && existsSync(certFile)) {
    return { privateKeyPem: readFileSync(keyFile, 'utf8'), certificatePem: readFileSync(certFile, 'utf8') };
  }
  mkdirSync(stateDir, { recursive: true });
  const pair = createSelfSigned(commonName);
  writeFileSync(keyFile, pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(certFile, pair.certificatePem);
  return pair;
}

function createSelfSigned(commonName: string): KeyPair {
  // node:crypto makes the key quickly; node-forge only wraps it in an X.509 certificate.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { privateKeyPem: privateKey, certificatePem: forge.pki.certificateToPem(cert) };
}
