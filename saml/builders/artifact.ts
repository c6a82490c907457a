// samlp:ArtifactResolve and samlp:ArtifactResponse (SAML Core 3.5), sent over SOAP.
import { BUILDER_DEFAULTS } from './defaults.ts';
import { newId } from './ids.ts';
import {
  type ProtocolHeaderOptions,
  type StatusOptions,
  ROOT_NAMESPACES,
  headerAttributes,
  headerChildren,
  renderStatus,
} from './parts.ts';
import { element, resolve, textElement } from './xml-writer.ts';

export interface ArtifactResolveOptions extends ProtocolHeaderOptions {
  id?: string | null;
  issueInstant?: Date | string | null;
  /** Default: BUILDER_DEFAULTS.idpArtifactResolutionUrl. */
  destination?: string | null;
  /** Default: BUILDER_DEFAULTS.spEntityId. */
  issuer?: string | null;
  /** The base64 artifact; null writes no samlp:Artifact (schema-invalid). */
  artifact: string | null;
  now?: Date;
}

export function buildArtifactResolve(o: ArtifactResolveOptions): string {
  const now = o.now ?? new Date();
  return element(
    'samlp:ArtifactResolve',
    [...ROOT_NAMESPACES, ...headerAttributes(o, { id: newId(), now, destination: BUILDER_DEFAULTS.idpArtifactResolutionUrl })],
    headerChildren(o, BUILDER_DEFAULTS.spEntityId) + (o.artifact === null ? '' : textElement('samlp:Artifact', [], o.artifact)),
  );
}

export interface ArtifactResponseOptions extends ProtocolHeaderOptions {
  id?: string | null;
  issueInstant?: Date | string | null;
  /** Default: absent (SOAP responses usually carry no Destination). */
  destination?: string | null;
  /** The ArtifactResolve ID. Default: absent. */
  inResponseTo?: string | null;
  /** Default: BUILDER_DEFAULTS.idpEntityId. */
  issuer?: string | null;
  /** Default: Success. null leaves out samlp:Status. */
  status?: StatusOptions | null;
  /** The resolved protocol message as raw XML (e.g. a signed samlp:Response). Default: none. */
  messageXml?: string | null;
  now?: Date;
}

export function buildArtifactResponse(o: ArtifactResponseOptions = {}): string {
  const now = o.now ?? new Date();
  const status = resolve(o.status, {});
  return element(
    'samlp:ArtifactResponse',
    [
      ...ROOT_NAMESPACES,
      ...headerAttributes(o, { id: newId(), now }),
      ['InResponseTo', resolve(o.inResponseTo, undefined)],
    ],
    headerChildren(o, BUILDER_DEFAULTS.idpEntityId) + (status ? renderStatus(status) : '') + (resolve(o.messageXml, undefined) ?? ''),
  );
}
