// Weak algorithms (docs/attacks.md, weak algorithms): a correct Response for the legitimate user, signed by the
// IdP's own key, but with RSA-SHA1 and SHA-1 digests on both the Response and the assertion.
// Nothing is forged, so accepting it is not a breach; SHA-1 is deprecated for signatures (its
// collisions are practical), so an SP that still relies on it earns a warning. A refusal counts
// only when the same Response signed with SHA-256 logs the user in (positive control).
import { defineSpScenario } from '../../../harness/context.ts';
import type { IdpPlan } from '../../../mock-idp/index.ts';
import { requiresPostAcs } from '../../support.ts';

const SIGNED_BOTH = { response: true, assertion: true } as const;
const SHA1: IdpPlan['sign'] = { ...SIGNED_BOTH, algorithm: 'rsa-sha1', digest: 'sha1' };
const SHA256: IdpPlan['sign'] = { ...SIGNED_BOTH, algorithm: 'rsa-sha256', digest: 'sha256' };

export default defineSpScenario({
  id: 'sp-sha1-signature-refused',
  title: 'A Response signed by the IdP with RSA-SHA1 and SHA-1 digests is not relied on',
  group: 'signing',
  refs: ['attack-weak-algorithms', 'core-5.4.1', 'profiles-4.1.4.3'],
  applies: requiresPostAcs,
  control: () => ({ plan: { sign: SHA256 } }),
  async run(ctx) {
    ctx.idp.setPlan({ user: ctx.testUser, sign: SHA1 });
    const outcome = await ctx.spInitiatedLogin();
    if (!outcome.responseDelivered) throw new Error('the mock IdP did not deliver the Response to the SP, so the SP was never tested');
    // A refusal counts once the same Response signed with RSA-SHA256 logs the user in (the control).
    ctx.check.should(!outcome.loggedIn, {
      check: 'sha1-signature-refused',
      requirement: 'attack-weak-algorithms',
      expected: 'the SP refuses a Response whose only signatures use RSA-SHA1 / SHA-1',
      observed: outcome.loggedIn
        ? `the SP logged in ${outcome.nameId ?? 'a user'} from a Response signed only with rsa-sha1 / sha1 (${outcome.observed})`
        : `SHA-1 refused: no session (${outcome.observed})`,
      xml: ctx.idp.lastResponse()?.xml,
      refusal: true,
    });
  },
});
