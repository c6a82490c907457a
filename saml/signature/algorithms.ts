// The algorithms verification accepts and signing uses, as tables every part reads, and the parsed
// key caches (parsing PEM is a large share of one signature's cost).
import * as crypto from 'node:crypto';
import { DIGEST_ALGORITHM, SIGNATURE_ALGORITHM, TRANSFORM, type DigestAlgorithmName, type SignatureAlgorithmName } from '../constants.ts';
import { base64ToCertPem } from '../keys.ts';

// Verification also accepts the SHA-384/512 variants some IdPs offer (authentik, ADFS); signing
// sticks to the algorithm names of constants.ts.
const EXTRA_SIGNATURE_ALGORITHM = {
  'rsa-sha384': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'ecdsa-sha384': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'ecdsa-sha512': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
} as const;
const DIGEST_SHA384 = 'http://www.w3.org/2001/04/xmldsig-more#sha384';

export interface AlgorithmSpec {
  keyType: 'rsa' | 'ec';
  hash: string;
}
export const SIGNATURE_SPECS: Record<string, AlgorithmSpec> = {
  [SIGNATURE_ALGORITHM['rsa-sha1']]: { keyType: 'rsa', hash: 'sha1' },
  [SIGNATURE_ALGORITHM['rsa-sha256']]: { keyType: 'rsa', hash: 'sha256' },
  [EXTRA_SIGNATURE_ALGORITHM['rsa-sha384']]: { keyType: 'rsa', hash: 'sha384' },
  [SIGNATURE_ALGORITHM['rsa-sha512']]: { keyType: 'rsa', hash: 'sha512' },
  [SIGNATURE_ALGORITHM['ecdsa-sha256']]: { keyType: 'ec', hash: 'sha256' },
  [EXTRA_SIGNATURE_ALGORITHM['ecdsa-sha384']]: { keyType: 'ec', hash: 'sha384' },
  [EXTRA_SIGNATURE_ALGORITHM['ecdsa-sha512']]: { keyType: 'ec', hash: 'sha512' },
};
export const DIGEST_SPECS: Record<string, string> = {
  [DIGEST_ALGORITHM.sha1]: 'sha1',
  [DIGEST_ALGORITHM.sha256]: 'sha256',
  [DIGEST_SHA384]: 'sha384',
  [DIGEST_ALGORITHM.sha512]: 'sha512',
};
export const DEFAULT_DIGEST: Record<SignatureAlgorithmName, DigestAlgorithmName> = {
  'rsa-sha1': 'sha1',
  'rsa-sha256': 'sha256',
  'rsa-sha512': 'sha512',
  'ecdsa-sha256': 'sha256',
};
/** SignedInfo may be canonicalized exclusively (SAML's SHOULD) or inclusively; never with comments. */
export const SIGNED_INFO_C14N = new Set<string>([TRANSFORM.excC14n, TRANSFORM.c14n]);
export const REFERENCE_TRANSFORMS = new Set<string>([TRANSFORM.envelopedSignature, TRANSFORM.excC14n]);

/** The algorithm URIs verification accepts (signature methods and digests), for reports. */
export function acceptedSignatureAlgorithms(): { signature: string[]; digest: string[]; signedInfoC14n: string[]; transforms: string[] } {
  return {
    signature: Object.keys(SIGNATURE_SPECS),
    digest: Object.keys(DIGEST_SPECS),
    signedInfoC14n: [...SIGNED_INFO_C14N],
    transforms: [...REFERENCE_TRANSFORMS],
  };
}

// Parsing PEM is a large share of one signature's cost; the harness signs with few keys.
const KEY_CACHE_LIMIT = 256;
const privateKeys = new Map<string, crypto.KeyObject>();
const publicKeys = new Map<string, crypto.KeyObject | null>();
function cached<T>(cache: Map<string, T>, pem: string, make: () => T): T {
  let value = cache.get(pem);
  if (value === undefined && !cache.has(pem)) {
    value = make();
    if (cache.size >= KEY_CACHE_LIMIT) cache.clear();
    cache.set(pem, value);
  }
  return value as T;
}
export function privateKeyOf(pem: string): crypto.KeyObject {
  return cached(privateKeys, pem, () => crypto.createPrivateKey(pem));
}
/** null when the PEM (or bare base64, as in metadata) is not a usable RSA/EC certificate. */
export function certificateKeyOf(pem: string): crypto.KeyObject | null {
  return cached(publicKeys, pem, () => {
    try {
      const key = new crypto.X509Certificate(pem.includes('-----BEGIN') ? pem : base64ToCertPem(pem)).publicKey;
      return key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'ec' ? key : null;
    } catch {
      return null;
    }
  });
}
