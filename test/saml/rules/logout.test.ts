import { describe, expect, it } from 'vitest';
import { NAMEID_FORMAT, STATUS } from '../../../saml/constants.ts';
import { decodeRedirect, encodeRedirect, verifyRedirectSignature } from '../../../saml/bindings/redirect.ts';
import { type LogoutRequestOptions, type LogoutResponseOptions, buildLogoutRequest, buildLogoutResponse } from '../../../saml/builders/index.ts';
import { REQUIREMENTS } from '../../../saml/requirements.ts';
import {
  LOGOUT_REQUEST_RULES,
  LOGOUT_RESPONSE_RULES,
  type LogoutRequestValidationContext,
  type LogoutResponseValidationContext,
  type LogoutValidation,
  validateLogoutRequest,
  validateLogoutResponse,
} from '../../../saml/rules/index.ts';
import { signRoot, verifySignatures } from '../../../saml/signature.ts';
import { IDP, NOW, USER, attacker, idp, isoAt } from '../../fixtures/rules/responses.ts';
import type { Credential } from '../../../saml/keys.ts';

const SP_SLO = 'https://sp.rules.test/slo';
const LOGOUT_ID = '_logout0123456789abcdef';
const failing = (v: LogoutValidation) => [...new Set(v.findings.filter((f) => !f.ok).map((f) => f.rule))].sort();

function logoutRequest(o: Partial<LogoutRequestOptions> = {}): string {
  return buildLogoutRequest({
    id: LOGOUT_ID,
    issuer: IDP,
    destination: SP_SLO,
    nameId: { value: USER, format: NAMEID_FORMAT.emailAddress },
    sessionIndexes: ['session-1'],
    notOnOrAfter: isoAt(300),
    now: NOW,
    ...o,
  });
}

function signed(xml: string, cred: Credential = idp()): string {
  return signRoot(xml, { privateKeyPem: cred.key.privateKeyPem, certPem: cred.certPem });
}

function requestContext(over: Partial<LogoutRequestValidationContext> = {}): LogoutRequestValidationContext {
  return {
    trustedCerts: [idp().certPem],
    peerEntityId: IDP,
    destination: SP_SLO,
    binding: 'post',
    now: NOW,
    session: { nameId: USER, nameIdFormat: NAMEID_FORMAT.emailAddress, sessionIndexes: ['session-1'] },
    requireSessionIndex: true,
    ...over,
  };
}

