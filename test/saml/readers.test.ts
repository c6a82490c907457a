// Readers on hand-written messages: prefixes do not matter, namespaces do; values come back raw;
// what an attacker can put in a document (comments, odd names, lookalike elements) is read the
// documented way.
import { describe, expect, it } from 'vitest';
import { NS, STATUS } from '../../saml/constants.ts';
import {
  readArtifactResolve,
  readArtifactResponse,
  readAssertion,
  readAuthnRequest,
  readLogoutRequest,
  readLogoutResponse,
  readResponse,
} from '../../saml/readers.ts';
import { parseRoot, textNodes, path } from '../../saml/xml.ts';

const P = NS.samlp;
const A = NS.saml;

describe('prefix independence', () => {
  it('reads a Response written with default namespaces and unusual prefixes', () => {
    const xml =
      `<Response xmlns="${P}" ID="_r" Version="2.0" IssueInstant="2024-01-01T00:00:00Z" InResponseTo="_q">` +
      `<a:Issuer xmlns:a="${A}">idp</a:Issuer>` +
      `<Status><StatusCode Value="${STATUS.responder}"><StatusCode Value="${STATUS.authnFailed}"/></StatusCode><StatusMessage>nope</StatusMessage></Status>` +
      `<Assertion xmlns="${A}" ID="_a" Version="2.0" IssueInstant="2024-01-01T00:00:00Z"><Issuer>idp</Issuer></Assertion>` +
      `<evil:Assertion xmlns:evil="${A}" ID="_b"/>` +
      `</Response>`;
    expect(readResponse(parseRoot(xml))).toEqual({
      id: '_r',
      version: '2.0',
      issueInstant: '2024-01-01T00:00:00Z',
      inResponseTo: '_q',
      issuer: 'idp',
      status: { code: STATUS.responder, subCodes: [STATUS.authnFailed], message: 'nope', hasDetail: false },
      assertionCount: 2,
      encryptedAssertionCount: 0,
      signaturePresent: false,
    });
  });

  it('ignores lookalike elements in the wrong namespace', () => {
    const xml =
      `<samlp:Response xmlns:samlp="${P}" xmlns:saml="urn:not-saml" ID="_r">` +
      `<saml:Issuer>fake</saml:Issuer><saml:Assertion ID="_x"/>` +
      `<samlp:Status><samlp:StatusCode Value="${STATUS.success}"/></samlp:Status></samlp:Response>`;
    const info = readResponse(parseRoot(xml));
    expect(info.issuer).toBeUndefined();
    expect(info.assertionCount).toBe(0);
  });

  it('counts only direct Assertion children, not ones hidden in Advice or Extensions', () => {
    const xml =
      `<samlp:Response xmlns:samlp="${P}" xmlns:saml="${A}" ID="_r"><samlp:Extensions><saml:Assertion ID="_hidden"/></samlp:Extensions>` +
      `<samlp:Status><samlp:StatusCode Value="${STATUS.success}"/></samlp:Status>` +
      `<saml:Assertion ID="_a"><saml:Advice><saml:Assertion ID="_advice"/></saml:Advice></saml:Assertion>` +
      `<saml:EncryptedAssertion/><saml:EncryptedAssertion/></samlp:Response>`;
    expect(readResponse(parseRoot(xml))).toMatchObject({ assertionCount: 1, encryptedAssertionCount: 2 });
  });
});

