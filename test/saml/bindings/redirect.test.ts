import { createPrivateKey, createPublicKey, sign as cryptoSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDeflateRaw, createInflateRaw, deflateRawSync, deflateSync, inflateRawSync, inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_ALGORITHM } from '../../../saml/constants.ts';
import type { SignatureAlgorithmName } from '../../../saml/constants.ts';
import { XmlSafetyError } from '../../../saml/xml.ts';
import {
  decodeRedirect,
  decodeRedirectDocument,
  deflateRaw,
  encodeRedirect,
  rawQueryOf,
  verifyRedirectSignature,
} from '../../../saml/bindings/index.ts';
import type { MessageParam, RedirectMessage } from '../../../saml/bindings/index.ts';
import { opensslCredential } from './helpers/keys.ts';
import type { TestCredential } from './helpers/keys.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/bindings/${name}`, import.meta.url), 'utf8').trim();
const AUTHN_REQUEST = fixture('authn-request.xml');
const LOGOUT_RESPONSE = fixture('logout-response.xml');
const XML_FOR: Record<MessageParam, string> = { SAMLRequest: AUTHN_REQUEST, SAMLResponse: LOGOUT_RESPONSE };
const SPECIAL_RELAY = "back to /app?x=1&y=a b#frag ~!*()' é 日本 +%";

let rsa: TestCredential;
let rsaOther: TestCredential;
let ec: TestCredential;
beforeAll(() => {
  rsa = opensslCredential('rsa', 'signer');
  rsaOther = opensslCredential('rsa', 'other');
  ec = opensslCredential('ec', 'ec-signer');
});

function expectXmlError(fn: () => unknown, code: string, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'expected an XmlSafetyError').toBeInstanceOf(XmlSafetyError);
  expect((thrown as XmlSafetyError).code).toBe(code);
  if (message) expect((thrown as Error).message).toMatch(message);
}

const credFor = (alg: SignatureAlgorithmName) => (alg === 'ecdsa-sha256' ? ec : rsa);
const ALGORITHMS: SignatureAlgorithmName[] = ['rsa-sha1', 'rsa-sha256', 'rsa-sha512', 'ecdsa-sha256'];

