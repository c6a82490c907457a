// xmlsec1 (Debian's command-line front end of libxmlsec1) as an independent XML-DSig / XML-Enc
// implementation for tests. Every call runs in its own temp dir, which is removed afterwards.
//
//   requireXmlsec1(): void                                  throws a clear Error when xmlsec1 is missing
//   SAML_ID_ATTRS: string[]                                 'ns:Local' of every SAML element whose ID is an ID
//   xmlsec1Verify(xml, certPem, idAttrs?, opts?): PeerResult
//       ok = xmlsec1 accepted the signature (pinned cert, same-document references, KeyInfo certs ignored).
//       opts.signatureParentId picks the signature enveloped in the element with that ID
//       (default: the first ds:Signature in document order, which is what xmlsec1 checks).
//   signatureTemplate(o: TemplateOptions): string           an empty ds:Signature for `xmlsec1 --sign`
//       TemplateOptions = { id, algorithm?, digest?, prefixList?, signedInfoC14n?, x509Data?, signatureMethodUri?, digestMethodUri? }
//   insertSignatureTemplate(xml, template, parentId): string  put it after the element's saml:Issuer (or first)
//   xmlsec1Sign(xml, parentId, keyPem, certPem, opts?): string
//       puts a template right after the element's saml:Issuer (or first) and lets xmlsec1 fill it.
//   xmlsec1SignTemplate(xmlWithTemplate, keyPem, certPem, idAttrs?): string   sign a document that already has a template
//   xmlsec1Encrypt(elementXml, certPem, opts?: { dataAlgorithm?, keyTransport? }): string
//       xenc:EncryptedData (Type=Element) of the whole element; EncryptedKey inside its KeyInfo.
//       Defaults aes256-gcm + rsa-oaep (mgf1p, SHA-1), as saml/encryption.ts.
//   xmlsec1Decrypt(xml, keyPem): string                      the document with its first EncryptedData decrypted in place
//       (EncryptedKey must sit in the EncryptedData's KeyInfo; throws with xmlsec1's stderr on failure)
//
// PeerResult = { ok: boolean; status: number | null; stdout: string; stderr: string }
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DIGEST_ALGORITHM,
  ENCRYPTION_ALGORITHM,
  KEY_TRANSPORT,
  NS,
  SIGNATURE_ALGORITHM,
  TRANSFORM,
  type DigestAlgorithmName,
  type EncryptionAlgorithmName,
  type KeyTransportName,
  type SignatureAlgorithmName,
} from '../../saml/constants.ts';
import { children, parseXml, serialize, type Element } from '../../saml/xml.ts';
import { withTempDir, writeFiles } from './tmp.ts';

export const XMLSEC1 = '/usr/bin/xmlsec1';
const TIMEOUT_MS = 20_000;

export interface PeerResult {
  ok: boolean;
  status: number | null;
  stdout: string;
  stderr: string;
}

export const SAML_ID_ATTRS = [
  `${NS.saml}:Assertion`,
  `${NS.samlp}:Response`,
  `${NS.samlp}:AuthnRequest`,
  `${NS.samlp}:LogoutRequest`,
  `${NS.samlp}:LogoutResponse`,
  `${NS.samlp}:ArtifactResolve`,
  `${NS.samlp}:ArtifactResponse`,
  `${NS.samlp}:AttributeQuery`,
  `${NS.md}:EntityDescriptor`,
  `${NS.md}:EntitiesDescriptor`,
];

export function requireXmlsec1(): void {
  if (!existsSync(XMLSEC1)) {
    throw new Error(`xmlsec1 is required for this test and is not installed at ${XMLSEC1} (Debian package xmlsec1)`);
  }
}

