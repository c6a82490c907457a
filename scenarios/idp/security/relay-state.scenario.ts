// RelayState the SP sends with its AuthnRequest must come back exactly as sent (Bindings 3.4.3 /
// 3.5.3), or the IdP refuses the request. Two payloads: markup that breaks out of an HTML attribute
// and opens a script (an IdP that pastes RelayState into its auto-POST page unescaped hands the
// attacker script on the IdP's origin), and a value longer than the 80 bytes the bindings allow.
import { defineIdpScenario } from '../../../harness/context.ts';
import { requiresSsoBinding } from '../../support.ts';
import { describeOutcome, readableResponse } from '../acs-outcome.ts';

type Payload = 'script' | 'long';

/** Name of the function the script payload calls: exposed to the page, so any execution is seen. */
const XSS_PROBE = '__samlconfRelayStateXss';

const PAYLOADS: Record<Payload, string> = {
  // Quotes, angle brackets and an ampersand: every character an HTML context has to encode.
  script: `rs"'><script>${XSS_PROBE}()</script>&amp;<b>`,
  // 200 bytes of URL-safe text: plainly too long, nothing that needs escaping.
  long: `/deep/link?${'x'.repeat(200 - '/deep/link?'.length - 4)}&e=1`,
};

const quote = (s: string) => JSON.stringify(s);

export default defineIdpScenario<{ payload: Payload }>({
  id: 'idp-relay-state',
  title: (v) =>
    v.payload === 'script'
      ? 'A RelayState holding HTML and a script comes back byte-identical and never runs in the browser'
      : `A RelayState of ${PAYLOADS.long.length} bytes (over the 80-byte limit) comes back byte-identical or is refused`,
  group: 'security',
  refs: ['bindings-3.4.3', 'attack-relaystate'],
  variants: { payload: ['script', 'long'] },
  applies: requiresSsoBinding('redirect'),
  control: () => ({ plan: { binding: 'redirect' } }),
  async run({ variant, sp, page, check, loginAtIdp }) {
    const sent = PAYLOADS[variant.payload];
    let executed = false;
    if (variant.payload === 'script') await page.exposeFunction(XSS_PROBE, () => void (executed = true));
    sp.setPlan({ binding: 'redirect', relayState: sent });
    const outcome = await loginAtIdp({ waitMs: 6000 });
    // RelayState travels beside a SAML message; beside one nobody can read, it says nothing.
    if (outcome) readableResponse(outcome, 'how the IdP answered the request');

    if (variant.payload === 'script') {
      check.must(!executed, {
        check: 'relay-state-script-not-run',
        requirement: 'attack-relaystate',
        expected: 'the script inside RelayState is never executed: the IdP encodes it wherever it writes it into a page',
        observed: executed ? `the script in RelayState ran in the browser (${describeOutcome(outcome)})` : 'the script in RelayState did not run',
      });
    }
    // Refusing the request is allowed; answering with a RelayState other than the one sent is not.
    const returned = outcome?.relayState;
    const intact = outcome === undefined || returned === sent;
    const observed = !outcome
      ? 'nothing reached the mock SP (the request was refused)'
      : returned === sent
        ? `RelayState came back byte-identical (${Buffer.byteLength(sent)} bytes)`
        : returned === undefined
          ? `RelayState was dropped: ${describeOutcome(outcome)} without one`
          : `RelayState came back altered: ${quote(returned)} (${Buffer.byteLength(returned)} bytes) instead of ${quote(sent)}`;
    check.must(intact, {
      check: 'relay-state-returned-intact',
      requirement: 'bindings-3.4.3',
      expected: `the Response carries exactly the RelayState sent, ${quote(sent)}, or the request is refused`,
      observed,
      xml: outcome?.xml,
      // A refused request counts once the same request without the payload is answered.
      ...(outcome === undefined ? { refusal: true as const } : {}),
    });
  },
});
