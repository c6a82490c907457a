// SAML 2.0 metadata (saml-metadata-2.0-os): read EntityDescriptor and EntitiesDescriptor
// documents from targets into plain data, and write the metadata our mocks publish.
// Metadata from a target is untrusted input like any message: it goes through parseXml.
import crypto from 'node:crypto';
import type { Element, ParseOptions } from './xml.ts';
import { attr, child, children, escapeXml, parseXml, XmlSafetyError } from './xml.ts';
import { NS } from './constants.ts';
import { base64ToCertPem, certToBase64 } from './keys.ts';

export interface Endpoint { binding: string; location: string; responseLocation?: string; index?: number; isDefault?: boolean }
export interface KeyInfoEntry { use?: 'signing' | 'encryption'; certPem: string }
export interface IdpDescriptor { ssoServices: Endpoint[]; sloServices: Endpoint[]; artifactResolutionServices: Endpoint[]; nameIdFormats: string[]; keys: KeyInfoEntry[]; wantAuthnRequestsSigned: boolean }
export interface SpDescriptor { acsServices: Endpoint[]; sloServices: Endpoint[]; artifactResolutionServices: Endpoint[]; nameIdFormats: string[]; keys: KeyInfoEntry[]; authnRequestsSigned: boolean; wantAssertionsSigned: boolean }
export interface EntityMetadata {
  entityId: string;
  idp?: IdpDescriptor;
  sp?: SpDescriptor;
  /** The earliest validUntil among the EntityDescriptor and the EntitiesDescriptors around it. */
  validUntil?: string;
}

export type MetadataErrorCode =
  | 'undeclared-prefix' // not namespace-well-formed: a prefix is used without an xmlns declaration
  | 'not-metadata' // the root is not md:EntityDescriptor or md:EntitiesDescriptor
  | 'invalid' // a required attribute is missing or a value has the wrong type
  | 'entity-not-found'
  | 'ambiguous-entity';

export class MetadataError extends Error {
  readonly code: MetadataErrorCode;
  /** For 'undeclared-prefix': the prefix that has no namespace declaration. */
  readonly prefix?: string;
  constructor(code: MetadataErrorCode, message: string, prefix?: string) {
    super(`${code}: ${message}`);
    this.name = 'MetadataError';
    this.code = code;
    if (prefix !== undefined) this.prefix = prefix;
  }
}

const SAML2_PROTOCOL = NS.samlp;

// ---------------------------------------------------------------------------------------------
// Reading

/** Every entity in an EntityDescriptor or an EntitiesDescriptor aggregate (nested ones included), in document order. */
export function parseMetadata(xml: string, options?: ParseOptions): EntityMetadata[] {
  const root = parseMetadataRoot(xml, options);
  const out: EntityMetadata[] = [];
  collectEntities(root, undefined, out);
  return out;
}

/** The one entity in the document, or the one with this entityID. */
export function parseEntity(xml: string, entityId?: string, options?: ParseOptions): EntityMetadata {
  const entities = parseMetadata(xml, options);
  if (entityId !== undefined) {
    const matches = entities.filter((e) => e.entityId === entityId);
    if (matches.length === 0) throw new MetadataError('entity-not-found', `no EntityDescriptor with entityID "${entityId}" among ${entities.length}`);
    if (matches.length > 1) throw new MetadataError('ambiguous-entity', `${matches.length} EntityDescriptors share entityID "${entityId}"`);
    return matches[0];
  }
  if (entities.length !== 1) {
    throw new MetadataError('ambiguous-entity', `the document describes ${entities.length} entities; name the one you want`);
  }
  return entities[0];
}

/** Certificates usable to verify this role's signatures: use="signing" or no use. */
export function signingCerts(d: IdpDescriptor | SpDescriptor): string[] {
  return d.keys.filter((k) => k.use !== 'encryption').map((k) => k.certPem);
}

/** Certificates usable to encrypt to this role: use="encryption" or no use. */
export function encryptionCerts(d: IdpDescriptor | SpDescriptor): string[] {
  return d.keys.filter((k) => k.use !== 'signing').map((k) => k.certPem);
}

/**
 * The default among indexed endpoints (metadata 2.2.3): the first with isDefault="true", else
 * the first without an isDefault attribute, else the first.
 */
export function defaultEndpoint(endpoints: Endpoint[]): Endpoint | undefined {
  return endpoints.find((e) => e.isDefault === true) ?? endpoints.find((e) => e.isDefault === undefined) ?? endpoints[0];
}

/** The SP's default AssertionConsumerService. */
export function defaultAcs(sp: SpDescriptor): Endpoint | undefined {
  return defaultEndpoint(sp.acsServices);
}

