// samlp:Response (SAML Core 3.2.2) and saml:Assertion (Core 2.3.3) with its Subject, Conditions,
// Advice, AuthnStatement and AttributeStatement. Element order follows the schema, because
// signature placement and strict SPs depend on it.
import { createHash } from 'node:crypto';
import { AUTHN_CONTEXT, CONFIRMATION_METHOD, NAMEID_FORMAT, NS, STATUS } from '../constants.ts';
import { BUILDER_DEFAULTS } from './defaults.ts';
import { addSeconds, newId } from './ids.ts';
import {
  type ConditionsOptions,
  type NameIdOptions,
  type ProtocolHeaderOptions,
  type StatusOptions,
  ROOT_NAMESPACES,
  defaultAttributeNameFormat,
  headerAttributes,
  headerChildren,
  renderConditions,
  renderIssuer,
  renderNameId,
  renderStatus,
  timeValue,
} from './parts.ts';
import { type AttrValue, element, resolve, textElement } from './xml-writer.ts';

export type { ConditionsOptions, NameIdOptions, StatusOptions } from './parts.ts';

export interface AttributeOptions {
  name: string;
  /** One AttributeValue each; `null` writes an empty value with xsi:nil="true". */
  values: Array<string | null>;
  /** Default: uri for URI-looking names, basic otherwise. */
  nameFormat?: string | null;
  /** Default: absent. */
  friendlyName?: string | null;
  /** xsi:type on every value. Default: 'xs:string'; null writes no xsi:type. */
  valueType?: string | null;
}

export interface SubjectConfirmationOptions {
  /** Default: bearer. */
  method?: string;
  /** Default: the Response Destination, else BUILDER_DEFAULTS.spAcsUrl. */
  recipient?: string | null;
  /** Default: now + lifetime. */
  notOnOrAfter?: Date | string | null;
  /** Default: absent (a bearer confirmation must not carry one). */
  notBefore?: Date | string | null;
  /** Default: the Response InResponseTo (absent when unsolicited). */
  inResponseTo?: string | null;
  /** Default: absent. */
  address?: string | null;
}

export interface AuthnStatementOptions {
  /** Default: now. */
  authnInstant?: Date | string | null;
  /** Default: derived from the assertion ID (deterministic). */
  sessionIndex?: string | null;
  /** Default: absent. */
  sessionNotOnOrAfter?: Date | string | null;
  /** Default: PasswordProtectedTransport; null leaves AuthnContext empty (schema-invalid, for attacks). */
  classRef?: string | null;
}

export interface AssertionOptions {
  /** Default: a fresh ID. */
  id?: string | null;
  version?: string | null;
  /** Default: now. */
  issueInstant?: Date | string | null;
  /** Default: the Response Issuer, else BUILDER_DEFAULTS.idpEntityId. */
  issuer?: string | null;
  issuerFormat?: string | null;
  /** Default: { value: BUILDER_DEFAULTS.nameIdValue, format: emailAddress }. */
  nameId?: NameIdOptions | null;
  /** Default: one bearer confirmation with defaults. With both nameId and this null, no Subject is written. */
  subjectConfirmations?: SubjectConfirmationOptions[] | null;
  /** Default: NotBefore now, NotOnOrAfter now + lifetime, one Audience BUILDER_DEFAULTS.spEntityId. */
  conditions?: ConditionsOptions | null;
  /** Default: one AuthnStatement with defaults; an array writes several. */
  authnStatement?: AuthnStatementOptions | AuthnStatementOptions[] | null;
  /** Default: none. An empty array also writes no AttributeStatement. */
  attributes?: AttributeOptions[] | null;
  /** Raw XML placed inside saml:Advice (e.g. a nested Assertion for attacks). */
  adviceXml?: string | null;
  /** Validity window for the default times. Default: BUILDER_DEFAULTS.lifetimeSeconds. */
  lifetimeSeconds?: number;
  now?: Date;
}

