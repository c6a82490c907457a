import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIRMATION_METHOD, NAMEID_FORMAT, NS, STATUS } from '../../../saml/constants.ts';
import { buildAssertion } from '../../../saml/builders/index.ts';
import { encryptAssertionInResponse } from '../../../saml/encryption.ts';
import { REQUIREMENTS } from '../../../saml/requirements.ts';
import { RESPONSE_RULES, type ResponseValidation, type ResponseValidationContext, prepareResponse, validateResponse } from '../../../saml/rules/index.ts';
import { type SignOptions, verifySignatures } from '../../../saml/signature.ts';
import { type Element, child, children, parseXml, serialize } from '../../../saml/xml.ts';
import {
  ACS,
  IDP,
  NOW,
  REQUEST_ID,
  SP,
  USER,
  attacker,
  baseContext,
  idp,
  isoAt,
  mutate,
  type Parts,
  sign,
  type SignMode,
  spEncryption,
  unsignedLogin,
  validSignedResponse,
} from '../../fixtures/rules/responses.ts';

const failing = (v: ResponseValidation) => [...new Set(v.findings.filter((f) => !f.ok).map((f) => f.rule))].sort();

describe('validateResponse: the valid fixture', () => {
  it('passes every rule and reads the identity from the signed assertion', async () => {
    const v = await validateResponse(validSignedResponse(), baseContext());
    expect(failing(v)).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.assertionSource).toBe('signed-assertion');
    expect(v.identity).toEqual({
      nameId: USER,
      nameIdFormat: NAMEID_FORMAT.emailAddress,
      sessionIndex: 'session-1',
      attributes: { mail: [USER] },
      assertionId: expect.stringMatching(/^_[0-9a-f]{40}$/),
    });
    // Every rule reported, each finding tied to a registered requirement.
    const reported = new Set(v.findings.map((f) => f.rule));
    for (const rule of RESPONSE_RULES) expect(reported.has(rule.id), rule.id).toBe(true);
    for (const f of v.findings) expect(REQUIREMENTS[f.requirement], f.requirement).toBeDefined();
  });

  it('accepts a Response signed at Response level only, reading from the signed Response content', async () => {
    const v = await validateResponse(sign(unsignedLogin(), 'response'), baseContext({ requireSignedAssertion: false }));
    expect(failing(v)).toEqual([]);
    expect(v.assertionSource).toBe('signed-response');
    expect(v.identity?.nameId).toBe(USER);
  });

  it('accepts Response and assertion both signed', async () => {
    const v = await validateResponse(sign(unsignedLogin(), 'both'), baseContext({ requireSignedResponse: true }));
    expect(failing(v)).toEqual([]);
    expect(v.signatures.filter((s) => s.valid)).toHaveLength(2);
  });

  it('accepts an unsolicited Response when allowed (IdP-initiated SSO)', async () => {
    const xml = validSignedResponse({ inResponseTo: null });
    const v = await validateResponse(xml, baseContext({ expectedRequestId: undefined, allowUnsolicited: true }));
    expect(failing(v)).toEqual([]);
  });

  it('ignores an assertion nested in Advice when counting assertions', async () => {
    const nested = buildAssertion({ issuer: IDP, now: NOW, nameId: { value: 'advice@rules.test' } });
    const xml = sign(mutate(unsignedLogin(), (p) => p.insert(p.assertion, `<saml:Advice>${nested}</saml:Advice>`, p.conditions.nextSibling as never)));
    const v = await validateResponse(xml, baseContext());
    expect(failing(v)).toEqual([]);
    expect(v.identity?.nameId).toBe(USER);
  });
});

interface Case {
  name: string;
  /** Rules expected to fail; every other rule must pass. */
  fails: string[];
  mutate?: (p: Parts) => void;
  signMode?: SignMode;
  /** Post-signing change of the XML text. */
  after?: (xml: string) => string;
  ctx?: Partial<ResponseValidationContext>;
  signOptions?: Partial<SignOptions>;
  /** ok stays true when only should-level rules fail. */
  stillOk?: boolean;
}

