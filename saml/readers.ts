// Typed readers: a parsed SAML message in, plain data out. They look elements up by namespace URI
// and local name (never by prefix) and return attribute and text values as the document has them:
// no trimming, no normalisation. Signatures are not checked here: `signaturePresent` only says a
// ds:Signature child exists; callers that need trusted values read them from the verified content.
//
// Text values (Issuer, NameID, AttributeValue...) are the element's full textContent. A comment
// inside the text is dropped and the text on both sides joined ("admin<!---->.evil" reads as
// "admin.evil"), which is what a correct implementation does. Spotting comment splitting, the
// CVE-2017-11427 family, is the job of the rules (saml/xml.ts textNodes), not of these readers.
import { NS } from './constants.ts';
import { type Element, attr, child, children, text } from './xml.ts';

export interface NameIdInfo {
  value: string;
  format?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  spProvidedId?: string;
}

export interface StatusInfo {
  /** Top-level StatusCode Value; undefined when Status or its code is missing. */
  code?: string;
  /** Nested StatusCode values, outermost first. */
  subCodes: string[];
  message?: string;
  hasDetail: boolean;
}

export interface ConditionsInfo {
  notBefore?: string;
  notOnOrAfter?: string;
  /** One array per AudienceRestriction. */
  audiences: string[][];
  oneTimeUse: boolean;
  proxyRestriction?: { count?: number; audiences: string[] };
}

export interface AuthnRequestInfo {
  id?: string;
  version?: string;
  issueInstant?: string;
  destination?: string;
  consent?: string;
  issuer?: string;
  /** xs:boolean read strictly ('true'/'1', 'false'/'0'); anything else is undefined. */
  forceAuthn?: boolean;
  isPassive?: boolean;
  protocolBinding?: string;
  acsUrl?: string;
  /** Unsigned integers; a value that is not one is undefined. */
  acsIndex?: number;
  attributeConsumingServiceIndex?: number;
  providerName?: string;
  nameIdPolicy?: { format?: string; allowCreate?: boolean; spNameQualifier?: string };
  requestedAuthnContext?: { comparison?: string; classRefs: string[] };
  scoping?: { proxyCount?: number; idpList: Array<{ providerId?: string; name?: string; loc?: string }>; requesterIds: string[] };
  conditions?: ConditionsInfo;
  subjectNameId?: NameIdInfo;
  signaturePresent: boolean;
}

export interface SubjectConfirmationInfo {
  method?: string;
  recipient?: string;
  notOnOrAfter?: string;
  notBefore?: string;
  inResponseTo?: string;
  address?: string;
}

export interface AuthnStatementInfo {
  authnInstant?: string;
  sessionIndex?: string;
  sessionNotOnOrAfter?: string;
  classRef?: string;
}

export interface AttributeInfo {
  name?: string;
  nameFormat?: string;
  friendlyName?: string;
  values: string[];
  /** xsi:type of each value (undefined where absent), parallel to `values`. */
  valueTypes: Array<string | undefined>;
}

export interface AssertionInfo {
  id?: string;
  version?: string;
  issuer?: string;
  issueInstant?: string;
  nameId?: NameIdInfo;
  /** The Subject holds a saml:EncryptedID instead of a NameID. */
  encryptedId: boolean;
  subjectConfirmations: SubjectConfirmationInfo[];
  conditions?: ConditionsInfo;
  authnStatements: AuthnStatementInfo[];
  /** Values by attribute Name, merged across repeated Attribute elements. Prototype-free object. */
  attributes: Record<string, string[]>;
  /** Every saml:Attribute in document order, with its metadata. */
  attributeList: AttributeInfo[];
  encryptedAttributeCount: number;
  hasAdvice: boolean;
  signaturePresent: boolean;
}

export interface ResponseInfo {
  id?: string;
  version?: string;
  issueInstant?: string;
  destination?: string;
  inResponseTo?: string;
  consent?: string;
  issuer?: string;
  status: StatusInfo;
  /** Direct saml:Assertion children of the Response. */
  assertionCount: number;
  encryptedAssertionCount: number;
  signaturePresent: boolean;
}

