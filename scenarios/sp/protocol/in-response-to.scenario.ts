// Negative cases on InResponseTo (docs/attacks.md, InResponseTo): an SP-initiated login whose signed Response
// does not answer the request this browser's login sent. A Response minted for another login (or
// one with the correlation stripped) must not open a session here, even though the IdP signed it.
import { responseFaultScenario, type ResponseFault } from '../../support.ts';

const FAULTS: ResponseFault[] = [
  {
    id: 'sp-wrong-in-response-to-rejected',
    title: "A Response answering another request ID than the SP's AuthnRequest is rejected",
    group: 'protocol',
    refs: ['core-3.2.2', 'profiles-4.1.4.3', 'core-2.4.1.2'],
    requirement: 'profiles-4.1.4.3',
    expected: 'the SP rejects a Response (and bearer confirmation) whose InResponseTo is not the ID of the request it sent',
    // Both the Response and the SubjectConfirmationData name the same foreign request.
    response: { inResponseTo: '_samlconf-request-the-sp-never-sent' },
  },
  {
    id: 'sp-missing-in-response-to-rejected',
    title: 'A Response without InResponseTo is rejected while the SP waits for the answer to its own request',
    group: 'protocol',
    refs: ['core-3.2.2', 'profiles-4.1.4.3', 'profiles-4.1.5'],
    requirement: 'profiles-4.1.4.3',
    expected: 'the SP rejects a Response that drops the InResponseTo of the request it sent (an SP-initiated login is not an unsolicited one)',
    response: { inResponseTo: null },
  },
];

export default FAULTS.map(responseFaultScenario);
