// Cross-checks the HTTP-Redirect signature with an independent implementation: pysaml2 (RSA) and
// Python's `cryptography` package (ECDSA, which pysaml2 does not offer for this binding).
// Both directions, and a tampered URL rejected by both sides.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_ALGORITHM } from '../../../saml/constants.ts';
import type { SignatureAlgorithmName } from '../../../saml/constants.ts';
import { decodeRedirect, encodeRedirect, rawQueryOf, verifyRedirectSignature } from '../../../saml/bindings/index.ts';
import type { MessageParam } from '../../../saml/bindings/index.ts';
import { opensslCredential } from './helpers/keys.ts';
import type { TestCredential } from './helpers/keys.ts';
import { runPythonScript } from './helpers/python.ts';

const PEER = fileURLToPath(new URL('./helpers/redirect_peer.py', import.meta.url));
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/bindings/${name}`, import.meta.url), 'utf8').trim();
const XML_FOR: Record<MessageParam, string> = {
  SAMLRequest: fixture('authn-request.xml'),
  SAMLResponse: fixture('logout-response.xml'),
};
// Characters where encoders disagree: space, '~', '!', '*', quotes, parentheses, non-ASCII.
const RELAY = "back to /app?x=1&y=a b ~!*()' é";
const RSA_ALGS: SignatureAlgorithmName[] = ['rsa-sha1', 'rsa-sha256', 'rsa-sha512'];
const PARAMS: MessageParam[] = ['SAMLRequest', 'SAMLResponse'];

interface PeerSigned { url: string }
interface PeerVerified { valid: boolean; xml: string; relayState?: string; error?: string | null }

/** Change one character inside the RelayState value, keeping the URL well-formed. */
function tamperRelayState(query: string): string {
  const out = query.replace(/RelayState=([^&])/, (_m, c: string) => `RelayState=${c === 'Z' ? 'Y' : 'Z'}`);
  if (out === query) throw new Error('nothing to tamper with');
  return out;
}

let rsa: TestCredential;
let rsaOther: TestCredential;
let ec: TestCredential;
beforeAll(() => {
  rsa = opensslCredential('rsa', 'peer-signer');
  rsaOther = opensslCredential('rsa', 'peer-other');
  ec = opensslCredential('ec', 'peer-ec');
});

describe('HTTP-Redirect signatures made by pysaml2 / cryptography, verified by us', () => {
  it('verifies every algorithm and message type from the raw query, and rejects tampering', () => {
    const cases: { alg: SignatureAlgorithmName; param: MessageParam }[] = [];
    for (const alg of [...RSA_ALGS, 'ecdsa-sha256'] as SignatureAlgorithmName[]) for (const param of PARAMS) cases.push({ alg, param });
    const signed = runPythonScript<PeerSigned[]>(
      PEER,
      cases.map(({ alg, param }) => ({
        mode: alg === 'ecdsa-sha256' ? 'ec-sign' : 'pysaml2-sign',
        keyPem: alg === 'ecdsa-sha256' ? ec.privateKeyPem : rsa.privateKeyPem,
        xml: XML_FOR[param],
        location: 'https://idp.example.test/sso',
        relayState: RELAY,
        typ: param,
        sigalg: SIGNATURE_ALGORITHM[alg],
      })),
    );
    expect(signed).toHaveLength(cases.length);

    const tampered: string[] = [];
    cases.forEach(({ alg, param }, i) => {
      const url = signed[i].url;
      expect(url.startsWith('https://idp.example.test/sso?')).toBe(true);
      const query = rawQueryOf(url);
      const msg = decodeRedirect(query);
      expect(msg.param).toBe(param);
      expect(msg.xml).toBe(XML_FOR[param]);
      expect(msg.relayState).toBe(RELAY);
      expect(msg.sigAlg).toBe(SIGNATURE_ALGORITHM[alg]);
      const cert = alg === 'ecdsa-sha256' ? ec.certPem : rsa.certPem;
      const check = verifyRedirectSignature(msg, [cert]);
      expect(check, `${alg} ${param}: ${check.reason}`).toMatchObject({ valid: true, algorithm: SIGNATURE_ALGORITHM[alg] });
      if (alg === 'ecdsa-sha256') expect(check.ecdsaEncoding).toBe('ieee-p1363');
      else expect(verifyRedirectSignature(msg, [rsaOther.certPem]).valid).toBe(false);

      const bad = tamperRelayState(query);
      tampered.push(bad);
      const badCheck = verifyRedirectSignature(decodeRedirect(bad), [cert]);
      expect(badCheck.valid).toBe(false);
      expect(badCheck.reason).toMatch(/does not verify/);
    });

    // The peer itself must reject the same tampered URLs, or the tampering proved nothing.
    const peerOnTampered = runPythonScript<PeerVerified[]>(
      PEER,
      cases.map(({ alg }, i) => ({
        mode: alg === 'ecdsa-sha256' ? 'ec-verify' : 'pysaml2-verify',
        query: tampered[i],
        certPem: alg === 'ecdsa-sha256' ? ec.certPem : rsa.certPem,
      })),
    );
    expect(peerOnTampered.map((r) => r.valid)).toEqual(cases.map(() => false));
  });
});

describe('HTTP-Redirect signatures made by us, verified by pysaml2 / cryptography', () => {
  it('is accepted for every algorithm, rejected when tampered or with the wrong certificate', () => {
    const cases: { alg: SignatureAlgorithmName; param: MessageParam; relayState?: string }[] = [];
    for (const alg of [...RSA_ALGS, 'ecdsa-sha256'] as SignatureAlgorithmName[]) {
      for (const param of PARAMS) cases.push({ alg, param, relayState: param === 'SAMLRequest' ? RELAY : undefined });
    }
    const queries = cases.map(({ alg, param, relayState }) =>
      rawQueryOf(
        encodeRedirect({
          endpoint: 'https://sp.example.test/slo?tenant=1',
          param,
          xml: XML_FOR[param],
          relayState,
          sign: { privateKeyPem: alg === 'ecdsa-sha256' ? ec.privateKeyPem : rsa.privateKeyPem, algorithm: alg },
        }),
      ),
    );
    const certFor = (alg: SignatureAlgorithmName) => (alg === 'ecdsa-sha256' ? ec.certPem : rsa.certPem);
    const modeFor = (alg: SignatureAlgorithmName) => (alg === 'ecdsa-sha256' ? 'ec-verify' : 'pysaml2-verify');
    const withRelay = cases.map((c, i) => ({ ...c, query: queries[i] })).filter((c) => c.relayState !== undefined);
    const tampered = withRelay.map((c) => tamperRelayState(c.query));

    const jobs = [
      ...cases.map(({ alg }, i) => ({ mode: modeFor(alg), query: queries[i], certPem: certFor(alg) })),
      ...withRelay.map(({ alg }, i) => ({ mode: modeFor(alg), query: tampered[i], certPem: certFor(alg) })),
      ...cases.filter((c) => c.alg !== 'ecdsa-sha256').map((c) => ({ mode: 'pysaml2-verify', query: queries[cases.indexOf(c)], certPem: rsaOther.certPem })),
    ];
    const results = runPythonScript<PeerVerified[]>(PEER, jobs);
    const genuine = results.slice(0, cases.length);
    const onTampered = results.slice(cases.length, cases.length + withRelay.length);
    const wrongCert = results.slice(cases.length + withRelay.length);

    genuine.forEach((r, i) => {
      expect(r.valid, `${cases[i].alg} ${cases[i].param}: ${r.error ?? ''}`).toBe(true);
      expect(r.xml).toBe(XML_FOR[cases[i].param]);
      expect(r.relayState ?? undefined).toBe(cases[i].relayState);
    });
    expect(onTampered.map((r) => r.valid)).toEqual(withRelay.map(() => false));
    expect(wrongCert.length).toBe(RSA_ALGS.length * PARAMS.length);
    expect(wrongCert.every((r) => !r.valid)).toBe(true);
    // And we reject the same tampered URLs.
    withRelay.forEach((c, i) => expect(verifyRedirectSignature(decodeRedirect(tampered[i]), [certFor(c.alg)]).valid).toBe(false));
  });
});
