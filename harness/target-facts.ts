// What scenarios may assume about a target: read from its SAML metadata (fetched over loopback or
// read from a file) and from what the config declares.
import fs from 'node:fs';
import { parseMetadata, type EntityMetadata } from '../saml/metadata.ts';
import type { TargetFacts } from './scenario.ts';
import type { TargetConfig } from './config.ts';
import { fetchLocal } from './net.ts';

export const MAX_METADATA_BYTES = 5 * 1024 * 1024;
export const METADATA_TIMEOUT_MS = 15_000;

export class TargetMetadataError extends Error {
  readonly target: string;
  constructor(target: string, message: string, options?: { cause?: unknown }) {
    super(`target '${target}': ${message}`, options);
    this.name = 'TargetMetadataError';
    this.target = target;
  }
}

function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** The metadata document as text: GET over loopback for a URL, otherwise a file read. */
export async function loadMetadataXml(target: TargetConfig, options: { timeoutMs?: number } = {}): Promise<string> {
  const source = target.metadata;
  if (!source) throw new TargetMetadataError(target.name, 'no metadata URL or file is configured');
  if (isUrl(source)) {
    let res;
    try {
      res = await fetchLocal(source, {
        timeoutMs: options.timeoutMs ?? METADATA_TIMEOUT_MS,
        maxBytes: MAX_METADATA_BYTES,
        headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml;q=0.9, */*;q=0.1' },
      });
    } catch (cause) {
      throw new TargetMetadataError(target.name, `cannot download metadata from ${source}: ${(cause as Error).message}`, { cause });
    }
    if (!res.ok) {
      throw new TargetMetadataError(target.name, `metadata URL ${source} answered HTTP ${res.status}; expected 200 with the EntityDescriptor`);
    }
    return res.text();
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch (cause) {
    throw new TargetMetadataError(target.name, `cannot read metadata file ${source}: ${(cause as Error).message}`, { cause });
  }
  if (stat.size > MAX_METADATA_BYTES) {
    throw new TargetMetadataError(target.name, `metadata file ${source} is ${stat.size} bytes, more than the ${MAX_METADATA_BYTES} allowed`);
  }
  return fs.readFileSync(source, 'utf8');
}

/**
 * Picks the target's entity: the configured entityId, or else the only entity with a descriptor
 * for the target's role (an aggregate may hold several entities).
 */
export function selectEntity(target: TargetConfig, xml: string): EntityMetadata {
  let entities: EntityMetadata[];
  try {
    entities = parseMetadata(xml);
  } catch (cause) {
    throw new TargetMetadataError(target.name, `its metadata cannot be read: ${(cause as Error).message}`, { cause });
  }
  const descriptor = target.role === 'idp' ? 'IDPSSODescriptor' : 'SPSSODescriptor';
  if (target.entityId) {
    const found = entities.find((e) => e.entityId === target.entityId);
    if (!found) {
      const ids = entities.map((e) => e.entityId).join(', ') || '(none)';
      throw new TargetMetadataError(target.name, `entityId '${target.entityId}' is not in its metadata; it has: ${ids}`);
    }
    if (!found[target.role]) throw new TargetMetadataError(target.name, `entity '${found.entityId}' has no ${descriptor}, but the target's role is '${target.role}'`);
    return found;
  }
  const withRole = entities.filter((e) => e[target.role]);
  if (withRole.length === 1) return withRole[0]!;
  if (withRole.length === 0) {
    throw new TargetMetadataError(target.name, `its metadata has no ${descriptor}, but the target's role is '${target.role}' (wrong role or wrong metadata?)`);
  }
  throw new TargetMetadataError(
    target.name,
    `its metadata holds ${withRole.length} entities with an ${descriptor} (${withRole.map((e) => e.entityId).join(', ')}); set entityId in the target's config to pick one`,
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Facts from the target's own entity metadata plus the config's declared capabilities. */
export function targetFactsFrom(target: TargetConfig, entity: EntityMetadata): TargetFacts {
  const facts: TargetFacts = {
    role: target.role,
    name: target.name,
    entityId: entity.entityId,
    ssoBindings: [],
    sloBindings: [],
    nameIdFormats: [],
    capabilities: [...(target.capabilities ?? [])],
    ...(target.role === 'sp' && target.logoutUrl ? { logoutUrl: target.logoutUrl } : {}),
  };
  if (target.role === 'idp') {
    const idp = entity.idp;
    if (!idp) throw new TargetMetadataError(target.name, `entity '${entity.entityId}' has no IDPSSODescriptor`);
    facts.ssoBindings = unique(idp.ssoServices.map((s) => s.binding));
    facts.sloBindings = unique(idp.sloServices.map((s) => s.binding));
    facts.nameIdFormats = unique(idp.nameIdFormats);
    facts.wantAuthnRequestsSigned = idp.wantAuthnRequestsSigned;
  } else {
    const sp = entity.sp;
    if (!sp) throw new TargetMetadataError(target.name, `entity '${entity.entityId}' has no SPSSODescriptor`);
    facts.ssoBindings = unique(sp.acsServices.map((s) => s.binding));
    facts.sloBindings = unique(sp.sloServices.map((s) => s.binding));
    facts.nameIdFormats = unique(sp.nameIdFormats);
    facts.authnRequestsSigned = sp.authnRequestsSigned;
    facts.wantAssertionsSigned = sp.wantAssertionsSigned;
  }
  return facts;
}

export interface LoadedTarget {
  facts: TargetFacts;
  metadata: EntityMetadata;
  /** The metadata document exactly as read. */
  metadataXml: string;
}

/** Reads the target's metadata and derives its facts. Throws TargetMetadataError with a reason. */
export async function loadTargetFacts(target: TargetConfig, options: { timeoutMs?: number } = {}): Promise<LoadedTarget> {
  const metadataXml = await loadMetadataXml(target, options);
  const metadata = selectEntity(target, metadataXml);
  return { facts: targetFactsFrom(target, metadata), metadata, metadataXml };
}
