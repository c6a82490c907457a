// Where the SP learns about its IdP: the IdP's metadata (file or URL), with the single
// SAMLCONF_IDP_* variables filling in or overriding what metadata says.
import { readFileSync } from 'node:fs';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { env, readFileOrUrl } from '../lib/runtime.ts';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export interface IdpSettings {
  entityId: string;
  ssoUrl: string;
  /** Binding of ssoUrl: node-saml sends Redirect by default, POST when only that is offered. */
  ssoBinding: 'redirect' | 'post';
  sloUrl?: string;
  /** Signing certificates as base64 bodies (node-saml's idpCert accepts them this way). */
  signingCerts: string[];
  wantAuthnRequestsSigned: boolean;
}

interface IdpMetadataFacts {
  entityId?: string;
  ssoRedirect?: string;
  ssoPost?: string;
  sloRedirect?: string;
  signingCerts: string[];
  wantAuthnRequestsSigned: boolean;
}

/** Reads IdP facts from metadata XML: the first IDPSSODescriptor of the (first) EntityDescriptor. */
export function readIdpMetadata(xml: string): IdpMetadataFacts {
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(`IdP metadata is not well-formed: ${message}`);
    },
  }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  if (!root) throw new Error('IdP metadata is empty');
  const entity = root.localName === 'EntityDescriptor' && root.namespaceURI === MD
    ? root
    : (root.getElementsByTagNameNS(MD, 'EntityDescriptor')[0] as Element | undefined);
  if (!entity) throw new Error('IdP metadata has no md:EntityDescriptor');
  const idp = entity.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0] as Element | undefined;
  if (!idp) throw new Error('IdP metadata has no md:IDPSSODescriptor');

  const endpoint = (name: string, binding: string): string | undefined => {
    for (const el of Array.from(idp.getElementsByTagNameNS(MD, name))) {
      if (el.getAttribute('Binding') === binding) return el.getAttribute('Location') ?? undefined;
    }
    return undefined;
  };
  const signingCerts: string[] = [];
  for (const kd of Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))) {
    const use = kd.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const c of Array.from(kd.getElementsByTagNameNS(DS, 'X509Certificate'))) {
      const body = (c.textContent ?? '').replace(/\s+/g, '');
      if (body) signingCerts.push(body);
    }
  }
  return {
    entityId: entity.getAttribute('entityID') ?? undefined,
    ssoRedirect: endpoint('SingleSignOnService', REDIRECT),
    ssoPost: endpoint('SingleSignOnService', POST),
    sloRedirect: endpoint('SingleLogoutService', REDIRECT),
    signingCerts,
    wantAuthnRequestsSigned: idp.getAttribute('WantAuthnRequestsSigned') === 'true',
  };
}

/** Combines metadata and single variables; throws a message that says which variable is missing. */
export async function loadIdpSettings(): Promise<IdpSettings> {
  const metadataXml = await readFileOrUrl(env('SAMLCONF_IDP_METADATA_FILE'), env('SAMLCONF_IDP_METADATA_URL'));
  const facts: IdpMetadataFacts = metadataXml ? readIdpMetadata(metadataXml) : { signingCerts: [], wantAuthnRequestsSigned: false };

  const certFile = env('SAMLCONF_IDP_CERT_FILE');
  const signingCerts = certFile ? [readFileSync(certFile, 'utf8')] : facts.signingCerts;
  const entityId = env('SAMLCONF_IDP_ENTITY_ID') ?? facts.entityId;
  const explicitSso = env('SAMLCONF_IDP_SSO_URL');
  const ssoUrl = explicitSso ?? facts.ssoRedirect ?? facts.ssoPost;
  const ssoBinding = explicitSso || facts.ssoRedirect ? 'redirect' : 'post';

  const missing: string[] = [];
  if (!entityId) missing.push('IdP entity ID (SAMLCONF_IDP_ENTITY_ID or metadata)');
  if (!ssoUrl) missing.push('IdP SSO URL (SAMLCONF_IDP_SSO_URL or metadata SingleSignOnService)');
  if (signingCerts.length === 0) missing.push('IdP signing certificate (SAMLCONF_IDP_CERT_FILE or metadata KeyDescriptor)');
  if (missing.length > 0) {
    throw new Error(
      `node-saml-sp cannot start: missing ${missing.join('; ')}. ` +
        'Set SAMLCONF_IDP_METADATA_FILE or SAMLCONF_IDP_METADATA_URL, or the single SAMLCONF_IDP_* variables.',
    );
  }
  return {
    entityId: entityId!,
    ssoUrl: ssoUrl!,
    ssoBinding,
    sloUrl: facts.sloRedirect,
    signingCerts,
    wantAuthnRequestsSigned: facts.wantAuthnRequestsSigned,
  };
}