describe('validateLogoutRequest', () => {
  it('reports exactly the checks verifySignatures gives for the text (signatures checked on the parsed document)', () => {
    const plain = (checks: unknown) => JSON.parse(JSON.stringify(checks));
    const good = signed(logoutRequest());
    const cases = [good, signed(logoutRequest(), attacker()), good.replace(`>${USER}<`, '>mallory@rules.test<')];
    for (const xml of cases) {
      const v = validateLogoutRequest(xml, requestContext());
      expect(v.signatures).toHaveLength(1);
      expect(plain(v.signatures)).toEqual(plain(verifySignatures(xml, [idp().certPem])));
    }
    expect(cases.map((xml) => validateLogoutRequest(xml, requestContext()).signatures[0].valid)).toEqual([true, false, false]);
  });

  it('accepts a signed request for the current session', () => {
    const v = validateLogoutRequest(signed(logoutRequest()), requestContext());
    expect(failing(v)).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.message).toMatchObject({ kind: 'LogoutRequest', id: LOGOUT_ID, issuer: IDP, nameId: USER, sessionIndexes: ['session-1'] });
    for (const rule of LOGOUT_REQUEST_RULES) expect(v.findings.some((f) => f.rule === rule.id), rule.id).toBe(true);
  });

  it('finds an HTTP-Redirect LogoutRequest that still carries its own XML signature (Bindings 3.4.4.1)', () => {
    const url = encodeRedirect({ endpoint: SP_SLO, param: 'SAMLRequest', xml: signed(logoutRequest()), sign: { privateKeyPem: idp().key.privateKeyPem } });
    const msg = decodeRedirect(new URL(url).search.slice(1));
    const redirectSignature = verifyRedirectSignature(msg, [idp().certPem]);
    const v = validateLogoutRequest(msg.xml, requestContext({ binding: 'redirect', redirectSignature }));
    expect(failing(v)).toEqual(['redirect-no-embedded-signature']);
    expect(v.findings.find((f) => f.rule === 'redirect-no-embedded-signature')).toMatchObject({ requirement: 'bindings-3.4.4.1', severity: 'must', ok: false });
  });

  it('with an exact session, compares Format and every qualifier as issued: missing, extra or different ones name no session', () => {
    const issued = { value: USER, format: NAMEID_FORMAT.persistent, nameQualifier: IDP, spNameQualifier: 'https://sp.rules.test' };
    const session = { nameId: USER, nameIdFormat: NAMEID_FORMAT.persistent, nameQualifier: IDP, spNameQualifier: 'https://sp.rules.test', exact: true, sessionIndexes: ['session-1'] };
    const judge = (nameId: LogoutRequestOptions['nameId']) => validateLogoutRequest(signed(logoutRequest({ nameId })), requestContext({ session }));
    expect(failing(judge(issued))).toEqual([]);
    for (const wrong of [
      { ...issued, spNameQualifier: null },
      { ...issued, nameQualifier: 'https://other-idp.rules.test' },
      { ...issued, format: null },
      { ...issued, spProvidedId: 'extra' },
    ]) {
      const v = judge(wrong);
      expect(failing(v)).toEqual(['nameid-matches-session']);
      expect(v.findings.find((f) => f.rule === 'nameid-matches-session')!.expected).toContain(`SPNameQualifier="https://sp.rules.test"`);
    }
    // Without `exact` the comparison stays as it was: value, and Format when both state one.
    expect(failing(validateLogoutRequest(signed(logoutRequest({ nameId: { value: USER, format: NAMEID_FORMAT.persistent } })), requestContext({ session: { ...session, exact: false } })))).toEqual([]);
  });

  it('accepts an HTTP-Redirect request authenticated by its query signature', () => {
    const url = encodeRedirect({ endpoint: SP_SLO, param: 'SAMLRequest', xml: logoutRequest(), sign: { privateKeyPem: idp().key.privateKeyPem } });
    const msg = decodeRedirect(new URL(url).search.slice(1));
    const redirectSignature = verifyRedirectSignature(msg, [idp().certPem]);
    const v = validateLogoutRequest(msg.xml, requestContext({ binding: 'redirect', redirectSignature }));
    expect(failing(v)).toEqual([]);
  });

  it('rejects an HTTP-Redirect request whose query signature does not verify', () => {
    const url = encodeRedirect({ endpoint: SP_SLO, param: 'SAMLRequest', xml: logoutRequest(), sign: { privateKeyPem: attacker().key.privateKeyPem } });
    const msg = decodeRedirect(new URL(url).search.slice(1));
    const redirectSignature = verifyRedirectSignature(msg, [idp().certPem]);
    const v = validateLogoutRequest(msg.xml, requestContext({ binding: 'redirect', redirectSignature }));
    expect(failing(v)).toEqual(['signature-required', 'signature-valid']);
  });

  const cases: Array<{ name: string; fails: string[]; xml: () => string; ctx?: Partial<LogoutRequestValidationContext> }> = [
    { name: 'signed by an untrusted key', fails: ['signature-required', 'signature-valid'], xml: () => signed(logoutRequest(), attacker()) },
    { name: 'unsigned over POST', fails: ['signature-required'], xml: () => logoutRequest() },
    { name: 'two elements share an ID', fails: ['duplicate-ids'], xml: () => signed(logoutRequest({ extensionsXml: '<x:A xmlns:x="urn:x" ID="_d"/><x:B xmlns:x="urn:x" ID="_d"/>' })) },
    { name: 'Version 1.0', fails: ['version'], xml: () => signed(logoutRequest({ version: '1.0' })) },
    { name: 'IssueInstant in the future', fails: ['issue-instant'], xml: () => signed(logoutRequest({ issueInstant: isoAt(3600), notOnOrAfter: isoAt(7200) })) },
    { name: 'Issuer of another entity', fails: ['issuer'], xml: () => signed(logoutRequest({ issuer: 'https://evil.test/idp' })) },
    { name: 'wrong Destination', fails: ['destination'], xml: () => signed(logoutRequest({ destination: 'https://evil.test/slo' })) },
    { name: 'Destination missing on a signed POST request', fails: ['destination'], xml: () => signed(logoutRequest({ destination: null })) },
    { name: 'expired NotOnOrAfter', fails: ['not-on-or-after'], xml: () => signed(logoutRequest({ notOnOrAfter: isoAt(-600) })) },
    { name: 'another user', fails: ['nameid-matches-session'], xml: () => signed(logoutRequest({ nameId: { value: 'bob@rules.test', format: NAMEID_FORMAT.emailAddress } })) },
    { name: 'no local session', fails: ['nameid-matches-session'], xml: () => signed(logoutRequest()), ctx: { session: undefined } },
    { name: 'no SessionIndex from a participant', fails: ['session-index'], xml: () => signed(logoutRequest({ sessionIndexes: [] })) },
    { name: 'SessionIndex of another session', fails: ['session-index'], xml: () => signed(logoutRequest({ sessionIndexes: ['session-9'] })) },
  ];
  for (const c of cases) {
    it(`${c.name} -> fails ${c.fails.join(', ')}`, () => {
      const v = validateLogoutRequest(c.xml(), requestContext(c.ctx));
      expect(failing(v)).toEqual([...c.fails].sort());
      expect(v.ok).toBe(false);
      for (const f of v.findings) expect(REQUIREMENTS[f.requirement], f.requirement).toBeDefined();
    });
  }

  it('reads the NameID from signed content', () => {
    const v = validateLogoutRequest(signed(logoutRequest()).replace(`>${USER}<`, '>bob@rules.test<'), requestContext());
    expect(v.ok).toBe(false);
    expect(failing(v)).toContain('signature-valid');
  });

  it('returns a well-formed-xml finding for hostile input', () => {
    const v = validateLogoutRequest('<!DOCTYPE x [<!ENTITY e "boom">]><samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>', requestContext());
    expect(v).toMatchObject({ ok: false, signatures: [] });
    expect(v.findings).toEqual([expect.objectContaining({ rule: 'well-formed-xml', ok: false, requirement: 'attack-xxe' })]);
  });
});

