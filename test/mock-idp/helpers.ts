// Shared set-up for the mock IdP tests: credentials (made once per file), SP metadata, a started
// mock IdP on 127.0.0.1, an SP-side AuthnRequest, and a reader for the auto-POST page.
import { encodeRedirect, encodePostFields } from '../../saml/bindings/index.ts';
import { buildAuthnRequest, type AuthnRequestOptions } from '../../saml/builders/index.ts';
import { BINDING } from '../../saml/constants.ts';
import { createCredential, type Credential } from '../../saml/keys.ts';
import { buildSpMetadata } from '../../saml/metadata.ts';
import { signRoot } from '../../saml/signature.ts';
import { startMockIdp, type MockIdp, type MockIdpOptions } from '../../mock-idp/index.ts';

export const SP_ENTITY_ID = 'https://sp.samlconf.test/metadata';
export const SP_ACS = 'https://sp.samlconf.test/acs';
export const SP_ACS_2 = 'https://sp.samlconf.test/acs-second';
export const SP_SLO = 'https://sp.samlconf.test/slo';

let creds: { idp: Credential; sp: Credential; spEnc: Credential; attacker: Credential } | undefined;
export function credentials() {
  creds ??= {
    idp: createCredential({ type: 'rsa' }, { commonName: 'test idp' }),
    sp: createCredential({ type: 'rsa' }, { commonName: 'test sp' }),
    spEnc: createCredential({ type: 'rsa' }, { commonName: 'test sp enc' }),
    attacker: createCredential({ type: 'rsa' }, { commonName: 'test attacker' }),
  };
  return creds;
}

export function spMetadata(o: { withSlo?: boolean; withEncryption?: boolean; sloBindings?: Array<'redirect' | 'post'> } = {}): string {
  const c = credentials();
  return buildSpMetadata({
    entityId: SP_ENTITY_ID,
    signingCertPem: c.sp.certPem,
    ...(o.withEncryption ? { encryptionCertPem: c.spEnc.certPem } : {}),
    acsServices: [
      { binding: BINDING.post, location: SP_ACS, index: 0, isDefault: true },
      { binding: BINDING.post, location: SP_ACS_2, index: 1 },
    ],
    ...(o.withSlo === false
      ? {}
      : { sloServices: (o.sloBindings ?? ['redirect', 'post']).map((b) => ({ binding: BINDING[b], location: SP_SLO })) }),
    authnRequestsSigned: true,
    wantAssertionsSigned: true,
  });
}

export async function startIdp(o: Partial<MockIdpOptions> = {}): Promise<MockIdp> {
  const c = credentials();
  return startMockIdp({
    signing: c.idp,
    attacker: c.attacker,
    publicBaseUrl: (p) => `http://127.0.0.1:${p}`,
    sp: { metadataXml: spMetadata({ withEncryption: true }) },
    ...o,
  });
}

export function authnRequest(idp: MockIdp, o: AuthnRequestOptions = {}, url = idp.ssoUrl): string {
  return buildAuthnRequest({ issuer: SP_ENTITY_ID, destination: url, assertionConsumerServiceUrl: SP_ACS, ...o });
}

/** The Redirect-binding URL of an AuthnRequest, signed with the SP key unless sign is false. */
export function redirectUrl(idp: MockIdp, xml: string, o: { sign?: boolean | Credential; relayState?: string } = {}): string {
  const key = o.sign === false ? undefined : o.sign === true || o.sign === undefined ? credentials().sp : o.sign;
  return encodeRedirect({
    endpoint: idp.ssoUrl,
    param: 'SAMLRequest',
    xml,
    ...(o.relayState !== undefined ? { relayState: o.relayState } : {}),
    ...(key ? { sign: { privateKeyPem: key.key.privateKeyPem } } : {}),
  });
}

/** POST an AuthnRequest (XML-signed with the SP key unless sign is false) to the POST SSO URL. */
export async function postRequest(idp: MockIdp, xml: string, o: { sign?: boolean; relayState?: string; headers?: Record<string, string> } = {}) {
  const c = credentials();
  const body = o.sign === false ? xml : signRoot(xml, { privateKeyPem: c.sp.key.privateKeyPem, certPem: c.sp.certPem });
  const fields = encodePostFields({ param: 'SAMLRequest', xml: body, ...(o.relayState !== undefined ? { relayState: o.relayState } : {}) });
  return fetch(idp.ssoPostUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(o.headers ?? {}) },
    body: new URLSearchParams(fields).toString(),
  });
}

function unescapeHtml(s: string): string {
  return s
    .replace(/&#10;/g, '\n')
    .replace(/&#13;/g, '\r')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The action and hidden fields of an auto-POST page; undefined when the page has no such form. */
export function readAutoPost(html: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form method="post" action="([^"]*)"/.exec(html);
  if (!form) return undefined;
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescapeHtml(m[1])] = unescapeHtml(m[2]);
  return { action: unescapeHtml(form[1]), fields };
}

export function decodeB64(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}
