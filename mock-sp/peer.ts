// What the mock SP knows about its IdP, read from the IdP's metadata: entity ID, endpoints per
// binding, the certificates to pin, and whether it wants signed AuthnRequests.
import { BINDING } from '../saml/constants.ts';
import { type Endpoint, findEndpoint, parseMetadata, signingCerts } from '../saml/metadata.ts';
import type { SpBinding } from './types.ts';

export interface IdpView {
  entityId: string;
  ssoServices: Endpoint[];
  sloServices: Endpoint[];
  artifactResolutionServices: Endpoint[];
  signingCerts: string[];
  wantAuthnRequestsSigned: boolean;
  metadataXml: string;
}

export class PeerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeerError';
  }
}

const BINDING_URI: Record<SpBinding, string> = { redirect: BINDING.redirect, post: BINDING.post };

/** The first IdP entity in the document (an aggregate may hold several; the first IdP wins). */
export function readIdpMetadata(xml: string): IdpView {
  const entity = parseMetadata(xml).find((e) => e.idp);
  if (!entity?.idp) throw new PeerError('the IdP metadata has no SAML 2.0 IDPSSODescriptor');
  return {
    entityId: entity.entityId,
    ssoServices: entity.idp.ssoServices,
    sloServices: entity.idp.sloServices,
    artifactResolutionServices: entity.idp.artifactResolutionServices,
    signingCerts: signingCerts(entity.idp),
    wantAuthnRequestsSigned: entity.idp.wantAuthnRequestsSigned,
    metadataXml: xml,
  };
}

export function ssoEndpoint(idp: IdpView, binding: SpBinding): string {
  const e = findEndpoint(idp.ssoServices, BINDING_URI[binding]);
  if (!e) throw new PeerError(`the IdP metadata lists no SingleSignOnService for the HTTP-${binding === 'post' ? 'POST' : 'Redirect'} binding`);
  return e.location;
}

/** Where to send a logout message: ResponseLocation for responses when the IdP gives one. */
export function sloEndpoint(idp: IdpView, binding: SpBinding, forResponse: boolean): string {
  const e = findEndpoint(idp.sloServices, BINDING_URI[binding]);
  if (!e) throw new PeerError(`the IdP metadata lists no SingleLogoutService for the HTTP-${binding === 'post' ? 'POST' : 'Redirect'} binding`);
  return forResponse && e.responseLocation ? e.responseLocation : e.location;
}

/** A binding the IdP's SLO service supports, preferring the one asked for. */
export function sloBindingFor(idp: IdpView, preferred: SpBinding): SpBinding | undefined {
  const order: SpBinding[] = preferred === 'post' ? ['post', 'redirect'] : ['redirect', 'post'];
  return order.find((b) => findEndpoint(idp.sloServices, BINDING_URI[b]));
}