export interface LogoutRequestInfo {
  id?: string;
  version?: string;
  issueInstant?: string;
  destination?: string;
  issuer?: string;
  notOnOrAfter?: string;
  reason?: string;
  nameId?: NameIdInfo;
  encryptedId: boolean;
  sessionIndexes: string[];
  signaturePresent: boolean;
}

export interface LogoutResponseInfo {
  id?: string;
  version?: string;
  issueInstant?: string;
  destination?: string;
  inResponseTo?: string;
  issuer?: string;
  status: StatusInfo;
  signaturePresent: boolean;
}

export interface ArtifactResolveInfo {
  id?: string;
  version?: string;
  issueInstant?: string;
  destination?: string;
  issuer?: string;
  artifact?: string;
  signaturePresent: boolean;
}

export interface ArtifactResponseInfo {
  id?: string;
  version?: string;
  issueInstant?: string;
  destination?: string;
  inResponseTo?: string;
  issuer?: string;
  status: StatusInfo;
  /** The carried protocol message: the first element after Status, if any. */
  message?: Element;
  signaturePresent: boolean;
}

export function readAuthnRequest(root: Element): AuthnRequestInfo {
  expectElement(root, NS.samlp, 'AuthnRequest');
  const policy = child(root, NS.samlp, 'NameIDPolicy');
  const authnContext = child(root, NS.samlp, 'RequestedAuthnContext');
  const scoping = child(root, NS.samlp, 'Scoping');
  const conditions = child(root, NS.saml, 'Conditions');
  const subjectNameId = optionalNameId(child(root, NS.saml, 'Subject'));
  const idpList = scoping && child(scoping, NS.samlp, 'IDPList');
  return {
    ...requestHeader(root),
    forceAuthn: xsBoolean(attr(root, 'ForceAuthn')),
    isPassive: xsBoolean(attr(root, 'IsPassive')),
    protocolBinding: attr(root, 'ProtocolBinding'),
    acsUrl: attr(root, 'AssertionConsumerServiceURL'),
    acsIndex: xsUnsigned(attr(root, 'AssertionConsumerServiceIndex')),
    attributeConsumingServiceIndex: xsUnsigned(attr(root, 'AttributeConsumingServiceIndex')),
    providerName: attr(root, 'ProviderName'),
    nameIdPolicy: policy && {
      format: attr(policy, 'Format'),
      allowCreate: xsBoolean(attr(policy, 'AllowCreate')),
      spNameQualifier: attr(policy, 'SPNameQualifier'),
    },
    requestedAuthnContext: authnContext && {
      comparison: attr(authnContext, 'Comparison'),
      classRefs: children(authnContext, NS.saml, 'AuthnContextClassRef').map(contentOf),
    },
    scoping: scoping && {
      proxyCount: xsUnsigned(attr(scoping, 'ProxyCount')),
      idpList: (idpList ? children(idpList, NS.samlp, 'IDPEntry') : []).map((e) => ({
        providerId: attr(e, 'ProviderID'),
        name: attr(e, 'Name'),
        loc: attr(e, 'Loc'),
      })),
      requesterIds: children(scoping, NS.samlp, 'RequesterID').map(contentOf),
    },
    conditions: conditions && readConditions(conditions),
    subjectNameId,
    signaturePresent: hasSignature(root),
  };
}

