// Test credentials made by openssl, independent of our own saml/keys.ts so that a bug there cannot
// hide one here.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCredential {
  privateKeyPem: string;
  certPem: string;
}

export function opensslCredential(type: 'rsa' | 'ec', commonName = 't'): TestCredential {
  const dir = mkdtempSync(join(tmpdir(), 'samlconf-bindings-'));
  try {
    const keyArgs = type === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
    execFileSync(
      'openssl',
      ['req', '-x509', ...keyArgs, '-nodes', '-subj', `/CN=${commonName}`, '-days', '2', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 },
    );
    return {
      privateKeyPem: readFileSync(join(dir, 'key.pem'), 'utf8'),
      certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
