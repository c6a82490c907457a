// Evidence recorder: turns what crossed the wire into EvidenceMessage records (shared/result-model.ts)
// for one scenario. Generic on purpose — it knows nothing about the mock IdP, so the mock SP (and
// anything else that sees SAML traffic) can use it as is.
//
// What is kept: the raw wire form (query string or form field, undecoded), the decoded XML, an
// indented copy for reading, RelayState, and one SignatureEvidence per signature checked. The
// pretty copy is for people only; nothing is ever verified from it.
import type { EvidenceMessage, MessageKind, SignatureEvidence } from '../shared/result-model.ts';
import type { SignatureCheck } from '../saml/signature.ts';
import { parseXml, prettyPrint } from '../saml/xml.ts';

export type { EvidenceMessage, MessageKind, SignatureEvidence } from '../shared/result-model.ts';

export interface EvidenceInput {
  direction: 'sent' | 'received';
  /** Derived from the XML root element when not given. */
  kind?: MessageKind;
  binding?: EvidenceMessage['binding'];
  url?: string;
  /** Exactly what went over the wire. */
  raw: string;
  /** The decoded message, when it could be decoded. */
  xml?: string;
  relayState?: string;
  signatures?: SignatureEvidence[];
  note?: string;
}

const KINDS: ReadonlySet<string> = new Set([
  'AuthnRequest',
  'Response',
  'LogoutRequest',
  'LogoutResponse',
  'ArtifactResolve',
  'ArtifactResponse',
]);

/** The message kind named by the root element ('Metadata' for md:EntityDescriptor/EntitiesDescriptor). */
export function messageKindOf(xml: string | undefined): MessageKind {
  if (xml === undefined) return 'Other';
  try {
    const name = parseXml(xml).documentElement!.localName;
    if (name && KINDS.has(name)) return name as MessageKind;
    if (name === 'EntityDescriptor' || name === 'EntitiesDescriptor') return 'Metadata';
  } catch {
    // Hostile or broken XML is still evidence; it just has no recognisable kind.
  }
  return 'Other';
}

/** SignatureEvidence for each XML signature check (saml/signature.ts verifySignatures). */
export function xmlSignatureEvidence(checks: readonly SignatureCheck[]): SignatureEvidence[] {
  return checks.map((c) => {
    const e: SignatureEvidence = { kind: 'xml', valid: c.valid };
    if (c.signatureAlgorithm !== undefined) e.algorithm = c.signatureAlgorithm;
    const covers = c.referenceUri || c.parentId;
    if (covers) e.covers = covers;
    if (c.reason !== undefined) e.reason = c.reason;
    return e;
  });
}

/** SignatureEvidence for an HTTP-Redirect query signature (saml/bindings verifyRedirectSignature). */
export function redirectSignatureEvidence(
  check: { valid: boolean; algorithm?: string; reason?: string },
  covers?: string,
): SignatureEvidence {
  const e: SignatureEvidence = { kind: 'redirect-query', valid: check.valid };
  if (check.algorithm !== undefined) e.algorithm = check.algorithm;
  if (covers !== undefined) e.covers = covers;
  if (check.reason !== undefined) e.reason = check.reason;
  return e;
}

/** Evidence for one scenario, numbered from 1 in the order recorded. */
export class EvidenceRecorder {
  readonly via: string;
  private readonly messages: EvidenceMessage[] = [];
  private nextSeq = 1;
  /** Oldest entries are dropped past this count, so a looping peer cannot exhaust memory. */
  private readonly limit: number;

  constructor(via: string, options: { limit?: number } = {}) {
    this.via = via;
    this.limit = options.limit ?? 1000;
  }

  record(input: EvidenceInput): EvidenceMessage {
    const message: EvidenceMessage = {
      seq: this.nextSeq++,
      at: new Date().toISOString(),
      direction: input.direction,
      via: this.via,
      kind: input.kind ?? messageKindOf(input.xml),
      raw: input.raw,
    };
    if (input.binding !== undefined) message.binding = input.binding;
    if (input.url !== undefined) message.url = input.url;
    if (input.xml !== undefined) {
      message.xml = input.xml;
      message.pretty = prettyPrint(input.xml);
    }
    if (input.relayState !== undefined) message.relayState = input.relayState;
    if (input.signatures !== undefined) message.signatures = input.signatures;
    if (input.note !== undefined) message.note = input.note;
    this.messages.push(message);
    if (this.messages.length > this.limit) this.messages.splice(0, this.messages.length - this.limit);
    return message;
  }

  /** A copy of everything recorded, in seq order. */
  list(): EvidenceMessage[] {
    return this.messages.map((m) => (m.signatures ? { ...m, signatures: m.signatures.map((s) => ({ ...s })) } : { ...m }));
  }

  /** Forget the messages; numbering restarts at 1. */
  clear(): void {
    this.messages.length = 0;
    this.nextSeq = 1;
  }
}
