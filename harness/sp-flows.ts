// Browser journeys against a target SP, with the mock IdP on the other side: SP-initiated and
// IdP-initiated login, and the success oracle that says who (if anyone) is logged in.
import type { BrowserContext, Page } from 'playwright';
import type { IdpScenario, MockIdp } from '../mock-idp/index.ts';
import type { SpOracle, TargetConfig } from './config.ts';
import { onOrigin } from './navigation.ts';
import { fetchLocal } from './net.ts';
import type { SpLoginOutcome, SpSessionState } from './context.ts';

/** How long the browser may take to get from the mock IdP's auto-POST page to the SP. */
const LEAVE_IDP_TIMEOUT_MS = 15_000;

export interface SpFlowDeps {
  page: Page;
  browserContext: BrowserContext;
  target: TargetConfig;
  mockIdp: MockIdp;
  idp: IdpScenario;
}

/**
 * Navigate to `startUrl` and follow the flow until the browser has left the mock IdP (the
 * auto-POST to the SP's ACS and whatever the SP does after it). When the mock IdP sent no
 * Response — it refused the request — the browser stays there and the flow ends.
 */
async function followToSp(deps: SpFlowDeps, startUrl: string): Promise<SpLoginOutcome> {
  const { page, mockIdp, idp } = deps;
  const sentBefore = idp.lastResponse();
  await page.goto(startUrl, { waitUntil: 'load' });
  const responseDelivered = idp.lastResponse() !== sentBefore && idp.lastResponse() !== undefined;
  if (responseDelivered && onOrigin(page.url(), mockIdp.baseUrl)) {
    await page.waitForURL((u) => !onOrigin(u.href, mockIdp.baseUrl), { waitUntil: 'load', timeout: LEAVE_IDP_TIMEOUT_MS });
  }
  const state = await whoIsLoggedIn(deps);
  return { ...state, finalUrl: page.url(), responseDelivered };
}

export function spInitiatedLogin(deps: SpFlowDeps): Promise<SpLoginOutcome> {
  if (!deps.target.loginUrl) throw new Error(`target '${deps.target.name}' has no loginUrl: set it in the config so samlconf can start a login`);
  return followToSp(deps, deps.target.loginUrl);
}

export function idpInitiatedLogin(deps: SpFlowDeps, options: { relayState?: string } = {}): Promise<SpLoginOutcome> {
  return followToSp(deps, deps.idp.idpInitiatedUrl(options));
}

/** Render an oracle template: {{nameId}} and {{attr.NAME}}. */
export function renderTemplate(template: string, identity: { nameId: string; attributes?: Record<string, string[]> }): string {
  return template.replace(/\{\{\s*(nameId|attr\.([^}\s]+))\s*\}\}/g, (_, key: string, attr?: string) =>
    attr ? identity.attributes?.[attr]?.[0] ?? '' : identity.nameId,
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Ask the target who is logged in, by the oracle its config declares. */
export async function whoIsLoggedIn(deps: SpFlowDeps): Promise<SpSessionState> {
  const oracle: SpOracle = deps.target.oracle ?? {};
  if (oracle.whoami) {
    const { status, body } = await fetchInBrowser(deps.browserContext, oracle.whoami);
    // 401/403 or a redirect (to a login page) mean nobody is logged in; anything else that is not
    // 2xx means the oracle itself is broken, and "nobody logged in" would make negative cases pass.
    if ((status >= 300 && status < 400) || status === 401 || status === 403) {
      return { loggedIn: false, observed: `whoami answered ${status}: ${body.slice(0, 200)}` };
    }
    if (status >= 400 || status < 200) {
      throw new Error(`the whoami oracle ${oracle.whoami} answered ${status}: check oracle.whoami in the config (${body.slice(0, 200)})`);
    }
    try {
      const json = JSON.parse(body) as Record<string, unknown>;
      const nameId = pickString(json, ['nameId', 'nameID', 'NameID', 'name_id', 'user']);
      const authenticated = typeof json.authenticated === 'boolean' ? json.authenticated : nameId !== undefined;
      return { loggedIn: authenticated, nameId: authenticated ? nameId : undefined, observed: `whoami: ${body}` };
    } catch {
      // Plain text: logged in when it answered 2xx with something to say.
      return { loggedIn: body.trim() !== '', observed: `whoami: ${body}` };
    }
  }
  const url = deps.page.url();
  if (oracle.selector) {
    const el = deps.page.locator(oracle.selector).first();
    const visible = await el.isVisible().catch(() => false);
    const text = visible ? ((await el.textContent().catch(() => '')) ?? '') : '';
    return { loggedIn: visible, observed: `page ${url}, ${oracle.selector}: ${visible ? JSON.stringify(text.trim()) : 'not shown'}` };
  }
  if (oracle.urlPattern) {
    // The pattern may be templated; without an identity, match any value in its place.
    const generic = new RegExp(oracle.urlPattern.replace(/\{\{[^}]*\}\}/g, '.+'));
    return { loggedIn: generic.test(url), observed: `page ${url}` };
  }
  if (oracle.text) {
    const generic = new RegExp(escapeRegExp(oracle.text).replace(/\\\{\\\{[^}]*\\\}\\\}/g, '.+'));
    const text = await deps.page.locator('body').innerText().catch(() => '');
    return { loggedIn: generic.test(text), observed: `page ${url}: ${text.slice(0, 500)}` };
  }
  throw new Error(`target '${deps.target.name}' has no oracle: set oracle.whoami, oracle.text, oracle.selector or oracle.urlPattern so samlconf can tell who is logged in`);
}

/**
 * GET a URL as the browser would: with the cookies the scenario's browser holds for it. `*.test`
 * names only resolve inside the browser, so the request goes through fetchLocal, which maps them
 * to loopback (and refuses anything else). Opening a page for this would cost a renderer process.
 */
async function fetchInBrowser(browserContext: BrowserContext, url: string): Promise<{ status: number; body: string }> {
  const cookies = await browserContext.cookies(url);
  const headers: Record<string, string> = { accept: 'application/json, text/plain, */*' };
  if (cookies.length) headers.cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  // A redirect (to a login page, say) means nobody is logged in: report it rather than follow it.
  const res = await fetchLocal(url, { headers, redirect: 'manual', timeoutMs: 10_000, maxBytes: 256 * 1024 });
  return { status: res.status, body: res.text().slice(0, 4000) };
}

function pickString(json: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) if (typeof json[k] === 'string') return json[k] as string;
  return undefined;
}

/** Whether the oracle shows exactly this identity. */
export function isLoggedInAs(target: TargetConfig, state: SpSessionState, identity: { nameId: string; attributes?: Record<string, string[]> }): boolean {
  if (!state.loggedIn) return false;
  if (state.nameId !== undefined) return state.nameId === identity.nameId;
  const oracle = target.oracle ?? {};
  if (oracle.text) return state.observed.includes(renderTemplate(oracle.text, identity));
  if (oracle.urlPattern) return new RegExp(renderTemplate(oracle.urlPattern, identity)).test(state.observed);
  return state.observed.includes(identity.nameId);
}