export interface ResponseOptions extends ProtocolHeaderOptions {
  id?: string | null;
  version?: string | null;
  issueInstant?: Date | string | null;
  /** Default: BUILDER_DEFAULTS.spAcsUrl. */
  destination?: string | null;
  /** Default: absent (unsolicited). */
  inResponseTo?: string | null;
  /** Default: BUILDER_DEFAULTS.idpEntityId. */
  issuer?: string | null;
  /** Default: Success. null leaves out samlp:Status (schema-invalid, for attacks). */
  status?: StatusOptions | null;
  /**
   * Default: one assertion when the status is Success, none otherwise. Assertions inherit the
   * Response's now, Issuer, Destination (as Recipient) and InResponseTo where they leave them undefined.
   */
  assertions?: AssertionOptions[];
  /** Raw Assertion / EncryptedAssertion XML, written after any built assertions. Given alone, it replaces the default assertion. */
  assertionXml?: string[];
  extensionsXml?: string | null;
  now?: Date;
}

/** What an assertion inherits from the Response around it. */
interface AssertionContext {
  now: Date;
  issuer?: string;
  recipient?: string;
  inResponseTo?: string;
}

export function buildAssertion(options: AssertionOptions = {}): string {
  return renderAssertion(options, { now: options.now ?? new Date() });
}

function renderAssertion(o: AssertionOptions, ctx: AssertionContext): string {
  const now = o.now ?? ctx.now;
  const lifetime = o.lifetimeSeconds ?? BUILDER_DEFAULTS.lifetimeSeconds;
  const expiry = addSeconds(now, lifetime);
  const id = resolve(o.id, newId());

  const nameId = resolve(o.nameId, { value: BUILDER_DEFAULTS.nameIdValue, format: NAMEID_FORMAT.emailAddress });
  const confirmations = resolve(o.subjectConfirmations, [{}]) ?? [];
  const subject =
    nameId === undefined && confirmations.length === 0
      ? ''
      : element(
          'saml:Subject',
          [],
          (nameId ? renderNameId(nameId) : '') +
            confirmations.map((c) => renderSubjectConfirmation(c, ctx, expiry)).join(''),
        );

  const conditions = resolve(o.conditions, {});
  const advice = resolve(o.adviceXml, undefined);
  const statements = [resolve(o.authnStatement, {}) ?? []].flat();
  const attributes = resolve(o.attributes, []) ?? [];
  const needsXsi = attributes.some((a) => resolve(a.valueType, 'xs:string') !== undefined || a.values.includes(null));

  const attrsOut: Array<[string, AttrValue]> = [['xmlns:saml', NS.saml]];
  if (needsXsi) attrsOut.push(['xmlns:xs', NS.xs], ['xmlns:xsi', NS.xsi]);
  attrsOut.push(
    ['ID', id],
    ['Version', resolve(o.version, '2.0')],
    ['IssueInstant', timeValue(o.issueInstant, now)],
  );

  return element(
    'saml:Assertion',
    attrsOut,
    renderIssuer(resolve(o.issuer, ctx.issuer ?? BUILDER_DEFAULTS.idpEntityId), resolve(o.issuerFormat, undefined)) +
      subject +
      (conditions
        ? renderConditions(conditions, { notBefore: now, notOnOrAfter: expiry, audiences: [BUILDER_DEFAULTS.spEntityId] })
        : '') +
      (advice === undefined ? '' : element('saml:Advice', [], advice)) +
      statements.map((s) => renderAuthnStatement(s, now, id)).join('') +
      (attributes.length ? element('saml:AttributeStatement', [], attributes.map(renderAttribute).join('')) : ''),
  );
}

function renderSubjectConfirmation(c: SubjectConfirmationOptions, ctx: AssertionContext, expiry: Date): string {
  const data: Array<[string, AttrValue]> = [
    ['NotBefore', timeValue(c.notBefore, undefined)],
    ['NotOnOrAfter', timeValue(c.notOnOrAfter, expiry)],
    ['Recipient', resolve(c.recipient, ctx.recipient ?? BUILDER_DEFAULTS.spAcsUrl)],
    ['InResponseTo', resolve(c.inResponseTo, ctx.inResponseTo)],
    ['Address', resolve(c.address, undefined)],
  ];
  const hasData = data.some(([, v]) => v !== undefined);
  return element(
    'saml:SubjectConfirmation',
    [['Method', c.method ?? CONFIRMATION_METHOD.bearer]],
    hasData ? element('saml:SubjectConfirmationData', data) : '',
  );
}

/** A stable SessionIndex for an assertion ID, so default output stays deterministic. */
function sessionIndexFor(assertionId: string | undefined): string {
  if (assertionId === undefined) return newId();
  return '_' + createHash('sha256').update(`session:${assertionId}`).digest('hex').slice(0, 40);
}

