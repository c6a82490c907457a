// Rules for an AuthnRequest as the mock IdP receives it (Core 3.4.1, Profiles 4.1.4.1): version,
// ID and freshness, Destination, a known Issuer, an ACS that belongs to that SP, a usable
// ProtocolBinding, and a signature when the IdP's metadata says WantAuthnRequestsSigned.
import { BINDING } from '../constants.ts';
import { verifyDocumentSignatures } from '../signature.ts';
import { type Element, attr } from '../xml.ts';
import {
  DEFAULT_CLOCK_SKEW_SECONDS,
  allMustPass,
  defineRule,
  describeCheck,
  duplicateIdsRule,
  redirectEmbeddedSignatureRule,
  finding,
  iso,
  judgeIssueInstant,
  isEntityFormat,
  joinedText,
  parseMessage,
  runRules,
  samlChild,
  samlpChild,
  validCoverFor,
  wellFormedOk,
} from './common.ts';
import type {
  AuthnRequestValidation,
  AuthnRequestValidationContext,
  KnownEndpoint,
  KnownServiceProvider,
  Rule,
  RuleFinding,
  SignatureCheck,
} from './types.ts';

export interface AuthnRequestSubject {
  ctx: AuthnRequestValidationContext;
  now: Date;
  skewMs: number;
  root: Element;
  envelope: Element;
  xmlSigned: boolean;
  signatures: SignatureCheck[];
  sp?: KnownServiceProvider;
  acs: AcsResolution;
}

interface AcsResolution {
  endpoint?: KnownEndpoint;
  ok: boolean;
  severity: 'must' | 'should';
  requirement?: string;
  observed: string;
}

type R = Rule<AuthnRequestSubject>;
/** Typed so that `this` inside check() is the rule itself. */
const rule = (r: R): R => defineRule(r);

const SCHEMA = 'core-3.4.1';
const DEFAULT_MAX_AGE_SECONDS = 300;
const DEFAULT_RESPONSE_BINDINGS = [BINDING.post, BINDING.artifact];
const NCNAME = /^[A-Za-z_][\w.\-]*$/;

export const requestVersion: R = rule({
  id: 'version',
  requirement: 'core-4.1.3.1',
  severity: 'must',
  check(s) {
    const v = attr(s.envelope, 'Version');
    return finding(this, { ok: v === '2.0', expected: 'Version="2.0"', observed: v === undefined ? 'Version absent' : `Version="${v}"` });
  },
});

export const requestId: R = rule({
  id: 'request-id',
  requirement: 'core-3.2.1',
  severity: 'must',
  check(s) {
    const id = attr(s.envelope, 'ID');
    const expected = 'an ID that is a valid xs:ID and has not been seen before';
    if (id === undefined || !NCNAME.test(id)) return finding(this, { ok: false, expected, observed: id === undefined ? 'ID absent' : `ID "${id}" is not an xs:ID` });
    if (s.ctx.seenRequestIds?.has(id)) return finding(this, { ok: false, requirement: 'attack-replay', expected, observed: `ID "${id}" was already used` });
    return finding(this, { ok: true, expected, observed: `ID "${id}"` });
  },
});