/** The endpoint for this binding; among several, the default one by the same rule. */
export function findEndpoint(endpoints: Endpoint[], binding: string): Endpoint | undefined {
  return defaultEndpoint(endpoints.filter((e) => e.binding === binding));
}

/** The indexed endpoint with this index (AssertionConsumerServiceIndex, artifact EndpointIndex). */
export function findEndpointByIndex(endpoints: Endpoint[], index: number): Endpoint | undefined {
  return endpoints.find((e) => e.index === index);
}

function parseMetadataRoot(xml: string, options?: ParseOptions): Element {
  let root: Element;
  try {
    // Default 1 MiB (parseXml's bound); pass maxBytes for a large federation aggregate.
    root = parseXml(xml, options).documentElement!;
  } catch (err) {
    // xmldom's message for an unbound prefix does not name it; find it so the user can fix the file.
    if (err instanceof XmlSafetyError && err.code === 'malformed') {
      const prefix = undeclaredPrefix(xml);
      if (prefix) {
        throw new MetadataError(
          'undeclared-prefix',
          `the prefix "${prefix}:" is used but never declared (add xmlns:${prefix}="${prefix === 'md' ? NS.md : '...'}"); the document is not namespace-well-formed`,
          prefix,
        );
      }
    }
    throw err;
  }
  if (root.namespaceURI !== NS.md || (root.localName !== 'EntityDescriptor' && root.localName !== 'EntitiesDescriptor')) {
    throw new MetadataError('not-metadata', `root element is {${root.namespaceURI ?? ''}}${root.localName}, expected md:EntityDescriptor or md:EntitiesDescriptor`);
  }
  return root;
}

/** A prefix used on an element or attribute name that no xmlns:prefix declares anywhere in the text. */
function undeclaredPrefix(xml: string): string | undefined {
  const declared = new Set([...xml.matchAll(/\sxmlns:([A-Za-z_][\w.-]*)\s*=/g)].map((m) => m[1]));
  declared.add('xml').add('xmlns');
  const tagPrefixes = [...xml.matchAll(/<\/?([A-Za-z_][\w.-]*):[A-Za-z_]/g)].map((m) => m[1]);
  const attrPrefixes = [...xml.matchAll(/<[^>]*?\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=/g)].map((m) => m[1]);
  return [...tagPrefixes, ...attrPrefixes].find((p) => !declared.has(p));
}

/** Real federations nest aggregates two or three deep; a thousand levels is an attack on the stack. */
const MAX_AGGREGATE_DEPTH = 16;

function collectEntities(el: Element, inheritedValidUntil: string | undefined, out: EntityMetadata[], depth = 0): void {
  const validUntil = earliest(inheritedValidUntil, attr(el, 'validUntil'));
  if (el.localName === 'EntitiesDescriptor') {
    if (depth >= MAX_AGGREGATE_DEPTH) throw new MetadataError('invalid', `EntitiesDescriptor nested deeper than ${MAX_AGGREGATE_DEPTH} levels`);
    for (const c of children(el, NS.md)) {
      if (c.localName === 'EntityDescriptor' || c.localName === 'EntitiesDescriptor') collectEntities(c, validUntil, out, depth + 1);
    }
    return;
  }
  const entityId = attr(el, 'entityID');
  if (!entityId) throw new MetadataError('invalid', 'EntityDescriptor has no entityID');
  const entity: EntityMetadata = { entityId };
  const idpEl = saml2Role(el, 'IDPSSODescriptor');
  if (idpEl) entity.idp = readIdp(idpEl, entityId);
  const spEl = saml2Role(el, 'SPSSODescriptor');
  if (spEl) entity.sp = readSp(spEl, entityId);
  if (validUntil !== undefined) entity.validUntil = validUntil;
  out.push(entity);
}

/** The first role descriptor of this kind that declares SAML 2.0 protocol support. */
function saml2Role(entity: Element, localName: string): Element | undefined {
  return children(entity, NS.md, localName).find((r) => (attr(r, 'protocolSupportEnumeration') ?? '').split(/\s+/).includes(SAML2_PROTOCOL));
}

function readIdp(el: Element, entityId: string): IdpDescriptor {
  const where = `${entityId} IDPSSODescriptor`;
  return {
    ssoServices: readEndpoints(el, 'SingleSignOnService', false, where),
    sloServices: readEndpoints(el, 'SingleLogoutService', false, where),
    artifactResolutionServices: readEndpoints(el, 'ArtifactResolutionService', true, where),
    nameIdFormats: readNameIdFormats(el),
    keys: readKeys(el, where),
    wantAuthnRequestsSigned: readBoolean(el, 'WantAuthnRequestsSigned', where),
  };
}

