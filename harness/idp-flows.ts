// Browser journeys against a target IdP, with the mock SP on the other side: send the AuthnRequest
// the plan describes, get through the IdP's login page with the target's adapter, and report what
// reached the mock SP.
import type { Page } from 'playwright';
import type { AcsOutcome, SpScenario } from '../mock-sp/index.ts';
import type { LoginSelectors, TargetConfig, TargetUser } from './config.ts';
import { delay, openPage } from './navigation.ts';
import { LAST_WORD_QUIET_MS, watchPageActivity, type PageActivity } from './page-activity.ts';

export interface IdpFlowDeps {
  page: Page;
  target: TargetConfig;
  sp: SpScenario;
}

/** Default wait for the IdP to answer: long enough for a real login, short for a refusal. */
export const DEFAULT_IDP_WAIT_MS = 10_000;
/** How often the quiet period is looked at. */
const QUIET_POLL_MS = 50;

type Step = { kind: 'arrived'; outcome: AcsOutcome } | { kind: 'login-form' } | { kind: 'settled' } | { kind: 'timeout' };

export async function loginAtIdp(deps: IdpFlowDeps, user: TargetUser | undefined, waitMs = DEFAULT_IDP_WAIT_MS): Promise<AcsOutcome | undefined> {
  const deadline = Date.now() + waitMs;
  const activity = watchPageActivity(deps.page);
  try {
    return await driveLogin(deps, user, deadline, activity);
  } finally {
    activity.stop();
  }
}

async function driveLogin(
  { page, sp, target }: IdpFlowDeps,
  user: TargetUser | undefined,
  deadline: number,
  activity: PageActivity,
): Promise<AcsOutcome | undefined> {
  await openPage(page, sp.loginUrl());
  // Waited for only now: the mock SP answers with the first Response since this scenario's latest
  // AuthnRequest, which the navigation above sent. Asked earlier, a scenario's second login would
  // be handed its first login's Response.
  const arrival = sp.waitForResponse(Math.max(0, deadline - Date.now()));

  let loggedIn = false;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return undefined;
    const step = await nextStep(page, arrival, activity, loggedIn ? undefined : loginProbe(target), remaining);
    if (step.kind === 'arrived') {
      // Let the browser finish arriving, so the screenshot shows the SP's page, not the IdP's.
      await page.waitForURL((u) => u.pathname === step.outcome.path, { waitUntil: 'load', timeout: 2000 }).catch(() => undefined);
      return step.outcome;
    }
    if (step.kind === 'timeout') return undefined;
    if (step.kind === 'settled') {
      // Still on the login form after submitting it: the credentials or the adapter are wrong, and
      // reading that as "the IdP refused" would let every negative scenario pass.
      const probe = loginProbe(target);
      if (loggedIn && probe && (await page.locator(probe).first().isVisible().catch(() => false))) {
        throw new Error(`the IdP still shows its login page after ${user?.username ?? 'the user'} submitted it: check the user's credentials and the login adapter`);
      }
      // The IdP stopped on a page of its own (an error, usually). A POST to the mock SP would have
      // kept the page busy, so whatever arrived has arrived by now.
      return Promise.race([arrival, Promise.resolve(undefined)]);
    }
    if (!user) throw new Error(`target '${target.name}' shows a login page but has no users configured`);
    await fillLogin(page, target, user);
    loggedIn = true;
  }
}

/** What the IdP did first with an AuthnRequest, when nobody fills in its login page. */
export type FirstAnswer = { kind: 'answered'; outcome: AcsOutcome } | { kind: 'login-page'; url: string } | { kind: 'nothing' };

/**
 * Send the mock SP's AuthnRequest (as its plan says) and report what the IdP does first: answer
 * the mock SP without asking anyone to log in, or show its login page, which is left alone. For
 * questions whose answer is the login page itself: IsPassive, or whether a session survived logout.
 */
