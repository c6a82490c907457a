// Comment injection into a signed NameID (docs/attacks.md, comment injection; Duo Labs 2018). The attacker owns a
// real IdP account whose NameID extends the victim's (alice@samlconf.test.evil.test), gets it
// signed, and adds an empty comment after the victim's part. Exclusive c14n drops comments, so the
// signature still verifies; an SP that reads only the first text node logs in the victim. When the
// SP's NameIDPolicy makes the IdP send an opaque NameID instead (transient, persistent), the
// comment goes into the middle of that value: an SP that cuts there logs in a NameID nobody signed.
import { defineSpScenario } from '../../../harness/context.ts';
import type { IdpUser } from '../../../mock-idp/index.ts';
import { injectNameIdComment } from '../../../saml/attacks/comment-injection.ts';
import { NS } from '../../../saml/constants.ts';
import { descendants, parseXml } from '../../../saml/xml.ts';
import { requiresPostAcs } from '../../support.ts';
import { expectOnlySignedIdentity, signedIdentityControl } from './signed-identity-only.ts';

const SUFFIX = '.evil.test';

/** The attacker's own account: a NameID that starts with the victim's. */
export function lookalikeOf(victim: IdpUser): IdpUser {
  const nameId = `${victim.nameId}${SUFFIX}`;
  return { nameId, ...(victim.nameIdFormat ? { nameIdFormat: victim.nameIdFormat } : {}), attributes: { email: [nameId], givenName: ['Mallory'], surname: ['Attacker'] } };
}

/** A comment after the victim's part of the signed NameID, or in the middle of an opaque one. */
function commentIntoSignedNameId(xml: string): string {
  const signed = descendants(parseXml(xml).documentElement!, NS.saml, 'NameID')[0]?.textContent ?? '';
  if (signed.length < 2) throw new Error(`the signed Response has no NameID to put a comment into (found ${JSON.stringify(signed)})`);
  const visible = signed.endsWith(SUFFIX) && signed.length > SUFFIX.length ? signed.slice(0, -SUFFIX.length) : signed.slice(0, Math.ceil(signed.length / 2));
  return injectNameIdComment(xml, signed, visible);
}

export default defineSpScenario({
  id: 'sp-comment-injection-nameid',
  title: 'A comment inside a signed NameID does not cut the identity: the SP logs in the whole signed NameID or nobody',
  group: 'security',
  refs: ['attack-comment-injection', 'cve-2017-11427', 'cve-2017-11428', 'cve-2017-11429', 'cve-2017-11430', 'cve-2018-0489', 'core-5.4.3'],
  applies: requiresPostAcs,
  control: () => signedIdentityControl(undefined),
  async run(ctx) {
    await expectOnlySignedIdentity(ctx, {
      check: 'nameid-not-truncated',
      requirement: 'attack-comment-injection',
      plan: { user: lookalikeOf(ctx.testUser) },
      mutate: commentIntoSignedNameId,
      smuggled: 'the NameID cut at the comment',
    });
  },
});
