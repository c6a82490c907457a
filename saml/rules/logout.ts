// Rules for Single Logout messages as received by a session participant or the IdP:
// LogoutRequest (Core 3.7.1, Profiles 4.4.4.1) and LogoutResponse (Core 3.7.2, Profiles 4.4.4.2).
// Fields are read from the signed content when the message is XML-signed; a Redirect signature
// covers the whole message, so then the document itself is what was signed.
import { NS, STATUS } from '../constants.ts';
import { verifyDocumentSignatures } from '../signature.ts';
import { type Element, attr, children } from '../xml.ts';
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
  issuerProblem,
  joinedText,
  parseMessage,
  parseSamlTime,
  runRules,
  samlChild,
  samlpChild,
  validCoverFor,
  wellFormedOk,
} from './common.ts';
import type {
  LogoutMessageInfo,
  LogoutRequestValidationContext,
  LogoutResponseValidationContext,
  LogoutValidation,
  Rule,
  RuleFinding,
  SignatureCheck,
} from './types.ts';

type Kind = 'LogoutRequest' | 'LogoutResponse';

export interface LogoutSubject {
  kind: Kind;
  ctx: LogoutRequestValidationContext | LogoutResponseValidationContext;
  now: Date;
  skewMs: number;
  root: Element;
  /** Signed content when XML-signed, else the document root. */
  envelope: Element;
  xmlSigned: boolean;
  signatures: SignatureCheck[];
}

type R = Rule<LogoutSubject>;
/** Typed so that `this` inside check() is the rule itself. */
const rule = (r: R): R => defineRule(r);

const DEFAULT_MAX_ISSUE_AGE_SECONDS = 3600;

/** Requirement IDs that differ between the two message kinds. */
const REQ = {
  LogoutRequest: { schema: 'core-3.7.1', header: 'core-3.2.1', usage: 'profiles-4.4.4.1' },
  LogoutResponse: { schema: 'core-3.7.2', header: 'core-3.2.2', usage: 'profiles-4.4.4.2' },
} as const;

export const logoutSignatureValid: R = rule({
  id: 'signature-valid',
  requirement: 'core-3.7.3.1',
  severity: 'must',
  check(s) {
    const bad = s.signatures.filter((c) => !c.valid).map(describeCheck);
    const redirect = s.ctx.redirectSignature;
    if (redirect && !redirect.valid) bad.push(`Redirect query signature invalid: ${redirect.reason ?? 'no reason given'}`);
    const all = [...s.signatures.map(describeCheck), ...(redirect ? [`Redirect query signature ${redirect.valid ? 'valid' : 'invalid'}`] : [])];
    return finding(this, {
      ok: bad.length === 0,
      requirement: s.kind === 'LogoutRequest' ? 'core-3.7.3.1' : REQ[s.kind].header,
      expected: 'every signature (XML or Redirect query) verifies against a pinned certificate of the peer',
      observed: all.length === 0 ? 'no signature present' : bad.length ? bad.join('; ') : all.join('; '),
    });
  },
});

export const logoutSignatureRequired: R = rule({
  id: 'signature-required',
  requirement: 'profiles-4.4.4.1',
  severity: 'must',
  check(s) {
    const required = s.ctx.requireSignature ?? true;
    const redirectOk = s.ctx.binding === 'redirect' && s.ctx.redirectSignature?.valid === true;
    const authenticated = s.xmlSigned || redirectOk;
    const how = s.xmlSigned ? 'valid XML signature on the message' : redirectOk ? 'valid Redirect query signature' : 'no valid signature authenticates the message';
    return finding(this, {
      ok: authenticated || !required,
      requirement: REQ[s.kind].usage,
      expected: required ? `the ${s.kind} is authenticated by a valid signature (XML, or the Redirect query signature)` : 'authentication optional by configuration',
      observed: how,
    });
  },
});

