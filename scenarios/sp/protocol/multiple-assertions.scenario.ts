// Multiple assertions (docs/attacks.md, multiple assertions). Mallory logs in as himself and adds to his own Response
// a genuine, IdP-signed assertion for alice that he captured elsewhere: issued to another SP
// (Audience, Recipient and Destination are that SP's), so it is worthless here on its own.
//  appended  alice's assertion after mallory's, as a second direct child of the Response
//  advice    alice's assertion inside mallory's own assertion, in <Advice> (the IdP signs that too)
// Pass: the SP rejects the Response, or logs in mallory, whose assertion is the one valid for this
// SP and request (SAML allows several assertions, so refusing is not required). Fail: alice is
// logged in from an assertion that was never meant for this SP.
import { defineSpScenario, type SpTargetContext } from '../../../harness/context.ts';
import { fetchLocal } from '../../../harness/net.ts';
import type { IdpPlan } from '../../../mock-idp/index.ts';
import { NS } from '../../../saml/constants.ts';
import { type Element, child, children, parseXml, serialize } from '../../../saml/xml.ts';
import { ATTACKER_USER, requiresPostAcs } from '../../support.ts';

type Placement = 'appended' | 'advice';

const OTHER_SP = 'https://another-sp.samlconf.test/metadata';
const OTHER_ACS = 'https://another-sp.samlconf.test/saml/acs';
/** Assertion-only signing, as many IdPs do: the Response envelope is then the attacker's to edit. */
const ASSERTION_SIGNED = { response: false, assertion: true } as const;

/** Have the mock IdP issue alice's signed assertion to another SP, without delivering it anywhere. */
async function captureAssertionForAnotherSp(ctx: SpTargetContext): Promise<{ xml: string; nameId: string }> {
  ctx.idp.setPlan({
    user: ctx.testUser,
    sign: ASSERTION_SIGNED,
    encrypt: false,
    acsUrl: OTHER_ACS,
    response: { audience: OTHER_SP, recipient: OTHER_ACS, destination: OTHER_ACS },
  });
  const before = ctx.idp.lastResponse();
  // The auto-POST page is fetched, never rendered, so nothing is posted to the other SP's address.
  const res = await fetchLocal(ctx.idp.idpInitiatedUrl(), { timeoutMs: 10_000 });
  const sent = ctx.idp.lastResponse();
  if (res.status !== 200 || !sent || sent === before) throw new Error(`the mock IdP did not issue the assertion for another SP (HTTP ${res.status})`);
  const assertion = children(parseXml(sent.xml).documentElement!, NS.saml, 'Assertion')[0];
  if (!assertion || !child(assertion, NS.ds, 'Signature')) throw new Error('the assertion issued for another SP is missing or unsigned');
  return { xml: serialize(assertion), nameId: sent.nameId };
}

function importAssertion(doc: ReturnType<typeof parseXml>, assertionXml: string): Element {
  return doc.importNode(parseXml(assertionXml).documentElement!, true) as Element;
}

function planFor(placement: Placement, captured: string): IdpPlan {
  if (placement === 'appended') {
    return {
      user: ATTACKER_USER,
      sign: ASSERTION_SIGNED,
      encrypt: false,
      mutate(xml) {
        const doc = parseXml(xml);
        const root = doc.documentElement!;
        const own = children(root, NS.saml, 'Assertion')[0];
        root.insertBefore(importAssertion(doc, captured), own ? own.nextSibling : null);
        return serialize(doc);
      },
    };
  }
  return {
    user: ATTACKER_USER,
    sign: ASSERTION_SIGNED,
    encrypt: false,
    // Before signing: the IdP's signature over mallory's assertion then covers the Advice as well.
    mutateBeforeSign(xml) {
      const doc = parseXml(xml);
      const own = children(doc.documentElement!, NS.saml, 'Assertion')[0];
      if (!own) throw new Error('expected an assertion to put Advice in');
      const advice = doc.createElementNS(NS.saml, 'saml:Advice');
      advice.appendChild(importAssertion(doc, captured));
      // Schema order: Issuer, Signature?, Subject?, Conditions?, Advice?, statements.
      const after = child(own, NS.saml, 'Conditions') ?? child(own, NS.saml, 'Subject') ?? child(own, NS.saml, 'Issuer');
      own.insertBefore(advice, after ? after.nextSibling : own.firstChild);
      return serialize(doc);
    },
  };
}

export default defineSpScenario<{ placement: Placement }>({
  id: 'sp-multiple-assertions',
  variantId: (v) => (v.placement === 'appended' ? 'sp-second-assertion-for-another-sp-ignored' : 'sp-advice-assertion-for-another-sp-ignored'),
  title: (v) =>
    v.placement === 'appended'
      ? "A second signed assertion (alice's, issued to another SP) appended to the attacker's Response does not log alice in"
      : "A signed assertion for alice (issued to another SP) inside the Advice of the attacker's assertion does not log alice in",
  group: 'protocol',
  refs: ['attack-multiple-assertions', 'profiles-4.1.4.2', 'profiles-4.1.4.3', 'core-2.5.1.4'],
  variants: { placement: ['appended', 'advice'] },
  applies: requiresPostAcs,
  // The captured assertion travels in plain text, so neither the attack nor its control encrypts.
  control: () => ({ plan: { sign: ASSERTION_SIGNED, encrypt: false } }),
  async run(ctx) {
    const captured = await captureAssertionForAnotherSp(ctx);
    ctx.idp.setPlan(planFor(ctx.variant.placement, captured.xml));
    const outcome = await ctx.spInitiatedLogin();
    if (!outcome.responseDelivered) throw new Error('the mock IdP did not deliver the Response to the SP, so the SP was never tested');
    const victim = ctx.isLoggedInAs(outcome, captured.nameId);
    ctx.check.must(!victim, {
      check: 'unintended-assertion-ignored',
      requirement: 'attack-multiple-assertions',
      expected: `the SP rejects the Response or logs in ${outcome.sent?.nameId ?? ATTACKER_USER.nameId} (the one assertion valid here), never ${captured.nameId}`,
      observed: victim
        ? `the SP logged in ${captured.nameId} from the assertion issued to another SP (${outcome.observed})`
        : outcome.loggedIn
          ? `the SP logged in ${outcome.nameId ?? 'a user'}, not the other SP's user (${outcome.observed})`
          : `no session (${outcome.observed})`,
      xml: ctx.idp.lastResponse()?.xml,
      ...(outcome.loggedIn ? {} : { refusal: true as const }),
    });
  },
});
