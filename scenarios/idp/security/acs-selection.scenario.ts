// Where and how the IdP delivers the assertion when the AuthnRequest asks for an ACS the SP's
// metadata does not list: an AssertionConsumerServiceIndex that no endpoint carries, or a
// ProtocolBinding (HTTP-Redirect) that the SP lists for no ACS and that Web Browser SSO forbids for
// Responses. Either way an assertion may only reach a registered ACS location by a binding
// registered for it: Redirect would put the signed assertion in a URL (logs, Referer, history).
// An unrecognised URL is the sibling scenario idp-rogue-acs-url-refused.
import { defineIdpScenario } from '../../../harness/context.ts';
import { BINDING } from '../../../saml/constants.ts';
import { requiresSsoBinding } from '../../support.ts';
import { describeOutcome, noAssertionIssued } from '../acs-outcome.ts';
import type { AcsOutcome } from '../../../mock-sp/index.ts';

type Shape = 'unknown-index' | 'redirect-binding';

/** The mock SP registers indexes 0 (POST) and 1 (Artifact); this one names nothing. */
const UNKNOWN_INDEX = 99;
/** Bindings the mock SP registers its ACS for (mock-sp/metadata.ts). */
const REGISTERED_BINDINGS: ReadonlySet<AcsOutcome['binding']> = new Set(['post', 'artifact']);
const BINDING_NAME: Record<AcsOutcome['binding'], string> = { post: 'HTTP-POST', redirect: 'HTTP-Redirect', artifact: 'HTTP-Artifact' };

function delivered(o: AcsOutcome): string {
  return `${describeOutcome(o)}, delivered by ${BINDING_NAME[o.binding]}`;
}

export default defineIdpScenario<{ shape: Shape }>({
  id: 'idp-acs-selection',
  title: (v) =>
    v.shape === 'unknown-index'
      ? 'An AssertionConsumerServiceIndex not in the SP metadata gets an error or the default ACS, never another location'
      : 'ProtocolBinding HTTP-Redirect, which the SP lists for no ACS, never brings the assertion back by Redirect',
  group: 'security',
  refs: ['core-3.4.1', 'profiles-4.1.4.1', 'profiles-4.1.2', 'attack-rogue-acs'],
  variants: { shape: ['unknown-index', 'redirect-binding'] },
  applies: requiresSsoBinding('redirect'),
  control: () => ({ plan: { binding: 'redirect' } }),
  async run({ variant, sp, check, loginAtIdp }) {
    const request = variant.shape === 'unknown-index' ? { assertionConsumerServiceIndex: UNKNOWN_INDEX } : { protocolBinding: BINDING.redirect };
    sp.setPlan({ binding: 'redirect', request });
    const outcome = await loginAtIdp({ waitMs: 8000 });
    const misplaced = sp.responses().filter((r) => !noAssertionIssued(r) && (r.path !== '/acs' || !REGISTERED_BINDINGS.has(r.binding)));
    const asked = variant.shape === 'unknown-index' ? `AssertionConsumerServiceIndex ${UNKNOWN_INDEX}` : 'ProtocolBinding HTTP-Redirect';
    check.must(misplaced.length === 0, {
      check: 'assertion-only-at-registered-acs',
      requirement: variant.shape === 'unknown-index' ? 'core-3.4.1' : 'profiles-4.1.2',
      expected: `for ${asked}: an error, or an assertion at a registered ACS by a binding registered for it (HTTP-POST or HTTP-Artifact at /acs)`,
      observed: misplaced[0] ? delivered(misplaced[0]) : outcome ? delivered(outcome) : describeOutcome(outcome),
      xml: (misplaced[0] ?? outcome)?.xml,
      // No assertion anywhere is a refusal, which counts once a plain request gets one.
      ...(misplaced.length === 0 && noAssertionIssued(outcome) ? { refusal: true as const } : {}),
    });
    if (variant.shape !== 'unknown-index' || misplaced.length) return;
    // Core 3.4.1 lets the IdP choose: an error Response or the default ACS. A page of its own is neither.
    check.should(outcome !== undefined, {
      check: 'unknown-index-answered',
      requirement: 'core-3.4.1',
      expected: 'a Response to the SP: the assertion at the default ACS, or an error status',
      observed: outcome ? delivered(outcome) : `${describeOutcome(outcome)}: the IdP stopped on a page of its own`,
      xml: outcome?.xml,
    });
  },
});