export const logoutVersion: R = rule({
  id: 'version',
  requirement: 'core-3.2.1',
  severity: 'must',
  check(s) {
    const v = attr(s.envelope, 'Version');
    return finding(this, {
      ok: v === '2.0',
      requirement: REQ[s.kind].header,
      expected: 'Version="2.0"',
      observed: v === undefined ? 'Version absent' : `Version="${v}"`,
    });
  },
});

export const logoutIssueInstant: R = rule({
  id: 'issue-instant',
  requirement: 'core-3.2.1',
  severity: 'must',
  check(s) {
    const maxAge = (s.ctx.maxIssueAgeSeconds ?? DEFAULT_MAX_ISSUE_AGE_SECONDS) * 1000;
    const value = attr(s.envelope, 'IssueInstant');
    const expected = `IssueInstant in UTC, no later than now + skew and no earlier than ${maxAge / 1000}s before now (now ${iso(s.now)})`;
    const req = REQ[s.kind].header;
    const j = judgeIssueInstant(value, s.now, s.skewMs, maxAge);
    if (j.ok) return finding(this, { ok: true, requirement: req, expected, observed: value! });
    if (j.kind === 'malformed') return finding(this, { ok: false, requirement: 'core-1.3.3', expected, observed: j.error });
    const observed = j.kind === 'absent' ? 'IssueInstant absent' : `${value} is ${j.kind === 'future' ? 'in the future' : 'too old'}`;
    return finding(this, { ok: false, requirement: req, expected, observed });
  },
});

export const logoutIssuer: R = rule({
  id: 'issuer',
  requirement: 'profiles-4.4.4.1',
  severity: 'must',
  check(s) {
    const issuer = samlChild(s.envelope, 'Issuer');
    const problem = issuerProblem(issuer, s.ctx.peerEntityId);
    return finding(this, {
      ok: !problem,
      requirement: REQ[s.kind].usage,
      expected: `Issuer "${s.ctx.peerEntityId}" with Format absent or entity`,
      observed: problem ?? 'Issuer matches the peer',
      el: problem ? issuer : undefined,
    });
  },
});

export const logoutDestination: R = rule({
  id: 'destination',
  requirement: 'core-3.2.1',
  severity: 'must',
  check(s) {
    const dest = attr(s.envelope, 'Destination');
    const signed = s.xmlSigned || s.ctx.redirectSignature?.valid === true;
    const expected = `Destination="${s.ctx.destination}" (required when signed)`;
    if (dest === undefined) {
      // Only the browser bindings demand Destination on signed messages (Bindings 3.4.5.2, 3.5.5.2).
      const browser = s.ctx.binding === 'redirect' || s.ctx.binding === 'post';
      const bindingReq = s.ctx.binding === 'redirect' ? 'bindings-3.4.5.2' : 'bindings-3.5.5.2';
      return finding(this, {
        ok: !(signed && browser),
        requirement: signed && browser ? bindingReq : REQ[s.kind].header,
        expected,
        observed: signed ? 'Destination absent on a signed message' : 'Destination absent',
      });
    }
    return finding(this, { ok: dest === s.ctx.destination, requirement: REQ[s.kind].header, expected, observed: `Destination="${dest}"` });
  },
});

export const logoutDuplicateIds: R = duplicateIdsRule();

// ---------------------------------------------------------------- LogoutRequest only

export const logoutNotOnOrAfter: R = rule({
  id: 'not-on-or-after',
  requirement: 'core-3.7.1',
  severity: 'must',
  check(s) {
    const v = attr(s.envelope, 'NotOnOrAfter');
    const expected = `NotOnOrAfter absent or later than now - skew (now ${iso(s.now)})`;
    if (v === undefined) return finding(this, { ok: true, expected, observed: 'NotOnOrAfter absent' });
    const t = parseSamlTime(v);
    if (!t.ok) return finding(this, { ok: false, requirement: 'core-1.3.3', expected, observed: t.error });
    const expired = s.now.getTime() >= t.date.getTime() + s.skewMs;
    return finding(this, { ok: !expired, expected, observed: `NotOnOrAfter=${v}${expired ? ' has passed' : ''}` });
  },
});