describe('HTTP-Redirect encode/decode round trips', () => {
  for (const param of ['SAMLRequest', 'SAMLResponse'] as MessageParam[]) {
    for (const relayState of [undefined, 'abc', SPECIAL_RELAY]) {
      it(`unsigned ${param}, RelayState ${JSON.stringify(relayState)}`, () => {
        const url = encodeRedirect({ endpoint: 'https://idp.example.test/sso', param, xml: XML_FOR[param], relayState });
        expect(url.startsWith(`https://idp.example.test/sso?${param}=`)).toBe(true);
        const msg = decodeRedirect(rawQueryOf(url));
        expect(msg.param).toBe(param);
        expect(msg.xml).toBe(XML_FOR[param]);
        expect(msg.relayState).toBe(relayState);
        expect(msg.sigAlg).toBeUndefined();
        expect(msg.signedOctets).toBeUndefined();
        expect(verifyRedirectSignature(msg, [rsa.certPem])).toEqual({ valid: false, reason: 'message is not signed (no Signature parameter)' });
      });
    }
  }

  for (const algorithm of ALGORITHMS) {
    for (const param of ['SAMLRequest', 'SAMLResponse'] as MessageParam[]) {
      for (const relayState of [undefined, SPECIAL_RELAY]) {
        it(`signed ${algorithm} ${param}, ${relayState === undefined ? 'no' : 'with'} RelayState`, () => {
          const cred = credFor(algorithm);
          const url = encodeRedirect({
            endpoint: 'https://idp.example.test/sso',
            param,
            xml: XML_FOR[param],
            relayState,
            sign: { privateKeyPem: cred.privateKeyPem, algorithm },
          });
          const query = rawQueryOf(url);
          const msg = decodeRedirect(query);
          expect(msg.xml).toBe(XML_FOR[param]);
          expect(msg.relayState).toBe(relayState);
          expect(msg.sigAlg).toBe(SIGNATURE_ALGORITHM[algorithm]);
          // Bindings 3.4.4.1: message, RelayState when present, SigAlg — exactly the URL's prefix.
          expect(msg.signedOctets).toBe(query.slice(0, query.indexOf('&Signature=')));
          const names = msg.signedOctets!.split('&').map((p) => p.split('=')[0]);
          expect(names).toEqual(relayState === undefined ? [param, 'SigAlg'] : [param, 'RelayState', 'SigAlg']);

          const check = verifyRedirectSignature(msg, [cred.certPem]);
          expect(check).toMatchObject({ valid: true, algorithm: SIGNATURE_ALGORITHM[algorithm], certificate: cred.certPem });
          if (algorithm === 'ecdsa-sha256') {
            // r||s for P-256 is 64 bytes; DER would be 70-72 and start with 0x30.
            expect(Buffer.from(msg.signature!, 'base64')).toHaveLength(64);
            expect(check.ecdsaEncoding).toBe('ieee-p1363');
          }
          const wrong = verifyRedirectSignature(msg, [algorithm === 'ecdsa-sha256' ? opensslEcOther() : rsaOther.certPem]);
          expect(wrong.valid).toBe(false);
          expect(wrong.reason).toMatch(/does not verify/);
        });
      }
    }
  }

  it('picks rsa-sha256 for RSA keys and ecdsa-sha256 for EC keys by default', () => {
    const viaRsa = decodeRedirect(rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, sign: { privateKeyPem: rsa.privateKeyPem } })));
    const viaEc = decodeRedirect(rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, sign: { privateKeyPem: ec.privateKeyPem } })));
    expect(viaRsa.sigAlg).toBe(SIGNATURE_ALGORITHM['rsa-sha256']);
    expect(viaEc.sigAlg).toBe(SIGNATURE_ALGORITHM['ecdsa-sha256']);
    expect(verifyRedirectSignature(viaRsa, [rsa.certPem]).valid).toBe(true);
    expect(verifyRedirectSignature(viaEc, [ec.certPem]).valid).toBe(true);
  });

  it('refuses to sign with an algorithm that does not fit the key', () => {
    expect(() =>
      encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, sign: { privateKeyPem: ec.privateKeyPem, algorithm: 'rsa-sha256' } }),
    ).toThrow(/cannot sign with rsa-sha256/);
  });

  it('uses raw DEFLATE (no zlib header) and base64', () => {
    const deflated = deflateRaw(AUTHN_REQUEST);
    expect(inflateRawSync(deflated).toString('utf8')).toBe(AUTHN_REQUEST);
    expect(() => inflateSync(deflated)).toThrow();
    const msgParam = rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST })).split('=')[1];
    expect(Buffer.from(decodeURIComponent(msgParam), 'base64').equals(deflated)).toBe(true);
  });

  it('appends to endpoints that already have a query string', () => {
    const endpoint = 'https://idp.example.test/sso?tenant=a%20b&mode=x';
    const url = encodeRedirect({ endpoint, param: 'SAMLRequest', xml: AUTHN_REQUEST, relayState: 'r', sign: { privateKeyPem: rsa.privateKeyPem } });
    expect(url.startsWith(`${endpoint}&SAMLRequest=`)).toBe(true);
    const msg = decodeRedirect(rawQueryOf(url));
    expect(msg.signedOctets!.startsWith('SAMLRequest=')).toBe(true);
    expect(verifyRedirectSignature(msg, [rsa.certPem]).valid).toBe(true);
    expect(encodeRedirect({ endpoint: 'https://i/s?', param: 'SAMLRequest', xml: 'x' })).toMatch(/^https:\/\/i\/s\?SAMLRequest=/);
  });

  it('decodeRedirectDocument parses the message safely', () => {
    const url = encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST });
    const decoded = decodeRedirectDocument(rawQueryOf(url));
    expect(decoded.root.localName).toBe('AuthnRequest');
    expect(decoded.root.getAttribute('ID')).toBe('_8f2a1c0d4e5b6a79881726354a5b6c7d8e9f0a1b');
  });
});

let ecOtherCert: string | undefined;
function opensslEcOther(): string {
  ecOtherCert ??= opensslCredential('ec', 'ec-other').certPem;
  return ecOtherCert;
}

/** A different, legitimate encoder: lower-case hex, '~' escaped, space as %20 (as some Java and PHP stacks do). */
function otherEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/~/g, '%7E')
    .replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
}

