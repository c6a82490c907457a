// Rules on the assertion the SP would use: issuer, subject, bearer confirmation, conditions and
// statements. Each reads the assertion chosen by prepareResponse (signed content when any exists);
// when there is no assertion at all the rule fails, because nothing was proven.
import { NS } from '../constants.ts';
import { type Element, attr, children, descendants } from '../xml.ts';
import { NAMEID_UNSPECIFIED, defineRule, finding, iso, issuerProblem, joinedText, parseSamlTime, samlChild } from './common.ts';
import { confirmationData, type ResponseSubject } from './response-subject.ts';
import { withSource } from './response-rules.ts';
import type { Rule, RuleFinding } from './types.ts';

type R = Rule<ResponseSubject>;
/** Typed so that `this` inside check() is the rule itself. */
const rule = (r: R): R => defineRule(r);

const NO_ASSERTION = 'no usable assertion to evaluate';

/** Evaluate only when there is an assertion; otherwise a failed finding. */
function withAssertion(rule: R, s: ResponseSubject, expected: string, f: (a: Element) => RuleFinding | RuleFinding[]): RuleFinding | RuleFinding[] {
  if (!s.assertion) return finding(rule, { ok: false, expected, observed: NO_ASSERTION });
  return f(s.assertion);
}

/** Evaluate against the chosen bearer confirmation; fail when there is none. */
function withBearer(rule: R, s: ResponseSubject, expected: string, f: (sc: Element, scd: Element | undefined) => RuleFinding | RuleFinding[]) {
  return withAssertion(rule, s, expected, () => {
    if (!s.bearer) return finding(rule, { ok: false, expected, observed: withSource(s, 'no bearer SubjectConfirmation') });
    return f(s.bearer, confirmationData(s.bearer));
  });
}

export const assertionIssuer: R = rule({
  id: 'assertion-issuer',
  requirement: 'profiles-4.1.4.2',
  severity: 'must',
  check(s) {
    const expected = `Assertion Issuer "${s.ctx.idpEntityId}" with Format absent or entity`;
    return withAssertion(this, s, expected, (a) => {
      const issuer = samlChild(a, 'Issuer');
      const problem = issuerProblem(issuer, s.ctx.idpEntityId);
      return finding(this, { ok: !problem, expected, observed: withSource(s, problem ?? 'Issuer matches the IdP'), el: problem ? issuer ?? a : undefined });
    });
  },
});

export const subjectNameId: R = rule({
  id: 'subject-nameid',
  requirement: 'profiles-4.1.4.2',
  severity: 'must',
  check(s) {
    const expected = 'a Subject with a non-empty NameID';
    return withAssertion(this, s, expected, (a) => {
      const value = joinedText(s.nameId)?.trim();
      const hasEncrypted = !!samlChild(samlChild(a, 'Subject'), 'EncryptedID');
      const observed = value
        ? `NameID "${joinedText(s.nameId)}"`
        : hasEncrypted
          ? 'EncryptedID could not be decrypted'
          : s.nameId
            ? 'NameID is empty'
            : 'no NameID in the Subject';
      return finding(this, { ok: !!value, expected, observed: withSource(s, observed), el: value ? undefined : samlChild(a, 'Subject') ?? a });
    });
  },
});

export const nameIdFormat: R = rule({
  id: 'nameid-format',
  requirement: 'core-3.4.1.1',
  severity: 'must',
  check(s) {
    const want = s.ctx.requestedNameIdFormat;
    if (want === undefined || NAMEID_UNSPECIFIED.includes(want)) {
      return finding(this, { ok: true, expected: 'any NameID Format (none specific requested)', observed: 'no specific Format requested' });
    }
    const expected = `NameID Format="${want}"`;
    return withAssertion(this, s, expected, () => {
      if (!s.nameId) return finding(this, { ok: false, expected, observed: withSource(s, 'no NameID') });
      const got = attr(s.nameId, 'Format');
      return finding(this, {
        ok: got === want,
        expected,
        observed: withSource(s, got === undefined ? 'Format absent' : `Format="${got}"`),
        el: got === want ? undefined : s.nameId,
      });
    });
  },
});

