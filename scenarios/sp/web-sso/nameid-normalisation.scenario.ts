// NameID normalisation (docs/attacks.md, NameID normalisation). alice signs in first, so the SP knows her account.
// Then the IdP signs, for another IdP account, a NameID that differs from the one she was sent
// only in a way a careless SP normalises away (in the same Format, whatever the SP asked for):
//  case            Alice@SAMLCONF.test (for alice@samlconf.test; an opaque ID changes case)
//  trailing-space  "alice@samlconf.test " (one blank at the end)
// The SP must log in exactly the signed string, or nobody; logging in alice (or any other value)
// merges two identities the IdP keeps apart, which is an account takeover wherever the IdP lets a
// user pick such a variant. SAML compares string values byte for byte (core 1.3.1, a MUST NOT on
// case folding and trimming), so this is a must-level check, not a matter of taste.
import { defineSpScenario } from '../../../harness/context.ts';
import { NotApplicableError } from '../../../harness/scenario.ts';
import type { SentIdentity } from '../../../harness/context.ts';
import type { IdpUser } from '../../../mock-idp/index.ts';
import { requiresPostAcs } from '../../support.ts';

type Variation = 'case' | 'trailing-space';

/** The NameID a careless SP would fold onto `known`: its local part capitalised and domain upper-cased, or every letter's case swapped. */
function lookalikeValue(variation: Variation, known: string): string {
  if (variation === 'trailing-space') return `${known} `;
  const at = known.indexOf('@');
  if (at > 0) return `${known[0]!.toUpperCase()}${known.slice(1, at)}@${known.slice(at + 1).replace(/^[^.]+/, (d) => d.toUpperCase())}`;
  return [...known].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

function lookalikeUser(nameId: string, known: SentIdentity): IdpUser {
  return { nameId, ...(known.nameIdFormat ? { nameIdFormat: known.nameIdFormat } : {}), attributes: { email: [nameId], givenName: ['Mallory'], surname: ['Lookalike'] } };
}

export default defineSpScenario<{ variation: Variation }>({
  id: 'sp-nameid-not-normalised',
  variantId: (v) => `sp-nameid-${v.variation}-not-normalised`,
  title: (v) =>
    v.variation === 'case'
      ? "A signed NameID differing from an existing user's only in case (Alice@SAMLCONF.test) is not mapped onto that user"
      : `A signed NameID differing from an existing user's only by a trailing space is not mapped onto that user`,
  group: 'web-sso',
  refs: ['attack-nameid-normalisation', 'core-1.3.1'],
  variants: { variation: ['case', 'trailing-space'] },
  applies: requiresPostAcs,
  async run(ctx) {
    // alice first: her account exists, and the SP is shown to log in a plain signed Response.
    ctx.idp.setPlan({ user: ctx.testUser });
    const first = await ctx.spInitiatedLogin();
    const known = first.sent;
    if (!known) throw new Error('the mock IdP did not deliver alice\'s Response, so the SP was never tested');
    if (!ctx.isLoggedInAs(first, known)) {
      if (first.loggedIn) throw new Error(`alice's own signed Response logged in ${first.nameId ?? 'someone else'} (${first.observed})`);
      throw new NotApplicableError(`the SP refuses alice's own signed Response (${first.observed}), so how it maps other NameIDs onto her account cannot be seen`);
    }
    const proof = `alice's own Response logged ${known.nameId} in first (${first.observed})`;
    ctx.log(proof);
    await ctx.browserContext.clearCookies();
    const signed = lookalikeValue(ctx.variant.variation, known.nameId);
    // The same Format as alice's, whatever the SP's NameIDPolicy asks: only the value may differ.
    ctx.idp.setPlan({ user: lookalikeUser(signed, known), keepNameIdFormat: true });
    const outcome = await ctx.spInitiatedLogin();
    if (!outcome.responseDelivered) throw new Error('the mock IdP did not deliver the Response to the SP, so the SP was never tested');
    const exact = ctx.isLoggedInAs(outcome, signed);
    const ok = !outcome.loggedIn || exact;
    const quoted = JSON.stringify(signed);
    ctx.check.must(ok, {
      check: 'nameid-compared-exactly',
      requirement: 'core-1.3.1',
      expected: `the SP logs in exactly the signed NameID ${quoted}, or nobody; never ${JSON.stringify(known.nameId)}`,
      observed: !outcome.loggedIn
        ? `exact NameID kept: no session for ${quoted} (${outcome.observed})`
        : exact
          ? `exact NameID kept: the SP logged in ${quoted} as signed (${outcome.observed})`
          : `the SP logged in ${JSON.stringify(outcome.nameId ?? 'a user')} for the signed NameID ${quoted}${outcome.nameId === known.nameId ? ", alice's existing account" : ''} (${outcome.observed})`,
      xml: ctx.idp.lastResponse()?.xml,
      ...(outcome.loggedIn ? {} : { refusal: { provenBy: proof } }),
    });
  },
});
