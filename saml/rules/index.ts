// The validation rules: what a strict SP applies to a Response, a session participant to logout
// messages, and the mock IdP to an AuthnRequest. Each finding names its rule and requirement.
export type * from './types.ts';
export { validateResponse, RESPONSE_RULES, prepareResponse } from './response.ts';
export type { ResponseSubject } from './response.ts';
export { validateLogoutRequest, validateLogoutResponse, LOGOUT_REQUEST_RULES, LOGOUT_RESPONSE_RULES } from './logout.ts';
export type { LogoutSubject } from './logout.ts';
export { validateAuthnRequest, AUTHN_REQUEST_RULES } from './authn-request.ts';
export type { AuthnRequestSubject } from './authn-request.ts';
export { parseSamlTime, DEFAULT_CLOCK_SKEW_SECONDS } from './common.ts';