function logoutResponse(o: Partial<LogoutResponseOptions> = {}): string {
  return buildLogoutResponse({ issuer: IDP, destination: SP_SLO, inResponseTo: LOGOUT_ID, now: NOW, ...o });
}

function responseContext(over: Partial<LogoutResponseValidationContext> = {}): LogoutResponseValidationContext {
  return { trustedCerts: [idp().certPem], peerEntityId: IDP, destination: SP_SLO, binding: 'post', now: NOW, expectedRequestId: LOGOUT_ID, ...over };
}

describe('validateLogoutResponse', () => {
  it('accepts a signed Success answering our request', () => {
    const v = validateLogoutResponse(signed(logoutResponse()), responseContext());
    expect(failing(v)).toEqual([]);
    expect(v.message).toMatchObject({ kind: 'LogoutResponse', inResponseTo: LOGOUT_ID, statusCode: STATUS.success });
    for (const rule of LOGOUT_RESPONSE_RULES) expect(v.findings.some((f) => f.rule === rule.id), rule.id).toBe(true);
  });

  const cases: Array<{ name: string; fails: string[]; xml: () => string; ctx?: Partial<LogoutResponseValidationContext> }> = [
    { name: 'wrong InResponseTo', fails: ['in-response-to'], xml: () => signed(logoutResponse({ inResponseTo: '_other' })) },
    { name: 'missing InResponseTo', fails: ['in-response-to'], xml: () => signed(logoutResponse({ inResponseTo: null })) },
    { name: 'Status Requester', fails: ['status-success'], xml: () => signed(logoutResponse({ status: { code: STATUS.requester } })) },
    { name: 'unsigned', fails: ['signature-required'], xml: () => logoutResponse() },
    { name: 'Issuer of another entity', fails: ['issuer'], xml: () => signed(logoutResponse({ issuer: 'https://evil.test/idp' })) },
    { name: 'unsigned but signature not required (SOAP over TLS)', fails: [], xml: () => logoutResponse(), ctx: { binding: 'soap', requireSignature: false } },
  ];
  for (const c of cases) {
    it(`${c.name} -> fails ${c.fails.join(', ') || 'nothing'}`, () => {
      const v = validateLogoutResponse(c.xml(), responseContext(c.ctx));
      expect(failing(v)).toEqual([...c.fails].sort());
      expect(v.ok).toBe(c.fails.length === 0);
    });
  }
});
