// Pieces shared by several messages: the protocol header, Issuer, NameID, Status, Conditions.
// Option types for these pieces live here and are re-exported by the message files.
import { ATTRNAME_FORMAT, NAMEID_FORMAT, NS, STATUS } from '../constants.ts';
import { samlTime } from './ids.ts';
import { type AttrValue, type Opt, element, resolve, textElement } from './xml-writer.ts';

export interface NameIdOptions {
  value: string;
  /** Default: NAMEID_FORMAT.unspecified, written out. */
  format?: string | null;
  nameQualifier?: string | null;
  spNameQualifier?: string | null;
  spProvidedId?: string | null;
}

export interface ConditionsOptions {
  notBefore?: Date | string | null;
  notOnOrAfter?: Date | string | null;
  /** Audiences of one AudienceRestriction. */
  audiences?: string[] | null;
  /** Several AudienceRestriction elements, one array each; replaces `audiences` when given. */
  audienceRestrictions?: string[][];
  oneTimeUse?: boolean;
  proxyRestriction?: { count?: number; audiences?: string[] };
}

export interface StatusOptions {
  /** Top-level StatusCode Value. Default: Success. */
  code?: string;
  /** Second-level code, or a chain of nested codes (outermost first). */
  subCode?: string | string[];
  message?: string | null;
  /** Raw XML placed inside samlp:StatusDetail. */
  detailXml?: string | null;
}

/** Attributes and children every protocol message (request or response) starts with. */
export interface ProtocolHeaderOptions {
  id?: string | null;
  version?: string | null;
  issueInstant?: Date | string | null;
  destination?: string | null;
  consent?: string | null;
  issuer?: string | null;
  /** Issuer Format attribute; default absent (which means the entity format). */
  issuerFormat?: string | null;
  /** Raw XML placed inside samlp:Extensions. */
  extensionsXml?: string | null;
  now?: Date;
}

export const ROOT_NAMESPACES: Array<[string, AttrValue]> = [
  ['xmlns:samlp', NS.samlp],
  ['xmlns:saml', NS.saml],
];

/** A time attribute: null drops it, undefined uses the fallback (if any), a string goes verbatim. */
export function timeValue(value: Opt<Date | string>, fallback?: Date): string | undefined {
  const v = resolve(value, fallback);
  return v === undefined ? undefined : samlTime(v);
}

export function renderIssuer(value: string | undefined, format?: string): string {
  return value === undefined ? '' : textElement('saml:Issuer', [['Format', format]], value);
}

export function renderExtensions(xml: string | undefined): string {
  return xml === undefined ? '' : element('samlp:Extensions', [], xml);
}

/** The ID/Version/IssueInstant/Destination/Consent attributes of a protocol message. */
export function headerAttributes(
  o: ProtocolHeaderOptions,
  defaults: { id: string; now: Date; destination?: string },
): Array<[string, AttrValue]> {
  return [
    ['ID', resolve(o.id, defaults.id)],
    ['Version', resolve(o.version, '2.0')],
    ['IssueInstant', timeValue(o.issueInstant, defaults.now)],
    ['Destination', resolve(o.destination, defaults.destination)],
    ['Consent', resolve(o.consent, undefined)],
  ];
}

/** Issuer then Extensions: the children that open every protocol message (Signature goes between them later). */
export function headerChildren(o: ProtocolHeaderOptions, defaultIssuer: string): string {
  return (
    renderIssuer(resolve(o.issuer, defaultIssuer), resolve(o.issuerFormat, undefined)) +
    renderExtensions(resolve(o.extensionsXml, undefined))
  );
}

export function nameIdAttributes(o: NameIdOptions): Array<[string, AttrValue]> {
  return [
    ['Format', resolve(o.format, NAMEID_FORMAT.unspecified)],
    ['NameQualifier', resolve(o.nameQualifier, undefined)],
    ['SPNameQualifier', resolve(o.spNameQualifier, undefined)],
    ['SPProvidedID', resolve(o.spProvidedId, undefined)],
  ];
}

export function renderNameId(o: NameIdOptions): string {
  return textElement('saml:NameID', nameIdAttributes(o), o.value);
}

export function renderStatus(o: StatusOptions = {}): string {
  const chain = [o.code ?? STATUS.success, ...(o.subCode === undefined ? [] : [o.subCode].flat())];
  // Build the nested StatusCode elements from the innermost outwards.
  let codes = '';
  for (let i = chain.length - 1; i >= 0; i--) codes = element('samlp:StatusCode', [['Value', chain[i]]], codes);
  const message = resolve(o.message, undefined);
  const detail = resolve(o.detailXml, undefined);
  return element(
    'samlp:Status',
    [],
    codes +
      (message === undefined ? '' : textElement('samlp:StatusMessage', [], message)) +
      (detail === undefined ? '' : element('samlp:StatusDetail', [], detail)),
  );
}

export interface ConditionsDefaults {
  notBefore?: Date;
  notOnOrAfter?: Date;
  audiences?: string[];
}

export function renderConditions(o: ConditionsOptions, defaults: ConditionsDefaults = {}): string {
  const audienceRestriction = (audiences: string[]) =>
    element('saml:AudienceRestriction', [], audiences.map((a) => textElement('saml:Audience', [], a)).join(''));
  const audiences = resolve(o.audiences, defaults.audiences);
  const restrictions = o.audienceRestrictions ?? (audiences === undefined ? [] : [audiences]);
  let content = restrictions.map(audienceRestriction).join('');
  if (o.oneTimeUse) content += element('saml:OneTimeUse', []);
  if (o.proxyRestriction) {
    content += element(
      'saml:ProxyRestriction',
      [['Count', o.proxyRestriction.count]],
      (o.proxyRestriction.audiences ?? []).map((a) => textElement('saml:Audience', [], a)).join(''),
    );
  }
  return element(
    'saml:Conditions',
    [
      ['NotBefore', timeValue(o.notBefore, defaults.notBefore)],
      ['NotOnOrAfter', timeValue(o.notOnOrAfter, defaults.notOnOrAfter)],
    ],
    content,
  );
}

/** Default NameFormat for an attribute: uri for URI-looking names (urn:oid:..., http...), basic otherwise. */
export function defaultAttributeNameFormat(name: string): string {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(name) ? ATTRNAME_FORMAT.uri : ATTRNAME_FORMAT.basic;
}