const future = isoAt(3600);
const past = isoAt(-600);

const CASES: Case[] = [
  {
    name: 'Response signed with an untrusted key while the assertion is IdP-signed',
    fails: ['signature-valid'],
    after: (xml) => sign(xml, 'response', attacker()),
  },
  {
    name: 'assertion signed with an untrusted key (certificate faking)',
    fails: ['signature-valid', 'signature-covers-assertion', 'signed-assertion-required'],
    signMode: 'none',
    after: (xml) => sign(xml, 'assertion', attacker()),
  },
  {
    name: 'signed assertion altered after signing',
    fails: ['signature-valid', 'signature-covers-assertion', 'signed-assertion-required'],
    after: (xml) => xml.replace(`>${USER}</saml:NameID>`, '>mallory@rules.test</saml:NameID>'),
  },
  { name: 'nothing signed', fails: ['signature-covers-assertion'], signMode: 'none', ctx: { requireSignedAssertion: false } },
  { name: 'only the Response signed while WantAssertionsSigned', fails: ['signed-assertion-required'], signMode: 'response' },
  { name: 'only the assertion signed while a Response signature is required', fails: ['signed-response-required'], ctx: { requireSignedResponse: true } },
  { name: 'SHA-1 signature', fails: ['signature-algorithm'], stillOk: true, signOptions: { algorithm: 'rsa-sha1', digest: 'sha1' } },
  {
    name: 'two elements share an ID',
    fails: ['duplicate-ids'],
    mutate: (p) =>
      p.insert(p.response, '<samlp:Extensions><x:A xmlns:x="urn:x" ID="_dup"/><x:B xmlns:x="urn:x" ID="_dup"/></samlp:Extensions>', child(p.response, NS.samlp, 'Status')),
  },
  {
    name: 'two assertions',
    fails: ['single-assertion'],
    mutate: (p) => p.insert(p.response, buildAssertion({ issuer: IDP, now: NOW, nameId: { value: USER, format: NAMEID_FORMAT.emailAddress } })),
  },
  { name: 'Response Version 1.1', fails: ['version'], mutate: (p) => p.set(p.response, 'Version', '1.1') },
  { name: 'Assertion Version 2.1', fails: ['version'], mutate: (p) => p.set(p.assertion, 'Version', '2.1') },
  { name: 'Response IssueInstant an hour ahead', fails: ['issue-instant'], mutate: (p) => p.set(p.response, 'IssueInstant', future) },
  { name: 'Assertion IssueInstant with a time zone offset', fails: ['issue-instant'], mutate: (p) => p.set(p.assertion, 'IssueInstant', '2025-06-01T14:00:00+02:00') },
  {
    name: 'Status Responder with an assertion',
    fails: ['status-success'],
    mutate: (p) => child(child(p.response, NS.samlp, 'Status')!, NS.samlp, 'StatusCode')!.setAttribute('Value', STATUS.responder),
  },
  { name: 'Response Issuer of another IdP', fails: ['response-issuer'], mutate: (p) => (child(p.response, NS.saml, 'Issuer')!.textContent = 'https://evil.test/idp') },
  { name: 'Assertion Issuer of another IdP', fails: ['assertion-issuer'], mutate: (p) => (child(p.assertion, NS.saml, 'Issuer')!.textContent = 'https://evil.test/idp') },
  {
    name: 'Assertion Issuer with a non-entity Format',
    fails: ['assertion-issuer'],
    mutate: (p) => p.set(child(p.assertion, NS.saml, 'Issuer')!, 'Format', NAMEID_FORMAT.persistent),
  },
  { name: 'wrong Destination', fails: ['destination'], mutate: (p) => p.set(p.response, 'Destination', 'https://evil.test/acs') },
  { name: 'Destination missing on a signed Response', fails: ['destination'], mutate: (p) => p.set(p.response, 'Destination', null), signMode: 'both' },
  { name: 'wrong Response InResponseTo', fails: ['in-response-to'], mutate: (p) => p.set(p.response, 'InResponseTo', '_another') },
  { name: 'missing Response InResponseTo', fails: ['in-response-to'], mutate: (p) => p.set(p.response, 'InResponseTo', null) },
  { name: 'wrong bearer InResponseTo', fails: ['subject-confirmation-in-response-to'], mutate: (p) => p.set(p.confirmationData, 'InResponseTo', '_another') },
  {
    name: 'unsolicited Response while IdP-initiated login is off',
    fails: ['unsolicited-response'],
    mutate: (p) => (p.set(p.response, 'InResponseTo', null), p.set(p.confirmationData, 'InResponseTo', null)),
    ctx: { expectedRequestId: undefined },
  },
  {
    name: 'InResponseTo present although no request is outstanding',
    fails: ['in-response-to', 'subject-confirmation-in-response-to'],
    ctx: { expectedRequestId: undefined, allowUnsolicited: true },
  },
  { name: 'wrong Audience', fails: ['audience'], mutate: (p) => (child(child(p.conditions, NS.saml, 'AudienceRestriction')!, NS.saml, 'Audience')!.textContent = 'https://other.test') },
  { name: 'no AudienceRestriction', fails: ['audience'], mutate: (p) => p.conditions.removeChild(child(p.conditions, NS.saml, 'AudienceRestriction')!) },
  {
    name: 'a second AudienceRestriction excluding the SP',
    fails: ['audience'],
    mutate: (p) => p.insert(p.conditions, '<saml:AudienceRestriction><saml:Audience>https://other.test</saml:Audience></saml:AudienceRestriction>'),
  },
  { name: 'wrong Recipient', fails: ['recipient'], mutate: (p) => p.set(p.confirmationData, 'Recipient', 'https://evil.test/acs') },
  { name: 'missing Recipient', fails: ['recipient'], mutate: (p) => p.set(p.confirmationData, 'Recipient', null) },
  {
    name: 'Conditions expired',
    fails: ['conditions-time'],
    mutate: (p) => (p.set(p.conditions, 'NotBefore', isoAt(-1200)), p.set(p.conditions, 'NotOnOrAfter', past)),
  },
  { name: 'Conditions not yet valid', fails: ['conditions-time'], mutate: (p) => p.set(p.conditions, 'NotBefore', isoAt(600)) },
  { name: 'expired assertion (validated an hour later)', fails: ['conditions-time', 'subject-confirmation-time'], ctx: { now: new Date(NOW.getTime() + 3600_000) } },
  {
    name: 'unknown condition',
    fails: ['conditions-understood'],
    mutate: (p) => p.insert(p.conditions, '<saml:Condition xmlns:x="urn:x" xsi:type="x:Custom"/>'),
  },
  {
    name: 'holder-of-key instead of bearer',
    fails: ['bearer-confirmation', 'recipient', 'subject-confirmation-time', 'subject-confirmation-in-response-to'],
    mutate: (p) => p.set(p.confirmation, 'Method', CONFIRMATION_METHOD.holderOfKey),
  },
  { name: 'bearer data expired', fails: ['subject-confirmation-time'], mutate: (p) => p.set(p.confirmationData, 'NotOnOrAfter', past) },
  { name: 'bearer NotOnOrAfter missing', fails: ['subject-confirmation-time'], mutate: (p) => p.set(p.confirmationData, 'NotOnOrAfter', null) },
  { name: 'bearer NotBefore present (profile violation, not fatal)', fails: ['subject-confirmation-time'], stillOk: true, mutate: (p) => p.set(p.confirmationData, 'NotBefore', isoAt(-60)) },
  { name: 'no NameID', fails: ['subject-nameid', 'nameid-format'], mutate: (p) => p.subject.removeChild(p.nameId) },
  { name: 'NameID Format not as requested', fails: ['nameid-format'], mutate: (p) => p.set(p.nameId, 'Format', NAMEID_FORMAT.persistent) },
  {
    name: 'comment inside the NameID',
    fails: ['nameid-comment'],
    stillOk: true,
    after: (xml) => xml.replace(`>${USER}</saml:NameID>`, `>${USER.slice(0, 5)}<!---->${USER.slice(5)}</saml:NameID>`),
  },
  { name: 'no AuthnStatement', fails: ['authn-statement'], mutate: (p) => p.assertion.removeChild(p.authnStatement), ctx: { requireSessionIndex: false } },
  { name: 'SessionIndex missing while SLO is used', fails: ['session-index'], mutate: (p) => p.set(p.authnStatement, 'SessionIndex', null) },
  { name: 'SessionNotOnOrAfter passed', fails: ['session-not-on-or-after'], mutate: (p) => p.set(p.authnStatement, 'SessionNotOnOrAfter', past) },
];

