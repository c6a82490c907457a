// samlp:LogoutRequest and samlp:LogoutResponse (SAML Core 3.7).
import { BUILDER_DEFAULTS } from './defaults.ts';
import { newId } from './ids.ts';
import {
  type NameIdOptions,
  type ProtocolHeaderOptions,
  type StatusOptions,
  ROOT_NAMESPACES,
  headerAttributes,
  headerChildren,
  renderNameId,
  renderStatus,
  timeValue,
} from './parts.ts';
import { element, resolve, textElement } from './xml-writer.ts';

export interface LogoutRequestOptions extends ProtocolHeaderOptions {
  id?: string | null;
  version?: string | null;
  issueInstant?: Date | string | null;
  /** Default: BUILDER_DEFAULTS.idpSloUrl. */
  destination?: string | null;
  /** Default: BUILDER_DEFAULTS.spEntityId. */
  issuer?: string | null;
  /** The principal to log out; null writes no identifier (schema-invalid, for attacks). */
  nameId: NameIdOptions | null;
  /** Raw identifier XML (e.g. saml:EncryptedID) written instead of the NameID. */
  identifierXml?: string;
  /** One samlp:SessionIndex each. Default: none. */
  sessionIndexes?: string[];
  /** Default: absent (see LOGOUT_REASON). */
  reason?: string | null;
  /** Default: absent. */
  notOnOrAfter?: Date | string | null;
  now?: Date;
}

export function buildLogoutRequest(options: LogoutRequestOptions): string {
  const o = options;
  const now = o.now ?? new Date();
  const identifier = o.identifierXml ?? (o.nameId ? renderNameId(o.nameId) : '');
  return element(
    'samlp:LogoutRequest',
    [
      ...ROOT_NAMESPACES,
      ...headerAttributes(o, { id: newId(), now, destination: BUILDER_DEFAULTS.idpSloUrl }),
      ['NotOnOrAfter', timeValue(o.notOnOrAfter, undefined)],
      ['Reason', resolve(o.reason, undefined)],
    ],
    headerChildren(o, BUILDER_DEFAULTS.spEntityId) +
      identifier +
      (o.sessionIndexes ?? []).map((s) => textElement('samlp:SessionIndex', [], s)).join(''),
  );
}

export interface LogoutResponseOptions extends ProtocolHeaderOptions {
  id?: string | null;
  version?: string | null;
  issueInstant?: Date | string | null;
  /** Default: BUILDER_DEFAULTS.spSloUrl. */
  destination?: string | null;
  /** Default: absent. */
  inResponseTo?: string | null;
  /** Default: BUILDER_DEFAULTS.idpEntityId. */
  issuer?: string | null;
  /** Default: Success. null leaves out samlp:Status. */
  status?: StatusOptions | null;
  now?: Date;
}

export function buildLogoutResponse(options: LogoutResponseOptions = {}): string {
  const o = options;
  const now = o.now ?? new Date();
  const status = resolve(o.status, {});
  return element(
    'samlp:LogoutResponse',
    [
      ...ROOT_NAMESPACES,
      ...headerAttributes(o, { id: newId(), now, destination: BUILDER_DEFAULTS.spSloUrl }),
      ['InResponseTo', resolve(o.inResponseTo, undefined)],
    ],
    headerChildren(o, BUILDER_DEFAULTS.idpEntityId) + (status ? renderStatus(status) : ''),
  );
}
