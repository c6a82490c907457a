// Negative cases on what the assertion says about when and for whom it may be used.
import { responseFaultScenario, type ResponseFault } from '../../support.ts';

const FAULTS: ResponseFault[] = [
  {
    id: 'sp-wrong-audience-rejected',
    title: 'An assertion whose Audience names another SP is rejected',
    group: 'conditions',
    refs: ['core-2.5.1.4', 'profiles-4.1.4.2', 'profiles-4.1.4.3'],
    requirement: 'core-2.5.1.4',
    expected: 'the SP rejects an assertion meant for another audience',
    response: { audience: 'https://another-sp.samlconf.test/metadata' },
  },
  {
    id: 'sp-expired-assertion-rejected',
    title: 'An assertion that expired ten minutes ago is rejected',
    group: 'conditions',
    refs: ['core-2.5.1.2', 'core-2.4.1.2', 'profiles-4.1.4.3'],
    requirement: 'core-2.5.1.2',
    expected: 'the SP rejects an assertion past its NotOnOrAfter (beyond any reasonable clock skew)',
    // Issued 15 minutes ago, valid for 5: both Conditions and SubjectConfirmationData have lapsed.
    response: { clockOffsetSeconds: -900, lifetimeSeconds: 300 },
  },
  {
    id: 'sp-not-yet-valid-assertion-rejected',
    title: 'An assertion whose NotBefore lies fifteen minutes in the future is rejected',
    group: 'conditions',
    refs: ['core-2.5.1.2', 'profiles-4.1.4.3'],
    requirement: 'core-2.5.1.2',
    expected: 'the SP rejects an assertion before its Conditions NotBefore (beyond any reasonable clock skew)',
    // Valid from now + 15 min until now + 30 min; IssueInstant is now.
    response: { notBeforeOffsetSeconds: 900, lifetimeSeconds: 1800 },
  },
  {
    id: 'sp-expired-subject-confirmation-rejected',
    title: 'A bearer confirmation that expired ten minutes ago is rejected while the Conditions are still valid',
    group: 'conditions',
    refs: ['profiles-4.1.4.3', 'core-2.4.1.2', 'core-2.5.1.2'],
    requirement: 'profiles-4.1.4.3',
    expected: 'the SP rejects an assertion whose bearer SubjectConfirmationData NotOnOrAfter has passed, whatever the Conditions say',
    // Issued 15 minutes ago: Conditions valid for an hour (as Azure AD and others do), the bearer
    // window only 5 minutes, so only SubjectConfirmationData has lapsed.
    response: { clockOffsetSeconds: -900, lifetimeSeconds: 3600, confirmationLifetimeSeconds: 300 },
  },
];

export default FAULTS.map(responseFaultScenario);
