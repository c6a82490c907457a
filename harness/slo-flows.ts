// Browser journeys for Single Logout, in both roles. Against an SP target the mock IdP is the
// session authority: the SP starts logout at its logoutUrl, or the mock IdP sends a LogoutRequest
// through the browser. Against an IdP target the mock SP sends the LogoutRequest and waits for the
// LogoutResponse; a fresh AuthnRequest afterwards shows whether the IdP's session really ended.
// Every flow ends when the browser has gone quiet, since a correct target may answer a refused
// message with nothing more than an error page.
import type { Page } from 'playwright';
import type { LogoutRequestUrlOptions, ReceivedLogout } from '../mock-idp/index.ts';
import type { AcsOutcome, LogoutOutcome, LogoutUrlOptions } from '../mock-sp/index.ts';
import { firstAnswerAtIdp, loginProbe, type IdpFlowDeps } from './idp-flows.ts';
import { delay, onOrigin, openPage } from './navigation.ts';
import { LAST_WORD_QUIET_MS, watchPageActivity, type PageActivity } from './page-activity.ts';
import { whoIsLoggedIn, type SpFlowDeps, type SpSessionState } from './sp-flows.ts';

/** How long a logout journey may take before samlconf stops waiting. */
export const DEFAULT_LOGOUT_WAIT_MS = 10_000;
const POLL_MS = 25;

export interface SpInitiatedLogoutOutcome extends SpSessionState {
  finalUrl: string;
  /** The SP's LogoutRequest as the mock IdP received and judged it; undefined when none arrived. */
  logoutRequest?: ReceivedLogout;
  /**
   * How the SP's SingleLogoutService answered the browser that delivered the mock IdP's
   * LogoutResponse: undefined when the IdP sent none or the browser never got an answer.
   */
  logoutResponseDelivery?: { url: string; binding: 'redirect' | 'post'; status: number };
}

/** One HTTP exchange the page made: what the browser asked for and the status it got. */
interface Exchange {
  url: string;
  method: string;
  status: number;
}

export interface IdpInitiatedLogoutOutcome extends SpSessionState {
  finalUrl: string;
  /** The LogoutRequest the mock IdP sent (as sent, after any mutation). */
  sentXml?: string;
  /** Whether the browser carried that LogoutRequest to the SP's SLO endpoint. */
  deliveredToSp: boolean;
  /** The SP's LogoutResponse as the mock IdP received and judged it; undefined when none came back. */
  logoutResponse?: ReceivedLogout;
}

export interface IdpSessionProbe {
  /** True when the IdP answered a fresh AuthnRequest without asking the user to log in. */
  alive: boolean;
  /** What reached the mock SP when the IdP answered at once. */
  outcome?: AcsOutcome;
  observed: string;
}

/** Wait until the page has been quiet for LAST_WORD_QUIET_MS, or `finished()` says the flow is over, or time runs out. */
async function settle(page: Page, activity: PageActivity, timeoutMs: number, finished?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !page.isClosed()) {
    await page.waitForLoadState('load', { timeout: Math.max(1, deadline - Date.now()) }).catch(() => undefined);
    const quiet = activity.quietForMs();
    if (quiet >= LAST_WORD_QUIET_MS || (finished?.() && quiet >= POLL_MS * 2)) return;
    await delay(POLL_MS);
  }
}

/** Open `url` and follow the browser until the journey is over; returns every URL the page requested. */
async function journey(page: Page, url: string, timeoutMs: number, finished?: () => boolean, exchanges?: Exchange[]): Promise<string[]> {
  const requested: string[] = [];
  const onRequest = (r: { url(): string }) => void requested.push(r.url());
  const onResponse = (r: { url(): string; status(): number; request(): { method(): string } }) => void exchanges?.push({ url: r.url(), method: r.request().method(), status: r.status() });
  page.on('request', onRequest);
  page.on('response', onResponse);
  const activity = watchPageActivity(page);
  try {
    await openPage(page, url);
    await settle(page, activity, timeoutMs, finished);
  } finally {
    activity.stop();
    page.off('request', onRequest);
    page.off('response', onResponse);
  }
  return requested;
}

/** SP-initiated SLO: open the SP's logoutUrl and follow it through the mock IdP and back. */
export async function spInitiatedLogout(deps: SpFlowDeps, options: { waitMs?: number } = {}): Promise<SpInitiatedLogoutOutcome> {
  const url = deps.target.logoutUrl;
  if (!url) throw new Error(`target '${deps.target.name}' has no logoutUrl: set it in the config so samlconf can start a logout`);
  const before = deps.idp.receivedLogouts().length;
  const evidenceBefore = deps.idp.evidence().length;
  const exchanges: Exchange[] = [];
  await journey(deps.page, url, options.waitMs ?? DEFAULT_LOGOUT_WAIT_MS, undefined, exchanges);
  const logoutRequest = deps.idp.receivedLogouts().slice(before).find((l) => l.kind === 'LogoutRequest');
  const answered = deps.idp
    .evidence()
    .slice(evidenceBefore)
    .find((e) => e.direction === 'sent' && e.kind === 'LogoutResponse' && e.url !== undefined);
  const logoutResponseDelivery = answered ? deliveryOf(answered.url!, answered.binding === 'post' ? 'post' : 'redirect', exchanges) : undefined;
  const state = await whoIsLoggedIn(deps);
  return { ...state, finalUrl: deps.page.url(), ...(logoutRequest ? { logoutRequest } : {}), ...(logoutResponseDelivery ? { logoutResponseDelivery } : {}) };
}

