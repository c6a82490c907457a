// Decoding what a browser brings to the SP (Redirect query or POST form) into the message text,
// keeping the wire form for the evidence. Nothing here trusts the content.
import { decodePostField, decodeRedirect } from '../saml/bindings/index.ts';
import type { MessageParam, RedirectMessage } from '../saml/bindings/index.ts';
import { parseXml } from '../saml/xml.ts';
import type { SpBinding } from './types.ts';

export interface IncomingMessage {
  binding: SpBinding;
  param?: MessageParam;
  /** What crossed the wire: the raw query (Redirect) or the base64 form field (POST). */
  raw: string;
  xml?: string;
  relayState?: string;
  /** Redirect only: the decoded query, for the detached signature check. */
  redirect?: RedirectMessage;
  /** Why it could not be decoded. */
  error?: string;
}

export function decodeIncomingRedirect(rawQuery: string): IncomingMessage {
  try {
    const msg = decodeRedirect(rawQuery);
    const out: IncomingMessage = { binding: 'redirect', param: msg.param, raw: rawQuery, xml: msg.xml, redirect: msg };
    if (msg.relayState !== undefined) out.relayState = msg.relayState;
    return out;
  } catch (err) {
    return { binding: 'redirect', raw: rawQuery, error: (err as Error).message };
  }
}

/** Exactly one of SAMLRequest / SAMLResponse, each a single string field. */
export function decodeIncomingPost(fields: unknown): IncomingMessage {
  const f = fields && typeof fields === 'object' ? (fields as Record<string, unknown>) : {};
  const relay = typeof f.RelayState === 'string' ? f.RelayState : undefined;
  const present = (['SAMLRequest', 'SAMLResponse'] as const).filter((p) => f[p] !== undefined);
  const base: IncomingMessage = { binding: 'post', raw: '' };
  if (relay !== undefined) base.relayState = relay;
  if (present.length !== 1) return { ...base, error: present.length === 0 ? 'no SAMLRequest or SAMLResponse form field' : 'both SAMLRequest and SAMLResponse present' };
  const param = present[0];
  const value = f[param];
  if (typeof value !== 'string') return { ...base, param, raw: Array.isArray(value) ? value.map(String).join('&') : '', error: `${param} sent more than once` };
  try {
    return { ...base, param, raw: value, xml: decodePostField(value) };
  } catch (err) {
    return { ...base, param, raw: value, error: (err as Error).message };
  }
}

/** The root element's local name and a few attributes, read without trusting them. */
export function peekRoot(xml: string | undefined): { name?: string; id?: string; inResponseTo?: string } {
  if (xml === undefined) return {};
  try {
    const root = parseXml(xml).documentElement!;
    return { name: root.localName ?? undefined, id: root.getAttribute('ID') || undefined, inResponseTo: root.getAttribute('InResponseTo') || undefined };
  } catch {
    return {};
  }
}