function readSp(el: Element, entityId: string): SpDescriptor {
  const where = `${entityId} SPSSODescriptor`;
  return {
    acsServices: readEndpoints(el, 'AssertionConsumerService', true, where),
    sloServices: readEndpoints(el, 'SingleLogoutService', false, where),
    artifactResolutionServices: readEndpoints(el, 'ArtifactResolutionService', true, where),
    nameIdFormats: readNameIdFormats(el),
    keys: readKeys(el, where),
    authnRequestsSigned: readBoolean(el, 'AuthnRequestsSigned', where),
    wantAssertionsSigned: readBoolean(el, 'WantAssertionsSigned', where),
  };
}

function readEndpoints(role: Element, localName: string, indexed: boolean, where: string): Endpoint[] {
  return children(role, NS.md, localName).map((e) => {
    const binding = attr(e, 'Binding')?.trim();
    const location = attr(e, 'Location')?.trim();
    if (!binding || !location) throw new MetadataError('invalid', `${where} ${localName} lacks Binding or Location`);
    const endpoint: Endpoint = { binding, location };
    const responseLocation = attr(e, 'ResponseLocation')?.trim();
    if (responseLocation) endpoint.responseLocation = responseLocation;
    const index = attr(e, 'index');
    if (index !== undefined) {
      const n = index.trim();
      if (!/^\d+$/.test(n) || Number(n) > 65535) throw new MetadataError('invalid', `${where} ${localName} index "${index}" is not an unsignedShort`);
      endpoint.index = Number(n);
    } else if (indexed) {
      throw new MetadataError('invalid', `${where} ${localName} at ${location} has no index (it is an indexed endpoint)`);
    }
    if (e.hasAttribute('isDefault')) endpoint.isDefault = parseBoolean(attr(e, 'isDefault')!, `${where} ${localName} isDefault`);
    return endpoint;
  });
}

function readNameIdFormats(role: Element): string[] {
  // Hand-written metadata often wraps the URI in newlines and indentation.
  return children(role, NS.md, 'NameIDFormat')
    .map((e) => (e.textContent ?? '').trim())
    .filter((f) => f !== '');
}

function readKeys(role: Element, where: string): KeyInfoEntry[] {
  const out: KeyInfoEntry[] = [];
  for (const kd of children(role, NS.md, 'KeyDescriptor')) {
    const use = attr(kd, 'use')?.trim();
    if (use !== undefined && use !== 'signing' && use !== 'encryption') {
      throw new MetadataError('invalid', `${where} KeyDescriptor use="${use}" (allowed: signing, encryption, or absent)`);
    }
    const keyInfo = child(kd, NS.ds, 'KeyInfo');
    for (const x509Data of keyInfo ? children(keyInfo, NS.ds, 'X509Data') : []) {
      for (const certEl of children(x509Data, NS.ds, 'X509Certificate')) {
        const entry: KeyInfoEntry = { certPem: certificatePem(certEl.textContent ?? '', where) };
        if (use) entry.use = use;
        out.push(entry);
      }
    }
  }
  return out;
}

function certificatePem(b64: string, where: string): string {
  try {
    const pem = base64ToCertPem(b64);
    new crypto.X509Certificate(pem);
    return pem;
  } catch (err) {
    throw new MetadataError('invalid', `${where} KeyDescriptor holds a certificate that does not parse: ${(err as Error).message}`);
  }
}

function readBoolean(el: Element, name: string, where: string): boolean {
  const value = attr(el, name);
  return value === undefined ? false : parseBoolean(value, `${where} ${name}`);
}

function parseBoolean(value: string, what: string): boolean {
  const v = value.trim();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new MetadataError('invalid', `${what}="${value}" is not an xs:boolean`);
}

function earliest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(tb)) return a;
  if (Number.isNaN(ta)) return b;
  return tb < ta ? b : a;
}

// ---------------------------------------------------------------------------------------------
// Writing (schema order: saml-schema-metadata-2.0.xsd)

export interface IdpMetadataOptions {
  entityId: string;
  signingCertPem: string;
  encryptionCertPem?: string;
  ssoServices: Endpoint[];
  sloServices?: Endpoint[];
  artifactResolutionServices?: Endpoint[];
  nameIdFormats?: string[];
  wantAuthnRequestsSigned?: boolean;
  validUntil?: Date;
  /** An ID attribute on EntityDescriptor, so the document can be signed. */
  id?: string;
}