describe('readAssertion', () => {
  const assertion = (body: string, attrs = '') =>
    parseRoot(`<saml:Assertion xmlns:saml="${A}" xmlns:ds="${NS.ds}" xmlns:xsi="${NS.xsi}" ID="_a"${attrs}>${body}</saml:Assertion>`);

  it('NameID is the full text content; a comment inside is dropped and its neighbours joined', () => {
    const el = assertion(`<saml:Subject><saml:NameID>admin@victim.test<!---->.evil.test</saml:NameID></saml:Subject>`);
    expect(readAssertion(el).nameId?.value).toBe('admin@victim.test.evil.test');
    // The split is still visible to the rules through textNodes().
    expect(textNodes(path(el, [A, 'Subject'], [A, 'NameID'])!)).toEqual(['admin@victim.test', '.evil.test']);
  });

  it('keeps whitespace and CDATA exactly as sent', () => {
    const el = assertion(`<saml:Issuer>  idp \n</saml:Issuer><saml:Subject><saml:NameID><![CDATA[ <b>&x ]]></saml:NameID></saml:Subject>`);
    const info = readAssertion(el);
    expect(info.issuer).toBe('  idp \n');
    expect(info.nameId?.value).toBe(' <b>&x ');
  });

  it('reads an EncryptedID subject, EncryptedAttributes and a direct ds:Signature only', () => {
    const el = assertion(
      `<saml:Subject><saml:EncryptedID/></saml:Subject>` +
        `<saml:AttributeStatement><saml:EncryptedAttribute/><saml:EncryptedAttribute/></saml:AttributeStatement>` +
        `<saml:Advice><ds:Signature/></saml:Advice>`,
    );
    const info = readAssertion(el);
    expect(info).toMatchObject({ encryptedId: true, nameId: undefined, encryptedAttributeCount: 2, hasAdvice: true, signaturePresent: false });
    expect(readAssertion(assertion(`<saml:Issuer>i</saml:Issuer><ds:Signature/>`)).signaturePresent).toBe(true);
  });

  it('merges repeated attributes across statements and is safe with hostile attribute names', () => {
    const el = assertion(
      `<saml:AttributeStatement><saml:Attribute Name="role"><saml:AttributeValue>a</saml:AttributeValue></saml:Attribute>` +
        `<saml:Attribute Name="__proto__"><saml:AttributeValue>polluted</saml:AttributeValue></saml:Attribute>` +
        `<saml:Attribute><saml:AttributeValue>nameless</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` +
        `<saml:AttributeStatement><saml:Attribute Name="role"><saml:AttributeValue xsi:type="xs:string">b</saml:AttributeValue></saml:Attribute>` +
        `<saml:Attribute Name="constructor"><saml:AttributeValue/></saml:Attribute></saml:AttributeStatement>`,
    );
    const info = readAssertion(el);
    expect(Object.getPrototypeOf(info.attributes)).toBeNull();
    expect(Object.keys(info.attributes)).toEqual(['role', '__proto__', 'constructor']);
    expect(info.attributes.role).toEqual(['a', 'b']);
    expect(info.attributes['__proto__']).toEqual(['polluted']);
    expect(info.attributes.constructor).toEqual(['']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(info.attributeList.map((a) => a.name)).toEqual(['role', '__proto__', undefined, 'role', 'constructor']);
    expect(info.attributeList[3].valueTypes).toEqual(['xs:string']);
  });

  it('reads several AudienceRestrictions, OneTimeUse and SubjectConfirmations without data', () => {
    const el = assertion(
      `<saml:Subject><saml:SubjectConfirmation Method="m1"/><saml:SubjectConfirmation Method="m2"><saml:SubjectConfirmationData Recipient="r"/></saml:SubjectConfirmation></saml:Subject>` +
        `<saml:Conditions><saml:AudienceRestriction><saml:Audience>x</saml:Audience><saml:Audience>y</saml:Audience></saml:AudienceRestriction>` +
        `<saml:OneTimeUse/><saml:AudienceRestriction><saml:Audience>z</saml:Audience></saml:AudienceRestriction></saml:Conditions>`,
    );
    const info = readAssertion(el);
    expect(info.subjectConfirmations).toEqual([{ method: 'm1' }, { method: 'm2', recipient: 'r' }]);
    expect(info.conditions).toEqual({ audiences: [['x', 'y'], ['z']], oneTimeUse: true });
  });

  it('throws on a root that is not an Assertion', () => {
    expect(() => readAssertion(parseRoot(`<samlp:Response xmlns:samlp="${P}"/>`))).toThrow(/expected \{urn:oasis:names:tc:SAML:2.0:assertion\}Assertion/);
    expect(() => readAssertion(parseRoot(`<Assertion/>`))).toThrow(TypeError);
  });
});

describe('readAuthnRequest', () => {
  it('reads xs:boolean and unsigned numbers strictly, and leaves garbage undefined', () => {
    const read = (attrs: string) => readAuthnRequest(parseRoot(`<samlp:AuthnRequest xmlns:samlp="${P}" ${attrs}/>`));
    expect(read('ForceAuthn="1" IsPassive=" false " AssertionConsumerServiceIndex="+7" AttributeConsumingServiceIndex=" 2 "')).toMatchObject({
      forceAuthn: true,
      isPassive: false,
      acsIndex: 7,
      attributeConsumingServiceIndex: 2,
    });
    expect(read('ForceAuthn="yes" IsPassive="TRUE" AssertionConsumerServiceIndex="-1" AttributeConsumingServiceIndex="1e3"')).toMatchObject({
      forceAuthn: undefined,
      isPassive: undefined,
      acsIndex: undefined,
      attributeConsumingServiceIndex: undefined,
    });
  });

  it('reads a signed request written with other prefixes', () => {
    const xml =
      `<p:AuthnRequest xmlns:p="${P}" xmlns:s="${A}" xmlns:d="${NS.ds}" ID="_q" AssertionConsumerServiceURL="https://sp/acs">` +
      `<s:Issuer>sp</s:Issuer><d:Signature/><p:NameIDPolicy AllowCreate="true"/>` +
      `<p:RequestedAuthnContext><s:AuthnContextClassRef>c1</s:AuthnContextClassRef></p:RequestedAuthnContext></p:AuthnRequest>`;
    expect(readAuthnRequest(parseRoot(xml))).toEqual({
      id: '_q',
      issuer: 'sp',
      acsUrl: 'https://sp/acs',
      nameIdPolicy: { allowCreate: true },
      requestedAuthnContext: { classRefs: ['c1'] },
      signaturePresent: true,
    });
  });

  it('rejects the wrong message type', () => {
    expect(() => readAuthnRequest(parseRoot(`<samlp:LogoutRequest xmlns:samlp="${P}"/>`))).toThrow(TypeError);
  });
});

describe('logout and artifact readers', () => {
  it('readLogoutRequest takes only a direct NameID and every SessionIndex', () => {
    const xml =
      `<samlp:LogoutRequest xmlns:samlp="${P}" xmlns:saml="${A}" ID="_l" Reason="r" NotOnOrAfter="t">` +
      `<saml:Issuer>sp</saml:Issuer><samlp:Extensions><saml:NameID>hidden</saml:NameID></samlp:Extensions>` +
      `<saml:NameID Format="f">user</saml:NameID><samlp:SessionIndex>s1</samlp:SessionIndex><samlp:SessionIndex> s2 </samlp:SessionIndex></samlp:LogoutRequest>`;
    expect(readLogoutRequest(parseRoot(xml))).toEqual({
      id: '_l',
      issuer: 'sp',
      reason: 'r',
      notOnOrAfter: 't',
      nameId: { value: 'user', format: 'f' },
      encryptedId: false,
      sessionIndexes: ['s1', ' s2 '],
      signaturePresent: false,
    });
  });

  it('readLogoutResponse reports a missing Status as an undefined code', () => {
    const info = readLogoutResponse(parseRoot(`<samlp:LogoutResponse xmlns:samlp="${P}" ID="_x" InResponseTo="_l"/>`));
    expect(info).toEqual({ id: '_x', inResponseTo: '_l', status: { subCodes: [], hasDetail: false }, signaturePresent: false });
  });

  it('readArtifactResolve / readArtifactResponse', () => {
    expect(readArtifactResolve(parseRoot(`<samlp:ArtifactResolve xmlns:samlp="${P}" ID="_ar"><samlp:Artifact>AAQ=</samlp:Artifact></samlp:ArtifactResolve>`))).toEqual({
      id: '_ar',
      artifact: 'AAQ=',
      signaturePresent: false,
    });
    const response = readArtifactResponse(
      parseRoot(
        `<samlp:ArtifactResponse xmlns:samlp="${P}" ID="_x"><samlp:Status><samlp:StatusCode Value="${STATUS.success}"/></samlp:Status>` +
          `<samlp:LogoutRequest ID="_inner"/></samlp:ArtifactResponse>`,
      ),
    );
    expect(response.status.code).toBe(STATUS.success);
    expect(response.message?.localName).toBe('LogoutRequest');
    expect(readLogoutRequest(response.message!).id).toBe('_inner');
  });
});