describe('validateResponse: one mutation per rule', () => {
  for (const c of CASES) {
    it(`${c.name} -> fails ${c.fails.join(', ')}`, async () => {
      let xml = unsignedLogin();
      if (c.mutate) xml = mutate(xml, c.mutate);
      xml = sign(xml, c.signMode ?? 'assertion', idp(), c.signOptions);
      if (c.after) xml = c.after(xml);
      const v = await validateResponse(xml, baseContext(c.ctx));
      expect(failing(v)).toEqual([...c.fails].sort());
      expect(v.ok).toBe(c.stillOk === true);
      for (const f of v.findings.filter((x) => !x.ok)) {
        expect(f.expected.length).toBeGreaterThan(0);
        expect(f.observed.length).toBeGreaterThan(0);
        expect(REQUIREMENTS[f.requirement], f.requirement).toBeDefined();
      }
    });
  }

  it('covers every Response rule with a failing case', () => {
    const covered = new Set(CASES.flatMap((c) => c.fails));
    covered.add('well-formed-xml');
    covered.add('assertion-decryption');
    for (const rule of RESPONSE_RULES) expect(covered.has(rule.id), rule.id).toBe(true);
  });

  it('names the offending element in the finding', async () => {
    const xml = sign(mutate(unsignedLogin(), (p) => p.set(p.confirmationData, 'Recipient', 'https://evil.test/acs')));
    const f = (await validateResponse(xml, baseContext())).findings.find((x) => x.rule === 'recipient')!;
    expect(f.requirement).toBe('profiles-4.1.4.3');
    expect(f.expected).toContain(ACS);
    expect(f.observed).toContain('https://evil.test/acs');
    expect(f.xml).toMatch(/^<saml:SubjectConfirmationData [^>]*Recipient="https:\/\/evil\.test\/acs"/);
  });

  it('the comment-split NameID is read as the whole joined value', async () => {
    const split = validSignedResponse().replace(`>${USER}</saml:NameID>`, `>${USER.slice(0, 5)}<!--x-->${USER.slice(5)}</saml:NameID>`);
    const v = await validateResponse(split, baseContext());
    expect(v.identity?.nameId).toBe(USER);
    const f = v.findings.find((x) => x.rule === 'nameid-comment')!;
    expect(f).toMatchObject({ ok: false, severity: 'should', requirement: 'attack-comment-injection' });
  });
});

