// A captured AuthnRequest presented again: the very same request (same ID and IssueInstant) after
// it was answered once, and a correctly signed request whose IssueInstant lies an hour back.
// SAML does not oblige an IdP to remember request IDs or bound their age, so these are
// should-level checks: a target that answers earns a warning, not a failure.
import { randomBytes } from 'node:crypto';
import { defineIdpScenario } from '../../../harness/context.ts';
import { requiresSsoBinding } from '../../support.ts';
import { carriesAssertion, describeOutcome, noAssertionIssued } from '../acs-outcome.ts';

/** How far back the stale request was issued: far beyond any clock skew or freshness window. */
const STALE_SECONDS = 3600;

export default [
  defineIdpScenario({
    id: 'idp-replayed-authn-request-refused',
    title: 'An AuthnRequest sent again with the ID the IdP has already answered gets no second assertion',
    group: 'security',
    refs: ['attack-request-replay', 'core-3.2.1'],
    applies: requiresSsoBinding('redirect'),
    async run({ sp, check, loginAtIdp }) {
      const request = { id: `_samlconf-replay-${randomBytes(12).toString('hex')}`, issueInstant: new Date() };
      sp.setPlan({ binding: 'redirect', request });
      const first = await loginAtIdp();
      // Without a first answer, a refused second request would only show that this IdP refuses everything.
      if (!carriesAssertion(first)) throw new Error(`the original AuthnRequest ${request.id} was not answered with an assertion (${describeOutcome(first)}), so its replay proves nothing`);
      const proof = `the same request was answered with an assertion the first time (${describeOutcome(first)})`;
      sp.setPlan({ binding: 'redirect', request });
      const replay = await loginAtIdp({ waitMs: 6000 });
      check.should(noAssertionIssued(replay), {
        check: 'replayed-request-refused',
        requirement: 'attack-request-replay',
        expected: `the IdP answers AuthnRequest ${request.id} once; the identical request sent again gets no assertion`,
        observed: `first request: ${describeOutcome(first)}; the replay: ${describeOutcome(replay)}`,
        xml: replay?.xml,
        refusal: { provenBy: proof },
      });
    },
  }),
  defineIdpScenario({
    id: 'idp-stale-authn-request-refused',
    title: `A signed AuthnRequest issued ${STALE_SECONDS / 60} minutes ago gets no assertion`,
    group: 'security',
    refs: ['attack-request-replay', 'core-3.2.1'],
    applies: requiresSsoBinding('redirect'),
    control: () => ({ plan: { binding: 'redirect' } }),
    async run({ sp, check, loginAtIdp }) {
      const issueInstant = new Date(Date.now() - STALE_SECONDS * 1000);
      sp.setPlan({ binding: 'redirect', request: { issueInstant } });
      const outcome = await loginAtIdp({ waitMs: 6000 });
      check.should(noAssertionIssued(outcome), {
        check: 'stale-request-refused',
        requirement: 'attack-request-replay',
        expected: `no assertion for a request whose IssueInstant (${issueInstant.toISOString()}) is ${STALE_SECONDS} s old`,
        observed: describeOutcome(outcome),
        xml: outcome?.xml,
        refusal: true,
      });
    },
  }),
];
