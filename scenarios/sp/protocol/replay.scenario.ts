// Replay (docs/attacks.md, replay): a signed Response the SP has just accepted is posted to it again,
// unchanged, from a browser that no longer holds any of the SP's cookies (a fresh login attempt,
// as an attacker holding a captured message would make). The SP must not log anyone in from it.
//
// What keeps the test honest: the replayed message is byte for byte the one the SP accepted a
// moment ago, with the same RelayState, still well inside its validity window. The first delivery
// must log the user in, or the scenario proves nothing and ends in error. So the second delivery
// differs from an accepted login only in being a second delivery, and a login from it is a replay.
//
// SP-initiated: the replay names the request the first login answered. An SP may refuse it because
// that request ID is spent (node-saml's InResponseTo cache) or because it remembers the assertion ID;
// both are replay defences, and this scenario does not tell them apart. IdP-initiated: there is no
// request to spend, so only the assertion-ID cache can stop it. It runs whatever the SP declares:
// an SP that accepts the unsolicited Response here (samlify, saml2-js, declared or not) is tested,
// one that refuses it has nothing to replay (not applicable).
import { defineSpScenario, type SpTargetContext } from '../../../harness/context.ts';
import { NotApplicableError } from '../../../harness/scenario.ts';
import { attr, descendants, parseXml } from '../../../saml/xml.ts';
import { NS } from '../../../saml/constants.ts';
import { requiresPostAcs } from '../../support.ts';

type Flow = 'sp-initiated' | 'idp-initiated';

const IDS: Record<Flow, string> = {
  'sp-initiated': 'sp-replayed-response-rejected',
  'idp-initiated': 'sp-replayed-unsolicited-response-rejected',
};

/** How long the browser may take to leave the mock IdP's auto-POST page. */
const LEAVE_IDP_TIMEOUT_MS = 15_000;

function assertionIdOf(xml: string | undefined): string {
  if (!xml) return '(unknown)';
  const a = descendants(parseXml(xml).documentElement!, NS.saml, 'Assertion')[0];
  return attr(a, 'ID') ?? '(no ID)';
}

/** Post the Response sent last once more, through the mock IdP's auto-POST page, and ask who is logged in. */
async function replayLastResponse(ctx: SpTargetContext) {
  const before = ctx.idp.lastResponse();
  const idpOrigin = new URL(ctx.mockIdp.baseUrl).origin;
  await ctx.page.goto(ctx.idp.resendUrl(), { waitUntil: 'load' });
  const delivered = ctx.idp.lastResponse() !== before;
  if (!delivered) throw new Error('the mock IdP did not post the captured Response again, so the replay never reached the SP');
  if (new URL(ctx.page.url()).origin === idpOrigin) {
    await ctx.page.waitForURL((u) => u.origin !== idpOrigin, { waitUntil: 'load', timeout: LEAVE_IDP_TIMEOUT_MS });
  }
  return ctx.whoIsLoggedIn();
}

export default defineSpScenario<{ flow: Flow }>({
  id: 'sp-replayed-response',
  variantId: (v) => IDS[v.flow],
  title: (v) =>
    v.flow === 'sp-initiated'
      ? 'A signed Response the SP already accepted, posted again from a fresh browser session, logs nobody in'
      : 'An unsolicited signed Response the SP already accepted, posted again from a fresh browser session, logs nobody in',
  group: 'protocol',
  refs: ['profiles-4.1.4.5', 'attack-replay', 'core-2.5.1.5'],
  variants: { flow: ['sp-initiated', 'idp-initiated'] },
  applies: (t) => requiresPostAcs(t),
  async run(ctx) {
    const { variant, idp, check } = ctx;
    idp.setPlan({ user: ctx.testUser });
    const first = variant.flow === 'sp-initiated' ? await ctx.spInitiatedLogin() : await ctx.idpInitiatedLogin();
    if (!first.responseDelivered || !first.sent) throw new Error('the mock IdP did not deliver the first Response, so there is nothing to replay');
    if (!ctx.isLoggedInAs(first, first.sent)) {
      if (variant.flow === 'idp-initiated') {
        throw new NotApplicableError(`the SP refused the unsolicited Response itself (${first.observed}), so there is no accepted Response to replay`);
      }
      throw new Error(`the untouched first Response did not log ${first.sent.nameId} in (${first.observed}), so a refused replay would prove nothing`);
    }
    const assertionId = assertionIdOf(idp.lastResponse()?.xml);
    const proof = `the first delivery of the same Response logged ${first.sent.nameId} in with assertion ${assertionId}`;
    ctx.log(proof);

    // A fresh login attempt: the SP's session (and any login-state cookie) is gone.
    await ctx.browserContext.clearCookies();
    const cleared = await ctx.whoIsLoggedIn();
    if (cleared.loggedIn) throw new Error(`still logged in after clearing the browser's cookies (${cleared.observed}); the oracle cannot tell a replayed login apart`);

    const replay = await replayLastResponse(ctx);
    check.must(!replay.loggedIn, {
      check: 'replayed-response-rejected',
      requirement: 'profiles-4.1.4.5',
      expected: `the SP refuses assertion ${assertionId} the second time and logs nobody in`,
      observed: replay.loggedIn
        ? `the SP logged in ${replay.nameId ?? 'a user'} again from the replayed assertion ${assertionId} (${replay.observed})`
        : `no session from the replayed assertion ${assertionId} (${replay.observed})`,
      xml: idp.lastResponse()?.xml,
      refusal: { provenBy: proof },
    });
  },
});