export interface SpMetadataOptions {
  entityId: string;
  signingCertPem?: string;
  encryptionCertPem?: string;
  acsServices: Endpoint[];
  sloServices?: Endpoint[];
  artifactResolutionServices?: Endpoint[];
  nameIdFormats?: string[];
  authnRequestsSigned?: boolean;
  wantAssertionsSigned?: boolean;
  validUntil?: Date;
  id?: string;
}

export function buildIdpMetadata(o: IdpMetadataOptions): string {
  if (o.ssoServices.length === 0) throw new MetadataError('invalid', 'an IdP needs at least one SingleSignOnService');
  const body = [
    keyDescriptor('signing', o.signingCertPem),
    o.encryptionCertPem ? keyDescriptor('encryption', o.encryptionCertPem) : '',
    endpoints('ArtifactResolutionService', o.artifactResolutionServices ?? [], true),
    endpoints('SingleLogoutService', o.sloServices ?? [], false),
    nameIdFormats(o.nameIdFormats ?? []),
    endpoints('SingleSignOnService', o.ssoServices, false),
  ].join('');
  const role =
    `  <md:IDPSSODescriptor protocolSupportEnumeration="${SAML2_PROTOCOL}" WantAuthnRequestsSigned="${o.wantAuthnRequestsSigned ? 'true' : 'false'}">\n` +
    `${body}  </md:IDPSSODescriptor>\n`;
  return entityDescriptor(o.entityId, o.validUntil, o.id, role);
}

export function buildSpMetadata(o: SpMetadataOptions): string {
  if (o.acsServices.length === 0) throw new MetadataError('invalid', 'an SP needs at least one AssertionConsumerService');
  // With no isDefault anywhere, the first ACS is made the explicit default.
  const acs = o.acsServices.some((e) => e.isDefault !== undefined) ? o.acsServices : o.acsServices.map((e, i) => (i === 0 ? { ...e, isDefault: true } : e));
  const body = [
    o.signingCertPem ? keyDescriptor('signing', o.signingCertPem) : '',
    o.encryptionCertPem ? keyDescriptor('encryption', o.encryptionCertPem) : '',
    endpoints('ArtifactResolutionService', o.artifactResolutionServices ?? [], true),
    endpoints('SingleLogoutService', o.sloServices ?? [], false),
    nameIdFormats(o.nameIdFormats ?? []),
    endpoints('AssertionConsumerService', acs, true),
  ].join('');
  const role =
    `  <md:SPSSODescriptor protocolSupportEnumeration="${SAML2_PROTOCOL}" AuthnRequestsSigned="${o.authnRequestsSigned ? 'true' : 'false'}" WantAssertionsSigned="${o.wantAssertionsSigned ? 'true' : 'false'}">\n` +
    `${body}  </md:SPSSODescriptor>\n`;
  return entityDescriptor(o.entityId, o.validUntil, o.id, role);
}

function entityDescriptor(entityId: string, validUntil: Date | undefined, id: string | undefined, roleXml: string): string {
  const attrs = [
    `xmlns:md="${NS.md}"`,
    `xmlns:ds="${NS.ds}"`,
    id !== undefined ? `ID="${escapeXml(id)}"` : '',
    validUntil ? `validUntil="${xsDateTime(validUntil)}"` : '',
    `entityID="${escapeXml(entityId)}"`,
  ].filter(Boolean);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<md:EntityDescriptor ${attrs.join(' ')}>\n${roleXml}</md:EntityDescriptor>\n`;
}

function keyDescriptor(use: 'signing' | 'encryption', certPem: string): string {
  return (
    `    <md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` +
    `${certToBase64(certPem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n`
  );
}

function endpoints(localName: string, list: Endpoint[], indexed: boolean): string {
  return list
    .map((e, i) => {
      const parts = [`Binding="${escapeXml(e.binding)}"`, `Location="${escapeXml(e.location)}"`];
      if (e.responseLocation !== undefined) parts.push(`ResponseLocation="${escapeXml(e.responseLocation)}"`);
      // Indexed endpoints must carry an index (numbered by position when the caller gave none);
      // plain endpoints may not carry index or isDefault at all.
      if (indexed) {
        parts.push(`index="${e.index ?? i}"`);
        if (e.isDefault !== undefined) parts.push(`isDefault="${e.isDefault ? 'true' : 'false'}"`);
      }
      return `    <md:${localName} ${parts.join(' ')}/>\n`;
    })
    .join('');
}

function nameIdFormats(formats: string[]): string {
  return formats.map((f) => `    <md:NameIDFormat>${escapeXml(f)}</md:NameIDFormat>\n`).join('');
}

/** xs:dateTime in UTC, without milliseconds when there are none. */
function xsDateTime(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, 'Z');
}
