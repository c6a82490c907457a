// Personas: the mock IdP shaped the way a given product shapes its responses, so an SP vendor can
// show their product works with each. A persona decides the entity ID style, the URL layout, the
// NameID value per requested format, the attribute names and formats, what is signed and with
// which algorithm, and the assertion's time window. Plans can still override any of it.
//
// Every product-specific value below carries its source. Where a source gives no value, the
// generic defaults apply (and the comment says so) rather than an invented one.
import { createHash, randomUUID } from 'node:crypto';
import {
  ATTRNAME_FORMAT,
  AUTHN_CONTEXT,
  NAMEID_FORMAT,
  STATUS,
  type DigestAlgorithmName,
  type EncryptionAlgorithmName,
  type SignatureAlgorithmName,
} from '../saml/constants.ts';
import type { AttributeOptions, NameIdOptions, StatusOptions } from '../saml/builders/index.ts';
import type { IdpUser, PersonaConfig, PersonaName } from './types.ts';

/** Paths (no host) of the IdP's endpoints. Several may be the same path: messages are told apart by their root element. */
export interface RouteLayout {
  metadata: string;
  ssoRedirect: string;
  ssoPost: string;
  init: string;
  sloRedirect: string;
  sloPost: string;
}

export interface ShapeInput {
  user: IdpUser;
  /** NameIDPolicy Format of the AuthnRequest (undefined for IdP-initiated or when absent). */
  requestedNameIdFormat?: string;
  spEntityId?: string;
  /** Stable per login: stands in for the IdP's session (transient NameIDs derive from it). */
  sessionKey: string;
  idpEntityId: string;
  config: PersonaConfig;
}

export interface PersonaShape {
  /** The Subject's NameID, or a status to answer with when the persona cannot produce the requested format. */
  nameId: NameIdOptions | { refuse: StatusOptions };
  attributes: AttributeOptions[];
  sign: { response: boolean; assertion: boolean; algorithm: SignatureAlgorithmName; digest: DigestAlgorithmName };
  /** Used when a plan asks for encryption without choosing algorithms. */
  encryption: { dataAlgorithm: EncryptionAlgorithmName };
  /** Conditions NotBefore relative to now. */
  notBeforeOffsetSeconds: number;
  lifetimeSeconds: number;
  authnInstantOffsetSeconds: number;
  sessionNotOnOrAfterSeconds?: number;
  /** SessionIndex equal to the assertion ID, or the builder's default. */
  sessionIndexFromAssertionId: boolean;
  classRef: string;
  issuerFormat?: string;
}

export interface Persona {
  name: PersonaName;
  /** Where the shape comes from, for reports and readers of this file. */
  sources: string[];
  entityId(baseUrl: string, config: PersonaConfig): string;
  routes(config: PersonaConfig): RouteLayout;
  /** NameIDFormat elements of the IdP metadata. */
  nameIdFormats: string[];
  shape(input: ShapeInput): PersonaShape;
}

// ---------------------------------------------------------------------------------------------
// Placeholders for product-specific names when the caller gives none. They only need to look
// like the real thing; nothing resolves them.
const PLACEHOLDER = {
  tenantId: '11111111-2222-4333-8444-555555555555',
  slug: 'samlconf',
  installId: 'samlconf-install',
  oktaAppId: '0oa1samlconf0000000',
  oktaAppName: 'samlconf',
  oneloginAppId: '1000001',
  googleIdpId: 'C0samlcnf',
} as const;

const GENERIC_ROUTES: RouteLayout = {
  metadata: '/metadata',
  ssoRedirect: '/sso',
  ssoPost: '/sso',
  init: '/init',
  sloRedirect: '/slo',
  sloPost: '/slo',
};