function signWith(octets: string, privateKeyPem: string, hash: string, ecdsa?: 'der' | 'ieee-p1363'): string {
  const key = createPrivateKey(privateKeyPem);
  return cryptoSign(hash, Buffer.from(octets), ecdsa ? { key, dsaEncoding: ecdsa } : key).toString('base64');
}

describe('HTTP-Redirect signature checks use the raw query', () => {
  const relayState = 'to /page~1 a b';
  const buildForeign = () => {
    const msgValue = otherEncode(deflateRaw(AUTHN_REQUEST).toString('base64'));
    const signed = `SAMLRequest=${msgValue}&RelayState=${otherEncode(relayState)}&SigAlg=${otherEncode(SIGNATURE_ALGORITHM['rsa-sha256'])}`;
    const signature = signWith(signed, rsa.privateKeyPem, 'sha256');
    const [m, r, a] = signed.split('&');
    // Parameters in an unusual order, plus an endpoint parameter: only the three signed ones count.
    return { signed, query: `Signature=${otherEncode(signature)}&${a}&app=1&${r}&${m}` };
  };

  it('verifies a signature made over a different (valid) encoding', () => {
    const { signed, query } = buildForeign();
    const msg = decodeRedirect(query);
    expect(msg.signedOctets).toBe(signed);
    expect(msg.relayState).toBe(relayState);
    expect(msg.xml).toBe(AUTHN_REQUEST);
    // Re-encoding the decoded values would not reproduce the signed bytes.
    expect(signed).not.toContain(`RelayState=${encodeURIComponent(relayState)}`);
    expect(signed).toMatch(/%2f|%7E/);
    expect(verifyRedirectSignature(msg, [rsa.certPem])).toMatchObject({ valid: true });
  });

  it('rejects the same values once their encoding changes (the signed bytes are not normalised)', () => {
    const { query } = buildForeign();
    const upper = query.replace(/RelayState=[^&]*/, (m) => m.replace(/%[0-9a-f]{2}/g, (x) => x.toUpperCase()));
    expect(upper).not.toBe(query);
    const msg = decodeRedirect(upper);
    expect(msg.relayState).toBe(relayState);
    expect(verifyRedirectSignature(msg, [rsa.certPem]).valid).toBe(false);
  });

  it('rejects a changed RelayState, a dropped RelayState and a swapped message', () => {
    const url = encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, relayState: 'good', sign: { privateKeyPem: rsa.privateKeyPem } });
    const q = rawQueryOf(url);
    const changed = decodeRedirect(q.replace('RelayState=good', 'RelayState=evil'));
    expect(changed.relayState).toBe('evil');
    expect(verifyRedirectSignature(changed, [rsa.certPem]).valid).toBe(false);
    expect(verifyRedirectSignature(decodeRedirect(q.replace('&RelayState=good', '')), [rsa.certPem]).valid).toBe(false);
    const otherMsg = rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST.replace('persistent', 'transient') })).split('&')[0];
    const swapped = decodeRedirect(q.replace(/^SAMLRequest=[^&]*/, otherMsg));
    expect(swapped.xml).toContain('transient');
    expect(verifyRedirectSignature(swapped, [rsa.certPem]).valid).toBe(false);
  });

  it('rejects duplicated binding parameters, including a percent-encoded name', () => {
    const q = rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, relayState: 'r', sign: { privateKeyPem: rsa.privateKeyPem } }));
    const parts = Object.fromEntries(q.split('&').map((p) => [p.split('=')[0], p]));
    for (const name of ['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']) {
      expectXmlError(() => decodeRedirect(`${q}&${parts[name]}`), 'encoding', new RegExp(`duplicate ${name}`));
    }
    expectXmlError(() => decodeRedirect(`${q}&Sig%41lg=${encodeURIComponent(SIGNATURE_ALGORITHM['rsa-sha1'])}`), 'encoding', /duplicate SigAlg/);
    const resp = rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLResponse', xml: LOGOUT_RESPONSE }));
    expectXmlError(() => decodeRedirect(`${q}&${resp}`), 'encoding', /both SAMLRequest and SAMLResponse/);
    // Repeated parameters that are not the binding's are left alone.
    expect(decodeRedirect(`a=1&a=2&${q}`).relayState).toBe('r');
  });

  it('gives invalid with a reason for unknown, garbage and mismatched SigAlg values', () => {
    const make = (sigAlgOverride: string, algorithm: SignatureAlgorithmName = 'rsa-sha256') =>
      decodeRedirect(rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, sign: { privateKeyPem: rsa.privateKeyPem, algorithm }, sigAlgOverride })));
    for (const bad of ['garbage', '', 'http://www.w3.org/2000/09/xmldsig#hmac-sha1', 'http://www.w3.org/2000/09/xmldsig#dsa-sha1', '\u0000\u202e']) {
      const check = verifyRedirectSignature(make(bad), [rsa.certPem]);
      expect(check.valid).toBe(false);
      expect(check.reason).toMatch(/unsupported SigAlg/);
      expect(check.algorithm).toBe(bad);
    }
    // A real URI that is not the one used: sha512 claimed, sha256 signed.
    const claimed = verifyRedirectSignature(make(SIGNATURE_ALGORITHM['rsa-sha512']), [rsa.certPem]);
    expect(claimed).toMatchObject({ valid: false, algorithm: SIGNATURE_ALGORITHM['rsa-sha512'] });
    // An EC algorithm claimed for an RSA-signed message with only RSA certificates pinned.
    expect(verifyRedirectSignature(make(SIGNATURE_ALGORITHM['ecdsa-sha256']), [rsa.certPem]).reason).toMatch(/EC key/);
  });

  it('checks only against pinned certificates and copes with junk in the list', () => {
    const msg = decodeRedirect(rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, sign: { privateKeyPem: rsa.privateKeyPem } })));
    expect(verifyRedirectSignature(msg, [])).toMatchObject({ valid: false, reason: 'no trusted certificates given' });
    expect(verifyRedirectSignature(msg, ['not a certificate']).valid).toBe(false);
    const ok = verifyRedirectSignature(msg, ['not a certificate', rsaOther.certPem, ec.certPem, rsa.certPem]);
    expect(ok).toMatchObject({ valid: true, certificate: rsa.certPem });
  });

  it('gives the same answers on repeated use of the same keys (they are parsed once per PEM)', () => {
    const sign = (privateKeyPem: string, relayState: string) =>
      encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, relayState, sign: { privateKeyPem } });
    const first = sign(rsa.privateKeyPem, 'r');
    // RSA PKCS#1 v1.5 is deterministic: the cached key signs exactly as a freshly parsed one.
    expect(sign(rsa.privateKeyPem, 'r')).toBe(first);
    const msg = decodeRedirect(rawQueryOf(first));
    for (let round = 0; round < 3; round++) {
      expect(verifyRedirectSignature(msg, [rsa.certPem])).toMatchObject({ valid: true, certificate: rsa.certPem });
      expect(verifyRedirectSignature(msg, [rsaOther.certPem]).valid).toBe(false);
      expect(verifyRedirectSignature(msg, ['not a certificate']).valid).toBe(false);
      expect(verifyRedirectSignature(msg, [ec.certPem]).reason).toMatch(/RSA key/);
      expect(() => sign('not a key', 'r')).toThrow();
      expect(() =>
        encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, sign: { privateKeyPem: ec.privateKeyPem, algorithm: 'rsa-sha256' } }),
      ).toThrow(/cannot sign with rsa-sha256/);
    }
    // A bare public key PEM, pinned in place of a certificate, is remembered the same way.
    const publicPem = createPublicKey(rsa.certPem).export({ type: 'spki', format: 'pem' }) as string;
    expect(verifyRedirectSignature(msg, [publicPem]).valid).toBe(true);
    expect(verifyRedirectSignature(msg, [publicPem]).valid).toBe(true);
    const ecMsg = decodeRedirect(rawQueryOf(sign(ec.privateKeyPem, 'r')));
    expect(ecMsg.sigAlg).toBe(SIGNATURE_ALGORITHM['ecdsa-sha256']);
    expect(verifyRedirectSignature(ecMsg, [rsa.certPem, ec.certPem])).toMatchObject({ valid: true, certificate: ec.certPem });
  });

  it('stays right past the key caches\' bound (more distinct PEMs than they hold)', () => {
    // Distinct PEM texts of the same keys: trailing newlines do not change what they hold.
    const msg = decodeRedirect(rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, sign: { privateKeyPem: rsa.privateKeyPem } })));
    for (let i = 0; i < 300; i++) {
      const pinned = `${(i % 2 === 0 ? rsa : rsaOther).certPem}${'\n'.repeat(i)}`;
      expect(verifyRedirectSignature(msg, [pinned]).valid).toBe(i % 2 === 0);
    }
    for (let i = 0; i < 300; i += 37) {
      const url = encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, sign: { privateKeyPem: `${rsa.privateKeyPem}${'\n'.repeat(i)}` } });
      expect(verifyRedirectSignature(decodeRedirect(rawQueryOf(url)), [rsa.certPem]).valid).toBe(true);
    }
  });

  it('accepts DER-encoded ECDSA values and says so', () => {
    const signed = `SAMLRequest=${encodeURIComponent(deflateRaw(AUTHN_REQUEST).toString('base64'))}&SigAlg=${encodeURIComponent(SIGNATURE_ALGORITHM['ecdsa-sha256'])}`;
    const der = signWith(signed, ec.privateKeyPem, 'sha256', 'der');
    const check = verifyRedirectSignature(decodeRedirect(`${signed}&Signature=${encodeURIComponent(der)}`), [ec.certPem]);
    expect(check).toMatchObject({ valid: true, ecdsaEncoding: 'der' });
  });

  it('never throws for bad signatures, whatever the mutation', () => {
    const base = decodeRedirect(rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST, relayState: 'r', sign: { privateKeyPem: ec.privateKeyPem } })));
    const mutants: RedirectMessage[] = [
      { ...base, signature: '' },
      { ...base, signature: '!!!not base64!!!' },
      { ...base, signature: 'AAAA' },
      { ...base, signature: Buffer.alloc(64).toString('base64') },
      { ...base, signature: Buffer.alloc(72, 0x30).toString('base64') },
      { ...base, signedOctets: undefined },
      { ...base, sigAlg: undefined },
      { ...base, signedOctets: base.signedOctets + 'x' },
      { param: 'SAMLRequest', xml: '' },
      null as unknown as RedirectMessage,
    ];
    // Flip each character of the signature once.
    for (let i = 0; i < base.signature!.length; i += 7) {
      const s = base.signature!;
      mutants.push({ ...base, signature: s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1) });
    }
    for (const m of mutants) {
      const check = verifyRedirectSignature(m, [ec.certPem, rsa.certPem]);
      expect(check.valid).toBe(false);
      expect(typeof check.reason).toBe('string');
    }
  });
});

