// The metadata the mock SP publishes: its one registered ACS URL, for HTTP-POST (the default) and
// HTTP-Artifact (rogue /acs-* paths are deliberately absent), SLO over Redirect and POST, its keys
// and signing flags.
import { BINDING, NAMEID_FORMAT } from '../saml/constants.ts';
import { buildSpMetadata } from '../saml/metadata.ts';
import type { MockSpOptions } from './types.ts';

export const DEFAULT_NAMEID_FORMATS = [NAMEID_FORMAT.emailAddress, NAMEID_FORMAT.persistent, NAMEID_FORMAT.transient, NAMEID_FORMAT.unspecified];

/** `signsRequests`: what the SP really does with its AuthnRequests, stated as AuthnRequestsSigned. */
export function buildSpMetadataFor(urls: { entityId: string; acsUrl: string; sloUrl: string }, o: MockSpOptions, signsRequests: boolean): string {
  return buildSpMetadata({
    entityId: urls.entityId,
    signingCertPem: o.signing.certPem,
    encryptionCertPem: o.encryption?.certPem,
    acsServices: [
      { binding: BINDING.post, location: urls.acsUrl, index: 0, isDefault: true },
      { binding: BINDING.artifact, location: urls.acsUrl, index: 1 },
    ],
    sloServices: [
      { binding: BINDING.redirect, location: urls.sloUrl },
      { binding: BINDING.post, location: urls.sloUrl },
    ],
    nameIdFormats: o.nameIdFormats ?? DEFAULT_NAMEID_FORMATS,
    authnRequestsSigned: signsRequests,
    wantAssertionsSigned: o.wantAssertionsSigned ?? true,
  });
}