export function readAssertion(el: Element): AssertionInfo {
  expectElement(el, NS.saml, 'Assertion');
  const subject = child(el, NS.saml, 'Subject');
  const conditions = child(el, NS.saml, 'Conditions');
  const attributeStatements = children(el, NS.saml, 'AttributeStatement');
  const attributeList = attributeStatements.flatMap((s) => children(s, NS.saml, 'Attribute')).map(readAttribute);

  const attributes: Record<string, string[]> = Object.create(null);
  for (const a of attributeList) {
    if (a.name === undefined) continue;
    (attributes[a.name] ??= []).push(...a.values);
  }

  return {
    id: attr(el, 'ID'),
    version: attr(el, 'Version'),
    issuer: textOf(child(el, NS.saml, 'Issuer')),
    issueInstant: attr(el, 'IssueInstant'),
    nameId: optionalNameId(subject),
    encryptedId: !!subject && !!child(subject, NS.saml, 'EncryptedID'),
    subjectConfirmations: (subject ? children(subject, NS.saml, 'SubjectConfirmation') : []).map((c) => {
      const data = child(c, NS.saml, 'SubjectConfirmationData');
      return {
        method: attr(c, 'Method'),
        recipient: attr(data, 'Recipient'),
        notOnOrAfter: attr(data, 'NotOnOrAfter'),
        notBefore: attr(data, 'NotBefore'),
        inResponseTo: attr(data, 'InResponseTo'),
        address: attr(data, 'Address'),
      };
    }),
    conditions: conditions && readConditions(conditions),
    authnStatements: children(el, NS.saml, 'AuthnStatement').map((s) => {
      const context = child(s, NS.saml, 'AuthnContext');
      return {
        authnInstant: attr(s, 'AuthnInstant'),
        sessionIndex: attr(s, 'SessionIndex'),
        sessionNotOnOrAfter: attr(s, 'SessionNotOnOrAfter'),
        classRef: textOf(context && child(context, NS.saml, 'AuthnContextClassRef')),
      };
    }),
    attributes,
    attributeList,
    encryptedAttributeCount: attributeStatements.reduce((n, s) => n + children(s, NS.saml, 'EncryptedAttribute').length, 0),
    hasAdvice: !!child(el, NS.saml, 'Advice'),
    signaturePresent: hasSignature(el),
  };
}

export function readResponse(root: Element): ResponseInfo {
  expectElement(root, NS.samlp, 'Response');
  return {
    ...requestHeader(root),
    inResponseTo: attr(root, 'InResponseTo'),
    status: readStatus(root),
    assertionCount: children(root, NS.saml, 'Assertion').length,
    encryptedAssertionCount: children(root, NS.saml, 'EncryptedAssertion').length,
    signaturePresent: hasSignature(root),
  };
}

export function readLogoutRequest(root: Element): LogoutRequestInfo {
  expectElement(root, NS.samlp, 'LogoutRequest');
  const { consent: _consent, ...header } = requestHeader(root);
  return {
    ...header,
    notOnOrAfter: attr(root, 'NotOnOrAfter'),
    reason: attr(root, 'Reason'),
    nameId: optionalNameId(root),
    encryptedId: !!child(root, NS.saml, 'EncryptedID'),
    sessionIndexes: children(root, NS.samlp, 'SessionIndex').map(contentOf),
    signaturePresent: hasSignature(root),
  };
}

export function readLogoutResponse(root: Element): LogoutResponseInfo {
  expectElement(root, NS.samlp, 'LogoutResponse');
  const { consent: _consent, ...header } = requestHeader(root);
  return { ...header, inResponseTo: attr(root, 'InResponseTo'), status: readStatus(root), signaturePresent: hasSignature(root) };
}

export function readArtifactResolve(root: Element): ArtifactResolveInfo {
  expectElement(root, NS.samlp, 'ArtifactResolve');
  const { consent: _consent, ...header } = requestHeader(root);
  return { ...header, artifact: textOf(child(root, NS.samlp, 'Artifact')), signaturePresent: hasSignature(root) };
}

export function readArtifactResponse(root: Element): ArtifactResponseInfo {
  expectElement(root, NS.samlp, 'ArtifactResponse');
  const { consent: _consent, ...header } = requestHeader(root);
  const kids = children(root);
  const statusIndex = kids.findIndex((k) => k.namespaceURI === NS.samlp && k.localName === 'Status');
  return {
    ...header,
    inResponseTo: attr(root, 'InResponseTo'),
    status: readStatus(root),
    message: statusIndex >= 0 ? kids[statusIndex + 1] : undefined,
    signaturePresent: hasSignature(root),
  };
}

