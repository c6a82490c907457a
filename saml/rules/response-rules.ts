// Rules on the Response as a whole: signatures and what they cover, the envelope fields
// (Version, IssueInstant, Issuer, Destination, InResponseTo, Status) and document structure.
import { DIGEST_ALGORITHM, NS, SIGNATURE_ALGORITHM, STATUS } from '../constants.ts';
import { type Element, attr, child, children, descendants } from '../xml.ts';
import {
  defineRule,
  describeCheck,
  duplicateIdsRule,
  finding,
  iso,
  judgeIssueInstant,
  issuerProblem,
  samlChild,
  samlpChild,
  signatureElementOf,
} from './common.ts';
import type { ResponseSubject } from './response-subject.ts';
import type { Rule, RuleFinding, SignatureCheck } from './types.ts';

type R = Rule<ResponseSubject>;
/** Typed so that `this` inside check() is the rule itself. */
const rule = (r: R): R => defineRule(r);

const DEFAULT_MAX_ISSUE_AGE_SECONDS = 3600;

export const signatureValid: R = rule({
  id: 'signature-valid',
  requirement: 'profiles-4.1.4.3',
  severity: 'must',
  check(s) {
    const bad = s.signatures.filter((c) => !c.valid);
    return finding(this, {
      ok: bad.length === 0,
      expected: 'every signature in the Response verifies against a pinned IdP certificate',
      observed: s.signatures.length === 0 ? 'no signature present' : s.signatures.map(describeCheck).join('; '),
      el: bad.length > 0 ? signatureHolding(s, bad[0]) : undefined,
    });
  },
});

export const signatureCoversAssertion: R = rule({
  id: 'signature-covers-assertion',
  requirement: 'profiles-4.1.4.5',
  severity: 'must',
  check(s) {
    const observed =
      s.assertionSource === 'signed-response'
        ? 'the assertion used is covered by the valid Response signature'
        : s.assertionSource === 'signed-assertion'
          ? 'the assertion used carries its own valid signature'
          : s.assertionSource === 'unsigned'
            ? 'no valid signature covers any assertion of the Response'
            : 'no usable assertion in the Response';
    return finding(this, {
      ok: s.assertionSource === 'signed-response' || s.assertionSource === 'signed-assertion',
      expected: 'the assertion used is covered by a valid signature (its own or the Response\'s)',
      observed,
      el: s.assertionSource === 'unsigned' ? s.assertion : undefined,
    });
  },
});

export const signedAssertionRequired: R = rule({
  id: 'signed-assertion-required',
  requirement: 'metadata-2.4.4',
  severity: 'must',
  check(s) {
    if (!s.ctx.requireSignedAssertion) {
      return finding(this, { ok: true, expected: 'an assertion signature only when WantAssertionsSigned', observed: 'not required by this SP' });
    }
    return finding(this, {
      ok: s.assertionSelfSigned,
      expected: 'the assertion carries its own valid signature (WantAssertionsSigned)',
      observed: s.assertionSelfSigned ? 'assertion signature valid' : 'the assertion used has no valid signature of its own',
    });
  },
});

export const signedResponseRequired: R = rule({
  id: 'signed-response-required',
  requirement: 'core-3.2.2',
  severity: 'must',
  check(s) {
    if (!s.ctx.requireSignedResponse) {
      return finding(this, { ok: true, expected: 'a Response signature only when configured', observed: 'not required by this SP' });
    }
    return finding(this, {
      ok: s.responseSigned,
      expected: 'the Response carries a valid signature',
      observed: s.responseSigned ? 'Response signature valid' : 'the Response has no valid signature',
    });
  },
});

const WEAK_ALGORITHMS = new Set<string>([SIGNATURE_ALGORITHM['rsa-sha1'], DIGEST_ALGORITHM.sha1]);

