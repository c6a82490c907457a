// The bundled reference targets wired to each other through the environment contract:
// the samlify IdP and the node-saml SP, a real SP-initiated login in Chromium, single logout,
// and a tampered Response that the SP must refuse.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdpMetadata } from '../../targets/node-saml-sp/idp-config.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.SAMLCONF_CHROMIUM ?? '/usr/lib/chromium/chromium';
const RESOLVER_RULES = '--host-resolver-rules=MAP *.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1';

interface Started {
  child: ChildProcess;
  port: number;
  /** Loopback origin for requests made by the test itself. */
  local: string;
  /** Origin under its *.test name, as the browser and the SAML messages see it. */
  site: string;
  stderr: () => string;
}

const children: ChildProcess[] = [];

/** Starts a target with `node --import tsx` and waits for its "listening on" banner. */
function startTarget(script: string, name: string, env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 15 s; stderr: ${stderr}`)), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening; stderr: ${stderr}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      const port = Number(m[1]);
      resolve({
        child,
        port,
        local: `http://127.0.0.1:${port}`,
        site: `http://${name}.target.test:${port}`,
        stderr: () => stderr,
      });
    });
  });
}

async function getText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.text();
}

describe('reference targets: samlify IdP <-> node-saml SP', () => {
  let dir: string;
  let idp: Started;
  let sp: Started;
  let browser: Browser;
  let idpMetadata: string;
  let spMetadata: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set SAMLCONF_CHROMIUM`);
    }
    dir = mkdtempSync(join(tmpdir(), 'samlconf-targets-'));
    const spMetadataFile = join(dir, 'sp-metadata.xml');
    const idpMetadataFile = join(dir, 'idp-metadata.xml');
    // The IdP reads the SP's metadata per request, so it can start first; the SP needs the IdP's
    // metadata at start. Each side's metadata is fetched from the running peer into a file.
    const browserStart = chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', RESOLVER_RULES] });
    idp = await startTarget('targets/samlify-idp/server.ts', 'samlify-idp', {
      SAMLCONF_SP_METADATA_FILE: spMetadataFile,
      SAMLCONF_TARGET_STATE_DIR: join(dir, 'idp-state'),
    });
    idpMetadata = await getText(`${idp.local}/metadata`);
    writeFileSync(idpMetadataFile, idpMetadata);
    sp = await startTarget('targets/node-saml-sp/server.ts', 'node-saml-sp', {
      SAMLCONF_IDP_METADATA_FILE: idpMetadataFile,
      SAMLCONF_TARGET_STATE_DIR: join(dir, 'sp-state'),
    });
    spMetadata = await getText(`${sp.local}/metadata`);
    writeFileSync(spMetadataFile, spMetadata);
    browser = await browserStart;
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes metadata that names each side as the contract says', () => {
    const facts = readIdpMetadata(idpMetadata);
    expect(facts.entityId).toBe(`${idp.site}/metadata`);
    expect(facts.ssoRedirect).toBe(`${idp.site}/sso`);
    expect(facts.wantAuthnRequestsSigned).toBe(true);
    expect(facts.signingCerts).toHaveLength(1);
    expect(spMetadata).toContain(`entityID="${sp.site}/metadata"`);
    expect(spMetadata).toContain(`Location="${sp.site}/saml/acs"`);
    expect(spMetadata).toContain('AuthnRequestsSigned="true"');
    expect(spMetadata).toContain('WantAssertionsSigned="true"');
  });

  it('signs alice in through an SP-initiated login in Chromium, then logs her out', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const ssoRequests: string[] = [];
      page.on('request', (req) => {
        if (req.url().startsWith(`${idp.site}/sso?`)) ssoRequests.push(req.url());
      });

      await page.goto(`${sp.site}/`);
      await page.click('#login');
      await page.waitForURL((url) => url.href.startsWith(`${idp.site}/sso`));
      await page.fill('input[name="username"]', 'alice');
      await page.fill('input[name="password"]', 'alice-password');
      await page.click('button[type="submit"]');
      await page.waitForURL(`${sp.site}/`);
      expect(await page.locator('#status').textContent()).toBe('Signed in as alice@example.test');

      // The AuthnRequest went out signed over the Redirect binding.
      expect(ssoRequests).toHaveLength(1);
      const sent = new URL(ssoRequests[0]!).searchParams;
      expect(sent.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
      expect(sent.get('Signature')).toBeTruthy();

      const whoami = await (await page.goto(`${sp.site}/whoami`))!.json();
      expect(whoami).toMatchObject({
        authenticated: true,
        nameId: 'alice@example.test',
        nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        issuer: `${idp.site}/metadata`,
        attributes: { email: 'alice@example.test', uid: 'alice', displayName: 'Alice Example' },
      });

      // Single logout: the SP drops its session and sends a signed LogoutRequest; the IdP ends its
      // session and posts a signed LogoutResponse back. node-saml then refuses that POSTed
      // LogoutResponse under validateInResponseTo 'always' (see targets/README.md), so the end
      // page is not asserted, only that both sessions are gone.
      await page.goto(`${sp.site}/logout`);
      await page.waitForURL((url) => url.href === `${sp.site}/` || url.href.startsWith(`${sp.site}/saml/slo`));
      const afterLogout = (await page.goto(`${sp.site}/whoami`))!;
      expect(afterLogout.status()).toBe(401);
      expect(await afterLogout.json()).toMatchObject({ authenticated: false });
      await page.goto(`${idp.site}/`);
      expect(await page.locator('#status').textContent()).toBe('Not signed in.');
    } finally {
      await context.close();
    }
  });

  it('sends an unsolicited Response from the IdP, which the SP refuses (validateInResponseTo always)', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      let posted: string | undefined;
      page.on('request', (req) => {
        if (req.url() === `${sp.site}/saml/acs` && req.method() === 'POST') {
          posted = new URLSearchParams(req.postData() ?? '').get('SAMLResponse') ?? undefined;
        }
      });
      await page.goto(`${idp.site}/idp-initiated`);
      await page.fill('input[name="username"]', 'bob');
      await page.fill('input[name="password"]', 'bob-password');
      await page.click('button[type="submit"]');
      await page.waitForURL(`${sp.site}/saml/acs`);
      expect(await page.locator('#error').textContent()).toContain('InResponseTo is missing from response');

      const xml = Buffer.from(posted!, 'base64').toString('utf8');
      expect(xml).toContain('>bob@example.test</saml:NameID>');
      expect(xml).not.toContain('InResponseTo=');
      const whoami = (await page.goto(`${sp.site}/whoami`))!;
      expect(whoami.status()).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('refuses a Response whose signed content was changed on the way to the ACS', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      // Hold the genuine Response back from the SP and keep it.
      let captured: string | undefined;
      await context.route(`${sp.site}/saml/acs`, async (route) => {
        captured = new URLSearchParams(route.request().postData() ?? '').get('SAMLResponse') ?? undefined;
        await route.fulfill({ status: 200, contentType: 'text/plain', body: 'held by the test' });
      });
      await page.goto(`${sp.site}/login`);
      await page.fill('input[name="username"]', 'alice');
      await page.fill('input[name="password"]', 'alice-password');
      await page.click('button[type="submit"]');
      await expect.poll(() => captured, { timeout: 10_000 }).toBeTruthy();

      const genuine = Buffer.from(captured!, 'base64').toString('utf8');
      expect(genuine).toContain('>alice@example.test</saml:NameID>');
      const tampered = genuine.replaceAll('alice@example.test', 'bob@example.test');
      const res = await fetch(`${sp.local}/saml/acs`, {
        method: 'POST',
        redirect: 'manual',
        body: new URLSearchParams({ SAMLResponse: Buffer.from(tampered).toString('base64') }),
      });
      const body = await res.text();
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      // The request ID was still pending, so the refusal is the signature check's, not a replay guard's.
      expect(body).toMatch(/Invalid document signature/);
      expect(sp.stderr()).toMatch(/Rejected SAML response: Invalid document signature/);
    } finally {
      await context.close();
    }
  });
});
