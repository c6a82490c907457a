// Putting an outgoing protocol message on the wire: sign (enveloped XML signature for POST, query
// signature for Redirect), apply the scenario's mutation, encode, and describe what was sent as
// evidence (the signature is checked against the SP's own certificate, so a message signed with
// the attacker key shows up as not verifying against the published key).
import type { SignatureEvidence } from '../shared/result-model.ts';
import { decodeRedirect, encodePostFields, encodeRedirect, rawQueryOf, verifyRedirectSignature } from '../saml/bindings/index.ts';
import type { MessageParam } from '../saml/bindings/index.ts';
import type { SignatureAlgorithmName } from '../saml/constants.ts';
import type { Credential } from '../saml/keys.ts';
import { signRoot, verifySignatures } from '../saml/signature.ts';
import { attr, parseXml } from '../saml/xml.ts';
import { redirectSignatureEvidence, xmlSignatureEvidence } from '../mock-kit/recorder.ts';
import type { SpBinding } from './types.ts';

export interface SigningChoice {
  credential: Credential;
  algorithm?: SignatureAlgorithmName;
  /** Which key it is, for the evidence note. */
  label: 'sp' | 'attacker';
}

export interface OutgoingInput {
  param: MessageParam;
  xml: string;
  binding: SpBinding;
  endpoint: string;
  relayState?: string;
  sign?: SigningChoice;
  mutate?: (xml: string) => string;
  sigAlgOverride?: string;
  mutateRedirectUrl?: (url: string) => string;
  /** The certificate a receiver pins for us (evidence only). */
  ownCertPem: string;
}

export interface OutgoingMessage {
  binding: SpBinding;
  endpoint: string;
  /** Final XML as sent (after signing and mutation). */
  xml: string;
  /** The root's ID in the final XML, when it parses and has one. */
  id?: string;
  relayState?: string;
  /** Redirect: the URL the browser is sent to. */
  redirectUrl?: string;
  /** POST: the form fields. */
  postFields?: Record<string, string>;
  /** What crossed the wire: the query string (Redirect) or the base64 field (POST). */
  raw: string;
  signatures: SignatureEvidence[];
  note?: string;
}

export function encodeOutgoing(o: OutgoingInput): OutgoingMessage {
  const notes: string[] = [];
  if (o.sign) notes.push(`signed with the ${o.sign.label === 'sp' ? "SP's own" : 'attacker'} key`);
  if (o.mutate) notes.push('mutated by the scenario plan');

  if (o.binding === 'post') {
    let xml = o.sign ? signRoot(o.xml, { privateKeyPem: o.sign.credential.key.privateKeyPem, certPem: o.sign.credential.certPem, algorithm: o.sign.algorithm }) : o.xml;
    if (o.mutate) xml = o.mutate(xml);
    const fields = encodePostFields({ param: o.param, xml, relayState: o.relayState });
    const out: OutgoingMessage = {
      binding: 'post',
      endpoint: o.endpoint,
      xml,
      relayState: o.relayState,
      postFields: fields,
      raw: fields[o.param],
      signatures: xmlEvidence(xml, o.ownCertPem, notes),
    };
    return finish(out, notes);
  }

  const xml = o.mutate ? o.mutate(o.xml) : o.xml;
  let url = encodeRedirect({
    endpoint: o.endpoint,
    param: o.param,
    xml,
    relayState: o.relayState,
    sign: o.sign ? { privateKeyPem: o.sign.credential.key.privateKeyPem, algorithm: o.sign.algorithm } : undefined,
    sigAlgOverride: o.sigAlgOverride,
  });
  if (o.mutateRedirectUrl) {
    url = o.mutateRedirectUrl(url);
    notes.push('URL edited by the scenario plan');
  }
  const raw = rawQueryOf(url);
  const out: OutgoingMessage = { binding: 'redirect', endpoint: o.endpoint, xml, relayState: o.relayState, redirectUrl: url, raw, signatures: [] };
  try {
    const msg = decodeRedirect(raw);
    if (msg.signature !== undefined || msg.sigAlg !== undefined) out.signatures.push(redirectSignatureEvidence(verifyRedirectSignature(msg, [o.ownCertPem])));
  } catch (err) {
    notes.push(`the sent query does not decode: ${(err as Error).message}`);
  }
  return finish(out, notes);
}

function finish(out: OutgoingMessage, notes: string[]): OutgoingMessage {
  const id = rootId(out.xml);
  if (id !== undefined) out.id = id;
  if (notes.length > 0) out.note = notes.join('; ');
  return out;
}

function rootId(xml: string): string | undefined {
  try {
    return attr(parseXml(xml).documentElement, 'ID');
  } catch {
    return undefined;
  }
}

function xmlEvidence(xml: string, certPem: string, notes: string[]): SignatureEvidence[] {
  try {
    return xmlSignatureEvidence(verifySignatures(xml, [certPem]));
  } catch (err) {
    notes.push(`the sent XML cannot be checked: ${(err as Error).message}`);
    return [];
  }
}