/**
 * A comment inside NameID makes the value depend on how comments are handled (Duo 2018). The value
 * we report is the joined text; any comment is flagged so a person can see the split.
 */
export const nameIdComment: R = rule({
  id: 'nameid-comment',
  requirement: 'attack-comment-injection',
  severity: 'should',
  check(s) {
    const all = [...descendants(s.root, NS.saml, 'NameID'), ...s.decryptedAssertions.flatMap((a) => descendants(a, NS.saml, 'NameID'))];
    const split = all.filter((el) => {
      for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 8) return true;
      return false;
    });
    return finding(this, {
      ok: split.length === 0,
      expected: 'NameID text without XML comments',
      observed:
        split.length === 0
          ? 'no comment inside any NameID'
          : `NameID split by a comment; the value read is the joined text "${joinedText(split[0])}", so its meaning depends on comment handling`,
      el: split[0],
    });
  },
});

export const bearerConfirmation: R = rule({
  id: 'bearer-confirmation',
  requirement: 'profiles-4.1.4.2',
  severity: 'must',
  check(s) {
    const expected = 'a bearer SubjectConfirmation with SubjectConfirmationData';
    return withAssertion(this, s, expected, (a) => {
      const withData = s.bearers.filter((b) => confirmationData(b));
      return finding(this, {
        ok: withData.length > 0,
        expected,
        observed: withSource(s, s.bearers.length === 0 ? 'no bearer SubjectConfirmation' : withData.length === 0 ? 'bearer SubjectConfirmation without data' : `${s.bearers.length} bearer confirmation(s)`),
        el: withData.length > 0 ? undefined : samlChild(a, 'Subject') ?? a,
      });
    });
  },
});

export const recipientRule: R = rule({
  id: 'recipient',
  requirement: 'profiles-4.1.4.3',
  severity: 'must',
  check(s) {
    const expected = `bearer SubjectConfirmationData Recipient="${s.ctx.acsUrl}"`;
    return withBearer(this, s, expected, (sc, scd) => {
      const got = attr(scd, 'Recipient');
      return finding(this, {
        ok: got === s.ctx.acsUrl,
        requirement: got === undefined ? 'profiles-4.1.4.2' : undefined,
        expected,
        observed: withSource(s, got === undefined ? 'Recipient absent' : `Recipient="${got}"`),
        el: got === s.ctx.acsUrl ? undefined : scd ?? sc,
      });
    });
  },
});

export const subjectConfirmationTime: R = rule({
  id: 'subject-confirmation-time',
  requirement: 'profiles-4.1.4.3',
  severity: 'must',
  check(s) {
    const expected = `bearer NotOnOrAfter present and after now - skew (now ${iso(s.now)}); no NotBefore`;
    return withBearer(this, s, expected, (sc, scd) => {
      const out: RuleFinding[] = [];
      const el = scd ?? sc;
      const noa = attr(scd, 'NotOnOrAfter');
      let noaDate: Date | undefined;
      if (noa === undefined) {
        out.push(finding(this, { ok: false, requirement: 'profiles-4.1.4.2', expected, observed: withSource(s, 'NotOnOrAfter absent'), el }));
      } else {
        const t = parseSamlTime(noa);
        if (!t.ok) out.push(finding(this, { ok: false, requirement: 'core-1.3.3', expected, observed: withSource(s, t.error), el }));
        else {
          noaDate = t.date;
          const expired = s.now.getTime() >= t.date.getTime() + s.skewMs;
          out.push(finding(this, { ok: !expired, expected, observed: withSource(s, `NotOnOrAfter=${noa}${expired ? ' has passed' : ''}`), el: expired ? el : undefined }));
        }
      }
      const nb = attr(scd, 'NotBefore');
      if (nb !== undefined) {
        const t = parseSamlTime(nb);
        const early = !t.ok || s.now.getTime() + s.skewMs < t.date.getTime() || (noaDate !== undefined && t.date.getTime() >= noaDate.getTime());
        // A present NotBefore breaks the profile; only one that blocks confirmation now is fatal.
        out.push(
          finding(this, {
            ok: false,
            severity: early ? 'must' : 'should',
            requirement: early ? 'core-2.4.1.2' : 'profiles-4.1.4.2',
            expected,
            observed: withSource(s, `NotBefore=${nb} present on a bearer confirmation${early ? ' and not yet valid or not before NotOnOrAfter' : ''}`),
            el,
          }),
        );
      }
      return out;
    });
  },
});