export const logoutNameIdMatches: R = rule({
  id: 'nameid-matches-session',
  requirement: 'profiles-4.4.4.1',
  severity: 'must',
  check(s) {
    const session = (s.ctx as LogoutRequestValidationContext).session;
    const nameId = samlChild(s.envelope, 'NameID');
    const value = joinedText(nameId);
    if (!session) {
      return finding(this, { ok: false, expected: 'a NameID naming a local session', observed: `no local session to match NameID "${value ?? ''}"`, el: nameId });
    }
    const format = attr(nameId, 'Format');
    if (session.exact) {
      // Profiles 4.4.4.1 (Core 3.7.1, 8.3): the identifier exactly as the assertion issued it, qualifiers included;
      // an attribute the assertion had must be there, one it lacked must be absent.
      const issued = { Format: session.nameIdFormat, NameQualifier: session.nameQualifier, SPNameQualifier: session.spNameQualifier, SPProvidedID: session.spProvidedId };
      const describe = (v: string | undefined, a: Record<string, string | undefined>) =>
        `NameID "${v ?? ''}"` + Object.entries(a).map(([k, x]) => (x === undefined ? ` (no ${k})` : ` ${k}="${x}"`)).join('');
      const expected = `${describe(session.nameId, issued)}, exactly as issued`;
      if (!nameId) return finding(this, { ok: false, expected, observed: 'no plaintext NameID in the request' });
      const got = Object.fromEntries(Object.keys(issued).map((k) => [k, attr(nameId, k)]));
      const ok = value === session.nameId && Object.entries(issued).every(([k, x]) => got[k] === x);
      return finding(this, { ok, expected, observed: describe(value, got), el: ok ? undefined : nameId });
    }
    const expected = `NameID "${session.nameId}"${session.nameIdFormat ? ` with Format ${session.nameIdFormat}` : ''}`;
    if (!nameId) return finding(this, { ok: false, expected, observed: 'no plaintext NameID in the request' });
    const formatOk = session.nameIdFormat === undefined || format === undefined || format === session.nameIdFormat;
    const ok = value === session.nameId && formatOk;
    return finding(this, { ok, expected, observed: `NameID "${value}"${format ? ` Format ${format}` : ''}`, el: ok ? undefined : nameId });
  },
});

export const logoutSessionIndex: R = rule({
  id: 'session-index',
  requirement: 'profiles-4.4.4.1',
  severity: 'must',
  check(s) {
    const ctx = s.ctx as LogoutRequestValidationContext;
    const got = children(s.envelope, NS.samlp, 'SessionIndex').map((e) => joinedText(e) ?? '');
    const out: RuleFinding[] = [];
    if (ctx.requireSessionIndex) {
      out.push(finding(this, { ok: got.length > 0, expected: 'at least one SessionIndex (sent by a session participant)', observed: `${got.length} SessionIndex` }));
    }
    const known = ctx.session?.sessionIndexes;
    if (known && known.length > 0 && got.length > 0) {
      const match = got.some((g) => known.includes(g));
      out.push(
        finding(this, {
          ok: match,
          requirement: 'core-3.7.3.1',
          expected: `a SessionIndex of this session (${known.join(', ')})`,
          observed: `SessionIndex ${got.join(', ')}`,
        }),
      );
    }
    if (out.length === 0) out.push(finding(this, { ok: true, expected: 'SessionIndex values, when given, name this session', observed: got.length ? `SessionIndex ${got.join(', ')}` : 'no SessionIndex (all sessions of the principal)' }));
    return out;
  },
});

// ---------------------------------------------------------------- LogoutResponse only

export const logoutInResponseTo: R = rule({
  id: 'in-response-to',
  requirement: 'core-3.2.2',
  severity: 'must',
  check(s) {
    const want = (s.ctx as LogoutResponseValidationContext).expectedRequestId;
    const got = attr(s.envelope, 'InResponseTo');
    return finding(this, { ok: got === want, expected: `InResponseTo="${want}"`, observed: got === undefined ? 'InResponseTo absent' : `InResponseTo="${got}"` });
  },
});

