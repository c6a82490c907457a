// Non-success status with an assertion present (docs/attacks.md, error status with an assertion). The IdP says the login failed
// yet ships a signed assertion anyway; only the top-level StatusCode tells the SP not to use it.
// The assertion is for the legitimate user and valid in every other respect, so a login can only
// come from an SP that never reads the status.
import { STATUS } from '../../../saml/constants.ts';
import { responseFaultScenario, type ResponseFault } from '../../support.ts';

const FAULTS: ResponseFault[] = [
  {
    id: 'sp-error-status-with-assertion-rejected',
    title: 'A Response whose StatusCode is Responder/AuthnFailed is not a login, even with a valid signed assertion inside',
    group: 'protocol',
    refs: ['core-3.2.2.2', 'profiles-4.1.4.2'],
    requirement: 'core-3.2.2.2',
    expected: 'the SP treats a non-Success top-level StatusCode as a failed login and ignores any assertion in it',
    response: { status: { code: STATUS.responder, subCode: STATUS.authnFailed, message: 'authentication failed' }, includeAssertion: true },
  },
];

export default FAULTS.map(responseFaultScenario);
