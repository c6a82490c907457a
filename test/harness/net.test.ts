import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLocal, FetchLocalError, isLoopbackUrl, loopbackAddressFor } from '../../harness/net.ts';

let server: http.Server;
let port: number;
const seen: { host?: string; method?: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ host: req.headers.host, method: req.method, body });
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/hello') return res.end(`hello ${req.headers.host}`);
      if (url.pathname === '/big') return res.end('x'.repeat(64 * 1024));
      if (url.pathname === '/stream') {
        // No content-length: the bound must hold while streaming.
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 64; i++) res.write('y'.repeat(1024));
        return res.end();
      }
      if (url.pathname === '/slow') return setTimeout(() => res.end('late'), 2_000);
      if (url.pathname === '/to-hello') {
        res.writeHead(302, { location: `http://bar.samlconf.test:${port}/hello` });
        return res.end();
      }
      if (url.pathname === '/post-then-303') {
        res.writeHead(303, { location: '/hello' });
        return res.end();
      }
      if (url.pathname === '/off-machine') {
        res.writeHead(302, { location: 'http://example.com/' });
        return res.end();
      }
      if (url.pathname === '/loop') {
        res.writeHead(302, { location: '/loop' });
        return res.end();
      }
      res.statusCode = 404;
      res.end('nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function failure(p: Promise<unknown>): Promise<FetchLocalError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FetchLocalError);
  return err as FetchLocalError;
}

describe('loopback mapping', () => {
  it('maps .test, localhost and loopback addresses, and nothing else', () => {
    expect(loopbackAddressFor('idp.samlconf.test')).toBe('127.0.0.1');
    expect(loopbackAddressFor('IDP.SAMLCONF.TEST.')).toBe('127.0.0.1');
    expect(loopbackAddressFor('localhost')).toBe('127.0.0.1');
    expect(loopbackAddressFor('127.0.0.5')).toBe('127.0.0.5');
    expect(loopbackAddressFor('[::1]')).toBe('::1');
    expect(loopbackAddressFor('example.com')).toBeUndefined();
    expect(loopbackAddressFor('test')).toBeUndefined();
    expect(loopbackAddressFor('evil.test.example.com')).toBeUndefined();
    expect(loopbackAddressFor('10.0.0.1')).toBeUndefined();
    expect(loopbackAddressFor('0.0.0.0')).toBeUndefined();
  });

  it('isLoopbackUrl accepts only http(s) on this machine', () => {
    expect(isLoopbackUrl('http://app.target.test:8080/x')).toBe(true);
    expect(isLoopbackUrl('https://localhost/')).toBe(true);
    expect(isLoopbackUrl('http://127.0.0.1:1/')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:3000/')).toBe(true);
    expect(isLoopbackUrl('https://authentik.company/')).toBe(false);
    expect(isLoopbackUrl('ftp://localhost/')).toBe(false);
    expect(isLoopbackUrl('file:///etc/passwd')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });
});

describe('fetchLocal', () => {
  it('reaches a *.test name on 127.0.0.1 and keeps the Host header', async () => {
    const res = await fetchLocal(`http://foo.samlconf.test:${port}/hello`);
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.text()).toBe(`hello foo.samlconf.test:${port}`);
  });

  it('reaches localhost and 127.0.0.1, and reports non-2xx without throwing', async () => {
    expect((await fetchLocal(`http://localhost:${port}/hello`)).text()).toBe(`hello localhost:${port}`);
    const missing = await fetchLocal(`http://127.0.0.1:${port}/missing`);
    expect(missing.status).toBe(404);
    expect(missing.ok).toBe(false);
  });

  it('sends a body with POST', async () => {
    seen.length = 0;
    await fetchLocal(`http://a.test:${port}/hello`, { method: 'POST', body: 'SAMLRequest=abc', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(seen[0]).toMatchObject({ method: 'POST', body: 'SAMLRequest=abc', host: `a.test:${port}` });
  });

  it('refuses hosts off this machine before any connection', async () => {
    const err = await failure(fetchLocal('http://example.com/'));
    expect(err.code).toBe('not-loopback');
    expect(err.message).toMatch(/refusing to contact example\.com/);
    expect((await failure(fetchLocal('http://10.1.2.3:80/'))).code).toBe('not-loopback');
    expect((await failure(fetchLocal('file:///etc/passwd'))).code).toBe('bad-url');
  });

  it('follows redirects within loopback and refuses one that leaves the machine', async () => {
    const res = await fetchLocal(`http://localhost:${port}/to-hello`);
    expect(res.url).toBe(`http://bar.samlconf.test:${port}/hello`);
    expect(res.text()).toBe(`hello bar.samlconf.test:${port}`);
    expect((await failure(fetchLocal(`http://localhost:${port}/off-machine`))).code).toBe('not-loopback');
    expect((await failure(fetchLocal(`http://localhost:${port}/loop`))).code).toBe('too-many-redirects');
  });

  it('turns a POST into a GET on 303, and leaves redirects alone when manual', async () => {
    seen.length = 0;
    const res = await fetchLocal(`http://localhost:${port}/post-then-303`, { method: 'POST', body: 'x=1' });
    expect(res.text()).toBe(`hello localhost:${port}`);
    expect(seen.map((s) => s.method)).toEqual(['POST', 'GET']);
    const manual = await fetchLocal(`http://localhost:${port}/to-hello`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.location).toContain('/hello');
  });

  it('bounds the body size, with and without content-length', async () => {
    const declared = await failure(fetchLocal(`http://localhost:${port}/big`, { maxBytes: 1000 }));
    expect(declared.code).toBe('too-large');
    const streamed = await failure(fetchLocal(`http://localhost:${port}/stream`, { maxBytes: 10_000 }));
    expect(streamed.code).toBe('too-large');
    expect((await fetchLocal(`http://localhost:${port}/stream`)).body.length).toBe(64 * 1024);
  });

  it('times out', async () => {
    const started = Date.now();
    const err = await failure(fetchLocal(`http://localhost:${port}/slow`, { timeoutMs: 200 }));
    expect(err.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('reports a refused connection as a network error', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await failure(fetchLocal(`http://x.test:${freePort}/`));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});