export const subjectConfirmationInResponseTo: R = rule({
  id: 'subject-confirmation-in-response-to',
  requirement: 'profiles-4.1.4.3',
  severity: 'must',
  check(s) {
    const want = s.ctx.expectedRequestId;
    const expected = want === undefined ? 'no InResponseTo in bearer data of an unsolicited Response' : `bearer InResponseTo="${want}"`;
    return withBearer(this, s, expected, (sc, scd) => {
      const got = attr(scd, 'InResponseTo');
      return finding(this, {
        ok: got === want,
        requirement: want === undefined ? 'profiles-4.1.5' : undefined,
        expected,
        observed: withSource(s, got === undefined ? 'InResponseTo absent' : `InResponseTo="${got}"`),
        el: got === want ? undefined : scd ?? sc,
      });
    });
  },
});

export const audienceRule: R = rule({
  id: 'audience',
  requirement: 'core-2.5.1.4',
  severity: 'must',
  check(s) {
    const expected = `every AudienceRestriction includes "${s.ctx.spEntityId}" (at least one present)`;
    return withAssertion(this, s, expected, (a) => {
      const conditions = samlChild(a, 'Conditions');
      const restrictions = conditions ? children(conditions, NS.saml, 'AudienceRestriction') : [];
      if (restrictions.length === 0) {
        return finding(this, {
          ok: false,
          requirement: 'profiles-4.1.4.2',
          expected,
          observed: withSource(s, conditions ? 'no AudienceRestriction' : 'no Conditions'),
          el: conditions ?? a,
        });
      }
      const failing = restrictions.filter((r) => !children(r, NS.saml, 'Audience').some((au) => joinedText(au)?.trim() === s.ctx.spEntityId));
      const seen = restrictions.map((r) => `[${children(r, NS.saml, 'Audience').map((au) => joinedText(au)?.trim()).join(', ')}]`).join(' ');
      return finding(this, { ok: failing.length === 0, expected, observed: withSource(s, `audiences ${seen}`), el: failing[0] });
    });
  },
});

export const conditionsTime: R = rule({
  id: 'conditions-time',
  requirement: 'core-2.5.1.2',
  severity: 'must',
  check(s) {
    const expected = `Conditions NotBefore <= now + skew and now - skew < NotOnOrAfter (now ${iso(s.now)})`;
    return withAssertion(this, s, expected, (a) => {
      const c = samlChild(a, 'Conditions');
      if (!c) return finding(this, { ok: true, expected, observed: withSource(s, 'no Conditions, so no time limits') });
      const problems: string[] = [];
      let formatProblem = false;
      const nb = attr(c, 'NotBefore');
      const noa = attr(c, 'NotOnOrAfter');
      const nbT = nb === undefined ? undefined : parseSamlTime(nb);
      const noaT = noa === undefined ? undefined : parseSamlTime(noa);
      for (const t of [nbT, noaT]) if (t && !t.ok) (problems.push(t.error), (formatProblem = true));
      if (nbT?.ok && s.now.getTime() + s.skewMs < nbT.date.getTime()) problems.push(`NotBefore=${nb} is in the future`);
      if (noaT?.ok && s.now.getTime() >= noaT.date.getTime() + s.skewMs) problems.push(`NotOnOrAfter=${noa} has passed`);
      if (nbT?.ok && noaT?.ok && nbT.date.getTime() >= noaT.date.getTime()) problems.push('NotBefore is not earlier than NotOnOrAfter');
      return finding(this, {
        ok: problems.length === 0,
        requirement: formatProblem ? 'core-1.3.3' : undefined,
        expected,
        observed: withSource(s, problems.length ? problems.join('; ') : `NotBefore=${nb ?? '(none)'} NotOnOrAfter=${noa ?? '(none)'}`),
        el: problems.length ? shallow(c) : undefined,
      });
    });
  },
});