describe('validateResponse: clock skew', () => {
  const expiredBy = (s: number) => sign(mutate(unsignedLogin(), (p) => (p.set(p.conditions, 'NotBefore', isoAt(-600)), p.set(p.conditions, 'NotOnOrAfter', isoAt(-s)))));
  it('accepts NotOnOrAfter 179 s in the past with the default 180 s skew', async () => {
    const v = await validateResponse(expiredBy(179), baseContext());
    expect(v.findings.find((f) => f.rule === 'conditions-time')!.ok).toBe(true);
  });
  it('rejects NotOnOrAfter 181 s in the past', async () => {
    const v = await validateResponse(expiredBy(181), baseContext());
    expect(v.findings.find((f) => f.rule === 'conditions-time')!.ok).toBe(false);
  });
  it('honours a configured skew of zero', async () => {
    const v = await validateResponse(expiredBy(1), baseContext({ clockSkewSeconds: 0 }));
    expect(v.findings.find((f) => f.rule === 'conditions-time')!.ok).toBe(false);
  });
});

describe('validateResponse: signed versus used', () => {
  const evil = () => buildAssertion({ issuer: IDP, now: NOW, nameId: { value: 'mallory@rules.test', format: NAMEID_FORMAT.emailAddress }, subjectConfirmations: [{ recipient: ACS, inResponseTo: REQUEST_ID }], conditions: { audiences: [SP] }, authnStatement: { sessionIndex: 'evil' } });

  it('takes identity from the signed assertion when an unsigned sibling comes first (XSW3 shape)', async () => {
    const signed = validSignedResponse();
    const xml = mutate(signed, (p) => p.insert(p.response, evil(), p.assertion));
    const v = await validateResponse(xml, baseContext());
    expect(v.identity?.nameId).toBe(USER);
    expect(v.ok).toBe(false);
    expect(failing(v)).toEqual(['single-assertion']);
  });

  it('takes identity from the signed assertion when the unsigned sibling comes last', async () => {
    const xml = mutate(validSignedResponse(), (p) => p.insert(p.response, evil()));
    const v = await validateResponse(xml, baseContext());
    expect(v.identity?.nameId).toBe(USER);
    expect(v.ok).toBe(false);
  });

  it('never uses an unsigned assertion when the signed one is hidden in Extensions', async () => {
    const signed = validSignedResponse();
    const xml = mutate(signed, (p) => {
      const ext = p.insert(p.response, '<samlp:Extensions/>', child(p.response, NS.samlp, 'Status'));
      ext.appendChild(p.assertion); // moves the signed assertion out of the direct children
      p.insert(p.response, evil());
    });
    const v = await validateResponse(xml, baseContext());
    expect(v.identity).toBeUndefined();
    expect(v.assertionSource).toBe('unsigned');
    expect(v.ok).toBe(false);
    expect(failing(v)).toContain('signature-covers-assertion');
    // Checks that did run on the unsigned assertion say so.
    expect(v.findings.find((f) => f.rule === 'audience')!.observed).toContain('unsigned assertion');
  });

  it('XSW4 shape: signed assertion moved inside an unsigned evil assertion', async () => {
    const xml = mutate(validSignedResponse(), (p) => {
      const wrapper = p.insert(p.response, evil(), p.assertion);
      wrapper.appendChild(p.assertion);
    });
    const v = await validateResponse(xml, baseContext());
    expect(v.identity).toBeUndefined();
    expect(v.ok).toBe(false);
    expect(failing(v)).toContain('signature-covers-assertion');
  });

  it('XSW1 shape: signed Response hidden inside the Signature of an unsigned evil Response', async () => {
    const original = parseXml(sign(unsignedLogin(), 'response')).documentElement!;
    const xml = mutate(unsignedLogin({ nameId: 'mallory@rules.test' }), (p) => {
      p.set(p.response, 'ID', '_evil_response');
      const sigHolder = p.insert(p.response, `<ds:Signature xmlns:ds="${NS.ds}"/>`, child(p.response, NS.samlp, 'Status'));
      sigHolder.appendChild(p.doc.importNode(original, true));
    });
    const v = await validateResponse(xml, baseContext({ requireSignedAssertion: false }));
    expect(v.identity).toBeUndefined();
    expect(v.ok).toBe(false);
    expect(failing(v)).toEqual(expect.arrayContaining(['signature-covers-assertion']));
  });

  it('signature relocation: assertion signature moved to the Response, original hidden in Extensions', async () => {
    const xml = mutate(validSignedResponse(), (p) => {
      const sig = child(p.assertion, NS.ds, 'Signature')!;
      p.response.insertBefore(sig, child(p.response, NS.samlp, 'Status')!);
      const ext = p.insert(p.response, '<samlp:Extensions/>', child(p.response, NS.samlp, 'Status'));
      ext.appendChild(p.assertion);
      p.insert(p.response, evil());
    });
    const v = await validateResponse(xml, baseContext());
    expect(v.identity).toBeUndefined();
    expect(v.ok).toBe(false);
    expect(failing(v)).toEqual(expect.arrayContaining(['signature-valid', 'signature-covers-assertion']));
  });

  it('reports no identity when the received Response differs from what was signed', async () => {
    const xml = sign(unsignedLogin(), 'response').replace(`>${USER}</saml:NameID>`, '>mallory@rules.test</saml:NameID>');
    const v = await validateResponse(xml, baseContext({ requireSignedAssertion: false }));
    expect(v.ok).toBe(false);
    expect(v.assertionSource).toBe('unsigned');
    expect(v.identity).toBeUndefined();
  });
});

