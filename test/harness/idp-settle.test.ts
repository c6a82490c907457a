// When does the IdP flow decide the IdP has said its last word? Not while the page is still busy
// (a login app fetching, a late auto-POST), and soon after a plain error page has gone quiet.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newScenarioContext } from '../../harness/browser.ts';
import type { TargetConfig } from '../../harness/config.ts';
import { loginAtIdp } from '../../harness/idp-flows.ts';
import { watchPageActivity } from '../../harness/page-activity.ts';
import type { AcsOutcome, SpScenario } from '../../mock-sp/index.ts';

let server: http.Server;
let base: string;
let browser: Browser;
let arrived: ((o: AcsOutcome) => void) | undefined;

const html = (body: string) => `<!doctype html><html><body>${body}</body></html>`;

// A login app that fetches three times (350 ms each: longer than any fixed settle wait shorter
// than a second), then auto-POSTs to the ACS; a silent error page; a page slow to answer a fetch.
const PAGES: Record<string, string> = {
  '/busy-then-post': html(`<p>working</p><form id=f method=post action="/acs"><input name=SAMLResponse value=x></form><script>
    fetch('/api?ms=350').then(() => fetch('/api?ms=350')).then(() => fetch('/api?ms=350')).then(() => document.getElementById('f').submit());
  </script>`),
  '/error': html('<h1>Request refused</h1>'),
  '/slow-fetch': html(`<script>fetch('/api?ms=800')</script>`),
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api') {
      setTimeout(() => res.end('{}'), Number(url.searchParams.get('ms') ?? 0));
      return;
    }
    if (url.pathname === '/acs' && req.method === 'POST') {
      arrived?.({ path: '/acs', url: `${base}/acs`, binding: 'post', scenario: 's', accepted: true } as AcsOutcome);
      res.setHeader('content-type', 'text/html');
      res.end(html('<p>arrived</p>'));
      return;
    }
    const page = PAGES[url.pathname];
    res.statusCode = page ? 200 : 404;
    res.setHeader('content-type', 'text/html');
    res.end(page ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

function fakeSp(start: string): SpScenario {
  return {
    loginUrl: () => `${base}${start}`,
    waitForResponse: (ms: number) =>
      new Promise<AcsOutcome | undefined>((resolve) => {
        arrived = resolve;
        setTimeout(() => resolve(undefined), ms);
      }),
  } as unknown as SpScenario;
}

const TARGET = { name: 'settle-test', role: 'idp' } as TargetConfig;

async function withContext<T>(fn: (ctx: BrowserContext) => Promise<T>): Promise<T> {
  const ctx = await newScenarioContext(browser);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

describe('loginAtIdp settling', () => {
  it('waits for a busy login app that posts to the ACS after its fetches', async () => {
    const outcome = await withContext(async (ctx) => loginAtIdp({ page: await ctx.newPage(), target: TARGET, sp: fakeSp('/busy-then-post') }, undefined, 5000));
    expect(outcome?.path).toBe('/acs');
  });

  it('ends soon after a quiet error page, with nothing arrived', async () => {
    const started = Date.now();
    const outcome = await withContext(async (ctx) => loginAtIdp({ page: await ctx.newPage(), target: TARGET, sp: fakeSp('/error') }, undefined, 5000));
    expect(outcome).toBeUndefined();
    // Far below the 5 s allowance: the quiet period decided, not the deadline.
    expect(Date.now() - started).toBeLessThan(4000);
  });
});

describe('watchPageActivity', () => {
  it('reads a page with a request in flight as busy, and as quiet once it has finished', async () => {
    await withContext(async (ctx) => {
      const page = await ctx.newPage();
      const activity = watchPageActivity(page);
      await page.goto(`${base}/slow-fetch`);
      await new Promise((r) => setTimeout(r, 300));
      expect(activity.quietForMs()).toBe(0); // the 800 ms fetch is still open
      await page.waitForResponse((r) => r.url().includes('/api'));
      // Quiet once nothing is left in flight (a late favicon request may come and go first).
      await expect.poll(() => activity.quietForMs(), { timeout: 3000 }).toBeGreaterThan(0);
      activity.stop();
    });
  });
});