function renderAuthnStatement(s: AuthnStatementOptions, now: Date, assertionId: string | undefined): string {
  const classRef = resolve(s.classRef, AUTHN_CONTEXT.passwordProtectedTransport);
  return element(
    'saml:AuthnStatement',
    [
      ['AuthnInstant', timeValue(s.authnInstant, now)],
      ['SessionIndex', s.sessionIndex === undefined ? sessionIndexFor(assertionId) : resolve(s.sessionIndex, undefined)],
      ['SessionNotOnOrAfter', timeValue(s.sessionNotOnOrAfter, undefined)],
    ],
    // AuthnContext is written even when empty: its absence and its emptiness are different faults.
    `<saml:AuthnContext>${classRef === undefined ? '' : textElement('saml:AuthnContextClassRef', [], classRef)}</saml:AuthnContext>`,
  );
}

function renderAttribute(a: AttributeOptions): string {
  const valueType = resolve(a.valueType, 'xs:string');
  const values = a.values
    .map((v) =>
      v === null
        ? element('saml:AttributeValue', [['xsi:nil', 'true']])
        : textElement('saml:AttributeValue', [['xsi:type', valueType]], v),
    )
    .join('');
  return element(
    'saml:Attribute',
    [
      ['Name', a.name],
      ['NameFormat', resolve(a.nameFormat, defaultAttributeNameFormat(a.name))],
      ['FriendlyName', resolve(a.friendlyName, undefined)],
    ],
    values,
  );
}

export function buildResponse(options: ResponseOptions = {}): string {
  const o = options;
  const now = o.now ?? new Date();
  const issuer = resolve(o.issuer, BUILDER_DEFAULTS.idpEntityId);
  const destination = resolve(o.destination, BUILDER_DEFAULTS.spAcsUrl);
  const inResponseTo = resolve(o.inResponseTo, undefined);
  const status = resolve(o.status, {});
  const success = (status?.code ?? STATUS.success) === STATUS.success;

  const ctx: AssertionContext = { now, issuer, recipient: destination, inResponseTo };
  const built = o.assertions ?? (o.assertionXml === undefined && success ? [{}] : []);
  const assertions = built.map((a) => renderAssertion(a, ctx)).join('') + (o.assertionXml ?? []).join('');

  return element(
    'samlp:Response',
    [
      ...ROOT_NAMESPACES,
      ...headerAttributes(o, { id: newId(), now, destination: BUILDER_DEFAULTS.spAcsUrl }),
      ['InResponseTo', inResponseTo],
    ],
    headerChildren(o, BUILDER_DEFAULTS.idpEntityId) + (status ? renderStatus(status) : '') + assertions,
  );
}

export interface LoginResponseParams {
  idpEntityId: string;
  spEntityId: string;
  acsUrl: string;
  /** The AuthnRequest ID; null or absent for an unsolicited (IdP-initiated) response. */
  inResponseTo?: string | null;
  nameId: NameIdOptions;
  attributes?: AttributeOptions[];
  sessionIndex?: string;
  now?: Date;
  /** Default: BUILDER_DEFAULTS.lifetimeSeconds (5 minutes). */
  lifetimeSeconds?: number;
  responseId?: string;
  assertionId?: string;
}

/** The ordinary successful Web SSO response for one SP, unsigned (sign it with saml/signature.ts). */
export function buildLoginResponse(p: LoginResponseParams): string {
  const now = p.now ?? new Date();
  const lifetime = p.lifetimeSeconds ?? BUILDER_DEFAULTS.lifetimeSeconds;
  const inResponseTo = p.inResponseTo ?? null;
  return buildResponse({
    id: p.responseId,
    now,
    issuer: p.idpEntityId,
    destination: p.acsUrl,
    inResponseTo,
    assertions: [
      {
        id: p.assertionId,
        issuer: p.idpEntityId,
        nameId: p.nameId,
        lifetimeSeconds: lifetime,
        subjectConfirmations: [{ recipient: p.acsUrl, inResponseTo }],
        conditions: { audiences: [p.spEntityId] },
        authnStatement: { sessionIndex: p.sessionIndex },
        attributes: p.attributes ?? null,
      },
    ],
  });
}