export async function firstAnswerAtIdp(deps: IdpFlowDeps, waitMs = DEFAULT_IDP_WAIT_MS): Promise<FirstAnswer> {
  const { page, sp, target } = deps;
  // Without a declarative adapter, a password field is what any login page shows.
  const probe = loginProbe(target) ?? 'input[type="password"]';
  await openPage(page, sp.loginUrl());
  // Asked after the navigation, so only a Response to this request counts (see driveLogin).
  const answered = sp.waitForResponse(waitMs).then((outcome): FirstAnswer => (outcome ? { kind: 'answered', outcome } : { kind: 'nothing' }));
  const shown = page
    .locator(probe)
    .first()
    .waitFor({ state: 'visible', timeout: waitMs })
    .then((): FirstAnswer => ({ kind: 'login-page', url: page.url() }), () => NEVER);
  return Promise.race([answered, shown]);
}

/** The selector that reveals the IdP's login form, when the adapter is declarative. */
export function loginProbe(target: TargetConfig): string | undefined {
  const login = target.login;
  if (!login) return undefined;
  return typeof login === 'function' ? 'input[type="password"]' : (login as LoginSelectors).username;
}

async function nextStep(
  page: Page,
  arrival: Promise<AcsOutcome | undefined>,
  activity: PageActivity,
  probe: string | undefined,
  remaining: number,
): Promise<Step> {
  const race = { over: false };
  const steps: Promise<Step>[] = [
    arrival.then((outcome) => (outcome ? { kind: 'arrived', outcome } : { kind: 'timeout' })),
    settled(page, activity, probe, race).then(() => ({ kind: 'settled' }) as Step),
  ];
  if (probe) {
    steps.push(
      page
        .locator(probe)
        .first()
        .waitFor({ state: 'visible', timeout: remaining })
        .then(() => ({ kind: 'login-form' }) as Step, () => ({ kind: 'timeout' }) as Step),
    );
  }
  try {
    return await Promise.race(steps);
  } finally {
    race.over = true; // stops the settle watcher
  }
}

const NEVER = new Promise<never>(() => undefined);

/** Resolves once the page has loaded and then stayed quiet, without showing the login form. */
async function settled(page: Page, activity: PageActivity, probe: string | undefined, race: { over: boolean }): Promise<void> {
  for (;;) {
    if (race.over || page.isClosed()) return NEVER;
    await page.waitForLoadState('load').catch(() => undefined);
    while (activity.quietForMs() < LAST_WORD_QUIET_MS) {
      await delay(QUIET_POLL_MS);
      if (race.over || page.isClosed()) return NEVER;
    }
    // The login form belongs to the login-form step, which wins this race.
    if (probe && (await page.locator(probe).first().isVisible().catch(() => false))) return NEVER;
    // An auto-POST form still on screen means the browser is about to leave.
    const pendingForm = await page.locator('form[method="post" i]:not(:has(input[type="password"]))').count().catch(() => 0);
    if (pendingForm > 0 && (await page.evaluate(() => document.readyState).catch(() => 'complete')) !== 'complete') {
      await delay(QUIET_POLL_MS);
      continue;
    }
    if (race.over) return NEVER;
    return;
  }
}

async function fillLogin(page: Page, target: TargetConfig, user: TargetUser): Promise<void> {
  const login = target.login;
  if (typeof login === 'function') return login(page, { username: user.username, password: user.password });
  if (!login) throw new Error(`target '${target.name}' shows a login page but has no login adapter (set login selectors or a login function)`);
  await page.locator(login.username).first().fill(user.username);
  // Some IdPs (authentik's identification stage) ask for the password on a second page.
  const password = page.locator(login.password).first();
  if (!(await password.isVisible().catch(() => false))) {
    await page.locator(login.submit).first().click();
    await password.waitFor({ state: 'visible' });
  }
  await password.fill(user.password);
  await page.locator(login.submit).first().click();
  for (const next of login.next ?? []) {
    const button = page.locator(next).first();
    if (await button.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) await button.click();
  }
}