function run(args: string[]): PeerResult {
  requireXmlsec1();
  const r = spawnSync(XMLSEC1, args, { encoding: 'utf8', timeout: TIMEOUT_MS });
  if (r.error) throw new Error(`xmlsec1 did not run: ${r.error.message}`);
  return { ok: r.status === 0, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function idAttrArgs(idAttrs: string[]): string[] {
  return idAttrs.flatMap((a) => ['--id-attr:ID', a]);
}

export function xmlsec1Verify(
  xml: string,
  certPem: string,
  idAttrs: string[] = SAML_ID_ATTRS,
  opts: { signatureParentId?: string } = {},
): PeerResult {
  return withTempDir((dir) => {
    const f = writeFiles(dir, { 'doc.xml': xml, 'cert.pem': certPem });
    const args = [
      '--verify',
      '--pubkey-cert-pem',
      f['cert.pem'],
      // SAML references only the same document; X509Data in KeyInfo must not pick the key.
      '--enabled-reference-uris',
      'same-doc',
      '--enabled-key-data',
      'raw-x509-cert',
      ...idAttrArgs(idAttrs),
    ];
    if (opts.signatureParentId !== undefined) {
      if (/['"]/.test(opts.signatureParentId)) throw new Error('ID with quotes');
      args.push('--node-xpath', `//*[@ID='${opts.signatureParentId}']/*[local-name()='Signature' and namespace-uri()='${NS.ds}']`);
    }
    args.push(f['doc.xml']);
    return run(args);
  });
}

export interface TemplateOptions {
  id: string;
  algorithm?: SignatureAlgorithmName;
  digest?: DigestAlgorithmName;
  /** InclusiveNamespaces PrefixList on the exc-c14n transform (e.g. ['xs']). */
  prefixList?: string[];
  /** SignedInfo canonicalization; default exclusive. */
  signedInfoC14n?: 'exclusive' | 'inclusive';
  /** Put an empty X509Data in KeyInfo so xmlsec1 writes the certificate. Default true. */
  x509Data?: boolean;
  /** Raw URIs for algorithms outside constants.ts (e.g. rsa-sha384); they win over algorithm/digest. */
  signatureMethodUri?: string;
  digestMethodUri?: string;
}

const DEFAULT_DIGEST: Record<SignatureAlgorithmName, DigestAlgorithmName> = {
  'rsa-sha1': 'sha1',
  'rsa-sha256': 'sha256',
  'rsa-sha512': 'sha512',
  'ecdsa-sha256': 'sha256',
};

export function signatureTemplate(o: TemplateOptions): string {
  const algorithm = o.algorithm ?? 'rsa-sha256';
  const digest = o.digest ?? DEFAULT_DIGEST[algorithm];
  const c14n = o.signedInfoC14n === 'inclusive' ? TRANSFORM.c14n : TRANSFORM.excC14n;
  const inclusive = o.prefixList?.length
    ? `<ec:InclusiveNamespaces xmlns:ec="${TRANSFORM.excC14n}" PrefixList="${o.prefixList.join(' ')}"/>`
    : '';
  return (
    `<ds:Signature xmlns:ds="${NS.ds}"><ds:SignedInfo>` +
    `<ds:CanonicalizationMethod Algorithm="${c14n}"/>` +
    `<ds:SignatureMethod Algorithm="${o.signatureMethodUri ?? SIGNATURE_ALGORITHM[algorithm]}"/>` +
    `<ds:Reference URI="#${o.id}"><ds:Transforms>` +
    `<ds:Transform Algorithm="${TRANSFORM.envelopedSignature}"/>` +
    `<ds:Transform Algorithm="${TRANSFORM.excC14n}">${inclusive}</ds:Transform>` +
    `</ds:Transforms><ds:DigestMethod Algorithm="${o.digestMethodUri ?? DIGEST_ALGORITHM[digest]}"/><ds:DigestValue/></ds:Reference>` +
    `</ds:SignedInfo><ds:SignatureValue/>` +
    (o.x509Data === false ? '' : `<ds:KeyInfo><ds:X509Data/></ds:KeyInfo>`) +
    `</ds:Signature>`
  );
}

/** Insert a template into the element with this ID, after its saml:Issuer or as its first child. */
export function insertSignatureTemplate(xml: string, template: string, parentId: string): string {
  const doc = parseXml(xml);
  const all: Element[] = [];
  const walk = (el: Element) => {
    if (el.getAttribute('ID') === parentId) all.push(el);
    for (const c of children(el)) walk(c);
  };
  walk(doc.documentElement!);
  if (all.length !== 1) throw new Error(`expected one element with ID ${parentId}, found ${all.length}`);
  const parent = all[0];
  const sig = doc.importNode(parseXml(template).documentElement!, true);
  const issuer = children(parent, NS.saml, 'Issuer')[0];
  parent.insertBefore(sig, issuer ? issuer.nextSibling : parent.firstChild);
  return serialize(doc);
}

export function xmlsec1SignTemplate(xmlWithTemplate: string, keyPem: string, certPem: string, idAttrs: string[] = SAML_ID_ATTRS): string {
  return withTempDir((dir) => {
    const f = writeFiles(dir, { 'tmpl.xml': xmlWithTemplate, 'key.pem': keyPem, 'cert.pem': certPem });
    const out = join(dir, 'out.xml');
    // xmlsec1 signs the first ds:Signature template in document order.
    const r = run(['--sign', '--privkey-pem', `${f['key.pem']},${f['cert.pem']}`, ...idAttrArgs(idAttrs), '--output', out, f['tmpl.xml']]);
    if (!r.ok) throw new Error(`xmlsec1 --sign failed (${r.status}): ${r.stderr}`);
    return readFileSync(out, 'utf8');
  });
}

export function xmlsec1Sign(
  xml: string,
  parentId: string,
  keyPem: string,
  certPem: string,
  opts: Omit<TemplateOptions, 'id'> = {},
): string {
  return xmlsec1SignTemplate(insertSignatureTemplate(xml, signatureTemplate({ ...opts, id: parentId }), parentId), keyPem, certPem);
}

const SESSION_KEY: Record<EncryptionAlgorithmName, string> = {
  'aes128-cbc': 'aes-128',
  'aes256-cbc': 'aes-256',
  'aes128-gcm': 'aes-128',
  'aes256-gcm': 'aes-256',
};

export function xmlsec1Encrypt(
  elementXml: string,
  certPem: string,
  opts: { dataAlgorithm?: EncryptionAlgorithmName; keyTransport?: KeyTransportName } = {},
): string {
  const data = opts.dataAlgorithm ?? 'aes256-gcm';
  const transport = opts.keyTransport ?? 'rsa-oaep';
  const template =
    `<xenc:EncryptedData xmlns:xenc="${NS.xenc}" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
    `<xenc:EncryptionMethod Algorithm="${ENCRYPTION_ALGORITHM[data]}"/>` +
    `<ds:KeyInfo xmlns:ds="${NS.ds}"><xenc:EncryptedKey>` +
    `<xenc:EncryptionMethod Algorithm="${KEY_TRANSPORT[transport]}"/>` +
    `<xenc:CipherData><xenc:CipherValue/></xenc:CipherData>` +
    `</xenc:EncryptedKey></ds:KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue/></xenc:CipherData>` +
    `</xenc:EncryptedData>`;
  return withTempDir((dir) => {
    const f = writeFiles(dir, { 'data.xml': elementXml, 'tmpl.xml': template, 'cert.pem': certPem });
    const out = join(dir, 'out.xml');
    const r = run([
      '--encrypt',
      '--pubkey-cert-pem',
      f['cert.pem'],
      '--session-key',
      SESSION_KEY[data],
      '--xml-data',
      f['data.xml'],
      '--node-xpath',
      '/*',
      '--output',
      out,
      f['tmpl.xml'],
    ]);
    if (!r.ok) throw new Error(`xmlsec1 --encrypt failed (${r.status}): ${r.stderr}`);
    // The encrypted root replaces the document element: the output is the EncryptedData itself.
    return serialize(parseXml(readFileSync(out, 'utf8')).documentElement!);
  });
}

export function xmlsec1Decrypt(xml: string, keyPem: string): string {
  return withTempDir((dir) => {
    const f = writeFiles(dir, { 'in.xml': xml, 'key.pem': keyPem });
    const out = join(dir, 'out.xml');
    const r = run(['--decrypt', '--privkey-pem', f['key.pem'], '--output', out, f['in.xml']]);
    if (!r.ok) throw new Error(`xmlsec1 --decrypt failed (${r.status}): ${r.stderr}`);
    return readFileSync(out, 'utf8');
  });
}