const KNOWN_CONDITIONS = new Set(['AudienceRestriction', 'OneTimeUse', 'ProxyRestriction']);

export const conditionsUnderstood: R = rule({
  id: 'conditions-understood',
  requirement: 'core-2.5.1.1',
  severity: 'must',
  check(s) {
    const expected = 'only conditions the SP understands (AudienceRestriction, OneTimeUse, ProxyRestriction)';
    return withAssertion(this, s, expected, (a) => {
      const c = samlChild(a, 'Conditions');
      const unknown = c ? children(c).filter((el) => el.namespaceURI !== NS.saml || !KNOWN_CONDITIONS.has(el.localName ?? '')) : [];
      return finding(this, {
        ok: unknown.length === 0,
        expected,
        observed: withSource(s, unknown.length === 0 ? 'all conditions understood' : `unknown condition ${unknown.map((e) => e.tagName).join(', ')}`),
        el: unknown[0],
      });
    });
  },
});

export const authnStatement: R = rule({
  id: 'authn-statement',
  requirement: 'profiles-4.1.4.2',
  severity: 'must',
  check(s) {
    const expected = 'at least one AuthnStatement';
    return withAssertion(this, s, expected, (a) => {
      const n = children(a, NS.saml, 'AuthnStatement').length;
      return finding(this, { ok: n > 0, expected, observed: withSource(s, `${n} AuthnStatement`), el: n > 0 ? undefined : a });
    });
  },
});

export const sessionIndex: R = rule({
  id: 'session-index',
  requirement: 'profiles-4.1.4.2',
  severity: 'must',
  check(s) {
    if (!s.ctx.requireSessionIndex) {
      return finding(this, { ok: true, expected: 'SessionIndex only when the SP uses Single Logout', observed: 'not required by this SP' });
    }
    const expected = 'every AuthnStatement carries SessionIndex (Single Logout in use)';
    return withAssertion(this, s, expected, (a) => {
      const statements = children(a, NS.saml, 'AuthnStatement');
      const missing = statements.filter((st) => attr(st, 'SessionIndex') === undefined);
      return finding(this, {
        ok: statements.length > 0 && missing.length === 0,
        expected,
        observed: withSource(s, statements.length === 0 ? 'no AuthnStatement' : missing.length ? 'SessionIndex absent' : `SessionIndex="${attr(statements[0], 'SessionIndex')}"`),
        el: missing[0] ? shallow(missing[0]) : undefined,
      });
    });
  },
});

export const sessionNotOnOrAfter: R = rule({
  id: 'session-not-on-or-after',
  requirement: 'core-2.7.2',
  severity: 'must',
  check(s) {
    const expected = `any SessionNotOnOrAfter is in the future (now ${iso(s.now)})`;
    return withAssertion(this, s, expected, (a) => {
      for (const st of children(a, NS.saml, 'AuthnStatement')) {
        const v = attr(st, 'SessionNotOnOrAfter');
        if (v === undefined) continue;
        const t = parseSamlTime(v);
        if (!t.ok) return finding(this, { ok: false, requirement: 'core-1.3.3', expected, observed: withSource(s, t.error), el: shallow(st) });
        if (s.now.getTime() >= t.date.getTime() + s.skewMs) {
          return finding(this, { ok: false, expected, observed: withSource(s, `SessionNotOnOrAfter=${v} has passed`), el: shallow(st) });
        }
      }
      return finding(this, { ok: true, expected, observed: withSource(s, 'no expired session limit') });
    });
  },
});

/** The element without its children, for evidence where only the attributes matter. */
function shallow(el: Element): Element {
  return el.cloneNode(false) as Element;
}

export const ASSERTION_RULES: readonly R[] = [
  assertionIssuer,
  subjectNameId,
  nameIdFormat,
  nameIdComment,
  bearerConfirmation,
  recipientRule,
  subjectConfirmationTime,
  subjectConfirmationInResponseTo,
  audienceRule,
  conditionsTime,
  conditionsUnderstood,
  authnStatement,
  sessionIndex,
  sessionNotOnOrAfter,
];