describe('validateResponse: signatures are checked on the document it parsed', () => {
  const plain = (checks: unknown) => JSON.parse(JSON.stringify(checks));

  it('reports exactly the checks verifySignatures gives for the text, valid or not', async () => {
    const evil = sign(unsignedLogin({ nameId: 'mallory@rules.test' }), 'assertion', attacker());
    const cases: Array<[string, Partial<ResponseValidationContext>]> = [
      [sign(unsignedLogin(), 'assertion'), {}],
      [sign(unsignedLogin(), 'response'), { requireSignedAssertion: false }],
      [sign(unsignedLogin(), 'both'), {}],
      [sign(unsignedLogin(), 'both').replace(`>${USER}</saml:NameID>`, '>mallory@rules.test</saml:NameID>'), {}],
      [evil, {}],
    ];
    for (const [xml, extra] of cases) {
      const v = await validateResponse(xml, baseContext(extra));
      expect(v.signatures.length).toBeGreaterThan(0);
      expect(plain(v.signatures)).toEqual(plain(verifySignatures(xml, [idp().certPem])));
    }
  });

  it('prepareResponse falls back to the text when handed an element that is not its document\'s root', async () => {
    const xml = sign(unsignedLogin(), 'both');
    const detached = parseXml(xml).documentElement!.cloneNode(true) as Element;
    const subject = await prepareResponse(detached, xml, baseContext());
    expect(plain(subject.signatures)).toEqual(plain(verifySignatures(xml, [idp().certPem])));
    expect(subject.signatures.map((c) => c.valid)).toEqual([true, true]);
    expect(subject.assertionSource).toBe('signed-response');
  });
});

