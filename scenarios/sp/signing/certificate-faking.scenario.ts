// Certificate faking (docs/attacks.md, certificate faking) beyond sp-untrusted-key-rejected (attacker key, its
// fresh self-signed certificate in KeyInfo): the Response claims the attacker and is signed with a
// key that is not the IdP's, while KeyInfo offers the SP something else to go on.
//  expired-certificate  an expired self-signed certificate for the signing key in KeyInfo: an SP
//                       that takes the key from KeyInfo (CVE-2024-32962) is fooled, validity or not
// Only shapes a real library was fooled by belong here, each proven by a detection-matrix row
// (a KeyName or a missing KeyInfo fools no known verifier, which falls back to the pinned key).
// Pass: nobody is logged in as the attacker.
import { defineSpScenario } from '../../../harness/context.ts';
import type { IdpPlan } from '../../../mock-idp/index.ts';
import { ATTACKER_USER, expectNoLogin, requiresPostAcs } from '../../support.ts';

type KeyInfoShape = 'expired-certificate';

const PLANS: Record<KeyInfoShape, IdpPlan> = {
  'expired-certificate': { user: ATTACKER_USER, sign: { response: true, assertion: true, credential: 'expired' } },
};

const TITLES: Record<KeyInfoShape, string> = {
  'expired-certificate': "A Response signed with a key that is not the IdP's, its expired self-signed certificate in KeyInfo, is rejected",
};

export default defineSpScenario<{ keyInfo: KeyInfoShape }>({
  id: 'sp-untrusted-key-variants',
  variantId: (v) => `sp-untrusted-key-${v.keyInfo}-rejected`,
  title: (v) => TITLES[v.keyInfo],
  group: 'signing',
  refs: ['attack-certificate-faking', 'cve-2024-32962', 'profiles-4.1.4.3', 'core-5.4.5'],
  variants: { keyInfo: ['expired-certificate'] },
  applies: requiresPostAcs,
  async run(ctx) {
    ctx.idp.setPlan(PLANS[ctx.variant.keyInfo]);
    const outcome = await ctx.spInitiatedLogin();
    expectNoLogin(ctx, outcome, {
      check: 'forged-response-rejected',
      requirement: 'attack-certificate-faking',
      expected: "the SP verifies with the IdP's pinned key only, rejects the Response and logs nobody in",
    });
  },
});
