// HTTP-Artifact at the ACS (SAML Bindings 3.6): the browser brings a SAMLart; the SP resolves it
// over the SOAP back channel at the IdP's ArtifactResolutionService (signed ArtifactResolve,
// loopback only) and gets the Response inside the ArtifactResponse. Each step is a finding, so an
// IdP's artifact support is judged, not just used.
import { SOAP_ACTION, SOAP_CONTENT_TYPE, parseArtifact, sourceIdFor, unwrapSoap, wrapSoap } from '../saml/bindings/index.ts';
import { buildArtifactResolve } from '../saml/builders/index.ts';
import { ARTIFACT_TYPE_CODE, BINDING, NS, STATUS } from '../saml/constants.ts';
import type { Credential } from '../saml/keys.ts';
import { findEndpoint, findEndpointByIndex } from '../saml/metadata.ts';
import type { RuleFinding } from '../saml/rules/index.ts';
import { type SignatureCheck, signRoot, verifySignatures } from '../saml/signature.ts';
import { attr, children, serialize } from '../saml/xml.ts';
import { requestLoopback } from './fetch.ts';
import type { IdpView } from './peer.ts';

/** Artifact support is what Conformance 3.2 asks of both roles; Core 3.2.2 governs the ArtifactResponse. */
const ARTIFACT_REQ = 'conformance-3.2';

export interface ArtifactExchange {
  /** Where the ArtifactResolve went. */
  url?: string;
  resolveXml?: string;
  /** The SOAP envelope sent. */
  resolveRaw?: string;
  /** The SOAP envelope received. */
  answerRaw?: string;
  artifactResponseXml?: string;
  signatures: SignatureCheck[];
}

export interface ArtifactResolution {
  /** The samlp:Response the artifact stood for, when one came back. */
  responseXml?: string;
  findings: RuleFinding[];
  exchange: ArtifactExchange;
}

function f(rule: string, ok: boolean, expected: string, observed: string, requirement = ARTIFACT_REQ): RuleFinding {
  return { rule, requirement, severity: 'must', ok, expected, observed };
}

export async function resolveArtifact(
  artifact: string,
  o: { idp: IdpView | undefined; spEntityId: string; signing: Credential; timeoutMs?: number },
): Promise<ArtifactResolution> {
  const findings: RuleFinding[] = [];
  const exchange: ArtifactExchange = { signatures: [] };
  const done = (): ArtifactResolution => ({ findings, exchange });

  let parsed: ReturnType<typeof parseArtifact>;
  try {
    parsed = parseArtifact(artifact);
  } catch (err) {
    findings.push(f('artifact-format', false, 'a 44-byte type 0x0004 artifact, base64', (err as Error).message));
    return done();
  }
  findings.push(f('artifact-format', parsed.typeCode === ARTIFACT_TYPE_CODE, 'type code 0x0004', `type code 0x${parsed.typeCode.toString(16).padStart(4, '0')}`));
  const idp = o.idp;
  if (!idp) {
    findings.push(f('artifact-source', false, 'an IdP to resolve the artifact with', 'no IdP metadata configured'));
    return done();
  }
  const sourceOk = parsed.sourceId.equals(sourceIdFor(idp.entityId));
  findings.push(f('artifact-source', sourceOk, `SourceID = SHA-1 of "${idp.entityId}"`, sourceOk ? 'SourceID matches the IdP' : `SourceID ${parsed.sourceId.toString('hex')} is not the IdP's`));
  const endpoint = findEndpointByIndex(idp.artifactResolutionServices, parsed.endpointIndex) ?? findEndpoint(idp.artifactResolutionServices, BINDING.soap);
  if (!sourceOk || !endpoint) {
    if (!endpoint) findings.push(f('artifact-resolution-service', false, `an ArtifactResolutionService (index ${parsed.endpointIndex}) in the IdP metadata`, 'none listed'));
    return done();
  }

  exchange.url = endpoint.location;
  exchange.resolveXml = signRoot(buildArtifactResolve({ destination: endpoint.location, issuer: o.spEntityId, artifact }), {
    privateKeyPem: o.signing.key.privateKeyPem,
    certPem: o.signing.certPem,
  });
  exchange.resolveRaw = wrapSoap(exchange.resolveXml);
  const resolveId = attr(unwrapSoap(exchange.resolveRaw), 'ID');
  let answer;
  try {
    answer = await requestLoopback(endpoint.location, {
      method: 'POST',
      headers: { 'content-type': SOAP_CONTENT_TYPE, soapaction: SOAP_ACTION },
      body: exchange.resolveRaw,
      timeoutMs: o.timeoutMs ?? 10_000,
    });
  } catch (err) {
    findings.push(f('artifact-resolved', false, 'the ArtifactResolutionService answers the ArtifactResolve', (err as Error).message));
    return done();
  }
  exchange.answerRaw = answer.body;
  let root;
  try {
    if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
    root = unwrapSoap(answer.body);
  } catch (err) {
    findings.push(f('artifact-resolved', false, 'HTTP 200 with a SOAP envelope holding one samlp:ArtifactResponse', (err as Error).message));
    return done();
  }
  const isArtifactResponse = root.namespaceURI === NS.samlp && root.localName === 'ArtifactResponse';
  findings.push(f('artifact-resolved', isArtifactResponse, 'a samlp:ArtifactResponse in the SOAP Body', `${root.localName} {${root.namespaceURI ?? ''}}`));
  if (!isArtifactResponse) return done();
  exchange.artifactResponseXml = serialize(root);
  try {
    exchange.signatures = verifySignatures(exchange.artifactResponseXml, idp.signingCerts);
  } catch (err) {
    findings.push(f('artifact-response-signature', false, 'an ArtifactResponse whose signatures can be checked', (err as Error).message, 'profiles-4.1.4.3'));
    return done();
  }
  const badSig = exchange.signatures.filter((c) => !c.valid);
  findings.push(
    f(
      'artifact-response-signature',
      badSig.length === 0,
      'any signature on the ArtifactResponse verifies against the IdP certificate',
      exchange.signatures.length === 0 ? 'ArtifactResponse not signed' : badSig.length ? badSig.map((c) => c.reason).join('; ') : 'signature valid',
      'profiles-4.1.4.3',
    ),
  );
  const irt = attr(root, 'InResponseTo');
  findings.push(f('artifact-response-in-response-to', irt === resolveId, `InResponseTo="${resolveId}"`, irt === undefined ? 'InResponseTo absent' : `InResponseTo="${irt}"`, 'core-3.2.2'));
  const status = children(root, NS.samlp, 'Status')[0];
  const code = status ? attr(children(status, NS.samlp, 'StatusCode')[0], 'Value') : undefined;
  findings.push(f('artifact-response-status', code === STATUS.success, `StatusCode ${STATUS.success}`, code ?? 'no StatusCode', 'core-3.2.2.2'));
  const message = children(root).find((el) => !(el.namespaceURI === NS.saml && el.localName === 'Issuer') && !(el.namespaceURI === NS.ds && el.localName === 'Signature') && !(el.namespaceURI === NS.samlp && (el.localName === 'Status' || el.localName === 'Extensions')));
  const isResponse = message?.namespaceURI === NS.samlp && message.localName === 'Response';
  findings.push(f('artifact-message', isResponse, 'the ArtifactResponse carries a samlp:Response', message ? message.localName ?? '?' : 'no message'));
  if (isResponse) return { responseXml: serialize(message!), findings, exchange };
  return done();
}