// ---- pieces ----

function expectElement(el: Element, ns: string, localName: string): void {
  if (!el || el.namespaceURI !== ns || el.localName !== localName) {
    const got = el ? `{${el.namespaceURI ?? ''}}${el.localName}` : String(el);
    throw new TypeError(`expected {${ns}}${localName}, got ${got}`);
  }
}

/** Text of an optional element: undefined when the element is missing. */
function textOf(el: Element | undefined): string | undefined {
  return el ? contentOf(el) : undefined;
}

/** Full text of an element that exists ('' when empty). */
function contentOf(el: Element): string {
  return text(el) ?? '';
}

function hasSignature(el: Element): boolean {
  return !!child(el, NS.ds, 'Signature');
}

function requestHeader(root: Element) {
  return {
    id: attr(root, 'ID'),
    version: attr(root, 'Version'),
    issueInstant: attr(root, 'IssueInstant'),
    destination: attr(root, 'Destination'),
    consent: attr(root, 'Consent'),
    issuer: textOf(child(root, NS.saml, 'Issuer')),
  };
}

function readNameId(el: Element): NameIdInfo {
  return {
    value: contentOf(el),
    format: attr(el, 'Format'),
    nameQualifier: attr(el, 'NameQualifier'),
    spNameQualifier: attr(el, 'SPNameQualifier'),
    spProvidedId: attr(el, 'SPProvidedID'),
  };
}

/** The NameID directly under `parent` (a Subject or a LogoutRequest), if any. */
function optionalNameId(parent: Element | undefined): NameIdInfo | undefined {
  const el = parent && child(parent, NS.saml, 'NameID');
  return el && readNameId(el);
}

function readStatus(root: Element): StatusInfo {
  const status = child(root, NS.samlp, 'Status');
  if (!status) return { subCodes: [], hasDetail: false };
  const top = child(status, NS.samlp, 'StatusCode');
  const subCodes: string[] = [];
  for (let c = top && child(top, NS.samlp, 'StatusCode'); c; c = child(c, NS.samlp, 'StatusCode')) {
    subCodes.push(attr(c, 'Value') ?? '');
  }
  return {
    code: attr(top, 'Value'),
    subCodes,
    message: textOf(child(status, NS.samlp, 'StatusMessage')),
    hasDetail: !!child(status, NS.samlp, 'StatusDetail'),
  };
}

function readConditions(el: Element): ConditionsInfo {
  const proxy = child(el, NS.saml, 'ProxyRestriction');
  return {
    notBefore: attr(el, 'NotBefore'),
    notOnOrAfter: attr(el, 'NotOnOrAfter'),
    audiences: children(el, NS.saml, 'AudienceRestriction').map((r) => children(r, NS.saml, 'Audience').map(contentOf)),
    oneTimeUse: children(el, NS.saml, 'OneTimeUse').length > 0,
    proxyRestriction: proxy && {
      count: xsUnsigned(attr(proxy, 'Count')),
      audiences: children(proxy, NS.saml, 'Audience').map(contentOf),
    },
  };
}

function readAttribute(el: Element): AttributeInfo {
  const values = children(el, NS.saml, 'AttributeValue');
  return {
    name: attr(el, 'Name'),
    nameFormat: attr(el, 'NameFormat'),
    friendlyName: attr(el, 'FriendlyName'),
    values: values.map(contentOf),
    valueTypes: values.map((v) => (v.hasAttributeNS(NS.xsi, 'type') ? (v.getAttributeNS(NS.xsi, 'type') ?? '') : undefined)),
  };
}

/** xs:boolean after whitespace collapsing: true/1, false/0; anything else is undefined. */
function xsBoolean(value: string | undefined): boolean | undefined {
  const v = value?.trim();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

/** A non-negative integer (xs:unsignedShort / nonNegativeInteger lexical form); anything else is undefined. */
function xsUnsigned(value: string | undefined): number | undefined {
  const v = value?.trim();
  return v !== undefined && /^\+?\d+$/.test(v) ? Number(v) : undefined;
}
