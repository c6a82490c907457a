// samlp:AuthnRequest (SAML Core 3.4.1). Defaults describe a plain SP asking for a login with the
// response POSTed back to its ACS URL; every field can be changed or removed for negative tests.
import { BINDING, NAMEID_FORMAT } from '../constants.ts';
import { BUILDER_DEFAULTS } from './defaults.ts';
import { newId } from './ids.ts';
import {
  type ConditionsOptions,
  type NameIdOptions,
  type ProtocolHeaderOptions,
  ROOT_NAMESPACES,
  headerAttributes,
  headerChildren,
  renderConditions,
  renderNameId,
} from './parts.ts';
import { element, resolve, textElement } from './xml-writer.ts';

export type AuthnContextComparison = 'exact' | 'minimum' | 'maximum' | 'better';

export interface IdpEntryOptions {
  providerId: string;
  name?: string;
  loc?: string;
}

export interface AuthnRequestOptions extends ProtocolHeaderOptions {
  /** Default: a fresh ID. */
  id?: string | null;
  /** Default: '2.0'. */
  version?: string | null;
  /** Default: `now`. */
  issueInstant?: Date | string | null;
  /** Default: BUILDER_DEFAULTS.idpSsoUrl. */
  destination?: string | null;
  /** Default: BUILDER_DEFAULTS.spEntityId. */
  issuer?: string | null;
  /** Default: absent. */
  forceAuthn?: boolean | null;
  /** Default: absent. */
  isPassive?: boolean | null;
  /** Default: HTTP-POST, unless assertionConsumerServiceIndex is given (then absent). */
  protocolBinding?: string | null;
  /** Default: BUILDER_DEFAULTS.spAcsUrl, unless assertionConsumerServiceIndex is given (then absent). */
  assertionConsumerServiceUrl?: string | null;
  /** Default: absent. */
  assertionConsumerServiceIndex?: number | null;
  /** Default: absent. */
  attributeConsumingServiceIndex?: number | null;
  /** Default: { format: unspecified, allowCreate: true }; inside it, undefined fields take those defaults too. */
  nameIdPolicy?: { format?: string | null; allowCreate?: boolean | null; spNameQualifier?: string | null } | null;
  /** Default: absent. Comparison absent unless given. */
  requestedAuthnContext?: { comparison?: AuthnContextComparison | null; classRefs: string[] } | null;
  /** Default: absent. */
  scoping?: { proxyCount?: number; idpList?: Array<string | IdpEntryOptions>; requesterIds?: string[] } | null;
  /** Default: absent. When given, only the fields set are written (no default times or audiences). */
  conditions?: ConditionsOptions | null;
  /** saml:Subject/saml:NameID the SP asks about. Default: absent. */
  subjectNameId?: NameIdOptions | null;
  /** Raw XML inside samlp:Extensions. Default: absent. */
  extensionsXml?: string | null;
  /** Default: absent. */
  providerName?: string | null;
  now?: Date;
}

export function buildAuthnRequest(options: AuthnRequestOptions = {}): string {
  const o = options;
  const now = o.now ?? new Date();
  const byIndex = o.assertionConsumerServiceIndex !== undefined && o.assertionConsumerServiceIndex !== null;

  const policy = resolve(o.nameIdPolicy, {});
  const authnContext = resolve(o.requestedAuthnContext, undefined);
  const scoping = resolve(o.scoping, undefined);
  const conditions = resolve(o.conditions, undefined);
  const subjectNameId = resolve(o.subjectNameId, undefined);

  const body =
    headerChildren(o, BUILDER_DEFAULTS.spEntityId) +
    (subjectNameId ? element('saml:Subject', [], renderNameId(subjectNameId)) : '') +
    (policy
      ? element('samlp:NameIDPolicy', [
          ['Format', resolve(policy.format, NAMEID_FORMAT.unspecified)],
          ['SPNameQualifier', resolve(policy.spNameQualifier, undefined)],
          ['AllowCreate', resolve(policy.allowCreate, true)],
        ])
      : '') +
    (conditions ? renderConditions(conditions) : '') +
    (authnContext
      ? element(
          'samlp:RequestedAuthnContext',
          [['Comparison', resolve(authnContext.comparison, undefined)]],
          authnContext.classRefs.map((ref) => textElement('saml:AuthnContextClassRef', [], ref)).join(''),
        )
      : '') +
    (scoping ? renderScoping(scoping) : '');

  return element(
    'samlp:AuthnRequest',
    [
      ...ROOT_NAMESPACES,
      ...headerAttributes(o, { id: newId(), now, destination: BUILDER_DEFAULTS.idpSsoUrl }),
      ['ForceAuthn', resolve(o.forceAuthn, undefined)],
      ['IsPassive', resolve(o.isPassive, undefined)],
      ['ProtocolBinding', resolve(o.protocolBinding, byIndex ? undefined : BINDING.post)],
      ['AssertionConsumerServiceURL', resolve(o.assertionConsumerServiceUrl, byIndex ? undefined : BUILDER_DEFAULTS.spAcsUrl)],
      ['AssertionConsumerServiceIndex', resolve(o.assertionConsumerServiceIndex, undefined)],
      ['AttributeConsumingServiceIndex', resolve(o.attributeConsumingServiceIndex, undefined)],
      ['ProviderName', resolve(o.providerName, undefined)],
    ],
    body,
  );
}

function renderScoping(s: NonNullable<AuthnRequestOptions['scoping']>): string {
  const entries = (s.idpList ?? []).map((e) => (typeof e === 'string' ? { providerId: e } : e));
  const idpList =
    s.idpList === undefined
      ? ''
      : element(
          'samlp:IDPList',
          [],
          entries
            .map((e) => element('samlp:IDPEntry', [['ProviderID', e.providerId], ['Name', e.name], ['Loc', e.loc]]))
            .join(''),
        );
  const requesters = (s.requesterIds ?? []).map((r) => textElement('samlp:RequesterID', [], r)).join('');
  return element('samlp:Scoping', [['ProxyCount', s.proxyCount]], idpList + requesters);
}
