// Positive Single Logout against an SP, with the mock IdP as session authority: the SP starts
// logout itself, or answers the IdP's LogoutRequest. Both must end the session, and every message
// the SP sends must pass the logout rules (signature, Destination, Issuer, NameID/SessionIndex of
// the session, InResponseTo, status).
import { checkLogoutMessage, defineSpScenario } from '../../../harness/context.ts';
import { loginBeforeLogout, requiresSpLogoutUrl, requiresSpSlo, sessionOf } from './slo-support.ts';

export default [
  defineSpScenario({
    id: 'sp-slo-sp-initiated',
    title: 'SP-initiated Single Logout: the SP sends a valid LogoutRequest for the session and ends it',
    group: 'slo',
    refs: ['profiles-4.4.3.1', 'profiles-4.4.4.1', 'core-3.7.1', 'bindings-3.5.6'],
    applies: requiresSpLogoutUrl,
    async run(ctx) {
      const login = await loginBeforeLogout(ctx);
      const out = await ctx.spInitiatedLogout();
      const request = out.logoutRequest;
      ctx.check.must(request !== undefined, {
        check: 'logout-request-sent',
        requirement: 'profiles-4.4.3.1',
        expected: 'opening the logout URL makes the SP send the IdP a LogoutRequest',
        observed: request ? `a LogoutRequest arrived over HTTP-${request.binding === 'post' ? 'POST' : 'Redirect'}` : `no LogoutRequest reached the IdP (browser ended at ${out.finalUrl})`,
      });
      if (request) checkLogoutMessage(ctx.check, request.validation, request.xml, 'logout-request');
      // The IdP's valid LogoutResponse ends the exchange at the SP's SingleLogoutService: an HTTP
      // error there is the SP refusing it (node-saml's 400), never a SAML answer (Bindings 3.4.6, 3.5.6).
      const delivery = out.logoutResponseDelivery;
      if (delivery) {
        ctx.check.must(delivery.status < 400, {
          check: 'logout-response-accepted',
          requirement: delivery.binding === 'post' ? 'bindings-3.5.6' : 'bindings-3.4.6',
          expected: "the SP's SingleLogoutService takes the IdP's valid Success LogoutResponse without an HTTP error",
          observed: `the SP answered the LogoutResponse (HTTP-${delivery.binding === 'post' ? 'POST' : 'Redirect'} to ${delivery.url.split('?')[0]}) with HTTP ${delivery.status}`,
        });
      }
      ctx.check.must(!out.loggedIn, {
        check: 'session-ended',
        requirement: 'profiles-4.4.3.1',
        expected: `after logout nobody is logged in at the SP (${login.nameId} was)`,
        observed: out.loggedIn ? `still logged in: ${out.observed}` : `nobody logged in (${out.observed})`,
        xml: request?.xml,
      });
    },
  }),
  defineSpScenario({
    id: 'sp-slo-idp-initiated',
    title: 'IdP-initiated Single Logout: the SP ends the session and answers with a valid LogoutResponse',
    group: 'slo',
    refs: ['core-3.7.3.1', 'profiles-4.4.3.4', 'profiles-4.4.4.2', 'core-3.7.2'],
    applies: (t) => requiresSpSlo(t),
    async run(ctx) {
      const login = await loginBeforeLogout(ctx);
      const out = await ctx.idpInitiatedLogout({
        ...sessionOf(login),
      });
      if (!out.deliveredToSp) throw new Error(`the mock IdP's LogoutRequest never reached the SP's SLO endpoint (browser at ${out.finalUrl})`);
      ctx.check.must(!out.loggedIn, {
        check: 'session-ended',
        requirement: 'core-3.7.3.1',
        expected: `a signed LogoutRequest naming ${login.nameId} and its SessionIndex ends that session`,
        observed: out.loggedIn ? `still logged in: ${out.observed}` : `nobody logged in (${out.observed})`,
        xml: out.sentXml,
      });
      const response = out.logoutResponse;
      ctx.check.must(response !== undefined, {
        check: 'logout-response-sent',
        requirement: 'profiles-4.4.3.4',
        expected: 'the SP answers the LogoutRequest with a LogoutResponse to the IdP',
        observed: response ? `a LogoutResponse arrived over HTTP-${response.binding === 'post' ? 'POST' : 'Redirect'}` : `no LogoutResponse came back (browser ended at ${out.finalUrl})`,
        xml: out.sentXml,
      });
      if (response) checkLogoutMessage(ctx.check, response.validation, response.xml, 'logout-response');
    },
  }),
];
