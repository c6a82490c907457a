// Weak algorithms (ATTACKS.md row 24): a correct Response for the legitimate user, signed by the
// IdP's own key, but with RSA-SHA1 and SHA-1 digests on both the Response and the assertion.
// Nothing is forged, so accepting it is not a breach; SHA-1 is deprecated for signatures (its
// collisions are practical), so an SP that still relies on it earns a warning. A refusal counts
// only when the same Response signed with SHA-256 logs the user in (positive control).
import { defineSpScenario } from '../../../harness/context.ts';
import type { IdpPlan } from '../../../mock-idp/index.ts';
import { TEST_USER, positiveControl, requiresPostAcs } from '../../support.ts';

const SIGNED_BOTH = { response: true, assertion: true } as const;
const SHA1_PLAN: IdpPlan = { user: TEST_USER, sign: { ...SIGNED_BOTH, algorithm: 'rsa-sha1', digest: 'sha1' } };
const SHA256_PLAN: IdpPlan = { user: TEST_USER, sign: { ...SIGNED_BOTH, algorithm: 'rsa-sha256', digest: 'sha256' } };

export default defineSpScenario({
  id: 'sp-sha1-signature-refused',
  title: 'A Response signed by the IdP with RSA-SHA1 and SHA-1 digests is not relied on',
  group: 'signing',
  refs: ['attack-weak-algorithms', 'core-5.4.1', 'profiles-4.1.4.3'],
  applies: requiresPostAcs,
  async run(ctx) {
    ctx.idp.setPlan(SHA1_PLAN);
    const outcome = await ctx.spInitiatedLogin();
    if (!outcome.responseDelivered) throw new Error('the mock IdP did not deliver the Response to the SP, so the SP was never tested');
    const sha1Xml = ctx.idp.lastResponse()?.xml;
    const expected = 'the SP refuses a Response whose only signatures use RSA-SHA1 / SHA-1';
    if (outcome.loggedIn) {
      ctx.check.should(!outcome.loggedIn, {
        check: 'sha1-signature-refused',
        requirement: 'attack-weak-algorithms',
        expected,
        observed: `the SP logged in ${outcome.nameId ?? 'a user'} from a Response signed only with rsa-sha1 / sha1 (${outcome.observed})`,
        xml: sha1Xml,
      });
      return;
    }
    const control = await positiveControl(ctx, {
      plan: SHA256_PLAN,
      nameId: TEST_USER.nameId,
      unreachable: 'the SP refuses the same Response signed with RSA-SHA256 as well, so its SHA-1 handling cannot be told apart',
    });
    // Stated in full, though positiveControl has already thrown unless the control got in.
    ctx.check.should(!outcome.loggedIn && ctx.isLoggedInAs(control, TEST_USER.nameId), {
      check: 'sha1-signature-refused',
      requirement: 'attack-weak-algorithms',
      expected,
      observed: `SHA-1 refused: no session, while the same Response signed with rsa-sha256 logged ${TEST_USER.nameId} in (SHA-1: ${outcome.observed}; control: ${control.observed})`,
      xml: sha1Xml,
    });
  },
});
