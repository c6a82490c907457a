import { defineSpScenario } from '../../../harness/context.ts';
import { requiresPostAcs } from '../../support.ts';

export default [
  defineSpScenario({
    id: 'sp-idp-initiated-sso',
    title: 'IdP-initiated SSO: an unsolicited signed Response logs the user in',
    group: 'idp-initiated',
    refs: ['profiles-4.1.5', 'profiles-4.1.4.3'],
    applies: (t) =>
      !t.capabilities.includes('idp-initiated') ? 'the target does not declare the idp-initiated capability' : requiresPostAcs(t),
    async run({ idp, check, idpInitiatedLogin, isLoggedInAs, testUser }) {
      idp.setPlan({ user: testUser });
      const outcome = await idpInitiatedLogin();
      const sent = outcome.sent;
      check.must(sent !== undefined && isLoggedInAs(outcome, sent), {
        check: 'asserted-user-logged-in',
        requirement: 'profiles-4.1.5',
        expected: `the SP logs in ${sent?.nameId ?? 'the asserted NameID'} from an unsolicited Response`,
        observed: outcome.loggedIn ? `logged in as ${outcome.nameId ?? '(unknown)'}` : `nobody logged in: ${outcome.observed}`,
        xml: idp.lastResponse()?.xml,
      });
    },
  }),
  defineSpScenario({
    id: 'sp-unsolicited-response-needs-opt-in',
    title: 'An SP that has not opted in to IdP-initiated SSO ignores unsolicited Responses',
    group: 'idp-initiated',
    refs: ['attack-unsolicited', 'profiles-4.1.5'],
    applies: (t) => (t.capabilities.includes('idp-initiated') ? 'the target declares IdP-initiated SSO, so unsolicited Responses are expected' : requiresPostAcs(t)),
    async run(ctx) {
      ctx.idp.setPlan({ user: ctx.testUser });
      const outcome = await ctx.idpInitiatedLogin();
      // Accepting unsolicited logins without an explicit switch is a risky default, not a breach.
      if (!outcome.responseDelivered) throw new Error('the mock IdP did not deliver the unsolicited Response');
      ctx.check.should(!outcome.loggedIn, {
        check: 'unsolicited-response-ignored',
        requirement: 'attack-unsolicited',
        expected: 'no session from a Response the SP never asked for (declare the idp-initiated capability if this is intended)',
        observed: outcome.loggedIn ? `the SP logged in ${outcome.nameId ?? 'a user'}` : 'no session',
        xml: ctx.idp.lastResponse()?.xml,
        // Counts once the SP-initiated login of the same user (the default control) gets through.
        refusal: true,
      });
    },
  }),
];
