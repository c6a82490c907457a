// The auto-POST page in a real Chromium: it must submit itself under its own CSP, deliver the
// fields byte for byte, and fall back to the <noscript> button. One browser launch for all of it.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright';
import type { Browser, ConsoleMessage } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePostField, encodePostFields, renderAutoPostPage } from '../../../saml/bindings/index.ts';

const CHROMIUM = '/usr/lib/chromium/chromium';
const XML = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_p" Version="2.0">ü+/=?&amp;</samlp:Response>';
const RELAY_STATE = `a b&c=d+e%20f/?#~!*()'"<>\\ é 日本 😀 &amp; </script>`;

interface Received { fields: URLSearchParams; contentType?: string }

let server: Server;
let base: string;
let browser: Browser;
const received: Received[] = [];
let waiters: Array<(r: Received) => void> = [];

function nextPost(timeoutMs = 10_000): Promise<Received> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no POST arrived at /acs')), timeoutMs);
    waiters.push((r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install the Debian chromium package`);
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/acs') {
      const r: Received = { fields: new URLSearchParams(await readBody(req)), contentType: req.headers['content-type'] };
      received.push(r);
      const ws = waiters;
      waiters = [];
      ws.forEach((w) => w(r));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('received');
      return;
    }
    if (req.method === 'GET' && (url.pathname === '/page' || url.pathname === '/page-wrong-hash')) {
      const page = renderAutoPostPage({
        action: `${base}/acs`,
        fields: encodePostFields({ param: 'SAMLResponse', xml: XML, relayState: RELAY_STATE }),
        title: 'Posting',
      });
      const csp =
        url.pathname === '/page'
          ? page.contentSecurityPolicy
          : page.contentSecurityPolicy.replace(/'sha256-[^']+'/, `'sha256-${Buffer.alloc(32).toString('base64')}'`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).end(page.html);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

function expectIntact(r: Received): void {
  expect(r.contentType).toMatch(/^application\/x-www-form-urlencoded/);
  expect([...r.fields.keys()]).toEqual(['SAMLResponse', 'RelayState']);
  expect(decodePostField(r.fields.get('SAMLResponse')!)).toBe(XML);
  expect(r.fields.get('RelayState')).toBe(RELAY_STATE);
}

describe('auto-POST page in Chromium', () => {
  it('submits itself under its CSP with the fields intact, is blocked by a CSP without its hash, and works without JavaScript', async () => {
    // 1. Normal page: submits on load, with no CSP complaint.
    const context = await browser.newContext();
    const page = await context.newPage();
    const cspMessages: string[] = [];
    const onConsole = (m: ConsoleMessage) => {
      if (/Content Security Policy/i.test(m.text())) cspMessages.push(m.text());
    };
    page.on('console', onConsole);
    const posted = nextPost();
    await page.goto(`${base}/page`);
    expectIntact(await posted);
    await page.waitForURL(`${base}/acs`);
    expect(await page.textContent('body')).toBe('received');
    expect(cspMessages).toEqual([]);

    // 2. Same page, header CSP with a different hash: the browser must refuse the script.
    const blocked = await context.newPage();
    const violation = blocked.waitForEvent('console', { predicate: (m) => /Content Security Policy/i.test(m.text()), timeout: 10_000 });
    const before = received.length;
    await blocked.goto(`${base}/page-wrong-hash`);
    expect((await violation).text()).toMatch(/script/i);
    await blocked.waitForTimeout(300);
    expect(received.length).toBe(before);
    expect(new URL(blocked.url()).pathname).toBe('/page-wrong-hash');
    await context.close();

    // 3. JavaScript off: the <noscript> button is shown and submits the same fields.
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    const manual = await noJs.newPage();
    await manual.goto(`${base}/page`);
    expect(received.length).toBe(before);
    const button = manual.locator('input[type="submit"]');
    expect(await button.isVisible()).toBe(true);
    const posted2 = nextPost();
    await button.click();
    expectIntact(await posted2);
    await noJs.close();
  });
});
