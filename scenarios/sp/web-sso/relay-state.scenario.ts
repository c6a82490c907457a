// RelayState at the SP (docs/attacks.md, RelayState): a normal SP-initiated login for the legitimate user,
// except that the RelayState coming back with the Response is the attacker's choice (RelayState
// travels beside the Response, outside any signature). An SP that takes it as "where to go after
// login" without checking it is an open redirect, or worse, runs script:
//  https            https://evil.samlconf.test/landing   an off-site URL
//  scheme-relative  //evil.samlconf.test                 off-site too, though it looks like a path
//  javascript       javascript:alert(1)                  script in the SP's origin, right after login
// The oracle is the browser: a navigation request to the evil host (it never loads: *.test maps to
// loopback, where nothing listens for it), or a dialog opened by the script. An open redirect is a
// warning (should-level: phishing help, not a breach by itself); script running is a failure.
import type { Dialog, Page, Request } from 'playwright';
import { defineSpScenario } from '../../../harness/context.ts';
import { requiresPostAcs } from '../../support.ts';

type Destination = 'https' | 'scheme-relative' | 'javascript';

const EVIL_HOST = 'evil.samlconf.test';
const RELAY_STATE: Record<Destination, string> = {
  https: `https://${EVIL_HOST}/landing`,
  'scheme-relative': `//${EVIL_HOST}`,
  javascript: 'javascript:alert(1)',
};
/** How long the page may keep loading after the login before its last navigation is judged. */
const SETTLE_TIMEOUT_MS = 5_000;

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** What the browser did on its own during the login: navigations to the evil host, script dialogs. */
function watchBrowser(page: Page) {
  const offsite: string[] = [];
  const dialogs: string[] = [];
  const onRequest = (r: Request) => {
    if (r.isNavigationRequest() && hostOf(r.url()) === EVIL_HOST) offsite.push(r.url());
  };
  const onDialog = (d: Dialog) => {
    dialogs.push(`${d.type()} "${d.message()}" on ${page.url()}`);
    void d.dismiss().catch(() => undefined);
  };
  page.on('request', onRequest);
  page.on('dialog', onDialog);
  return {
    offsite,
    dialogs,
    stop() {
      page.off('request', onRequest);
      page.off('dialog', onDialog);
    },
  };
}

export default defineSpScenario<{ destination: Destination }>({
  id: 'sp-relaystate-not-followed',
  variantId: (v) => (v.destination === 'javascript' ? 'sp-relaystate-javascript-not-run' : `sp-relaystate-${v.destination}-not-followed`),
  title: (v) =>
    v.destination === 'javascript'
      ? 'A RelayState of javascript:alert(1) returned with a valid login does not run script at the SP'
      : `A RelayState of ${RELAY_STATE[v.destination]} returned with a valid login does not send the browser off-site`,
  group: 'web-sso',
  refs: ['attack-relaystate', 'bindings-3.5.3'],
  variants: { destination: ['https', 'scheme-relative', 'javascript'] },
  applies: requiresPostAcs,
  async run(ctx) {
    const { destination } = ctx.variant;
    const relayState = RELAY_STATE[destination];
    ctx.idp.setPlan({ user: ctx.testUser, relayState });
    const watch = watchBrowser(ctx.page);
    let outcome;
    try {
      outcome = await ctx.spInitiatedLogin();
      // A redirect made by script on the landing page may start after the load the flow waited for.
      await ctx.page.waitForLoadState('networkidle', { timeout: SETTLE_TIMEOUT_MS }).catch(() => undefined);
    } finally {
      watch.stop();
    }
    if (!outcome.responseDelivered) throw new Error('the mock IdP did not deliver the Response to the SP, so the SP was never tested');
    const attackedXml = ctx.idp.lastResponse()?.xml;
    const session = outcome.loggedIn ? `logged in ${outcome.nameId ?? 'a user'}` : 'no session';
    const abused = destination === 'javascript' ? watch.dialogs : watch.offsite;

    // Nothing happened and nobody got in: the RelayState handling was reached only if the same
    // login with the SP's own RelayState works (the positive control), so that pass is a refusal.
    const refusal = abused.length === 0 && !outcome.loggedIn ? { refusal: true as const } : {};

    const where = `RelayState ${JSON.stringify(relayState)}: ${session}, final page ${outcome.finalUrl}`;
    if (destination === 'javascript') {
      ctx.check.must(abused.length === 0, {
        check: 'relaystate-script-not-run',
        requirement: 'attack-relaystate',
        expected: 'the SP never runs a javascript: RelayState (it ignores it or sends the browser to a page of its own)',
        observed: abused.length > 0 ? `the RelayState ran as script after the login: dialog ${abused.join('; ')} (${where})` : `no script ran (${where})`,
        xml: attackedXml,
        ...refusal,
      });
      return;
    }
    ctx.check.should(abused.length === 0, {
      check: 'relaystate-not-followed-off-site',
      requirement: 'attack-relaystate',
      expected: `the SP does not send the browser to ${EVIL_HOST}, a host it has no reason to trust`,
      observed: abused.length > 0 ? `the browser was sent off-site to ${abused[0]} (${where})` : `the browser stayed away from ${EVIL_HOST} (${where})`,
      xml: attackedXml,
      ...refusal,
    });
  },
});
