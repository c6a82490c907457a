// The one SP this IdP serves. Its metadata is read again for every request, so the SP may be
// started (and its metadata written) after the IdP, and a changed metadata file takes effect at once.
import { readFileSync } from 'node:fs';
import samlify from 'samlify';
import { env, readFileOrUrl } from '../lib/runtime.ts';

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export type ServiceProvider = ReturnType<typeof samlify.ServiceProvider>;

export class SpUnavailableError extends Error {}

// Per-SP policy chosen by this IdP, not expressible in SP metadata: sign the whole Response as well
// as the assertion (many SPs, node-saml among them, require a signed Response by default), and sign
// LogoutResponses; LogoutRequests from the SP must be signed.
const SP_POLICY = {
  wantMessageSigned: true,
  wantLogoutResponseSigned: true,
  wantLogoutRequestSigned: true,
} as const;

export async function loadServiceProvider(): Promise<ServiceProvider> {
  let metadata: string | undefined;
  try {
    metadata = await readFileOrUrl(env('SAMLCONF_SP_METADATA_FILE'), env('SAMLCONF_SP_METADATA_URL'));
  } catch (err) {
    throw new SpUnavailableError(`SP metadata could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (metadata !== undefined) return samlify.ServiceProvider({ metadata, ...SP_POLICY });

  const entityID = env('SAMLCONF_SP_ENTITY_ID');
  const acsUrl = env('SAMLCONF_SP_ACS_URL');
  if (!entityID || !acsUrl) {
    throw new SpUnavailableError(
      'no SP configured: set SAMLCONF_SP_METADATA_FILE or SAMLCONF_SP_METADATA_URL, or SAMLCONF_SP_ENTITY_ID and SAMLCONF_SP_ACS_URL',
    );
  }
  const certFile = env('SAMLCONF_SP_CERT_FILE');
  return samlify.ServiceProvider({
    entityID,
    assertionConsumerService: [{ Binding: POST, Location: acsUrl }],
    signingCert: certFile ? readFileSync(certFile, 'utf8') : undefined,
    wantAssertionsSigned: true,
    ...SP_POLICY,
  });
}