describe('validateResponse: encrypted assertions', () => {
  const ctx = () => baseContext({ decryptionKeyPem: spEncryption().key.privateKeyPem });

  it('decrypts and verifies the signature inside a signed-then-encrypted assertion', async () => {
    const xml = await encryptAssertionInResponse(validSignedResponse(), { certPem: spEncryption().certPem });
    expect(xml).toContain('EncryptedAssertion');
    const v = await validateResponse(xml, ctx());
    expect(failing(v)).toEqual([]);
    expect(v.assertionSource).toBe('signed-assertion');
    expect(v.identity?.nameId).toBe(USER);
  });

  it('accepts an encrypted assertion under a signed Response', async () => {
    const enc = await encryptAssertionInResponse(unsignedLogin(), { certPem: spEncryption().certPem });
    const v = await validateResponse(sign(enc, 'response'), { ...ctx(), requireSignedAssertion: false });
    expect(failing(v)).toEqual([]);
    expect(v.assertionSource).toBe('signed-response');
    expect(v.identity?.nameId).toBe(USER);
  });

  it('rejects an unsigned assertion that is only encrypted', async () => {
    const enc = await encryptAssertionInResponse(unsignedLogin(), { certPem: spEncryption().certPem });
    const v = await validateResponse(enc, { ...ctx(), requireSignedAssertion: false });
    expect(failing(v)).toEqual(['signature-covers-assertion']);
    expect(v.identity).toBeUndefined();
  });

  it('fails (never passes) the assertion rules when the assertion cannot be decrypted', async () => {
    const enc = await encryptAssertionInResponse(validSignedResponse(), { certPem: spEncryption().certPem });
    const v = await validateResponse(enc, baseContext());
    expect(v.ok).toBe(false);
    expect(v.identity).toBeUndefined();
    const byRule = new Map(v.findings.map((f) => [f.rule, f]));
    expect(byRule.get('assertion-decryption')).toMatchObject({ ok: false, requirement: 'conformance-3.4' });
    for (const id of ['assertion-issuer', 'audience', 'recipient', 'conditions-time', 'bearer-confirmation', 'authn-statement']) {
      expect(byRule.get(id)!.ok, id).toBe(false);
      expect(byRule.get(id)!.observed).toMatch(/no usable assertion/);
    }
  });
});

