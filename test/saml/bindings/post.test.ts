import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XmlSafetyError } from '../../../saml/xml.ts';
import {
  AUTO_POST_CSP,
  AUTO_POST_SCRIPT,
  decodePostDocument,
  decodePostField,
  encodePostFields,
  renderAutoPostPage,
} from '../../../saml/bindings/index.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/bindings/${name}`, import.meta.url), 'utf8').trim();
const RESPONSE = fixture('logout-response.xml');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof XmlSafetyError) return err.code;
    throw err;
  }
  return undefined;
}

describe('HTTP-POST fields', () => {
  it('round-trips both message types with and without RelayState', () => {
    for (const param of ['SAMLRequest', 'SAMLResponse'] as const) {
      const fields = encodePostFields({ param, xml: RESPONSE, relayState: 'r&1 é' });
      expect(Object.keys(fields)).toEqual([param, 'RelayState']);
      expect(fields.RelayState).toBe('r&1 é');
      expect(fields[param]).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(decodePostField(fields[param])).toBe(RESPONSE);
      expect(Object.keys(encodePostFields({ param, xml: RESPONSE }))).toEqual([param]);
    }
  });

  it('tolerates whitespace and line wrapping in the base64', () => {
    const b64 = Buffer.from(RESPONSE, 'utf8').toString('base64');
    const wrapped = b64.replace(/.{64}/g, '$&\r\n') + '\n';
    expect(decodePostField(wrapped)).toBe(RESPONSE);
    expect(decodePostField(`  ${b64.replace(/.{10}/g, '$& ')}\t`)).toBe(RESPONSE);
  });

  it('rejects invalid base64, invalid UTF-8 and empty fields', () => {
    expect(codeOf(() => decodePostField('PHNhbWw+*not*base64'))).toBe('encoding');
    expect(codeOf(() => decodePostField('abcde'))).toBe('encoding');
    expect(codeOf(() => decodePostField('ab=c'))).toBe('encoding');
    expect(codeOf(() => decodePostField('PHg-_w'))).toBe('encoding'); // base64url is not the binding's alphabet
    expect(codeOf(() => decodePostField(Buffer.from([0x3c, 0xff, 0xfe]).toString('base64')))).toBe('encoding');
    expect(codeOf(() => decodePostField('   '))).toBe('encoding');
  });

  it('bounds the decoded size before decoding', () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x61).toString('base64');
    const started = performance.now();
    expect(codeOf(() => decodePostField(big))).toBe('too-large');
    // Generous: a bound on hostile input, not a speed goal (npm run bench measures speed).
    expect(performance.now() - started).toBeLessThan(1000);
    const medium = Buffer.from('<a>' + 'x'.repeat(5000) + '</a>').toString('base64');
    expect(codeOf(() => decodePostField(medium, 4000))).toBe('too-large');
    expect(decodePostField(medium, 6000)).toHaveLength(5007);
  });

  it('decodePostDocument parses safely and refuses a DOCTYPE', () => {
    expect(decodePostDocument(encodePostFields({ param: 'SAMLResponse', xml: RESPONSE }).SAMLResponse).root.localName).toBe('LogoutResponse');
    const hostile = encodePostFields({ param: 'SAMLRequest', xml: fixture('doctype-request.xml') }).SAMLRequest;
    expect(decodePostField(hostile)).toContain('<!DOCTYPE');
    expect(codeOf(() => decodePostDocument(hostile))).toBe('doctype');
  });
});

describe('auto-POST page', () => {
  const fields = { SAMLResponse: 'PHg+', RelayState: `"><script>alert(1)</script>&amp;'\r\nnext` };

  it('escapes the action and every field', () => {
    const { html } = renderAutoPostPage({ action: 'https://sp.example.test/acs?a=1&b="x"', fields, title: '<b>Sign in</b>' });
    expect(html).toContain('action="https://sp.example.test/acs?a=1&amp;b=&quot;x&quot;"');
    expect(html).toContain('name="RelayState" value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;&apos;&#13;&#10;next"');
    expect(html).toContain('<title>&lt;b&gt;Sign in&lt;/b&gt;</title>');
    expect(html).not.toContain('<script>alert');
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toMatch(/<form method="post" action="[^"]*" accept-charset="UTF-8">/);
    expect(html).toMatch(/<noscript>[\s\S]*<input type="submit" value="Continue">[\s\S]*<\/noscript>/);
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
  });

  it('has a strict CSP whose only script source is the hash of the page script', () => {
    const { html, contentSecurityPolicy } = renderAutoPostPage({ action: '/acs', fields });
    expect(contentSecurityPolicy).toBe(AUTO_POST_CSP);
    const directives = Object.fromEntries(contentSecurityPolicy.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives['default-src']).toEqual(["'none'"]);
    const hash = `'sha256-${createHash('sha256').update(AUTO_POST_SCRIPT).digest('base64')}'`;
    expect(directives['script-src']).toEqual([hash]);
    expect(contentSecurityPolicy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    // The script in the page is byte-for-byte the hashed one.
    const inline = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    expect(createHash('sha256').update(inline).digest('base64')).toBe(hash.slice(8, -1));
  });

  it('refuses non-http(s) actions', () => {
    for (const action of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', ' javascript:x', 'vbscript:x']) {
      expect(() => renderAutoPostPage({ action, fields: {} }), action).toThrow(/http or https/);
    }
    expect(renderAutoPostPage({ action: 'http://127.0.0.1:1/acs', fields: {} }).html).toContain('action="http://127.0.0.1:1/acs"');
  });
});
