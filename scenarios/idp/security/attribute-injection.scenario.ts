// Injection into signed output: a user's own profile data holding XML markup, e.g. a display name
// `x</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin`.
// An IdP that builds its assertion as a string template pastes the markup in as elements and then
// signs it: the SP receives a valid signature over an attribute (role=admin) the user never had.
// The IdP must escape the value, so the signed assertion carries it verbatim as text.
//
// The harness cannot create users at a target, so the scenario needs one configured for it: a test
// user in the target config whose `attributes` list a value containing markup, exactly as stored
// at the IdP and under the attribute name the IdP releases it as. Without one it is not applicable.
import { defineIdpScenario, type IdpTargetContext } from '../../../harness/context.ts';
import { NotApplicableError } from '../../../harness/scenario.ts';
import type { TargetUser } from '../../../harness/config.ts';
import { requiresSsoBinding } from '../../support.ts';
import { carriesAssertion, describeOutcome, signedAssertionOf } from '../acs-outcome.ts';

interface Payload {
  attribute: string;
  value: string;
  /** The attribute the markup would create, when it names one. */
  injectedName?: string;
}

const INJECTED_NAME = /<\s*(?:[\w.-]+:)?Attribute\b[^>]*?\bName\s*=\s*["']([^"']+)["']/;

function payloadsOf(user: TargetUser): Payload[] {
  return Object.entries(user.attributes ?? {}).flatMap(([attribute, values]) =>
    (Array.isArray(values) ? values : [values])
      .filter((value) => value.includes('</'))
      .map((value) => ({ attribute, value, ...(INJECTED_NAME.test(value) ? { injectedName: INJECTED_NAME.exec(value)![1]! } : {}) })),
  );
}

function injectionUser(ctx: IdpTargetContext): { user: TargetUser; payloads: Payload[] } {
  for (const user of ctx.target.config.users ?? []) {
    const payloads = payloadsOf(user);
    if (payloads.length) return { user, payloads };
  }
  throw new NotApplicableError('no configured test user has an attribute value containing XML markup (add such a user at the IdP and list it in the target config with that attribute)');
}

export default defineIdpScenario({
  id: 'idp-attribute-markup-escaped',
  title: 'A user attribute holding XML markup comes back as escaped text in the signed assertion, never as elements',
  group: 'security',
  refs: ['attack-signed-output-injection', 'profiles-4.1.4.2'],
  applies: requiresSsoBinding('redirect'),
  async run(ctx) {
    const { sp, check, loginAtIdp } = ctx;
    const { user, payloads } = injectionUser(ctx);
    sp.setPlan({ binding: 'redirect' });
    const outcome = await loginAtIdp({ user, waitMs: 8000 });
    if (!carriesAssertion(outcome)) throw new Error(`${user.username} got no assertion, so nothing shows how the IdP writes the attribute (${describeOutcome(outcome)})`);
    const assertion = signedAssertionOf(outcome);
    if (!assertion) throw new Error(`no signed, unencrypted assertion could be read (${describeOutcome(outcome)})`);

    const configured = new Set(Object.keys(user.attributes ?? {}));
    const problems: string[] = [];
    const fine: string[] = [];
    for (const p of payloads) {
      const released = assertion.attributes[p.attribute] ?? [];
      const anywhere = Object.values(assertion.attributes).some((vs) => vs.includes(p.value));
      if (released.includes(p.value) || anywhere) fine.push(`attribute ${p.attribute} came back verbatim, markup as text`);
      else problems.push(`attribute ${p.attribute} came back as ${JSON.stringify(released)}, not as the stored value`);
      if (p.injectedName !== undefined && !configured.has(p.injectedName) && assertion.attributes[p.injectedName] !== undefined) {
        problems.push(`the signed assertion carries an attribute ${p.injectedName} = ${JSON.stringify(assertion.attributes[p.injectedName])} that ${user.username} does not have`);
      } else if (p.injectedName !== undefined) fine.push(`no attribute ${p.injectedName} appeared`);
    }
    check.must(problems.length === 0, {
      check: 'user-data-escaped-in-assertion',
      requirement: 'attack-signed-output-injection',
      expected: `the signed assertion for ${user.username} holds each configured value as the text of one AttributeValue, and no attribute the markup spells out`,
      observed: problems.length ? problems.join('; ') : fine.join('; '),
      xml: outcome?.xml,
    });
  },
});