export const signatureAlgorithm: R = rule({
  id: 'signature-algorithm',
  requirement: 'attack-weak-algorithms',
  severity: 'should',
  check(s) {
    const weak = s.signatures.filter((c) => c.valid && (WEAK_ALGORITHMS.has(c.signatureAlgorithm ?? '') || WEAK_ALGORITHMS.has(c.digestAlgorithm ?? '')));
    return finding(this, {
      ok: weak.length === 0,
      expected: 'signatures use SHA-256 or stronger',
      observed: weak.length === 0 ? 'no SHA-1 signature relied on' : weak.map((c) => `${c.parentName}: ${c.signatureAlgorithm} / ${c.digestAlgorithm}`).join('; '),
    });
  },
});

export const duplicateIdRule: R = duplicateIdsRule();

export const singleAssertion: R = rule({
  id: 'single-assertion',
  requirement: 'attack-multiple-assertions',
  severity: 'must',
  check(s) {
    const plain = children(s.root, NS.saml, 'Assertion').length;
    const encrypted = children(s.root, NS.saml, 'EncryptedAssertion').length;
    const total = plain + encrypted;
    return finding(this, {
      ok: total === 1,
      requirement: total === 0 ? 'profiles-4.1.4.2' : undefined,
      expected: 'exactly one Assertion or EncryptedAssertion directly in the Response',
      observed: `${plain} Assertion and ${encrypted} EncryptedAssertion direct children`,
    });
  },
});

export const assertionDecryption: R = rule({
  id: 'assertion-decryption',
  requirement: 'conformance-3.4',
  severity: 'must',
  check(s) {
    if (s.encryptedAssertions === 0 && s.decryptionErrors.length === 0) {
      return finding(this, { ok: true, expected: 'any EncryptedAssertion decrypts with the SP key', observed: 'no encrypted content' });
    }
    return finding(this, {
      ok: s.decryptionErrors.length === 0,
      expected: 'every EncryptedAssertion (and EncryptedID) decrypts with the SP key into a saml element',
      observed: s.decryptionErrors.length === 0 ? `${s.encryptedAssertions} EncryptedAssertion decrypted` : s.decryptionErrors.join('; '),
      el: s.decryptionErrors.length > 0 ? child(s.root, NS.saml, 'EncryptedAssertion') : undefined,
    });
  },
});

export const versionRule: R = rule({
  id: 'version',
  requirement: 'core-3.2.2',
  severity: 'must',
  check(s) {
    const out: RuleFinding[] = [];
    const rv = attr(s.envelope, 'Version');
    out.push(finding(this, { ok: rv === '2.0', expected: 'Response Version="2.0"', observed: rv === undefined ? 'Version absent' : `Version="${rv}"` }));
    if (s.assertion) {
      const av = attr(s.assertion, 'Version');
      out.push(
        finding(this, {
          ok: av === '2.0',
          requirement: 'core-4.1.2',
          expected: 'Assertion Version="2.0"',
          observed: withSource(s, av === undefined ? 'Version absent' : `Version="${av}"`),
        }),
      );
    }
    return out;
  },
});

export const issueInstantRule: R = rule({
  id: 'issue-instant',
  requirement: 'core-3.2.2',
  severity: 'must',
  check(s) {
    const maxAge = (s.ctx.maxIssueAgeSeconds ?? DEFAULT_MAX_ISSUE_AGE_SECONDS) * 1000;
    const judge = (value: string | undefined, what: 'Response' | 'Assertion', req: string): RuleFinding => {
      const expected = `${what} IssueInstant in UTC, no later than now + skew and no earlier than ${maxAge / 1000}s before now`;
      const note = (o: string) => (what === 'Assertion' ? withSource(s, o) : o);
      const j = judgeIssueInstant(value, s.now, s.skewMs, maxAge);
      if (j.ok) return finding(this, { ok: true, requirement: req, expected, observed: note(value!) });
      if (j.kind === 'malformed') return finding(this, { ok: false, requirement: 'core-1.3.3', expected, observed: note(j.error) });
      const observed = j.kind === 'absent' ? 'IssueInstant absent' : `${value} is ${j.kind === 'future' ? 'in the future' : 'older than allowed'} (now ${iso(s.now)})`;
      return finding(this, { ok: false, requirement: req, expected, observed: note(observed) });
    };
    const out = [judge(attr(s.envelope, 'IssueInstant'), 'Response', 'core-3.2.2')];
    if (s.assertion) out.push(judge(attr(s.assertion, 'IssueInstant'), 'Assertion', 'core-2.3.3'));
    return out;
  },
});

