// The login Response this IdP issues, as a samlify template. samlify's built-in template has no
// AuthnStatement, which the Web SSO profile requires, so the IdP brings its own; samlify still
// fills in the attribute statement and does all signing.
import samlify from 'samlify';

const PASSWORD_PROTECTED_TRANSPORT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
const BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';

export const LOGIN_RESPONSE_TEMPLATE =
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"' +
  ' ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">' +
  '<saml:Issuer>{Issuer}</saml:Issuer>' +
  '<samlp:Status><samlp:StatusCode Value="{StatusCode}"/></samlp:Status>' +
  '<saml:Assertion xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' +
  ' ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}">' +
  '<saml:Issuer>{Issuer}</saml:Issuer>' +
  '<saml:Subject><saml:NameID Format="{NameIDFormat}">{NameID}</saml:NameID>' +
  '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
  '<saml:SubjectConfirmationData NotOnOrAfter="{SubjectConfirmationDataNotOnOrAfter}" Recipient="{SubjectRecipient}" InResponseTo="{InResponseTo}"/>' +
  '</saml:SubjectConfirmation></saml:Subject>' +
  '<saml:Conditions NotBefore="{ConditionsNotBefore}" NotOnOrAfter="{ConditionsNotOnOrAfter}">' +
  '<saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>' +
  '<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}">' +
  `<saml:AuthnContext><saml:AuthnContextClassRef>${PASSWORD_PROTECTED_TRANSPORT}</saml:AuthnContextClassRef></saml:AuthnContext>` +
  '</saml:AuthnStatement>' +
  '{AttributeStatement}' +
  '</saml:Assertion></samlp:Response>';

/** Released attributes; samlify names their template tags attrEmail, attrUid, attrDisplayName. */
export const RELEASED_ATTRIBUTES = [
  { name: 'email', valueTag: 'email', nameFormat: BASIC, valueXsiType: 'xs:string' },
  { name: 'uid', valueTag: 'uid', nameFormat: BASIC, valueXsiType: 'xs:string' },
  { name: 'displayName', valueTag: 'displayName', nameFormat: BASIC, valueXsiType: 'xs:string' },
];

export interface ResponseValues {
  id: string;
  assertionId: string;
  issuer: string;
  destination: string;
  audience: string;
  nameIdFormat: string;
  nameId: string;
  /** null for an unsolicited (IdP-initiated) response: the attribute is then left out. */
  inResponseTo: string | null;
  authnInstant: Date;
  sessionIndex: string;
  attributes: { email: string; uid: string; displayName: string };
  validForMs: number;
}

/** Fills the template (samlify escapes every value) into the shape customTagReplacement returns. */
export function fillLoginResponse(template: string, v: ResponseValues): { id: string; context: string } {
  const now = new Date();
  const until = new Date(now.getTime() + v.validForMs).toISOString();
  const context = samlify.SamlLib.replaceTagsByValue(template, {
    ID: v.id,
    AssertionID: v.assertionId,
    IssueInstant: now.toISOString(),
    Destination: v.destination,
    InResponseTo: v.inResponseTo,
    Issuer: v.issuer,
    StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
    NameIDFormat: v.nameIdFormat,
    NameID: v.nameId,
    SubjectConfirmationDataNotOnOrAfter: until,
    SubjectRecipient: v.destination,
    ConditionsNotBefore: now.toISOString(),
    ConditionsNotOnOrAfter: until,
    Audience: v.audience,
    AuthnInstant: v.authnInstant.toISOString(),
    SessionIndex: v.sessionIndex,
    attrEmail: v.attributes.email,
    attrUid: v.attributes.uid,
    attrDisplayName: v.attributes.displayName,
  });
  return { id: v.id, context };
}
