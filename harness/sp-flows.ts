// Browser journeys against a target SP, with the mock IdP on the other side: SP-initiated and
// IdP-initiated login, and the success oracle that says who (if anyone) is logged in.
import type { BrowserContext, Page } from 'playwright';
import type { IdpScenario, LastResponse, MockIdp } from '../mock-idp/index.ts';
import type { SpOracle, TargetConfig } from './config.ts';
import { onOrigin } from './navigation.ts';
import { fetchLocal } from './net.ts';

/** Who the target SP says is logged in, read through the configured oracle. */
export interface SpSessionState {
  loggedIn: boolean;
  /** The NameID the oracle reported, when it reports one. */
  nameId?: string;
  /** What the oracle showed, for the evidence (whoami body, or the matched page text). */
  observed: string;
}

/** The identity the mock IdP put in a Response: what a scenario must judge a login against. */
export interface SentIdentity {
  nameId: string;
  nameIdFormat?: string;
  /** The planned user's attributes (for templated oracles: {{attr.email}}). */
  attributes?: Record<string, string[]>;
}

export interface SpLoginOutcome extends SpSessionState {
  finalUrl: string;
  /** Whether the mock IdP delivered a Response to the browser during the flow. */
  responseDelivered: boolean;
  /**
   * When a Response was delivered: the identity the mock IdP signed into it, as it really went
   * out (the SP's NameIDPolicy may have turned the planned email into a transient ID).
   */
  sent?: SentIdentity;
}

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
  await expectNobodyLoggedIn(deps);
  const sentBefore = idp.lastResponse();
  await page.goto(startUrl, { waitUntil: 'load' });
  const last = idp.lastResponse();
  const responseDelivered = last !== sentBefore && last !== undefined;
  if (responseDelivered && onOrigin(page.url(), mockIdp.baseUrl)) {
    await page.waitForURL((u) => !onOrigin(u.href, mockIdp.baseUrl), { waitUntil: 'load', timeout: LEAVE_IDP_TIMEOUT_MS });
  }
  const state = await whoIsLoggedIn(deps);
  return { ...state, finalUrl: page.url(), responseDelivered, ...(responseDelivered ? { sent: sentIdentity(last, idp) } : {}) };
}

/** The identity the mock IdP put in the Response it delivered (before any mutation of the scenario's). */
function sentIdentity(last: LastResponse, idp: IdpScenario): SentIdentity {
  const attributes = idp.plan().user?.attributes;
  return {
    nameId: last.nameId,
    ...(last.nameIdFormat !== undefined ? { nameIdFormat: last.nameIdFormat } : {}),
    ...(attributes ? { attributes } : {}),
  };
}

/**
 * Precondition of every login flow: a browser that holds no cookie at all cannot be logged in.
 * An oracle that says otherwise cannot tell a login from no login, and every verdict read through
 * it would be a guess. Only whoami oracles can be asked before the flow (the others read a page).
 */
async function expectNobodyLoggedIn(deps: SpFlowDeps): Promise<void> {
  if (!deps.target.oracle?.whoami) return;
  if ((await deps.browserContext.cookies()).length > 0) return;
  const before = await whoIsLoggedIn(deps);
  if (before.loggedIn) {
    throw new Error(`before any login, in a browser with no cookies, the oracle says ${before.nameId ?? 'someone'} is logged in (${before.observed}): it cannot tell who logged in, so nothing it says can be judged`);
  }
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
    return readWhoami(oracle, status, body);
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

/** Keys a whoami answer may name the logged-in NameID by (null: nobody). */
const NAME_ID_KEYS = ['nameId', 'nameID', 'NameID', 'name_id', 'user'];

class OracleUnreadable extends Error {
  constructor(url: string, status: number, body: string, why: string) {
    const first = body.slice(0, 120);
    super(`the whoami oracle ${url} answered ${status} with ${why} (first bytes: ${JSON.stringify(first)}${body.length > 120 ? '…' : ''}); samlconf cannot tell who is logged in from it. Expected JSON such as {"nameId": "…"} (or {"authenticated": false}, or 401 when nobody is); for another shape set oracle.identityPath`);
    this.name = 'OracleUnreadable';
  }
}

/**
 * Reads a 2xx whoami answer. Only shapes that say who (or that nobody) is logged in count: an
 * empty body, text, or JSON of an unknown shape is an error naming its first bytes, never "nobody
 * logged in", which would let every negative scenario pass against a broken oracle.
 */
export function readWhoami(oracle: SpOracle, status: number, body: string): SpSessionState {
  const url = oracle.whoami ?? '(whoami)';
  const observed = `whoami: ${body}`;
  if (body.trim() === '') throw new OracleUnreadable(url, status, body, 'an empty body');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new OracleUnreadable(url, status, body, 'something that is not JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new OracleUnreadable(url, status, body, 'JSON that is not an object');
  const record = json as Record<string, unknown>;
  if (oracle.identityPath) {
    // A null on the way ({"user": null}) says nobody, like a null at the end.
    const value = oracle.identityPath.split('.').reduce<unknown>((at, key) => (at === null ? null : typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), record);
    if (typeof value === 'string' && value !== '') return { loggedIn: true, nameId: value, observed };
    if (value === null || value === false) return { loggedIn: false, observed };
    throw new OracleUnreadable(url, status, body, `no text at oracle.identityPath '${oracle.identityPath}'`);
  }
  const key = NAME_ID_KEYS.find((k) => typeof record[k] === 'string' || record[k] === null);
  const nameId = key !== undefined && typeof record[key] === 'string' && record[key] !== '' ? (record[key] as string) : undefined;
  if (typeof record.authenticated === 'boolean') {
    return { loggedIn: record.authenticated, ...(record.authenticated && nameId !== undefined ? { nameId } : {}), observed };
  }
  if (key === undefined) throw new OracleUnreadable(url, status, body, 'JSON of a shape it does not know (no authenticated, nameId or user field holding text or null)');
  return nameId !== undefined ? { loggedIn: true, nameId, observed } : { loggedIn: false, observed };
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