export const statusSuccess: R = rule({
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
      el: code === STATUS.success ? undefined : status ?? undefined,
    });
  },
});

export const responseIssuer: R = rule({
  id: 'response-issuer',
  requirement: 'profiles-4.1.4.2',
  severity: 'must',
  check(s) {
    const issuer = samlChild(s.envelope, 'Issuer');
    const expected = `Response Issuer absent, or "${s.ctx.idpEntityId}" with Format absent or entity`;
    if (!issuer) return finding(this, { ok: true, expected, observed: 'Issuer absent (allowed on the Response)' });
    const problem = issuerProblem(issuer, s.ctx.idpEntityId);
    return finding(this, { ok: !problem, expected, observed: problem ?? 'Issuer matches the IdP', el: problem ? issuer : undefined });
  },
});

export const destinationRule: R = rule({
  id: 'destination',
  requirement: 'core-3.2.2',
  severity: 'must',
  check(s) {
    const dest = attr(s.envelope, 'Destination');
    const expected = `Destination="${s.ctx.acsUrl}" (required when the Response is signed)`;
    if (dest === undefined) {
      return finding(this, {
        ok: !s.responseSigned,
        requirement: s.responseSigned ? 'bindings-3.5.5.2' : undefined,
        expected,
        observed: s.responseSigned ? 'Destination absent on a signed Response' : 'Destination absent (unsigned Response)',
      });
    }
    return finding(this, { ok: dest === s.ctx.acsUrl, expected, observed: `Destination="${dest}"` });
  },
});

export const inResponseTo: R = rule({
  id: 'in-response-to',
  requirement: 'core-3.2.2',
  severity: 'must',
  check(s) {
    const irt = attr(s.envelope, 'InResponseTo');
    const want = s.ctx.expectedRequestId;
    if (want === undefined) {
      return finding(this, {
        ok: irt === undefined,
        requirement: 'profiles-4.1.5',
        expected: 'no InResponseTo on an unsolicited Response',
        observed: irt === undefined ? 'InResponseTo absent' : `InResponseTo="${irt}" but no request is outstanding`,
      });
    }
    return finding(this, {
      ok: irt === want,
      expected: `InResponseTo="${want}"`,
      observed: irt === undefined ? 'InResponseTo absent' : `InResponseTo="${irt}"`,
    });
  },
});

export const unsolicitedResponse: R = rule({
  id: 'unsolicited-response',
  requirement: 'attack-unsolicited',
  severity: 'must',
  check(s) {
    if (s.ctx.expectedRequestId !== undefined) {
      return finding(this, { ok: true, expected: 'unsolicited Responses only when enabled', observed: 'Response answers an outstanding request' });
    }
    return finding(this, {
      ok: s.ctx.allowUnsolicited === true,
      expected: 'unsolicited Responses only when enabled',
      observed: s.ctx.allowUnsolicited ? 'unsolicited Response, accepted by configuration' : 'unsolicited Response while IdP-initiated login is disabled',
    });
  },
});

export const RESPONSE_LEVEL_RULES: readonly R[] = [
  signatureValid,
  signatureCoversAssertion,
  signedAssertionRequired,
  signedResponseRequired,
  signatureAlgorithm,
  duplicateIdRule,
  singleAssertion,
  assertionDecryption,
  versionRule,
  issueInstantRule,
  statusSuccess,
  responseIssuer,
  destinationRule,
  inResponseTo,
  unsolicitedResponse,
];

/** The ds:Signature element a check came from (found by its parent's name and ID), for evidence. */
function signatureHolding(s: ResponseSubject, c: SignatureCheck): Element | undefined {
  const holders = [s.root, ...descendants(s.root, '*', c.parentName)].filter((el) => el.localName === c.parentName && attr(el, 'ID') === c.parentId);
  return signatureElementOf(holders[0]);
}

/** Mark observations read from an unsigned assertion, so a pass there is not mistaken for proof. */
export function withSource(s: ResponseSubject, observed: string): string {
  return s.assertionSource === 'unsigned' ? `${observed} [read from an unsigned assertion]` : observed;
}