export const logoutStatus: R = rule({
  id: 'status-success',
  requirement: 'core-3.2.2.2',
  severity: 'must',
  check(s) {
    const status = samlpChild(s.envelope, 'Status');
    const code = attr(samlpChild(status, 'StatusCode'), 'Value');
    return finding(this, {
      ok: code === STATUS.success,
      expected: `top-level StatusCode ${STATUS.success}`,
      observed: code === undefined ? 'no StatusCode' : `StatusCode ${code}`,
      el: code === STATUS.success ? undefined : status,
    });
  },
});

export const logoutRedirectEmbeddedSignature: R = redirectEmbeddedSignatureRule();

const COMMON: readonly R[] = [logoutSignatureValid, logoutSignatureRequired, logoutDuplicateIds, logoutRedirectEmbeddedSignature, logoutVersion, logoutIssueInstant, logoutIssuer, logoutDestination];
export const LOGOUT_REQUEST_RULES: readonly R[] = [...COMMON, logoutNotOnOrAfter, logoutNameIdMatches, logoutSessionIndex];
export const LOGOUT_RESPONSE_RULES: readonly R[] = [...COMMON, logoutInResponseTo, logoutStatus];

export function validateLogoutRequest(xml: string, ctx: LogoutRequestValidationContext): LogoutValidation {
  return validateLogout('LogoutRequest', xml, ctx, LOGOUT_REQUEST_RULES);
}

export function validateLogoutResponse(xml: string, ctx: LogoutResponseValidationContext): LogoutValidation {
  return validateLogout('LogoutResponse', xml, ctx, LOGOUT_RESPONSE_RULES);
}

function validateLogout(
  kind: Kind,
  xml: string,
  ctx: LogoutRequestValidationContext | LogoutResponseValidationContext,
  rules: readonly R[],
): LogoutValidation {
  const schema = REQ[kind].schema;
  const parsed = parseMessage(xml, kind, schema);
  if (!parsed.ok) return { findings: [parsed.finding], ok: false, signatures: [] };
  let signatures: SignatureCheck[];
  try {
    signatures = verifyDocumentSignatures(parsed.doc, ctx.trustedCerts);
  } catch (err) {
    const f = finding({ id: 'well-formed-xml', requirement: schema, severity: 'must' }, { ok: false, expected: `a ${kind} whose signatures can be evaluated`, observed: (err as Error).message });
    return { findings: [f], ok: false, signatures: [] };
  }
  const cover = validCoverFor(signatures, parsed.root);
  const subject: LogoutSubject = {
    kind,
    ctx,
    now: ctx.now ?? new Date(),
    skewMs: (ctx.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000,
    root: parsed.root,
    envelope: cover?.signedElement ?? parsed.root,
    xmlSigned: cover !== undefined,
    signatures,
  };
  const findings = [wellFormedOk(kind, schema), ...runRules(rules, subject)];
  return { findings, ok: allMustPass(findings), signatures, message: messageInfo(kind, subject.envelope) };
}

function messageInfo(kind: Kind, el: Element): LogoutMessageInfo {
  const info: LogoutMessageInfo = { kind, sessionIndexes: children(el, NS.samlp, 'SessionIndex').map((e) => joinedText(e) ?? '') };
  const set = <K extends keyof LogoutMessageInfo>(k: K, v: LogoutMessageInfo[K] | undefined) => {
    if (v !== undefined) info[k] = v;
  };
  set('id', attr(el, 'ID'));
  set('issuer', joinedText(samlChild(el, 'Issuer'))?.trim());
  set('destination', attr(el, 'Destination'));
  set('inResponseTo', attr(el, 'InResponseTo'));
  set('notOnOrAfter', attr(el, 'NotOnOrAfter'));
  const nameId = samlChild(el, 'NameID');
  set('nameId', joinedText(nameId));
  set('nameIdFormat', attr(nameId, 'Format'));
  set('statusCode', attr(samlpChild(samlpChild(el, 'Status'), 'StatusCode'), 'Value'));
  return info;
}