/** 100 MB of spaces, deflated in 1 MiB steps so that building the bomb does not cost 100 MB. */
async function spaceBomb(totalBytes: number): Promise<Buffer> {
  const deflater = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  deflater.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    deflater.on('end', resolve);
    deflater.on('error', reject);
  });
  const block = Buffer.alloc(1024 * 1024, 0x20);
  for (let written = 0; written < totalBytes; written += block.length) {
    if (!deflater.write(block)) await new Promise((r) => deflater.once('drain', r));
  }
  deflater.end();
  await done;
  return Buffer.concat(chunks);
}

/** Count a stream's inflated size without holding it: proves the bomb is real. */
async function inflatedSize(deflated: Buffer): Promise<number> {
  const inflater = createInflateRaw();
  let size = 0;
  inflater.on('data', (c: Buffer) => (size += c.length));
  const done = new Promise<void>((resolve, reject) => {
    inflater.on('end', resolve);
    inflater.on('error', reject);
  });
  inflater.end(deflated);
  await done;
  return size;
}

describe('HTTP-Redirect hostile input', () => {
  it('stops a 100 MB deflate bomb quickly and without the memory', async () => {
    const bomb = await spaceBomb(100 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(200 * 1024);
    expect(await inflatedSize(bomb)).toBe(100 * 1024 * 1024);
    const query = `SAMLRequest=${encodeURIComponent(bomb.toString('base64'))}&RelayState=x`;

    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    expectXmlError(() => decodeRedirect(query), 'inflate-bomb');
    const elapsed = performance.now() - started;
    const grown = process.memoryUsage().rss - rssBefore;
    expect(elapsed).toBeLessThan(1000);
    expect(grown).toBeLessThan(48 * 1024 * 1024);
  });

  it('applies the ratio bound to outputs below the byte limit', () => {
    const deflated = deflateRaw(' '.repeat(300 * 1024));
    const query = `SAMLRequest=${encodeURIComponent(deflated.toString('base64'))}`;
    expectXmlError(() => decodeRedirect(query), 'inflate-bomb', /ratio limit 100:1/);
    expect(decodeRedirect(query, { maxRatio: 10_000 }).xml).toHaveLength(300 * 1024);
    expectXmlError(() => decodeRedirect(query, { maxRatio: 10_000, maxInflatedBytes: 100_000 }), 'inflate-bomb');
  });

  it('refuses an over-long message parameter or query before decoding', () => {
    const longParam = `SAMLRequest=${'A'.repeat(300 * 1024)}`;
    const started = performance.now();
    expectXmlError(() => decodeRedirect(longParam), 'too-large', /SAMLRequest parameter/);
    expectXmlError(() => decodeRedirect(`SAMLRequest=AAAA&RelayState=${'x'.repeat(400 * 1024)}`), 'too-large', /query string/);
    // Garbage that would fail base64 proves the length check comes first.
    expectXmlError(() => decodeRedirect(`SAMLRequest=${'*'.repeat(2000)}`, { maxEncodedBytes: 1000 }), 'too-large');
    // Generous: a bound on hostile input, not a speed goal (npm run bench measures speed).
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('rejects invalid percent-encoding, base64, DEFLATE and UTF-8', () => {
    expectXmlError(() => decodeRedirect('SAMLRequest=%E0%A4%A'), 'encoding', /percent-encoding/);
    expectXmlError(() => decodeRedirect('SAMLRequest=ab*cd$$'), 'encoding', /base64/);
    expectXmlError(() => decodeRedirect('SAMLRequest=abc+def'), 'encoding', /un-encoded '\+'/);
    expectXmlError(() => decodeRedirect('SAMLRequest=abcde'), 'encoding', /base64/);
    expectXmlError(() => decodeRedirect('SAMLRequest='), 'encoding', /empty/);
    expectXmlError(() => decodeRedirect(`SAMLRequest=${encodeURIComponent(Buffer.from('<not deflated/>').toString('base64'))}`), 'encoding', /DEFLATE/);
    // zlib-wrapped instead of raw DEFLATE: a common sender bug.
    expectXmlError(() => decodeRedirect(`SAMLRequest=${encodeURIComponent(deflateSync(AUTHN_REQUEST).toString('base64'))}`), 'encoding', /DEFLATE/);
    // Truncated stream.
    const truncated = deflateRaw(AUTHN_REQUEST).subarray(0, 40);
    expectXmlError(() => decodeRedirect(`SAMLRequest=${encodeURIComponent(truncated.toString('base64'))}`), 'encoding');
    const badUtf8 = deflateRawSync(Buffer.from([0x3c, 0x61, 0xff, 0xfe, 0x2f, 0x3e])).toString('base64');
    expectXmlError(() => decodeRedirect(`SAMLRequest=${encodeURIComponent(badUtf8)}`), 'encoding', /UTF-8/);
  });

  it('rejects missing messages and unknown SAMLEncoding values', () => {
    expectXmlError(() => decodeRedirect('RelayState=x&SigAlg=y'), 'encoding', /no SAMLRequest or SAMLResponse/);
    expectXmlError(() => decodeRedirect(''), 'encoding');
    const q = rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: AUTHN_REQUEST }));
    expectXmlError(() => decodeRedirect(`${q}&SAMLEncoding=urn%3Aexample%3Agzip`), 'encoding', /SAMLEncoding/);
    expect(decodeRedirect(`${q}&SAMLEncoding=${encodeURIComponent('urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE')}`).xml).toBe(AUTHN_REQUEST);
  });

  it('returns a DOCTYPE message as text but decodeRedirectDocument refuses it', () => {
    const hostile = fixture('doctype-request.xml');
    const q = rawQueryOf(encodeRedirect({ endpoint: 'https://i/s', param: 'SAMLRequest', xml: hostile }));
    expect(decodeRedirect(q).xml).toContain('<!DOCTYPE');
    expectXmlError(() => decodeRedirectDocument(q), 'doctype');
  });
});

