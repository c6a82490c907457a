// Signature exclusion (docs/attacks.md, signature exclusion, shapes b-d): a Response the attacker can build without
// the IdP's key. Each shape claims the attacker's identity and leaves the signature in a state that
// proves nothing about it; the SP must log nobody in as the attacker.
//  removed          the IdP's signatures stripped from a signed Response (what an SP that verifies
//                   "if a signature is present" lets through)
//  empty-value      every SignatureValue emptied (digests still match: anyone can compute those)
//  foreign-reference the genuine signature of alice's assertion moved into an attacker assertion,
//                   its Reference still naming the untouched original kept beside it: it verifies,
//                   but not over the element that holds it (core 5.4.2)
// Shape (e), Reference URI="", is not here: the mock IdP cannot sign with a whole-document
// reference, and changing the URI afterwards only breaks the SignatureValue (see the report).
import { defineSpScenario } from '../../../harness/context.ts';
import type { IdpPlan } from '../../../mock-idp/index.ts';
import { NS } from '../../../saml/constants.ts';
import { type Element, child, children, descendants, parseXml, serialize } from '../../../saml/xml.ts';
import { ATTACKER_USER, requiresPostAcs } from '../../support.ts';

type Shape = 'removed' | 'empty-value' | 'foreign-reference';

function removeSignatures(xml: string): string {
  const doc = parseXml(xml);
  for (const sig of descendants(doc.documentElement!, NS.ds, 'Signature')) sig.parentNode!.removeChild(sig);
  return serialize(doc);
}

function emptySignatureValues(xml: string): string {
  const doc = parseXml(xml);
  for (const sig of descendants(doc.documentElement!, NS.ds, 'Signature')) {
    const value = child(sig, NS.ds, 'SignatureValue');
    while (value?.firstChild) value.removeChild(value.firstChild);
  }
  return serialize(doc);
}

/** The signed assertion's Signature moved into an attacker copy placed before it; the original stays, unsigned. */
function moveSignatureToEvilCopy(xml: string): string {
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  const original = children(root, NS.saml, 'Assertion')[0];
  const sig = original && child(original, NS.ds, 'Signature');
  if (!original || !sig) throw new Error('expected a Response with a signed assertion to mutate');
  const evil = original.cloneNode(true) as Element;
  evil.removeChild(child(evil, NS.ds, 'Signature')!);
  evil.setAttribute('ID', `_evil${original.getAttribute('ID') ?? ''}`);
  const subject = child(evil, NS.saml, 'Subject');
  const nameId = subject && child(subject, NS.saml, 'NameID');
  if (!nameId) throw new Error('expected a NameID in the signed assertion');
  while (nameId.firstChild) nameId.removeChild(nameId.firstChild);
  nameId.appendChild(doc.createTextNode(ATTACKER_USER.nameId));
  original.removeChild(sig);
  const issuer = child(evil, NS.saml, 'Issuer');
  evil.insertBefore(sig, issuer ? issuer.nextSibling : evil.firstChild);
  root.insertBefore(evil, original);
  return serialize(doc);
}

const SIGNED_BOTH = { response: true, assertion: true };
const ASSERTION_ONLY = { response: false, assertion: true };
const PLANS: Record<Shape, Omit<IdpPlan, 'user'> & { user?: 'attacker' | 'test' }> = {
  removed: { user: 'attacker', sign: SIGNED_BOTH, mutate: removeSignatures },
  'empty-value': { user: 'attacker', sign: SIGNED_BOTH, mutate: emptySignatureValues },
  // alice's genuine assertion, signed on its own as many IdPs do; the attacker adds his copy.
  'foreign-reference': { user: 'test', sign: ASSERTION_ONLY, mutate: moveSignatureToEvilCopy },
};

const TITLES: Record<Shape, string> = {
  removed: 'A signed Response edited to the attacker and stripped of its signatures is rejected',
  'empty-value': 'A Response for the attacker whose SignatureValues are empty is rejected',
  'foreign-reference': "A signature whose Reference names another element (alice's assertion) does not vouch for the attacker assertion holding it",
};

export default defineSpScenario<{ shape: Shape }>({
  id: 'sp-signature-exclusion',
  variantId: (v) => `sp-signature-${v.shape}-rejected`,
  title: (v) => TITLES[v.shape],
  group: 'signing',
  refs: ['attack-signature-exclusion', 'profiles-4.1.4.3', 'profiles-4.1.4.5', 'core-5.4.2'],
  variants: { shape: ['removed', 'empty-value', 'foreign-reference'] },
  applies: requiresPostAcs,
  // The shapes edit a plain signed Response, so neither they nor their control encrypt the assertion.
  control: (v) => ({ plan: { sign: PLANS[v.shape].sign, encrypt: false } }),
  async run(ctx) {
    const { user, ...plan } = PLANS[ctx.variant.shape];
    ctx.idp.setPlan({ ...plan, encrypt: false, user: user === 'attacker' ? ATTACKER_USER : ctx.testUser });
    const outcome = await ctx.spInitiatedLogin();
    if (!outcome.responseDelivered) throw new Error('the mock IdP did not deliver the Response to the SP, so the SP was never tested');
    // The one identity a valid signature vouches for: alice's, in the foreign-reference shape, as
    // the mock really sent it; the other shapes vouch for nobody. Any other login is the breach,
    // whatever NameID format the SP asked the attacker's Response to carry.
    const signed = user === 'test' ? outcome.sent : undefined;
    const forged = outcome.loggedIn && !(signed !== undefined && ctx.isLoggedInAs(outcome, signed));
    ctx.check.must(!forged, {
      check: 'forged-response-rejected',
      requirement: 'attack-signature-exclusion',
      expected: signed ? `the SP logs in nobody, or only ${signed.nameId}, whose assertion the signature covers` : 'the SP logs in nobody: no valid signature covers this Response',
      observed: forged
        ? `the SP logged in ${outcome.nameId ?? 'a user'} from a claim no valid signature covers (${outcome.observed})`
        : outcome.loggedIn
          ? `the SP logged in ${outcome.nameId ?? 'a user'}, the signed identity, not the attacker (${outcome.observed})`
          : `no session (${outcome.observed})`,
      xml: ctx.idp.lastResponse()?.xml,
      ...(outcome.loggedIn ? {} : { refusal: true as const }),
    });
  },
});