describe('validateResponse: hostile and broken input', () => {
  const hostile = readFileSync(new URL('../../fixtures/rules/doctype-response.xml', import.meta.url), 'utf8');

  it('returns ok=false with a well-formed-xml finding for a DOCTYPE (never throws)', async () => {
    const v = await validateResponse(hostile, baseContext());
    expect(v.ok).toBe(false);
    expect(v.findings).toHaveLength(1);
    expect(v.findings[0]).toMatchObject({ rule: 'well-formed-xml', ok: false, severity: 'must', requirement: 'attack-xxe' });
    expect(v.findings[0].observed).toMatch(/^doctype/);
    expect(v.identity).toBeUndefined();
  });

  it('rejects garbage, an empty string and a non-Response root', async () => {
    for (const input of ['not xml at all <', '', '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a"/>']) {
      const v = await validateResponse(input, baseContext());
      expect(v.ok, JSON.stringify(input)).toBe(false);
      expect(v.findings[0].rule).toBe('well-formed-xml');
    }
  });

  it('rejects a second root element after a signed Response', async () => {
    const v = await validateResponse(`${validSignedResponse()}<samlp:Response xmlns:samlp="${NS.samlp}"/>`, baseContext());
    expect(v.ok).toBe(false);
    expect(v.findings[0].rule).toBe('well-formed-xml');
  });

  it('survives a context without trusted certificates', async () => {
    const v = await validateResponse(validSignedResponse(), baseContext({ trustedCerts: [] }));
    expect(v.ok).toBe(false);
    expect(v.identity).toBeUndefined();
    expect(failing(v)).toContain('signature-valid');
  });
});

describe('validateResponse: evidence', () => {
  it('shows the failing ds:Signature for an invalid signature', async () => {
    const xml = sign(validSignedResponse(), 'response', attacker());
    const f = (await validateResponse(xml, baseContext())).findings.find((x) => x.rule === 'signature-valid')!;
    expect(f.ok).toBe(false);
    expect(f.observed).toMatch(/invalid signature on Response/);
    expect(f.xml).toMatch(/^<ds:Signature /);
  });

  it('serializes the smallest relevant element', async () => {
    const xml = sign(mutate(unsignedLogin(), (p) => (child(child(p.conditions, NS.saml, 'AudienceRestriction')!, NS.saml, 'Audience')!.textContent = 'https://other.test')));
    const f = (await validateResponse(xml, baseContext())).findings.find((x) => x.rule === 'audience')!;
    const el = parseXml(f.xml!).documentElement!;
    expect(el.localName).toBe('AudienceRestriction');
    expect(children(el, NS.saml, 'Audience')).toHaveLength(1);
    expect(serialize(el)).toContain('https://other.test');
  });
});
