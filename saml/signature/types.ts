// The public types of XML-DSig signing and verification, and the two internal ones every engine
// shares (what it is given, what it answers), so that no engine imports another.
import type * as crypto from 'node:crypto';
import type { DigestAlgorithmName, SignatureAlgorithmName } from '../constants.ts';
import type { Element } from '../xml.ts';

export interface SignOptions {
  privateKeyPem: string;
  /** Put in KeyInfo/X509Data when given (unless includeKeyInfo is false). */
  certPem?: string;
  /** Default 'rsa-sha256' for RSA keys, 'ecdsa-sha256' for EC keys. */
  algorithm?: SignatureAlgorithmName;
  /** Default: the digest the signature algorithm uses. */
  digest?: DigestAlgorithmName;
  /** Default true when certPem is given. */
  includeKeyInfo?: boolean;
  /**
   * 'core' (default): the signature is computed on the parsed document and spliced into the
   * original text, which is left byte for byte as it was. 'xml-crypto': SignedXml.computeSignature,
   * which re-serializes the whole document. Same ds:Signature either way (RSA values are identical).
   */
  engine?: SignatureEngine;
}

/** Which implementation does the cryptography (see saml/signature.ts and the engine-*.ts files). */
export type SignatureEngine = 'core' | 'xml-crypto';

export interface SignatureCheck {
  valid: boolean;
  /** Why it failed, in words; undefined when valid. */
  reason?: string;
  /** The element that holds the ds:Signature (local name). */
  parentName: string;
  parentId?: string;
  /** The Reference URI (without '#'). */
  referenceUri?: string;
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  /** The exact canonical XML the signature covers, as verified — read claims only from this. */
  signedXml?: string;
  /**
   * signedXml parsed with parseXml (root element of the covered content). Parsed on first read and
   * not enumerable, so that checks stay JSON-serializable; `{...check}` does not copy it.
   */
  signedElement?: Element;
  /** PEM of the pinned certificate that verified it. */
  certificate?: string;
}

export interface VerifyOptions {
  /**
   * 'core' (default): xml-crypto's canonicalizers and Node's crypto on the DOM we already parsed,
   * about four times faster. 'xml-crypto': SignedXml.checkSignature with the certificate pinned
   * (publicCert, getCertFromKeyInfo returning null); its false and its throw both mean invalid.
   * Both accept and refuse the same documents; tests hold them to that.
   */
  engine?: SignatureEngine;
}


/** A pinned certificate and its parsed public key. */
export interface TrustedKey {
  pem: string;
  key: crypto.KeyObject;
}

/** What an engine answers for one signature whose structure passed. */
export interface CryptoOutcome {
  /** Set when invalid. */
  reason?: string;
  signedXml?: string;
  certificate?: string;
}