export const requestIssueInstant: R = rule({
  id: 'issue-instant',
  requirement: 'core-3.2.1',
  severity: 'must',
  check(s) {
    const maxAge = (s.ctx.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
    const value = attr(s.envelope, 'IssueInstant');
    const expected = `IssueInstant in UTC within [now - ${maxAge / 1000}s - skew, now + skew] (now ${iso(s.now)})`;
    const j = judgeIssueInstant(value, s.now, s.skewMs, maxAge);
    if (j.ok) return finding(this, { ok: true, expected, observed: value! });
    if (j.kind === 'malformed') return finding(this, { ok: false, requirement: 'core-1.3.3', expected, observed: j.error });
    if (j.kind === 'absent') return finding(this, { ok: false, expected, observed: 'IssueInstant absent' });
    // A stale request is what a replay looks like.
    return finding(this, { ok: false, requirement: j.kind === 'stale' ? 'attack-replay' : undefined, expected, observed: `${value} is ${j.kind}` });
  },
});

export const requestDestination: R = rule({
  id: 'destination',
  requirement: 'core-3.2.1',
  severity: 'must',
  check(s) {
    const dest = attr(s.envelope, 'Destination');
    const signed = s.xmlSigned || s.ctx.redirectSignature?.valid === true;
    const expected = `Destination="${s.ctx.ssoUrl}" (required when signed)`;
    if (dest === undefined) {
      const req = s.ctx.binding === 'redirect' ? 'bindings-3.4.5.2' : 'bindings-3.5.5.2';
      return finding(this, { ok: !signed, requirement: signed ? req : undefined, expected, observed: signed ? 'Destination absent on a signed request' : 'Destination absent' });
    }
    return finding(this, { ok: dest === s.ctx.ssoUrl, expected, observed: `Destination="${dest}"` });
  },
});

export const issuerKnown: R = rule({
  id: 'issuer-known',
  requirement: 'profiles-4.1.4.1',
  severity: 'must',
  check(s) {
    const issuer = samlChild(s.envelope, 'Issuer');
    const value = joinedText(issuer)?.trim();
    const format = attr(issuer, 'Format');
    const expected = 'Issuer naming a registered SP, Format absent or entity';
    const problem = !issuer ? 'Issuer absent' : !isEntityFormat(format) ? `Issuer Format is "${format}"` : !s.sp ? `unknown SP "${value}"` : undefined;
    return finding(this, { ok: !problem, expected, observed: problem ?? `SP "${value}"`, el: problem ? issuer : undefined });
  },
});

export const acsRegistered: R = rule({
  id: 'acs-registered',
  requirement: 'profiles-4.1.4.1',
  severity: 'must',
  check(s) {
    return finding(this, {
      ok: s.acs.ok,
      severity: s.acs.severity,
      requirement: s.acs.requirement,
      expected: 'AssertionConsumerServiceURL or index registered for this SP in its metadata (or neither: the default ACS)',
      observed: s.acs.observed,
      el: s.acs.ok ? undefined : shallow(s.envelope),
    });
  },
});

export const protocolBinding: R = rule({
  id: 'protocol-binding',
  requirement: 'core-3.4.1',
  severity: 'must',
  check(s) {
    const supported = s.ctx.supportedResponseBindings ?? DEFAULT_RESPONSE_BINDINGS;
    const requested = attr(s.envelope, 'ProtocolBinding');
    const binding = requested ?? s.acs.endpoint?.binding;
    const expected = `a Response binding the IdP supports (${supported.join(', ')}), never HTTP-Redirect`;
    if (binding === undefined) return finding(this, { ok: false, expected, observed: 'no binding requested and no ACS endpoint resolved' });
    if (binding === BINDING.redirect) return finding(this, { ok: false, requirement: 'profiles-4.1.2', expected, observed: `binding ${binding}` });
    return finding(this, { ok: supported.includes(binding), expected, observed: `${requested ? 'ProtocolBinding' : 'ACS binding'} ${binding}` });
  },
});

export const requestSignatureValid: R = rule({
  id: 'signature-valid',
  requirement: 'core-3.2.1',
  severity: 'must',
  check(s) {
    const bad = s.signatures.filter((c) => !c.valid).map(describeCheck);
    const redirect = s.ctx.redirectSignature;
    if (redirect && !redirect.valid) bad.push(`Redirect query signature invalid: ${redirect.reason ?? 'no reason given'}`);
    const present = s.signatures.length > 0 || redirect !== undefined;
    return finding(this, {
      ok: bad.length === 0,
      expected: 'any signature present verifies with a certificate of the SP named in Issuer',
      observed: !present ? 'no signature present' : bad.length ? bad.join('; ') : 'signature valid',
    });
  },
});

export const requestSignatureRequired: R = rule({
  id: 'signature-required',
  requirement: 'metadata-2.4.3',
  severity: 'must',
  check(s) {
    const authenticated = s.ctx.binding === 'redirect' ? s.ctx.redirectSignature?.valid === true : s.xmlSigned;
    if (!s.ctx.wantAuthnRequestsSigned) {
      return finding(this, { ok: true, expected: 'a signature only when WantAuthnRequestsSigned', observed: authenticated ? 'signed (not required)' : 'unsigned (not required)' });
    }
    return finding(this, {
      ok: authenticated,
      expected: s.ctx.binding === 'redirect' ? 'a valid Redirect query signature (WantAuthnRequestsSigned)' : 'a valid XML signature on the AuthnRequest (WantAuthnRequestsSigned)',
      observed: authenticated ? 'valid signature' : 'no valid signature authenticates the request',
    });
  },
});

export const requestDuplicateIds: R = duplicateIdsRule();

export const requestRedirectEmbeddedSignature: R = redirectEmbeddedSignatureRule();

export const AUTHN_REQUEST_RULES: readonly R[] = [
  requestSignatureValid,
  requestSignatureRequired,
  requestDuplicateIds,
  requestRedirectEmbeddedSignature,
  requestVersion,
  requestId,
  requestIssueInstant,
  requestDestination,
  issuerKnown,
  acsRegistered,
  protocolBinding,
];

export function validateAuthnRequest(xml: string, ctx: AuthnRequestValidationContext): AuthnRequestValidation {
  const parsed = parseMessage(xml, 'AuthnRequest', SCHEMA);
  if (!parsed.ok) return { findings: [parsed.finding], ok: false, signatures: [] };
  const root = parsed.root;
  // The Issuer picks which SP certificates may verify the signature; a forged Issuer only
  // selects another SP's keys, which the forger does not hold.
  const claimed = joinedText(samlChild(root, 'Issuer'))?.trim();
  const claimedSp = ctx.knownServiceProviders.find((sp) => sp.entityId === claimed);
  let signatures: SignatureCheck[];
  try {
    signatures = verifyDocumentSignatures(parsed.doc, claimedSp?.signingCerts ?? []);
  } catch (err) {
    const f = finding({ id: 'well-formed-xml', requirement: SCHEMA, severity: 'must' }, { ok: false, expected: 'an AuthnRequest whose signatures can be evaluated', observed: (err as Error).message });
    return { findings: [f], ok: false, signatures: [] };
  }
  const cover = validCoverFor(signatures, root);
  const envelope = cover?.signedElement ?? root;
  const issuer = joinedText(samlChild(envelope, 'Issuer'))?.trim();
  const sp = ctx.knownServiceProviders.find((k) => k.entityId === issuer);
  const subject: AuthnRequestSubject = {
    ctx,
    now: ctx.now ?? new Date(),
    skewMs: (ctx.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000,
    root,
    envelope,
    xmlSigned: cover !== undefined,
    signatures,
    sp,
    acs: resolveAcs(envelope, sp),
  };
  const findings: RuleFinding[] = [wellFormedOk('AuthnRequest', SCHEMA), ...runRules(AUTHN_REQUEST_RULES, subject)];
  const result: AuthnRequestValidation = { findings, ok: allMustPass(findings), signatures, request: requestFields(envelope) };
  if (sp) result.serviceProvider = sp;
  const supported = ctx.supportedResponseBindings ?? DEFAULT_RESPONSE_BINDINGS;
  if (subject.acs.endpoint && supported.includes(subject.acs.endpoint.binding)) result.acs = subject.acs.endpoint;
  return result;
}

/** Core 3.4.1: ACS by URL (with optional ProtocolBinding) or by index, never both; else the default. */
function resolveAcs(req: Element, sp: KnownServiceProvider | undefined): AcsResolution {
  if (!sp) return { ok: false, severity: 'must', observed: 'unknown SP: no registered ACS to compare with' };
  const url = attr(req, 'AssertionConsumerServiceURL');
  const indexText = attr(req, 'AssertionConsumerServiceIndex');
  const binding = attr(req, 'ProtocolBinding');
  if (url !== undefined && indexText !== undefined) {
    return { ok: false, severity: 'must', requirement: 'core-3.4.1', observed: 'both AssertionConsumerServiceURL and AssertionConsumerServiceIndex given' };
  }
  if (url !== undefined) {
    const endpoint = sp.acsServices.find((e) => e.location === url && (binding === undefined || e.binding === binding));
    if (endpoint) return { ok: true, severity: 'must', endpoint, observed: `ACS URL ${url} is registered (${endpoint.binding})` };
    const sameUrl = sp.acsServices.some((e) => e.location === url);
    return {
      ok: false,
      severity: 'must',
      requirement: sameUrl ? 'core-3.4.1' : 'attack-rogue-acs',
      observed: sameUrl ? `ACS URL ${url} is registered, but not with binding ${binding}` : `ACS URL ${url} is not registered for ${sp.entityId}`,
    };
  }
  const fallback = defaultEndpoint(sp.acsServices);
  if (indexText !== undefined) {
    const index = /^\d+$/.test(indexText) ? Number(indexText) : NaN;
    const endpoint = sp.acsServices.find((e) => e.index === index);
    if (endpoint) return { ok: true, severity: 'must', endpoint, observed: `ACS index ${indexText} is ${endpoint.location}` };
    // Core 3.4.1 lets the IdP answer an unknown index with an error or with the default ACS.
    return { ok: false, severity: 'should', requirement: 'core-3.4.1', endpoint: fallback, observed: `ACS index ${indexText} is not registered; falling back to the default ACS` };
  }
  if (!fallback) return { ok: false, severity: 'must', observed: `${sp.entityId} has no ACS endpoint` };
  return { ok: true, severity: 'must', endpoint: fallback, observed: `no ACS requested; default ${fallback.location}` };
}

/** Metadata 2.2.3: isDefault="true" first, then the first without isDefault, then the first. */
function defaultEndpoint(endpoints: KnownEndpoint[]): KnownEndpoint | undefined {
  return endpoints.find((e) => e.isDefault === true) ?? endpoints.find((e) => e.isDefault === undefined) ?? endpoints[0];
}

function requestFields(el: Element): NonNullable<AuthnRequestValidation['request']> {
  const out: NonNullable<AuthnRequestValidation['request']> = {};
  const str = (k: 'id' | 'destination' | 'issueInstant' | 'acsUrl' | 'protocolBinding', v: string | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  const bool = (v: string | undefined) => (v === undefined ? undefined : v === 'true' || v === '1');
  str('id', attr(el, 'ID'));
  str('destination', attr(el, 'Destination'));
  str('issueInstant', attr(el, 'IssueInstant'));
  str('acsUrl', attr(el, 'AssertionConsumerServiceURL'));
  str('protocolBinding', attr(el, 'ProtocolBinding'));
  const issuer = joinedText(samlChild(el, 'Issuer'))?.trim();
  if (issuer !== undefined) out.issuer = issuer;
  const index = attr(el, 'AssertionConsumerServiceIndex');
  if (index !== undefined && /^\d+$/.test(index)) out.acsIndex = Number(index);
  const force = bool(attr(el, 'ForceAuthn'));
  if (force !== undefined) out.forceAuthn = force;
  const passive = bool(attr(el, 'IsPassive'));
  if (passive !== undefined) out.isPassive = passive;
  const policy = samlpChild(el, 'NameIDPolicy');
  const format = attr(policy, 'Format');
  if (format !== undefined) out.nameIdPolicyFormat = format;
  const allowCreate = bool(attr(policy, 'AllowCreate'));
  if (allowCreate !== undefined) out.allowCreate = allowCreate;
  return out;
}

function shallow(el: Element): Element {
  return el.cloneNode(false) as Element;
}
