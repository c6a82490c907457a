// Negative cases on where a Response says it is going and who says it sent it. Each is signed by
// the IdP's own key, so only an SP that checks the field itself refuses it: a Response captured on
// its way to another SP, or issued by another IdP the SP also trusts, must not log anyone in here.
import { responseFaultScenario, type ResponseFault } from '../../support.ts';

const ELSEWHERE = 'https://another-sp.samlconf.test/saml/acs';

const FAULTS: ResponseFault[] = [
  {
    id: 'sp-wrong-recipient-rejected',
    title: "A bearer assertion whose Recipient is another SP's ACS is rejected",
    group: 'addressing',
    refs: ['profiles-4.1.4.3', 'core-2.4.1.2'],
    requirement: 'profiles-4.1.4.3',
    expected: 'the SP rejects a bearer confirmation addressed to another ACS URL',
    response: { recipient: ELSEWHERE },
  },
  {
    id: 'sp-wrong-destination-rejected',
    title: "A signed Response whose Destination is another SP's ACS is rejected",
    group: 'addressing',
    refs: ['core-3.2.2', 'bindings-3.5.5.2'],
    requirement: 'bindings-3.5.5.2',
    expected: 'the SP rejects a signed Response whose Destination is not the URL it arrived at',
    response: { destination: ELSEWHERE },
  },
  {
    id: 'sp-wrong-issuer-rejected',
    title: 'A Response and assertion naming another IdP as Issuer are rejected',
    group: 'addressing',
    refs: ['profiles-4.1.4.2', 'profiles-4.1.4.3'],
    requirement: 'profiles-4.1.4.2',
    expected: 'the SP rejects a Response whose Issuer is not the IdP it trusts for this login',
    response: { issuer: 'https://another-idp.samlconf.test/metadata' },
  },
];

export default FAULTS.map(responseFaultScenario);
