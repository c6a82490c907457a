// The part of saml2-js 4's API this target uses (the package ships no type declarations). Names
// and shapes follow the package's README.
declare module 'saml2-js' {
  export interface ServiceProviderOptions {
    entity_id: string;
    private_key: string;
    certificate: string;
    assert_endpoint: string;
    alt_private_keys?: string[];
    alt_certs?: string[];
    audience?: string | RegExp;
    notbefore_skew?: number;
    force_authn?: boolean;
    auth_context?: { comparison: string; class_refs: string[] };
    nameid_format?: string;
    sign_get_request?: boolean;
    allow_unencrypted_assertion?: boolean;
  }

  export interface IdentityProviderOptions {
    sso_login_url: string;
    sso_logout_url: string;
    certificates: string | string[];
    force_authn?: boolean;
    sign_get_request?: boolean;
    allow_unencrypted_assertion?: boolean;
  }

  export interface AssertOptions {
    request_body: Record<string, unknown>;
    allow_unencrypted_assertion?: boolean;
    require_session_index?: boolean;
    audience?: string | RegExp;
    notbefore_skew?: number;
  }

  export interface SamlAssertResponse {
    response_header: { id?: string; destination?: string; in_response_to?: string; version?: string };
    type: 'authn_response' | 'logout_response' | 'logout_request';
    user?: {
      name_id?: string | null;
      session_index?: string;
      session_not_on_or_after?: string;
      attributes?: Record<string, string[]>;
      [pretty: string]: unknown;
    };
    /** logout_request only: what parse_logout_request read. */
    issuer?: string;
    name_id?: string;
    session_index?: string;
  }

  export class ServiceProvider {
    constructor(options: ServiceProviderOptions);
    create_login_request_url(
      idp: IdentityProvider,
      options: { relay_state?: string; auth_context?: unknown; nameid_format?: string; force_authn?: boolean; sign_get_request?: boolean },
      cb: (err: Error | null, loginUrl: string, requestId: string) => void,
    ): void;
    post_assert(idp: IdentityProvider, options: AssertOptions, cb: (err: Error | null, response: SamlAssertResponse) => void): void;
    redirect_assert(idp: IdentityProvider, options: AssertOptions, cb: (err: Error | null, response: SamlAssertResponse) => void): void;
    create_logout_request_url(
      idp: IdentityProvider | string,
      options: { name_id?: string; session_index?: string; sign_get_request?: boolean; relay_state?: string },
      cb: (err: Error | null, logoutUrl: string, requestId: string) => void,
    ): void;
    create_logout_response_url(
      idp: IdentityProvider | string,
      options: { in_response_to?: string; sign_get_request?: boolean; relay_state?: string },
      cb: (err: Error | null, responseUrl: string) => void,
    ): void;
    create_metadata(): string;
  }

  export class IdentityProvider {
    constructor(options: IdentityProviderOptions);
  }

  const saml2: { ServiceProvider: typeof ServiceProvider; IdentityProvider: typeof IdentityProvider };
  export default saml2;
}
