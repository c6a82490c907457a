import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newScenarioContext } from '../../harness/browser.ts';
import type { TargetConfig } from '../../harness/config.ts';
import {
  applyAuthentikPreset,
  authentikIdpEndpoints,
  authentikLegacyMetadataUrl,
  authentikLogin,
  authentikSpEndpoints,
  AUTHENTIK_LOGIN_SELECTORS,
} from '../../harness/presets/authentik.ts';

describe('authentik endpoints', () => {
  it('follows the 2025.8 application-slug layout for the SAML provider', () => {
    expect(authentikIdpEndpoints('http://authentik.test:9000/', 'better-stack')).toEqual({
      metadata: 'http://authentik.test:9000/application/saml/better-stack/metadata/',
      ssoRedirect: 'http://authentik.test:9000/application/saml/better-stack/sso/binding/redirect/',
      ssoPost: 'http://authentik.test:9000/application/saml/better-stack/sso/binding/post/',
      idpInitiated: 'http://authentik.test:9000/application/saml/better-stack/sso/binding/init/',
      sloRedirect: 'http://authentik.test:9000/application/saml/better-stack/slo/binding/redirect/',
      sloPost: 'http://authentik.test:9000/application/saml/better-stack/slo/binding/post/',
    });
    expect(authentikLegacyMetadataUrl('http://authentik.test:9000', 7)).toBe('http://authentik.test:9000/api/v3/providers/saml/7/metadata/?download');
  });

  it('knows the SAML source (authentik as SP) endpoints', () => {
    expect(authentikSpEndpoints('http://authentik.test', 'company-saml')).toEqual({
      metadata: 'http://authentik.test/source/saml/company-saml/metadata/',
      login: 'http://authentik.test/source/saml/company-saml/',
      acs: 'http://authentik.test/source/saml/company-saml/acs/',
      slo: 'http://authentik.test/source/saml/company-saml/slo/',
      whoami: 'http://authentik.test/api/v3/core/users/me/',
    });
  });

  it('fills an IdP target without overriding what the user set', () => {
    const preset = { kind: 'authentik', baseUrl: 'http://authentik.test:9000', slug: 'app' } as const;
    const bare: TargetConfig = { name: 'ak', role: 'idp', metadata: '', users: [{ username: 'u', password: 'p' }], preset };
    const filled = applyAuthentikPreset(bare, preset);
    expect(filled.metadata).toBe('http://authentik.test:9000/application/saml/app/metadata/');
    expect(filled.idpInitiatedUrl).toBe('http://authentik.test:9000/application/saml/app/sso/binding/init/');
    expect(filled.capabilities).toEqual(['idp-initiated']);
    expect(filled.login).toBe(authentikLogin);
    const own = { username: '#u', password: '#p', submit: '#s' };
    const kept = applyAuthentikPreset({ ...bare, metadata: '/tmp/md.xml', capabilities: [], login: own }, preset);
    expect(kept).toMatchObject({ metadata: '/tmp/md.xml', capabilities: [], login: own });
  });

  it('fills an SP target (SAML source) with metadata, login start and a whoami oracle', () => {
    const preset = { kind: 'authentik', baseUrl: 'http://authentik.test:9000', slug: 'company-saml' } as const;
    const filled = applyAuthentikPreset({ name: 'ak-sp', role: 'sp', metadata: '', preset }, preset);
    expect(filled).toMatchObject({
      metadata: 'http://authentik.test:9000/source/saml/company-saml/metadata/',
      loginUrl: 'http://authentik.test:9000/source/saml/company-saml/',
      oracle: { whoami: 'http://authentik.test:9000/api/v3/core/users/me/' },
    });
    expect(filled.login).toBeUndefined();
  });
});

