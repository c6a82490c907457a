// Every SAML message builder, in one import.
export { newId, samlTime, addSeconds } from './ids.ts';
export { BUILDER_DEFAULTS } from './defaults.ts';
export type { NameIdOptions, ConditionsOptions, StatusOptions, ProtocolHeaderOptions } from './parts.ts';
export { buildAuthnRequest } from './authn-request.ts';
export type { AuthnRequestOptions, AuthnContextComparison, IdpEntryOptions } from './authn-request.ts';
export { buildAssertion, buildResponse, buildLoginResponse } from './response.ts';
export type {
  AttributeOptions,
  SubjectConfirmationOptions,
  AuthnStatementOptions,
  AssertionOptions,
  ResponseOptions,
  LoginResponseParams,
} from './response.ts';
export { buildLogoutRequest, buildLogoutResponse } from './logout.ts';
export type { LogoutRequestOptions, LogoutResponseOptions } from './logout.ts';
export { buildArtifactResolve, buildArtifactResponse } from './artifact.ts';
export type { ArtifactResolveOptions, ArtifactResponseOptions } from './artifact.ts';
