// The peer helpers other tests rely on: they must really run the peers and report failures.
import { describe, expect, it } from 'vitest';
import { NS, type EncryptionAlgorithmName, type KeyTransportName } from '../../saml/constants.ts';
import { createCredential } from '../../saml/keys.ts';
import { children, descendants, parseXml } from '../../saml/xml.ts';
import { assertionXml, responseXml } from '../fixtures/signature/messages.ts';
import { requirePythonModules, runPython, runPythonJson } from './python.ts';
import { insertSignatureTemplate, signatureTemplate, xmlsec1Decrypt, xmlsec1Encrypt, xmlsec1Verify } from './xmlsec.ts';

const RESPONSE_ID = '_r0123456789abcdef0123456789abcdef01234567';

describe('xmlsec1 helpers', () => {
  it('xmlsec1Verify refuses an unfilled signature template', () => {
    const cred = createCredential({ type: 'ec' });
    const template = insertSignatureTemplate(responseXml(), signatureTemplate({ id: RESPONSE_ID, algorithm: 'ecdsa-sha256' }), RESPONSE_ID);
    const r = xmlsec1Verify(template, cred.certPem);
    expect(r.ok).toBe(false);
    expect(r.status).not.toBe(0);
  });

  it('insertSignatureTemplate puts the template after saml:Issuer', () => {
    const doc = parseXml(insertSignatureTemplate(responseXml(), signatureTemplate({ id: RESPONSE_ID }), RESPONSE_ID));
    expect(children(doc.documentElement!).map((c) => c.localName).slice(0, 3)).toEqual(['Issuer', 'Signature', 'Status']);
    expect(() => insertSignatureTemplate(responseXml(), signatureTemplate({ id: 'x' }), '_nope')).toThrow(/expected one element/);
  });

  it('xmlsec1Encrypt and xmlsec1Decrypt round-trip an Assertion with every data and key-transport algorithm', () => {
    const cred = createCredential({ type: 'rsa' });
    const combos: Array<[EncryptionAlgorithmName, KeyTransportName]> = [
      ['aes128-cbc', 'rsa-oaep'],
      ['aes256-cbc', 'rsa-1_5'],
      ['aes128-gcm', 'rsa-oaep'],
      ['aes256-gcm', 'rsa-oaep'],
    ];
    for (const [dataAlgorithm, keyTransport] of combos) {
      const encrypted = xmlsec1Encrypt(assertionXml(), cred.certPem, { dataAlgorithm, keyTransport });
      const root = parseXml(encrypted).documentElement!;
      expect(root.localName).toBe('EncryptedData');
      expect(root.namespaceURI).toBe(NS.xenc);
      expect(encrypted).not.toContain('alice@example.test');
      const wrapped = `<saml:EncryptedAssertion xmlns:saml="${NS.saml}">${encrypted}</saml:EncryptedAssertion>`;
      const decrypted = parseXml(xmlsec1Decrypt(wrapped, cred.key.privateKeyPem));
      expect(descendants(decrypted, NS.saml, 'NameID')[0].textContent).toBe('alice@example.test');
      expect(descendants(decrypted, NS.xenc, 'EncryptedData')).toHaveLength(0);
    }
    // The wrong key cannot decrypt.
    const other = createCredential({ type: 'rsa' });
    const encrypted = xmlsec1Encrypt(assertionXml(), cred.certPem);
    expect(() => xmlsec1Decrypt(encrypted, other.key.privateKeyPem)).toThrow(/xmlsec1 --decrypt failed/);
  });
});

describe('python helpers', () => {
  it('runPython runs the system interpreter with stdin', () => {
    const r = runPython('import sys; print(sys.executable); print(sys.stdin.read().upper())', 'hello');
    expect(r.ok).toBe(true);
    expect(r.stdout).toBe('/usr/bin/python3\nHELLO\n');
    expect(runPython('raise SystemExit(3)').status).toBe(3);
  });

  it('runPythonJson passes JSON both ways and reports script failures', () => {
    expect(runPythonJson<number[]>('import json,sys\nprint("noise")\nprint(json.dumps([x * 2 for x in json.load(sys.stdin)]))', [1, 2])).toEqual([2, 4]);
    expect(() => runPythonJson('raise ValueError("boom")', null)).toThrow(/boom/);
  });

  it('requirePythonModules passes for lasso and pysaml2 and names what is missing', () => {
    expect(() => requirePythonModules('lasso', 'saml2')).not.toThrow();
    expect(() => requirePythonModules('json', 'samlconf_no_such_module')).toThrow(/samlconf_no_such_module/);
  });
});
