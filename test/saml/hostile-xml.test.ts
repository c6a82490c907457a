// The harness reads XML from the targets it tests, so every entry point must refuse hostile
// documents with a typed error, in bounded time and memory, without touching files or the network.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePostDocument, decodeRedirectDocument } from '../../saml/bindings/index.ts';
import { parseMetadata } from '../../saml/metadata.ts';
import { validateResponse } from '../../saml/rules/index.ts';
import { verifySignatures } from '../../saml/signature.ts';
import { parseXml, XmlSafetyError, type XmlErrorCode } from '../../saml/xml.ts';

const SECRET = `samlconf-secret-${process.pid}`;
let dir: string;
let secretFile: string;
let server: http.Server;
let hits = 0;
let origin: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'samlconf-hostile-'));
  secretFile = path.join(dir, 'secret.txt');
  writeFileSync(secretFile, SECRET);
  // Any fetch of an external entity or XInclude would land here.
  server = http.createServer((_, res) => {
    hits++;
    res.end(SECRET);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((r) => server.close(r));
});

const wrap = (body: string) => `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0">${body}</samlp:Response>`;

function hostileDocuments(): Array<[string, string, XmlErrorCode]> {
  return [
    ['DOCTYPE with an internal entity', `<!DOCTYPE r [<!ENTITY x "y">]>${wrap('&x;')}`, 'doctype'],
    ['external entity (file)', `<!DOCTYPE r [<!ENTITY x SYSTEM "file://${secretFile}">]>${wrap('&x;')}`, 'doctype'],
    ['external entity (http)', `<!DOCTYPE r [<!ENTITY x SYSTEM "${origin}/xxe">]>${wrap('&x;')}`, 'doctype'],
    ['parameter entity exfiltration', `<!DOCTYPE r [<!ENTITY % p SYSTEM "${origin}/evil.dtd"> %p;]>${wrap('')}`, 'doctype'],
    ['external DTD', `<!DOCTYPE r SYSTEM "${origin}/evil.dtd">${wrap('')}`, 'doctype'],
    [
      'billion laughs',
      `<!DOCTYPE r [<!ENTITY a "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i === 0 ? 'a' : 'b'.repeat(i)};`.repeat(10)}">`).join('')}]>${wrap('&bbbbbbbbb;')}`,
      'doctype',
    ],
    ['undeclared entity reference', wrap('&ghost;'), 'entity'],
    ['XInclude', wrap(`<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://${secretFile}" parse="text"/>`), 'xinclude'],
    ['XInclude over http', wrap(`<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="${origin}/x"/>`), 'xinclude'],
    ['processing instruction', `<?xml-stylesheet href="${origin}/s.xsl"?>${wrap('')}`, 'processing-instruction'],
    ['two root elements', `${wrap('')}${wrap('')}`, 'malformed'],
    ['unclosed element', '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">', 'malformed'],
    ['empty document', '   ', 'empty'],
  ];
}

describe('hostile XML', () => {
  it('is refused by parseXml with a typed error naming the problem, and nothing is fetched or read', () => {
    for (const [name, xml, code] of hostileDocuments()) {
      let error: unknown;
      try {
        parseXml(xml);
      } catch (err) {
        error = err;
      }
      expect(error, name).toBeInstanceOf(XmlSafetyError);
      expect((error as XmlSafetyError).code, name).toBe(code);
      expect((error as Error).message, name).not.toContain(SECRET);
    }
    expect(hits).toBe(0);
  });

  it('refuses a 50 MB document before parsing it, in bounded time and memory', () => {
    const huge = wrap(`<x>${'A'.repeat(50 * 1024 * 1024)}</x>`);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    expect(() => parseXml(huge)).toThrowError(expect.objectContaining({ code: 'too-large' }));
    expect(performance.now() - started).toBeLessThan(1000);
    // The string itself is ~50 MB of the heap already; parsing must not add a DOM on top of it.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a deflate bomb on the Redirect binding in bounded time', () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    const query = `SAMLRequest=${encodeURIComponent(bomb.toString('base64'))}`;
    const started = performance.now();
    expect(() => decodeRedirectDocument(query)).toThrowError(expect.objectContaining({ code: 'inflate-bomb' }));
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('is refused at every entry point that reads target XML, and the rules fail closed', async () => {
    for (const [name, xml] of hostileDocuments()) {
      const b64 = Buffer.from(xml).toString('base64');
      expect(() => decodePostDocument(b64), `POST: ${name}`).toThrow(XmlSafetyError);
      const redirect = `SAMLResponse=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`;
      expect(() => decodeRedirectDocument(redirect), `Redirect: ${name}`).toThrow(XmlSafetyError);
      expect(() => verifySignatures(xml, []), `verify: ${name}`).toThrow(XmlSafetyError);
      expect(() => parseMetadata(xml), `metadata: ${name}`).toThrow();
      const validation = await validateResponse(xml, { trustedCerts: [], idpEntityId: 'i', spEntityId: 's', acsUrl: 'https://sp.test/acs' });
      expect(validation.ok, `rules: ${name}`).toBe(false);
      expect(validation.identity, `rules: ${name}`).toBeUndefined();
      expect(validation.findings.find((f) => f.rule === 'well-formed-xml')?.ok, `rules: ${name}`).toBe(false);
    }
    expect(hits).toBe(0);
  });
});