/** SAML Core 8.3: the spec's URNs; some products spell X509SubjectName / WindowsDomainQualifiedName under 2.0. */
const X509_FORMATS = new Set<string>([NAMEID_FORMAT.x509SubjectName, 'urn:oasis:names:tc:SAML:2.0:nameid-format:X509SubjectName']);
const WINDOWS_FORMATS = new Set<string>([
  NAMEID_FORMAT.windowsDomainQualifiedName,
  'urn:oasis:names:tc:SAML:2.0:nameid-format:WindowsDomainQualifiedName',
]);
const UNSPECIFIED_FORMATS = new Set<string>([NAMEID_FORMAT.unspecified, 'urn:oasis:names:tc:SAML:2.0:nameid-format:unspecified']);

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** A GUID-shaped value derived from a seed, so the same user always gets the same ID. */
function stableGuid(seed: string): string {
  const h = sha256Hex(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** What personas read from a user, with the fallbacks spelled out once. */
export interface UserFacts {
  email?: string;
  username: string;
  givenName?: string;
  surname?: string;
  displayName: string;
  upn?: string;
  groups: string[];
  distinguishedName?: string;
}

export function userFacts(user: IdpUser): UserFacts {
  const a = user.attributes ?? {};
  const first = (...keys: string[]) => keys.map((k) => a[k]?.[0]).find((v) => v !== undefined);
  const email = first('email', 'mail', 'emailAddress') ?? (user.nameId.includes('@') ? user.nameId : undefined);
  const username = user.username ?? first('username', 'uid') ?? (email ? email.split('@')[0] : user.nameId);
  const givenName = first('givenName', 'firstName', 'given_name');
  const surname = first('surname', 'sn', 'lastName', 'family_name');
  const joined = [givenName, surname].filter(Boolean).join(' ');
  return {
    email,
    username,
    givenName,
    surname,
    displayName: first('name', 'displayName', 'cn') ?? (joined || username),
    upn: first('upn', 'userPrincipalName'),
    groups: a.groups ?? a.memberOf ?? [],
    distinguishedName: first('distinguishedName'),
  };
}

function isRequested(format: string | undefined): format is string {
  return format !== undefined && !UNSPECIFIED_FORMATS.has(format);
}

/** Attributes from the user's own map, one Attribute each. */
function passThroughAttributes(user: IdpUser, o: { nameFormat?: string | null; valueType?: string | null }): AttributeOptions[] {
  return Object.entries(user.attributes ?? {}).map(([name, values]) => ({
    name,
    values,
    ...(o.nameFormat !== undefined ? { nameFormat: o.nameFormat } : {}),
    ...(o.valueType !== undefined ? { valueType: o.valueType } : {}),
  }));
}

const BASE_SHAPE = {
  sign: { response: true, assertion: true, algorithm: 'rsa-sha256' as SignatureAlgorithmName, digest: 'sha256' as DigestAlgorithmName },
  encryption: { dataAlgorithm: 'aes256-gcm' as EncryptionAlgorithmName },
  notBeforeOffsetSeconds: 0,
  lifetimeSeconds: 300,
  authnInstantOffsetSeconds: 0,
  sessionIndexFromAssertionId: false,
  classRef: AUTHN_CONTEXT.passwordProtectedTransport,
};

// ---------------------------------------------------------------------------------------------
// generic: a plain, strict-SP-friendly IdP. Signs Response and Assertion so that SPs requiring
// either accept it; honours the requested NameID format with a value of the matching kind.
const generic: Persona = {
  name: 'generic',
  sources: ['SAML Core 8.3 (NameID formats)', 'SAML Profiles 4.1.4.2 (assertion content)'],
  entityId: (baseUrl) => `${baseUrl}/metadata`,
  routes: () => GENERIC_ROUTES,
  nameIdFormats: [NAMEID_FORMAT.emailAddress, NAMEID_FORMAT.persistent, NAMEID_FORMAT.transient, NAMEID_FORMAT.unspecified],
  shape(input) {
    const facts = userFacts(input.user);
    const requested = input.requestedNameIdFormat;
    let nameId: NameIdOptions;
    if (!isRequested(requested)) {
      nameId = { value: input.user.nameId, format: input.user.nameIdFormat ?? NAMEID_FORMAT.emailAddress };
    } else if (requested === input.user.nameIdFormat) {
      nameId = { value: input.user.nameId, format: requested };
    } else if (requested === NAMEID_FORMAT.emailAddress) {
      nameId = facts.email ? { value: facts.email, format: requested } : { value: input.user.nameId, format: requested };
    } else if (requested === NAMEID_FORMAT.persistent) {
      // Core 8.3.7: opaque, and specific to the SP (a pairwise value).
      nameId = {
        value: '_' + sha256Hex(`${input.idpEntityId}|${input.spEntityId ?? ''}|${input.user.nameId}`).slice(0, 40),
        format: requested,
        nameQualifier: input.idpEntityId,
        spNameQualifier: input.spEntityId ?? null,
      };
    } else if (requested === NAMEID_FORMAT.transient) {
      // Core 8.3.8: opaque and good for one session only.
      nameId = { value: '_' + sha256Hex(`transient|${input.sessionKey}`).slice(0, 40), format: requested };
    } else {
      return { ...BASE_SHAPE, nameId: { refuse: { code: STATUS.requester, subCode: STATUS.invalidNameIdPolicy, message: `NameID format ${requested} is not supported` } }, attributes: [] };
    }
    return { ...BASE_SHAPE, nameId, attributes: passThroughAttributes(input.user, {}) };
  },
};

// ---------------------------------------------------------------------------------------------
// authentik (SAML Provider, 2025.8).
//  - Endpoint paths and the NameID table with its fallbacks: authentik's documentation page
//    "SAML Provider" (authentik_version 2025.8.0).
//  - Issuer is the provider's free-text "Issuer" field: authentik's Better Stack integration guide (it sets
//    `betterstack`); its default `authentik` and sign_assertion=True / sign_response=False,
//    RSA-SHA256 / SHA-256 defaults: goauthentik/authentik authentik/providers/saml/models.py.
//  - NameID value per format (email / hashed user ID / session hash, echoing the requested
//    Format, unspecified treated as persistent), attributes without NameFormat or xsi:type and
//    ordered by name, NotBefore now-5min, NotOnOrAfter now+5min, AuthnInstant = NotBefore,
//    SessionIndex = assertion ID, SessionNotOnOrAfter now+86400min, AES128-CBC when encrypting:
//    authentik/providers/saml/processors/assertion.py.
//  - Hashed user ID = sha256("<user pk>-<install id>"): authentik/core/models.py User.uid.
//  - Default property mappings (names and values): blueprints/system/providers-saml.yaml; the
//    extra `email` mapping (SAML name `email`, value the user's email): the Better Stack guide.
const authentik: Persona = {
  name: 'authentik',
  sources: [
    'authentik docs: SAML Provider 2025.8 (endpoints, NameID table)',
    'authentik docs: Better Stack integration (email mapping, issuer betterstack)',
    'goauthentik/authentik: providers/saml/models.py, processors/assertion.py, blueprints/system/providers-saml.yaml, core/models.py',
  ],
  entityId: (_baseUrl, c) => c.issuer ?? 'authentik',
  routes(c) {
    const app = `/application/saml/${encodeURIComponent(c.slug ?? PLACEHOLDER.slug)}`;
    return {
      metadata: `${app}/metadata/`,
      ssoRedirect: `${app}/sso/binding/redirect/`,
      ssoPost: `${app}/sso/binding/post/`,
      init: `${app}/sso/binding/init/`,
      sloRedirect: `${app}/slo/binding/redirect/`,
      sloPost: `${app}/slo/binding/post/`,
    };
  },
  nameIdFormats: [
    NAMEID_FORMAT.persistent,
    'urn:oasis:names:tc:SAML:2.0:nameid-format:X509SubjectName',
    'urn:oasis:names:tc:SAML:2.0:nameid-format:WindowsDomainQualifiedName',
    NAMEID_FORMAT.transient,
    NAMEID_FORMAT.emailAddress,
  ],
  shape(input) {
    const facts = userFacts(input.user);
    const email = facts.email ?? '';
    const pk = input.user.attributes?.pk?.[0] ?? String(parseInt(sha256Hex(input.user.nameId).slice(0, 6), 16));
    const hashedUserId = sha256Hex(`${pk}-${input.config.installId ?? PLACEHOLDER.installId}`);
    // authentik echoes the requested Format; without a NameIDPolicy it uses unspecified.
    const format = input.requestedNameIdFormat ?? NAMEID_FORMAT.unspecified;
    let value: string;
    if (format === NAMEID_FORMAT.emailAddress) value = email;
    else if (format === NAMEID_FORMAT.persistent || UNSPECIFIED_FORMATS.has(format)) value = hashedUserId;
    else if (X509_FORMATS.has(format)) value = facts.distinguishedName ?? hashedUserId; // falls back to the persistent identifier
    else if (WINDOWS_FORMATS.has(format)) value = facts.upn ?? hashedUserId;
    else if (format === NAMEID_FORMAT.transient) value = sha256Hex(input.sessionKey);
    else {
      // authentik raises UnsupportedNameIDFormat here; the closest SAML answer is this status.
      return {
        ...BASE_SHAPE,
        nameId: { refuse: { code: STATUS.requester, subCode: STATUS.invalidNameIdPolicy, message: `Assertion contains NameID with unsupported format ${format}.` } },
        attributes: [],
      };
    }
    const mappings: Array<[string, string[]]> = [
      ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', [facts.upn ?? email]],
      ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', [facts.displayName]],
      ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', [email]],
      ['http://schemas.goauthentik.io/2021/02/saml/username', [facts.username]],
      ['http://schemas.goauthentik.io/2021/02/saml/uid', [pk]],
      ['http://schemas.xmlsoap.org/claims/Group', facts.groups],
      ['http://schemas.microsoft.com/ws/2008/06/identity/claims/windowsaccountname', [facts.username]],
      ['email', [email]],
    ];
    mappings.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      ...BASE_SHAPE,
      sign: { response: false, assertion: true, algorithm: 'rsa-sha256', digest: 'sha256' },
      encryption: { dataAlgorithm: 'aes128-cbc' },
      nameId: { value, format },
      attributes: mappings.map(([name, values]) => ({ name, values, nameFormat: null, valueType: null })),
      notBeforeOffsetSeconds: -300,
      lifetimeSeconds: 300,
      authnInstantOffsetSeconds: -300,
      sessionNotOnOrAfterSeconds: 86400 * 60,
      sessionIndexFromAssertionId: true,
      classRef: AUTHN_CONTEXT.passwordProtectedTransport,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// azure-ad (Microsoft Entra ID).
//  - Issuer https://sts.windows.net/<tenant>/ and login URL https://login.microsoftonline.com/<tenant>/saml2
//    (also the logout URL): Chatlayer's Azure AD SSO guide ("Azure AD Identifier", "Login URL").
//  - Signs the assertion only ("Sign SAML assertion", RSA-SHA256): docs/mocks.md, persona notes.
//  - NameID = user principal name by default; claims givenname, surname, emailaddress, name,
//    plus tenantid, objectidentifier, displayname, identityprovider, authnmethodsreferences:
//    learn.microsoft.com/entra/identity-platform/reference-saml-tokens and
//    saml-claims-customization ("By default ... the user principal name ... email address,
//    first name, and last name"). Attributes carry no NameFormat and no xsi:type there.
//  - AuthnContextClassRef value: the "Authentication Method" example of reference-saml-tokens.
//  - Metadata path <tenant>/federationmetadata/2007-06/federationmetadata.xml: the App
//    Federation Metadata Url Entra shows for an enterprise app.
const azureAd: Persona = {
  name: 'azure-ad',
  sources: ['Chatlayer docs: SSO with Azure AD', 'learn.microsoft.com: reference-saml-tokens, saml-claims-customization'],
  entityId: (_baseUrl, c) => `https://sts.windows.net/${c.tenantId ?? PLACEHOLDER.tenantId}/`,
  routes(c) {
    const tenant = `/${encodeURIComponent(c.tenantId ?? PLACEHOLDER.tenantId)}`;
    return {
      metadata: `${tenant}/federationmetadata/2007-06/federationmetadata.xml`,
      ssoRedirect: `${tenant}/saml2`,
      ssoPost: `${tenant}/saml2`,
      init: '/init',
      sloRedirect: `${tenant}/saml2`,
      sloPost: `${tenant}/saml2`,
    };
  },
  nameIdFormats: [NAMEID_FORMAT.emailAddress, NAMEID_FORMAT.persistent, NAMEID_FORMAT.unspecified, NAMEID_FORMAT.transient],
  shape(input) {
    const facts = userFacts(input.user);
    const tenantId = input.config.tenantId ?? PLACEHOLDER.tenantId;
    const upn = facts.upn ?? facts.email ?? input.user.nameId;
    const objectId = stableGuid(`oid|${tenantId}|${input.user.nameId}`);
    const requested = input.requestedNameIdFormat;
    let nameId: NameIdOptions;
    if (requested === NAMEID_FORMAT.persistent) {
      // A pairwise opaque value per application.
      nameId = { value: Buffer.from(sha256Hex(`${objectId}|${input.spEntityId ?? ''}`).slice(0, 32), 'hex').toString('base64'), format: requested };
    } else if (requested === NAMEID_FORMAT.transient) {
      nameId = { value: '_' + sha256Hex(`transient|${input.sessionKey}`).slice(0, 40), format: requested };
    } else {
      nameId = { value: upn, format: NAMEID_FORMAT.emailAddress };
    }
    const claim = (name: string, value: string | undefined): AttributeOptions[] =>
      value === undefined ? [] : [{ name, values: [value], nameFormat: null, valueType: null }];
    const attributes = [
      ...claim('http://schemas.microsoft.com/identity/claims/tenantid', tenantId),
      ...claim('http://schemas.microsoft.com/identity/claims/objectidentifier', objectId),
      ...claim('http://schemas.microsoft.com/identity/claims/displayname', facts.displayName),
      ...claim('http://schemas.microsoft.com/identity/claims/identityprovider', `https://sts.windows.net/${tenantId}/`),
      ...claim('http://schemas.microsoft.com/claims/authnmethodsreferences', 'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password'),
      ...claim('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname', facts.givenName),
      ...claim('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname', facts.surname),
      ...claim('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', facts.email),
      ...claim('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', upn),
    ];
    return {
      ...BASE_SHAPE,
      sign: { response: false, assertion: true, algorithm: 'rsa-sha256', digest: 'sha256' },
      nameId,
      attributes,
      classRef: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationmethod/password',
    };
  },
};

// ---------------------------------------------------------------------------------------------
// okta.
//  - Issuer http://www.okta.com/<app id> with Format entity, Response signed and Assertion
//    signed, RSA-SHA256: sample Okta response (gist.github.com/IgorKarymov/6826282) and the
//    Okta app settings (responseSigned / assertionSigned, signatureAlgorithm RSA_SHA256 as the
//    recommended default: hexdocs.pm/relyra/okta.html, pulumi okta.app.Saml).
//  - Name ID format "Unspecified" with the Okta username (usually the email): relyra Okta runbook.
//  - Attribute statements are whatever the admin adds; Okta writes NameFormat (default
//    Unspecified) and xsi:type xs:string on values.
//  - SSO / SLO / metadata paths: /app/<app name>/<app id>/sso/saml, .../slo/saml and
//    /app/<app id>/sso/saml/metadata, as Okta shows them on the app's Sign On tab.
const okta: Persona = {
  name: 'okta',
  sources: ['gist.github.com/IgorKarymov/6826282 (Okta response sample)', 'hexdocs.pm/relyra/okta.html', 'pulumi okta.app.Saml'],
  entityId: (_baseUrl, c) => `http://www.okta.com/${c.appId ?? PLACEHOLDER.oktaAppId}`,
  routes(c) {
    const id = encodeURIComponent(c.appId ?? PLACEHOLDER.oktaAppId);
    const app = `/app/${encodeURIComponent(c.appName ?? PLACEHOLDER.oktaAppName)}/${id}`;
    return { metadata: `/app/${id}/sso/saml/metadata`, ssoRedirect: `${app}/sso/saml`, ssoPost: `${app}/sso/saml`, init: '/init', sloRedirect: `${app}/slo/saml`, sloPost: `${app}/slo/saml` };
  },
  nameIdFormats: [NAMEID_FORMAT.unspecified, NAMEID_FORMAT.emailAddress],
  shape(input) {
    const facts = userFacts(input.user);
    const value = facts.email ?? input.user.nameId;
    const format = input.requestedNameIdFormat === NAMEID_FORMAT.emailAddress ? NAMEID_FORMAT.emailAddress : NAMEID_FORMAT.unspecified;
    return {
      ...BASE_SHAPE,
      sign: { response: true, assertion: true, algorithm: 'rsa-sha256', digest: 'sha256' },
      issuerFormat: NAMEID_FORMAT.entity,
      nameId: { value, format },
      attributes: passThroughAttributes(input.user, { nameFormat: ATTRNAME_FORMAT.unspecified, valueType: 'xs:string' }),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// onelogin (SAML Custom Connector (Advanced)).
//  - Issuer https://app.onelogin.com/saml/metadata/<app id>; SSO
//    https://<subdomain>.onelogin.com/trust/saml2/http-post/sso/<id> (http-redirect for
//    Redirect), SLO .../trust/saml2/http-redirect/slo/<id>: ComponentSpace OneLogin
//    integration guide (componentspace.com).
//  - "SAML signature element" defaults to the assertion (guides switch it to "Both") and the
//    "SAML Signature Algorithm" defaults to SHA-1 (every guide switches it to SHA-256):
//    docs.secoda.co onelogin-saml, support.workiva.com OneLogin guide, cryptr.co onelogin.
//  - "SAML nameID format: Email": help.ally.io OneLogin setup. Parameters are admin-defined
//    and sent with Basic names.
const onelogin: Persona = {
  name: 'onelogin',
  sources: ['componentspace.com OneLogin integration guide', 'docs.secoda.co / support.workiva.com / cryptr.co OneLogin guides', 'help.ally.io OneLogin setup'],
  entityId: (_baseUrl, c) => `https://app.onelogin.com/saml/metadata/${c.appId ?? PLACEHOLDER.oneloginAppId}`,
  routes(c) {
    const id = encodeURIComponent(c.appId ?? PLACEHOLDER.oneloginAppId);
    return {
      metadata: `/saml/metadata/${id}`,
      ssoRedirect: `/trust/saml2/http-redirect/sso/${id}`,
      ssoPost: `/trust/saml2/http-post/sso/${id}`,
      init: '/init',
      sloRedirect: `/trust/saml2/http-redirect/slo/${id}`,
      sloPost: `/trust/saml2/http-redirect/slo/${id}`,
    };
  },
  nameIdFormats: [NAMEID_FORMAT.emailAddress],
  shape(input) {
    const facts = userFacts(input.user);
    return {
      ...BASE_SHAPE,
      sign: { response: false, assertion: true, algorithm: 'rsa-sha1', digest: 'sha1' },
      nameId: { value: facts.email ?? input.user.nameId, format: NAMEID_FORMAT.emailAddress },
      attributes: passThroughAttributes(input.user, { nameFormat: ATTRNAME_FORMAT.basic }),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// google (Workspace custom SAML app).
//  - Entity ID https://accounts.google.com/o/saml2?idpid=<idpid>, SSO URL
//    https://accounts.google.com/o/saml2/idp?idpid=<idpid>: the IdP details Google's admin
//    console shows for a custom SAML app (docs.cremit.io Google SAML guide, stackoverflow.help
//    "Configuring single sign-on with Google").
//  - "Signed response" is an unchecked box (guides tell you to tick it), so by default only the
//    assertion is signed: miniorange.com "Google Apps as IdP".
//  - NameID = the user's primary email (support.google.com/a/answer/6330801), Name ID format
//    UNSPECIFIED unless changed. Attributes only as the admin maps them (e.g. Primary email ->
//    `email`), Basic names. Google offers no SLO endpoint; the generic one is kept.
const google: Persona = {
  name: 'google',
  sources: ['support.google.com/a/answer/6330801', 'docs.cremit.io Google SAML guide', 'miniorange.com Google Apps as IdP'],
  entityId: (_baseUrl, c) => `https://accounts.google.com/o/saml2?idpid=${c.idpId ?? PLACEHOLDER.googleIdpId}`,
  routes: () => ({ metadata: '/metadata', ssoRedirect: '/o/saml2/idp', ssoPost: '/o/saml2/idp', init: '/init', sloRedirect: '/slo', sloPost: '/slo' }),
  nameIdFormats: [NAMEID_FORMAT.unspecified, NAMEID_FORMAT.emailAddress, NAMEID_FORMAT.persistent, NAMEID_FORMAT.transient],
  shape(input) {
    const facts = userFacts(input.user);
    const format = isRequested(input.requestedNameIdFormat) && input.requestedNameIdFormat === NAMEID_FORMAT.emailAddress ? NAMEID_FORMAT.emailAddress : NAMEID_FORMAT.unspecified;
    return {
      ...BASE_SHAPE,
      sign: { response: false, assertion: true, algorithm: 'rsa-sha256', digest: 'sha256' },
      nameId: { value: facts.email ?? input.user.nameId, format },
      attributes: passThroughAttributes(input.user, { nameFormat: ATTRNAME_FORMAT.basic }),
    };
  },
};

export const PERSONAS: Readonly<Record<PersonaName, Persona>> = {
  generic,
  authentik,
  'azure-ad': azureAd,
  okta,
  onelogin,
  google,
};

export function persona(name: PersonaName = 'generic'): Persona {
  const p = PERSONAS[name];
  if (!p) throw new Error(`unknown persona "${String(name)}"; known: ${Object.keys(PERSONAS).join(', ')}`);
  return p;
}

/** A fresh per-login session key (transient NameIDs and authentik's session hash derive from it). */
export function newSessionKey(): string {
  return randomUUID();
}