/**
 * The SP's answer to the browser carrying the LogoutResponse to `endpoint`: the POST to it, or for
 * Redirect the GET whose query holds the SAMLResponse (the first one: later hops are the SP's own).
 */
function deliveryOf(endpoint: string, binding: 'redirect' | 'post', exchanges: Exchange[]): SpInitiatedLogoutOutcome['logoutResponseDelivery'] {
  const bare = endpoint.split('?')[0]!;
  const hit = exchanges.find((x) => x.url.split('?')[0] === bare && (binding === 'post' ? x.method === 'POST' : /[?&]SAMLResponse=/.test(x.url)));
  return hit ? { url: hit.url, binding, status: hit.status } : undefined;
}

/** IdP-initiated SLO: the mock IdP sends a LogoutRequest to the SP's SLO endpoint through the browser. */
export async function idpInitiatedLogout(deps: SpFlowDeps, request: LogoutRequestUrlOptions, options: { waitMs?: number } = {}): Promise<IdpInitiatedLogoutOutcome> {
  const { idp, mockIdp, page } = deps;
  const evidenceBefore = idp.evidence().length;
  const before = idp.receivedLogouts().length;
  const answered = () => idp.receivedLogouts().length > before && onOrigin(page.url(), mockIdp.baseUrl);
  const requested = await journey(page, idp.logoutRequestUrl(request), options.waitMs ?? DEFAULT_LOGOUT_WAIT_MS, answered);
  const sent = idp
    .evidence()
    .slice(evidenceBefore)
    .find((e) => e.direction === 'sent' && e.kind === 'LogoutRequest');
  const deliveredToSp = sent?.url !== undefined && requested.some((u) => u.startsWith(sent.url!));
  const logoutResponse = idp.receivedLogouts().slice(before).find((l) => l.kind === 'LogoutResponse');
  const state = await whoIsLoggedIn(deps);
  return {
    ...state,
    finalUrl: page.url(),
    deliveredToSp,
    ...(sent?.xml !== undefined ? { sentXml: sent.xml } : {}),
    ...(logoutResponse ? { logoutResponse } : {}),
  };
}

/**
 * SP-initiated SLO against an IdP target: the mock SP sends the LogoutRequest the options describe
 * and waits for the LogoutResponse. Undefined when none arrived (the IdP refused with a page of its own).
 */
export async function logoutAtIdp(deps: IdpFlowDeps, request: LogoutUrlOptions, options: { waitMs?: number } = {}): Promise<LogoutOutcome | undefined> {
  const waitMs = options.waitMs ?? DEFAULT_LOGOUT_WAIT_MS;
  const before = deps.sp.logouts().length;
  const fresh = () => deps.sp.logouts().slice(before).find((l) => l.kind === 'LogoutResponse');
  // Ends early once the LogoutResponse is in; otherwise when the page has gone quiet (the IdP's last word).
  await journey(deps.page, deps.sp.logoutUrl(request), waitMs, () => fresh() !== undefined);
  return fresh();
}

/**
 * Whether the IdP still holds the browser's session: the mock SP sends a fresh AuthnRequest (per
 * its plan) and we see whether a Response comes back without a login page. Throws when neither
 * happens, since then nothing can be said about the session.
 */
export async function probeIdpSession(deps: IdpFlowDeps, options: { waitMs?: number } = {}): Promise<IdpSessionProbe> {
  const waitMs = options.waitMs ?? DEFAULT_LOGOUT_WAIT_MS;
  if (!loginProbe(deps.target)) throw new Error(`target '${deps.target.name}' has no login adapter, so samlconf cannot tell its login page from an answer`);
  const first = await firstAnswerAtIdp(deps, waitMs);
  if (first.kind === 'answered') {
    return { alive: true, outcome: first.outcome, observed: `the IdP answered a new AuthnRequest at once (no login page), for ${first.outcome.identity?.nameId ?? 'an unknown user'}` };
  }
  if (first.kind === 'login-page') return { alive: false, observed: `the IdP showed its login page for a new AuthnRequest (${first.url})` };
  throw new Error(`after logout the IdP neither answered a new AuthnRequest nor showed its login page within ${waitMs} ms (page ${deps.page.url()}), so its session state is unknown`);
}
