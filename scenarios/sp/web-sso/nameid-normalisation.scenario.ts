// NameID normalisation (ATTACKS.md row 32). alice signs in first, so the SP knows her account.
// Then the IdP signs, for another IdP account, a NameID that differs from hers only in a way a
// careless SP normalises away:
//  case            Alice@SAMLCONF.test
//  trailing-space  "alice@samlconf.test " (one blank at the end)
// The SP must log in exactly the signed string, or nobody; logging in alice (or any other value)
// merges two identities the IdP keeps apart, which is an account takeover wherever the IdP lets a
// user pick such a variant. SAML compares string values byte for byte (core 1.3.1, a MUST NOT on
// case folding and trimming), so this is a must-level check, not a matter of taste.
import { defineSpScenario } from '../../../harness/context.ts';
import type { IdpUser } from '../../../mock-idp/index.ts';
import { TEST_USER, positiveControl, requiresPostAcs } from '../../support.ts';

type Variation = 'case' | 'trailing-space';

const LOOKALIKE: Record<Variation, string> = {
  case: 'Alice@SAMLCONF.test',
  'trailing-space': `${TEST_USER.nameId} `,
};

function lookalikeUser(nameId: string): IdpUser {
  return { nameId, nameIdFormat: TEST_USER.nameIdFormat, attributes: { email: [nameId], givenName: ['Mallory'], surname: ['Lookalike'] } };
}

export default defineSpScenario<{ variation: Variation }>({
  id: 'sp-nameid-not-normalised',
  variantId: (v) => `sp-nameid-${v.variation}-not-normalised`,
  title: (v) =>
    v.variation === 'case'
      ? `A signed NameID differing from an existing user's only in case (${LOOKALIKE.case}) is not mapped onto that user`
      : `A signed NameID differing from an existing user's only by a trailing space is not mapped onto that user`,
  group: 'web-sso',
  refs: ['attack-nameid-normalisation', 'core-1.3.1'],
  variants: { variation: ['case', 'trailing-space'] },
  applies: requiresPostAcs,
  async run(ctx) {
    const signed = LOOKALIKE[ctx.variant.variation];
    // alice first: her account exists, and the SP is shown to log in a plain signed Response.
    await positiveControl(ctx, {
      plan: { user: TEST_USER },
      nameId: TEST_USER.nameId,
      unreachable: `the SP refuses alice's own signed Response, so how it maps other NameIDs onto her account cannot be seen`,
    });
    await ctx.browserContext.clearCookies();
    ctx.idp.setPlan({ user: lookalikeUser(signed) });
    const outcome = await ctx.spInitiatedLogin();
    if (!outcome.responseDelivered) throw new Error('the mock IdP did not deliver the Response to the SP, so the SP was never tested');
    const exact = ctx.isLoggedInAs(outcome, signed);
    const ok = !outcome.loggedIn || exact;
    const quoted = JSON.stringify(signed);
    ctx.check.must(ok, {
      check: 'nameid-compared-exactly',
      requirement: 'core-1.3.1',
      expected: `the SP logs in exactly the signed NameID ${quoted}, or nobody; never ${JSON.stringify(TEST_USER.nameId)}`,
      observed: !outcome.loggedIn
        ? `exact NameID kept: no session for ${quoted} (${outcome.observed})`
        : exact
          ? `exact NameID kept: the SP logged in ${quoted} as signed (${outcome.observed})`
          : `the SP logged in ${JSON.stringify(outcome.nameId ?? 'a user')} for the signed NameID ${quoted}${outcome.nameId === TEST_USER.nameId ? ", alice's existing account" : ''} (${outcome.observed})`,
      xml: ctx.idp.lastResponse()?.xml,
    });
  },
});