// A stand-in for authentik's flow executor: stages are web components in open shadow roots, the
// identification and password stages are separate steps unless `embedded`, and the authorization
// flow asks for consent when `consent`. It ends by sending the browser to the SP's origin.
function flowPage(o: { embedded: boolean; consent: boolean; spUrl: string }): string {
  return `<!doctype html><title>authentik</title><ak-flow-executor></ak-flow-executor>
<script>
const host = document.querySelector('ak-flow-executor');
const root = host.attachShadow({ mode: 'open' });
let username = '';
function stage(tag, html, onSubmit) {
  root.innerHTML = '';
  const el = document.createElement(tag);
  const shadow = el.attachShadow({ mode: 'open' });
  shadow.innerHTML = html;
  root.appendChild(el);
  const form = shadow.querySelector('form');
  if (form) form.addEventListener('submit', (e) => { e.preventDefault(); setTimeout(() => onSubmit(shadow), 50); });
}
function done(password) {
  const target = ${JSON.stringify(o.spUrl)} + '?user=' + encodeURIComponent(username) + '&password=' + encodeURIComponent(password);
  if (!${o.consent}) { location.href = target; return; }
  // Like authentik: leave the flow for the provider URL, come back for the authorization flow.
  location.href = '/application/saml/app/sso/binding/redirect/?next=' + encodeURIComponent(target);
}
function passwordStage() {
  stage('ak-stage-password', '<form><input name="password" type="password"><button type="submit">Continue</button></form>',
    (s) => done(s.querySelector('input[name=password]').value));
}
stage('ak-stage-identification',
  '<form><input name="uidField">' + (${o.embedded} ? '<input name="password" type="password">' : '') + '<button type="submit">Log in</button></form>',
  (s) => { username = s.querySelector('input[name=uidField]').value; ${o.embedded} ? done(s.querySelector('input[name=password]').value) : passwordStage(); });
</script>`;
}

function consentPage(target: string): string {
  return `<!doctype html><ak-flow-executor></ak-flow-executor><script>
const root = document.querySelector('ak-flow-executor').attachShadow({ mode: 'open' });
const el = document.createElement('ak-stage-consent');
el.attachShadow({ mode: 'open' }).innerHTML = '<form><p>Allow access?</p><button type="submit">Continue</button></form>';
root.appendChild(el);
el.shadowRoot.querySelector('form').addEventListener('submit', (e) => { e.preventDefault(); location.href = ${JSON.stringify(target)}; });
</script>`;
}

describe('authentikLogin (in a browser, against a shadow-DOM stand-in)', () => {
  let browser: Browser;
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      res.setHeader('content-type', 'text/html');
      const spUrl = `http://sp.samlconf.test:${port}/acs`;
      if (url.hostname === 'sp.samlconf.test') return res.end(`<p id="arrived">${url.search}</p>`);
      if (url.pathname.startsWith('/application/saml/')) {
        res.writeHead(302, { location: `/if/flow/default-provider-authorization-explicit-consent/?next=${encodeURIComponent(url.searchParams.get('next') ?? '')}` });
        return res.end();
      }
      if (url.pathname.startsWith('/if/flow/default-provider-authorization')) return res.end(consentPage(url.searchParams.get('next') ?? ''));
      const embedded = url.searchParams.has('embedded');
      const consent = url.searchParams.has('consent');
      res.end(flowPage({ embedded, consent, spUrl }));
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

  async function loginAt(query: string): Promise<string> {
    const context = await newScenarioContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(`http://authentik.test:${port}/if/flow/default-authentication-flow/${query}`);
      await authentikLogin(page, { username: 'akadmin', password: 's3cret' });
      await page.waitForURL(/sp\.samlconf\.test/, { timeout: 10_000 });
      return page.url();
    } finally {
      await context.close();
    }
  }

  it('fills the identification stage, then the password stage, then gives consent', async () => {
    const url = await loginAt('?consent');
    expect(url).toBe(`http://sp.samlconf.test:${port}/acs?user=akadmin&password=s3cret`);
  });

  it('handles a password field embedded in the identification stage and no consent stage', async () => {
    const url = await loginAt('?embedded');
    expect(url).toBe(`http://sp.samlconf.test:${port}/acs?user=akadmin&password=s3cret`);
  });

  it('uses the documented selectors', () => {
    expect(AUTHENTIK_LOGIN_SELECTORS).toMatchObject({ username: 'input[name="uidField"]', password: 'input[name="password"]', submit: 'button[type="submit"]' });
  });
});
