// Shared fixtures for the mock SP tests: one IdP and SP identity per test file (RSA keys are slow
// to make), IdP metadata naming the IdP's certificate, and small HTTP helpers that talk to the
// server on its real loopback address while the messages carry its public *.test URLs.
import { buildLoginResponse } from '../../saml/builders/index.ts';
import type { AttributeOptions } from '../../saml/builders/index.ts';
import { BINDING, NAMEID_FORMAT } from '../../saml/constants.ts';
import { type Credential, createCredential } from '../../saml/keys.ts';
import { buildIdpMetadata } from '../../saml/metadata.ts';
import { signAssertions, signRoot } from '../../saml/signature.ts';
import { startMockSp } from '../../mock-sp/index.ts';
import type { MockSp, MockSpOptions } from '../../mock-sp/index.ts';

export const IDP_ENTITY_ID = 'https://idp.example.test/metadata';
export const IDP_SSO = 'https://idp.example.test/sso';
export const IDP_SSO_POST = 'https://idp.example.test/sso-post';
export const IDP_SLO = 'https://idp.example.test/slo';

let cached: { idp: Credential; sp: Credential; attacker: Credential } | undefined;

/** Keys for the IdP, the SP and an attacker, made once per test file. */
export function keys(): { idp: Credential; sp: Credential; attacker: Credential } {
  cached ??= { idp: createCredential(), sp: createCredential(), attacker: createCredential(undefined, { commonName: 'attacker' }) };
  return cached;
}

export function idpMetadata(o: { wantAuthnRequestsSigned?: boolean; slo?: boolean; artifactResolutionUrl?: string } = {}): string {
  return buildIdpMetadata({
    entityId: IDP_ENTITY_ID,
    signingCertPem: keys().idp.certPem,
    ssoServices: [
      { binding: BINDING.redirect, location: IDP_SSO },
      { binding: BINDING.post, location: IDP_SSO_POST },
    ],
    sloServices: o.slo === false ? [] : [
      { binding: BINDING.redirect, location: IDP_SLO },
      { binding: BINDING.post, location: IDP_SLO },
    ],
    artifactResolutionServices: o.artifactResolutionUrl ? [{ binding: BINDING.soap, location: o.artifactResolutionUrl, index: 0 }] : [],
    nameIdFormats: [NAMEID_FORMAT.emailAddress],
    wantAuthnRequestsSigned: o.wantAuthnRequestsSigned ?? false,
  });
}

export async function startSp(o: Partial<MockSpOptions> & { idpWantsSigned?: boolean } = {}): Promise<MockSp> {
  const { idpWantsSigned, ...rest } = o;
  return startMockSp({
    signing: keys().sp,
    attacker: keys().attacker,
    idp: { metadataXml: idpMetadata({ wantAuthnRequestsSigned: idpWantsSigned }) },
    ...rest,
  });
}

export interface ResponseParams {
  sp: MockSp;
  inResponseTo?: string | null;
  /** ACS path of the mock the Response is addressed to. Default '/acs'. */
  acsPath?: string;
  nameId?: string;
  attributes?: AttributeOptions[];
  audience?: string;
  /** 'assertion' (default), 'response', 'both' or 'none'. */
  sign?: 'assertion' | 'response' | 'both' | 'none';
  credential?: Credential;
  now?: Date;
  /** Edit the XML before signing. */
  before?: (xml: string) => string;
}

/** A Response from the test IdP for the mock SP, signed as asked. */
export function makeResponse(p: ResponseParams): string {
  const acsUrl = p.sp.baseUrl + (p.acsPath ?? '/acs');
  let xml = buildLoginResponse({
    idpEntityId: IDP_ENTITY_ID,
    spEntityId: p.sp.entityId,
    acsUrl,
    inResponseTo: p.inResponseTo ?? null,
    nameId: { value: p.nameId ?? 'alice@example.test', format: NAMEID_FORMAT.emailAddress },
    attributes: p.attributes ?? [{ name: 'email', values: [p.nameId ?? 'alice@example.test'] }],
    sessionIndex: '_session-1',
    now: p.now,
  });
  if (p.audience !== undefined) xml = xml.replace(`<saml:Audience>${p.sp.entityId}</saml:Audience>`, `<saml:Audience>${p.audience}</saml:Audience>`);
  if (p.before) xml = p.before(xml);
  const cred = p.credential ?? keys().idp;
  const opts = { privateKeyPem: cred.key.privateKeyPem, certPem: cred.certPem };
  const sign = p.sign ?? 'assertion';
  if (sign === 'assertion' || sign === 'both') xml = signAssertions(xml, opts);
  if (sign === 'response' || sign === 'both') xml = signRoot(xml, opts);
  return xml;
}

export interface Reply {
  status: number;
  location?: string;
  setCookie: string[];
  body: string;
}

/** POST a form to the mock SP's real address (no redirects followed). */
export async function postForm(sp: MockSp, path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(sp.listenUrl + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, location: res.headers.get('location') ?? undefined, setCookie: res.headers.getSetCookie(), body: await res.text() };
}

export async function get(sp: MockSp, pathAndQuery: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(sp.listenUrl + pathAndQuery, { redirect: 'manual', headers });
  return { status: res.status, location: res.headers.get('location') ?? undefined, setCookie: res.headers.getSetCookie(), body: await res.text() };
}

/** Post a Response to an ACS path. */
export function postResponse(sp: MockSp, xml: string, o: { path?: string; relayState?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const fields: Record<string, string> = { SAMLResponse: Buffer.from(xml, 'utf8').toString('base64') };
  if (o.relayState !== undefined) fields.RelayState = o.relayState;
  return postForm(sp, o.path ?? '/acs', fields, o.headers);
}

/** The JSON in the result page's <pre id="samlconf-result">. */
export function resultOf(html: string): { accepted: boolean; nameId: string | null; failedRules: string[]; ignoredRules: string[]; scenario: string; path: string } {
  const m = /<pre id="samlconf-result">([\s\S]*?)<\/pre>/.exec(html);
  if (!m) throw new Error(`no samlconf-result on the page:\n${html.slice(0, 500)}`);
  const text = m[1].replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return JSON.parse(text);
}

/** Cookie header value from Set-Cookie lines. */
export function cookieHeader(setCookie: string[]): string {
  return setCookie.map((c) => c.split(';')[0]).join('; ');
}
