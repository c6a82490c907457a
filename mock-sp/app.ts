// The little SP application behind target mode (and the session bookkeeping both modes share for
// Single Logout): sessions created by accepted Responses, the outstanding-request state carried in
// RelayState, the assertion replay cache, and cookie helpers.
import crypto from 'node:crypto';
import type { ResponseIdentity } from '../saml/rules/index.ts';

export const SESSION_COOKIE = 'samlconf_sp_session';
export const LOGIN_COOKIE = 'samlconf_sp_login';

/** How long an outstanding AuthnRequest may be answered. */
const PENDING_LOGIN_MS = 10 * 60 * 1000;
const MAX_ENTRIES = 10_000;

export interface SpSession {
  id: string;
  nameId: string;
  nameIdFormat?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  spProvidedId?: string;
  sessionIndex?: string;
  attributes: Record<string, string[]>;
  scenario: string;
  createdAt: string;
}

/** The NameID of a session or asserted identity, every attribute as asserted, for a LogoutRequest. */
export function logoutNameIdOf(id: Pick<ResponseIdentity, 'nameId' | 'nameIdFormat' | 'nameQualifier' | 'spNameQualifier' | 'spProvidedId'>): {
  nameId: string;
  nameIdFormat?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  spProvidedId?: string;
} {
  return {
    nameId: id.nameId,
    ...(id.nameIdFormat !== undefined ? { nameIdFormat: id.nameIdFormat } : {}),
    ...(id.nameQualifier !== undefined ? { nameQualifier: id.nameQualifier } : {}),
    ...(id.spNameQualifier !== undefined ? { spNameQualifier: id.spNameQualifier } : {}),
    ...(id.spProvidedId !== undefined ? { spProvidedId: id.spProvidedId } : {}),
  };
}

function token(): string {
  return crypto.randomBytes(24).toString('base64url');
}

function trim<K, V>(map: Map<K, V>): void {
  while (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as K);
}

export class SessionStore {
  private readonly sessions = new Map<string, SpSession>();

  create(identity: ResponseIdentity, scenario: string): SpSession {
    const s: SpSession = { id: token(), nameId: identity.nameId, attributes: identity.attributes, scenario, createdAt: new Date().toISOString() };
    if (identity.nameIdFormat !== undefined) s.nameIdFormat = identity.nameIdFormat;
    if (identity.nameQualifier !== undefined) s.nameQualifier = identity.nameQualifier;
    if (identity.spNameQualifier !== undefined) s.spNameQualifier = identity.spNameQualifier;
    if (identity.spProvidedId !== undefined) s.spProvidedId = identity.spProvidedId;
    if (identity.sessionIndex !== undefined) s.sessionIndex = identity.sessionIndex;
    this.sessions.set(s.id, s);
    trim(this.sessions);
    return s;
  }

  get(id: string | undefined): SpSession | undefined {
    return id === undefined ? undefined : this.sessions.get(id);
  }

  delete(id: string): boolean {
    return this.sessions.delete(id);
  }

  byNameId(nameId: string): SpSession[] {
    return [...this.sessions.values()].filter((s) => s.nameId === nameId);
  }

  /** End the principal's sessions named by the SessionIndex values (all of them when none given). */
  endMatching(nameId: string, sessionIndexes: string[]): number {
    let n = 0;
    for (const s of this.byNameId(nameId)) {
      if (sessionIndexes.length > 0 && (s.sessionIndex === undefined || !sessionIndexes.includes(s.sessionIndex))) continue;
      this.sessions.delete(s.id);
      n++;
    }
    return n;
  }
}

/** Outstanding AuthnRequests, keyed by an opaque token that travels as RelayState (and a cookie). */
export class PendingLogins {
  private readonly pending = new Map<string, { requestId: string; at: number }>();

  /** A fresh token: it goes into the request's RelayState before the request ID is final. */
  newToken(): string {
    return token();
  }

  add(t: string, requestId: string): void {
    this.pending.set(t, { requestId, at: Date.now() });
    trim(this.pending);
  }

  /**
   * The request a token stands for, while fresh. Not consumed on use: the replay cache is the
   * defence against a second delivery, so each defence can be weakened on its own.
   */
  requestIdFor(t: string | undefined): string | undefined {
    if (t === undefined) return undefined;
    const p = this.pending.get(t);
    if (!p) return undefined;
    if (Date.now() - p.at > PENDING_LOGIN_MS) {
      this.pending.delete(t);
      return undefined;
    }
    return p.requestId;
  }
}

/** Assertion IDs already accepted. */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  has(id: string): boolean {
    return this.seen.has(id);
  }

  remember(id: string): void {
    this.seen.set(id, Date.now());
    trim(this.seen);
  }
}

export function parseCookies(header: string | string[] | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const text = Array.isArray(header) ? header.join('; ') : header ?? '';
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      out[name] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

/** An HttpOnly, SameSite=Lax cookie for the whole site. */
export function cookie(name: string, value: string): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax`;
}

export function expiredCookie(name: string): string {
  return `${name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}
