// The mock IdP's memory: one ScenarioState per scenario key, the SPs it knows from metadata, and
// the indexes that attribute an incoming message to the scenario it belongs to (docs/mocks.md, attribution: the
// header first, then message correlation, then `?scenario=` on mock-owned start URLs, else
// `default`).
import { BINDING } from '../saml/constants.ts';
import {
  type EntityMetadata,
  type Endpoint,
  type SpDescriptor,
  defaultAcs,
  encryptionCerts,
  findEndpoint,
  findEndpointByIndex,
  parseMetadata,
  signingCerts,
} from '../saml/metadata.ts';
import type { KnownServiceProvider } from '../saml/rules/index.ts';
import { EvidenceRecorder } from '../mock-kit/recorder.ts';
import type { IdpPlan, LastAuthnRequest, LastResponse, ReceivedLogout } from './types.ts';

export const DEFAULT_SCENARIO = 'default';
export const SCENARIO_HEADER = 'x-samlconf-scenario';

export class ScenarioState {
  readonly key: string;
  plan: IdpPlan = {};
  readonly recorder = new EvidenceRecorder('mock-idp');
  lastRequest?: LastAuthnRequest;
  lastResponse?: LastResponse;
  /** Logout messages received for this scenario, and the IDs of the LogoutRequests it sent (oldest first). */
  readonly logouts: ReceivedLogout[] = [];
  readonly logoutRequestIds: string[] = [];
  constructor(key: string) {
    this.key = key;
  }
}

/** A Map that forgets its oldest entries past `limit`, for indexes fed by peers. */
export class BoundedMap<K, V> extends Map<K, V> {
  private readonly limit: number;
  constructor(limit: number) {
    super();
    this.limit = limit;
  }
  override set(key: K, value: V): this {
    if (this.has(key)) this.delete(key);
    super.set(key, value);
    while (this.size > this.limit) this.delete(this.keys().next().value as K);
    return this;
  }
}

/** Scenario keys arrive in headers and URLs: keep them short and printable. */
export function validScenarioKey(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200 && /^[\x21-\x7e]+$/.test(value);
}

export interface AttributionHints {
  header?: unknown;
  inResponseTo?: string;
  sessionIndexes?: string[];
  relayState?: string;
  queryScenario?: string;
}

export class ScenarioRegistry {
  private readonly scenarios = new Map<string, ScenarioState>();
  /** LogoutRequest IDs this IdP sent -> scenario. */
  readonly sentRequestIds = new BoundedMap<string, string>(10_000);
  /** SessionIndex values of Responses this IdP sent -> scenario. */
  readonly sessions = new BoundedMap<string, string>(10_000);

  get(key: string): ScenarioState {
    let s = this.scenarios.get(key);
    if (!s) {
      s = new ScenarioState(key);
      this.scenarios.set(key, s);
    }
    return s;
  }

  find(key: string): ScenarioState | undefined {
    return this.scenarios.get(key);
  }

  all(): ScenarioState[] {
    return [...this.scenarios.values()];
  }

  /** Drop a finished scenario and what points at it, so long runs do not grow without bound. */
  forget(key: string): void {
    if (!this.scenarios.delete(key)) return;
    for (const index of [this.sentRequestIds, this.sessions]) {
      for (const [id, k] of index) if (k === key) index.delete(id);
    }
  }

  attribute(h: AttributionHints): ScenarioState {
    const header = Array.isArray(h.header) ? h.header[0] : h.header;
    if (validScenarioKey(header)) return this.get(header);
    const byId = h.inResponseTo !== undefined ? this.sentRequestIds.get(h.inResponseTo) : undefined;
    if (byId) return this.get(byId);
    for (const index of h.sessionIndexes ?? []) {
      const bySession = this.sessions.get(index);
      if (bySession) return this.get(bySession);
    }
    if (h.relayState !== undefined && this.scenarios.has(h.relayState)) return this.get(h.relayState);
    if (validScenarioKey(h.queryScenario)) return this.get(h.queryScenario);
    return this.get(DEFAULT_SCENARIO);
  }
}

export interface KnownSp {
  entityId: string;
  sp: SpDescriptor;
}

/** The SPs this IdP talks to, from their metadata. */
export class SpRegistry {
  private sps: KnownSp[] = [];

  set(xml: string): void {
    const found = parseMetadata(xml)
      .filter((e): e is EntityMetadata & { sp: SpDescriptor } => e.sp !== undefined)
      .map((e) => ({ entityId: e.entityId, sp: e.sp }));
    if (found.length === 0) throw new Error('the SP metadata has no SPSSODescriptor');
    this.sps = found;
  }

  get known(): boolean {
    return this.sps.length > 0;
  }

  /** The SP named by this Issuer; with a single SP known and no match, that SP (its keys still decide). */
  for(issuer: string | undefined): KnownSp | undefined {
    const named = issuer === undefined ? undefined : this.sps.find((s) => s.entityId === issuer);
    if (named) return named;
    return issuer === undefined || this.sps.length === 1 ? this.sps[0] : undefined;
  }

  exact(issuer: string | undefined): KnownSp | undefined {
    return this.sps.find((s) => s.entityId === issuer);
  }

  first(entityId?: string): KnownSp | undefined {
    return entityId ? this.exact(entityId) : this.sps[0];
  }

  forRules(): KnownServiceProvider[] {
    return this.sps.map((s) => ({ entityId: s.entityId, acsServices: s.sp.acsServices, signingCerts: signingCerts(s.sp) }));
  }
}

export function spSigningCerts(sp: KnownSp | undefined): string[] {
  return sp ? signingCerts(sp.sp) : [];
}

export function spEncryptionCert(sp: KnownSp | undefined): string | undefined {
  return sp ? encryptionCerts(sp.sp)[0] : undefined;
}

/** The SP's default ACS for the POST binding (the only one the mock answers with). */
export function defaultPostAcs(sp: SpDescriptor): Endpoint | undefined {
  return findEndpoint(sp.acsServices, BINDING.post) ?? defaultAcs(sp);
}

export function acsByIndex(sp: SpDescriptor, index: number): Endpoint | undefined {
  return findEndpointByIndex(sp.acsServices, index);
}

export function acsRegistered(sp: SpDescriptor, url: string): boolean {
  return sp.acsServices.some((e) => e.location === url);
}

/** Where to send a logout message with this binding (ResponseLocation for responses, when given). */
export function sloEndpoint(sp: KnownSp | undefined, binding: string, forResponse: boolean): string | undefined {
  const e = sp?.sp.sloServices.find((s) => s.binding === binding);
  if (!e) return undefined;
  return forResponse ? (e.responseLocation ?? e.location) : e.location;
}
