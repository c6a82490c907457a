// Comment injection into a signed NameID (ATTACKS.md row 16; Duo Labs 2018). The attacker owns a
// real IdP account whose NameID extends the victim's (alice@samlconf.test.evil.test), gets it
// signed, and adds an empty comment after the victim's part. Exclusive c14n drops comments, so the
// signature still verifies; an SP that reads only the first text node logs in the victim.
import { defineSpScenario } from '../../../harness/context.ts';
import type { IdpUser } from '../../../mock-idp/index.ts';
import { injectNameIdComment } from '../../../saml/attacks/comment-injection.ts';
import { TEST_USER, requiresPostAcs } from '../../support.ts';
import { expectOnlySignedIdentity } from './signed-identity-only.ts';

const VICTIM = TEST_USER.nameId;
const SUFFIX = '.evil.test';

/** The attacker's own account: a NameID that starts with the victim's. */
export const LOOKALIKE_USER: IdpUser = {
  nameId: `${VICTIM}${SUFFIX}`,
  nameIdFormat: TEST_USER.nameIdFormat,
  attributes: { email: [`${VICTIM}${SUFFIX}`], givenName: ['Mallory'], surname: ['Attacker'] },
};

export default defineSpScenario({
  id: 'sp-comment-injection-nameid',
  title: 'A comment inside a signed NameID does not cut the identity: the SP logs in the whole signed NameID or nobody',
  group: 'security',
  refs: ['attack-comment-injection', 'cve-2017-11427', 'cve-2017-11428', 'cve-2017-11429', 'cve-2017-11430', 'cve-2018-0489', 'core-5.4.3'],
  applies: requiresPostAcs,
  async run(ctx) {
    await expectOnlySignedIdentity(ctx, {
      check: 'nameid-not-truncated',
      requirement: 'attack-comment-injection',
      plan: { user: LOOKALIKE_USER },
      mutate: (xml) => injectNameIdComment(xml, LOOKALIKE_USER.nameId, VICTIM),
      smuggled: `the NameID cut at the comment (${VICTIM})`,
      unreachable: `the SP refuses even the unmodified signed Response for ${LOOKALIKE_USER.nameId}, so the comment cannot reach its NameID handling`,
    });
  },
});
