import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserNotFoundError, CHROMIUM_ARGS, findChromium, launchBrowser, newScenarioContext, playwrightShellCandidates } from '../../harness/browser.ts';

const nothingExists = {
  env: {},
  playwrightPath: '/nonexistent/playwright/chrome',
  systemPaths: ['/nonexistent/a', '/nonexistent/b'],
  systemShellPaths: ['/nonexistent/shell'],
  exists: () => false,
};

describe('findChromium', () => {
  it('explains how to get a browser when none is found', () => {
    let err: unknown;
    try {
      findChromium(undefined, nothingExists);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BrowserNotFoundError);
    const message = (err as Error).message;
    expect(message).toContain('apt-get install -y chromium');
    expect(message).toContain('npx playwright install chromium');
    expect(message).toContain('SAMLCONF_CHROMIUM');
    expect((err as BrowserNotFoundError).tried).toEqual(['/nonexistent/playwright/chrome', '/nonexistent/shell', '/nonexistent/a', '/nonexistent/b']);
  });

  it('takes the configured path, then SAMLCONF_CHROMIUM, then Playwright, then system paths', () => {
    const has = (...files: string[]) => (f: string) => files.includes(f);
    const base = { playwrightPath: '/pw/chrome', playwrightShellPath: null, systemPaths: ['/usr/bin/chromium'], systemShellPaths: [] };
    expect(findChromium('/my/chrome', { ...base, env: { SAMLCONF_CHROMIUM: '/env/chrome' }, exists: has('/my/chrome', '/env/chrome', '/pw/chrome') })).toBe('/my/chrome');
    expect(findChromium(undefined, { ...base, env: { SAMLCONF_CHROMIUM: '/env/chrome' }, exists: has('/env/chrome', '/pw/chrome') })).toBe('/env/chrome');
    expect(findChromium(undefined, { ...base, env: {}, exists: has('/pw/chrome', '/usr/bin/chromium') })).toBe('/pw/chrome');
    expect(findChromium(undefined, { ...base, env: {}, exists: has('/usr/bin/chromium') })).toBe('/usr/bin/chromium');
    expect(findChromium('my-chrome', { ...base, env: { PATH: '/a:/opt/bin' }, exists: has('/opt/bin/my-chrome', '/pw/chrome') })).toBe('/opt/bin/my-chrome');
  });

  it('prefers a headless shell for headless runs, at Playwright and among system paths, and the full browser for headed ones', () => {
    const has = (...files: string[]) => (f: string) => files.includes(f);
    const base = { env: {}, playwrightPath: '/pw/chrome', playwrightShellPath: '/pw/shell', systemPaths: ['/usr/bin/chromium'], systemShellPaths: ['/usr/bin/shell'] };
    const all = has('/pw/chrome', '/pw/shell', '/usr/bin/chromium', '/usr/bin/shell');
    expect(findChromium(undefined, { ...base, exists: all })).toBe('/pw/shell');
    expect(findChromium(undefined, { ...base, headless: false, exists: all })).toBe('/pw/chrome');
    // Playwright's own install still comes before the system's, shell or not.
    expect(findChromium(undefined, { ...base, exists: has('/pw/chrome', '/usr/bin/shell') })).toBe('/pw/chrome');
    expect(findChromium(undefined, { ...base, exists: has('/usr/bin/chromium', '/usr/bin/shell') })).toBe('/usr/bin/shell');
    expect(findChromium(undefined, { ...base, headless: false, exists: has('/usr/bin/chromium', '/usr/bin/shell') })).toBe('/usr/bin/chromium');
  });

  it("derives Playwright's headless shell from its browser path", () => {
    const shells = playwrightShellCandidates('/home/u/.cache/ms-playwright/chromium-1200/chrome-linux64/chrome');
    expect(shells).toContain('/home/u/.cache/ms-playwright/chromium_headless_shell-1200/chrome-headless-shell-linux64/chrome-headless-shell');
    expect(playwrightShellCandidates('/opt/chrome/chrome')).toEqual([]);
    const pw = '/cache/chromium-7/chrome-linux64/chrome';
    const shell = '/cache/chromium_headless_shell-7/chrome-headless-shell-linux64/chrome-headless-shell';
    expect(findChromium(undefined, { env: {}, playwrightPath: pw, systemPaths: [], systemShellPaths: [], exists: (f) => f === pw || f === shell })).toBe(shell);
  });

  it('does not fall through to another browser when the configured one is missing', () => {
    expect(() => findChromium('/typo/chrome', { ...nothingExists, exists: (f) => f === '/nonexistent/a' })).toThrow(/\/typo\/chrome \(browser\.executablePath/);
    expect(() => findChromium(undefined, { ...nothingExists, env: { SAMLCONF_CHROMIUM: '/typo/env' }, exists: (f) => f === '/nonexistent/a' })).toThrow(/\/typo\/env \(SAMLCONF_CHROMIUM/);
  });

  it('finds a real executable on this machine (CI installs chromium)', () => {
    const found = findChromium();
    expect(found).toMatch(/chrom/i);
  });
});

describe('launchBrowser', () => {
  let browser: Browser;
  let server: http.Server;
  let port: number;
  const hosts: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hosts.push(req.headers.host ?? '');
      if (req.url === '/set') {
        res.setHeader('set-cookie', 'session=abc; Path=/');
        return res.end('set');
      }
      res.setHeader('content-type', 'text/html');
      res.end(`<title>local</title><p id="host">${req.headers.host}</p><p id="cookie">${req.headers.cookie ?? 'none'}</p>`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('reaches *.test names on 127.0.0.1 and nothing off the machine', async () => {
    const context = await newScenarioContext(browser);
    try {
      const page = await context.newPage();
      const res = await page.goto(`http://foo.samlconf.test:${port}/`);
      expect(res?.status()).toBe(200);
      expect(await page.textContent('#host')).toBe(`foo.samlconf.test:${port}`);
      expect(hosts).toContain(`foo.samlconf.test:${port}`);
      await page.goto(`http://127.0.0.1:${port}/`);
      expect(await page.textContent('#host')).toBe(`127.0.0.1:${port}`);
      const offMachine = await page.goto('http://example.com/').then(
        () => 'loaded',
        (e: Error) => e.message,
      );
      expect(offMachine).toMatch(/ERR_NAME_NOT_RESOLVED/);
      expect(CHROMIUM_ARGS).toContain('--host-resolver-rules=MAP *.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1');
    } finally {
      await context.close();
    }
  });

  it('gives each scenario a fresh context: no cookies carried over', async () => {
    const first = await newScenarioContext(browser);
    const second = await newScenarioContext(browser);
    try {
      const p1 = await first.newPage();
      await p1.goto(`http://app.target.test:${port}/set`);
      await p1.goto(`http://app.target.test:${port}/`);
      expect(await p1.textContent('#cookie')).toBe('session=abc');
      const p2 = await second.newPage();
      await p2.goto(`http://app.target.test:${port}/`);
      expect(await p2.textContent('#cookie')).toBe('none');
    } finally {
      await first.close();
      await second.close();
    }
  });
});
