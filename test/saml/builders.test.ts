// Builders: build -> parse -> read gives back what was asked for; null removes; defaults are
// deterministic given `now` and IDs; text and attribute values survive escaping unchanged.
import { describe, expect, it } from 'vitest';
import {
  ATTRNAME_FORMAT,
  AUTHN_CONTEXT,
  BINDING,
  CONFIRMATION_METHOD,
  NAMEID_FORMAT,
  NS,
  STATUS,
} from '../../saml/constants.ts';
import {
  BUILDER_DEFAULTS,
  buildArtifactResolve,
  buildArtifactResponse,
  buildAssertion,
  buildAuthnRequest,
  buildLoginResponse,
  buildLogoutRequest,
  buildLogoutResponse,
  buildResponse,
  newId,
  samlTime,
} from '../../saml/builders/index.ts';
import {
  readArtifactResolve,
  readArtifactResponse,
  readAssertion,
  readAuthnRequest,
  readLogoutRequest,
  readLogoutResponse,
  readResponse,
} from '../../saml/readers.ts';
import { children, parseRoot, parseXml } from '../../saml/xml.ts';
import type { Element } from '../../saml/xml.ts';
import {
  AWKWARD,
  EARLIER,
  EXTENSIONS_XML,
  LATER,
  MAXIMAL_ARTIFACT_RESOLVE,
  MAXIMAL_ASSERTION,
  MAXIMAL_AUTHN_REQUEST,
  MAXIMAL_LOGOUT_REQUEST,
  MAXIMAL_LOGOUT_RESPONSE,
  MAXIMAL_RESPONSE,
  NOW,
  maximalArtifactResponse,
} from '../fixtures/builders/options.ts';

const NOW_S = '2024-05-01T10:00:00Z';
const LATER_S = '2024-05-01T10:10:00Z';
const EARLIER_S = '2024-05-01T09:50:00Z';

const childNames = (el: Element) => children(el).map((c) => c.localName);
const root = (xml: string) => parseRoot(xml);
const firstAssertion = (xml: string) => children(root(xml), NS.saml, 'Assertion')[0];

describe('ids', () => {
  it('newId is "_" + 40 lowercase hex and never repeats', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^_[0-9a-f]{40}$/);
  });

  it('samlTime writes UTC with Z, millis only when present, strings verbatim', () => {
    expect(samlTime(new Date('2024-05-01T12:00:00+02:00'))).toBe(NOW_S);
    expect(samlTime(new Date('2024-05-01T10:00:00.120Z'))).toBe('2024-05-01T10:00:00.120Z');
    expect(samlTime('yesterday-ish')).toBe('yesterday-ish');
    expect(() => samlTime(new Date('nonsense'))).toThrow(RangeError);
  });
});

describe('buildAuthnRequest', () => {
  it('defaults: a POST-binding request to the placeholder IdP, schema order', () => {
    const xml = buildAuthnRequest({ now: NOW, id: '_r' });
    const el = root(xml);
    expect(el.namespaceURI).toBe(NS.samlp);
    expect(el.prefix).toBe('samlp');
    expect(el.getAttribute('xmlns:saml')).toBe(NS.saml);
    expect(readAuthnRequest(el)).toEqual({
      id: '_r',
      version: '2.0',
      issueInstant: NOW_S,
      destination: BUILDER_DEFAULTS.idpSsoUrl,
      issuer: BUILDER_DEFAULTS.spEntityId,
      protocolBinding: BINDING.post,
      acsUrl: BUILDER_DEFAULTS.spAcsUrl,
      nameIdPolicy: { format: NAMEID_FORMAT.unspecified, allowCreate: true },
      signaturePresent: false,
    });
    expect(childNames(el)).toEqual(['Issuer', 'NameIDPolicy']);
  });

  it('round-trips every option', () => {
    const xml = buildAuthnRequest(MAXIMAL_AUTHN_REQUEST);
    const el = root(xml);
    expect(readAuthnRequest(el)).toEqual({
      id: '_req-max',
      version: '2.0',
      issueInstant: NOW_S,
      destination: 'https://idp.example.test/sso?tenant=a&mode=b',
      consent: 'urn:oasis:names:tc:SAML:2.0:consent:obtained',
      issuer: 'https://sp.example.test/"metadata"',
      forceAuthn: true,
      isPassive: false,
      protocolBinding: BINDING.artifact,
      acsUrl: 'https://sp.example.test/acs?x=1&y=2',
      acsIndex: 3,
      attributeConsumingServiceIndex: 7,
      providerName: 'Example <SP> & "friends"',
      nameIdPolicy: { format: NAMEID_FORMAT.persistent, allowCreate: false, spNameQualifier: 'https://affiliation.example.test' },
      requestedAuthnContext: { comparison: 'minimum', classRefs: [AUTHN_CONTEXT.password, AUTHN_CONTEXT.x509] },
      scoping: {
        proxyCount: 2,
        idpList: [
          { providerId: 'https://idp1.example.test' },
          { providerId: 'https://idp2.example.test', name: 'Two & Co', loc: 'https://idp2.example.test/sso' },
        ],
        requesterIds: ['https://r1.example.test', 'https://r2.example.test'],
      },
      conditions: {
        notBefore: EARLIER_S,
        notOnOrAfter: LATER_S,
        audiences: [['https://idp.example.test']],
        oneTimeUse: true,
        proxyRestriction: { count: 1, audiences: ['https://proxy.example.test'] },
      },
      subjectNameId: { value: 'bob@example.test', format: NAMEID_FORMAT.emailAddress },
      signaturePresent: false,
    });
    // Schema order: Issuer, (Signature), Extensions, Subject, NameIDPolicy, Conditions, RequestedAuthnContext, Scoping.
    expect(childNames(el)).toEqual(['Issuer', 'Extensions', 'Subject', 'NameIDPolicy', 'Conditions', 'RequestedAuthnContext', 'Scoping']);
    expect(children(el, NS.saml, 'Issuer')[0].getAttribute('Format')).toBe(NAMEID_FORMAT.entity);
    expect(xml).toContain(EXTENSIONS_XML);
  });

  it('null removes each attribute and element, even the required ones', () => {
    const xml = buildAuthnRequest({
      now: NOW,
      id: null,
      version: null,
      issueInstant: null,
      destination: null,
      issuer: null,
      protocolBinding: null,
      assertionConsumerServiceUrl: null,
      nameIdPolicy: null,
    });
    const el = root(xml);
    expect(el.attributes.length).toBe(2); // only the two namespace declarations remain
    expect(children(el)).toHaveLength(0);
    expect(readAuthnRequest(el)).toEqual({ signaturePresent: false });
  });

  it('null inside NameIDPolicy removes just that attribute', () => {
    const info = readAuthnRequest(root(buildAuthnRequest({ now: NOW, nameIdPolicy: { format: null, allowCreate: null } })));
    expect(info.nameIdPolicy).toEqual({});
    const partial = readAuthnRequest(root(buildAuthnRequest({ now: NOW, nameIdPolicy: { format: NAMEID_FORMAT.transient } })));
    expect(partial.nameIdPolicy).toEqual({ format: NAMEID_FORMAT.transient, allowCreate: true });
  });

  it('an ACS index replaces the default URL and binding; RequestedAuthnContext without Comparison', () => {
    const info = readAuthnRequest(
      root(buildAuthnRequest({ now: NOW, assertionConsumerServiceIndex: 0, requestedAuthnContext: { classRefs: [AUTHN_CONTEXT.password] } })),
    );
    expect(info.acsIndex).toBe(0);
    expect(info.acsUrl).toBeUndefined();
    expect(info.protocolBinding).toBeUndefined();
    expect(info.requestedAuthnContext).toEqual({ classRefs: [AUTHN_CONTEXT.password] });
  });

  it('string times go out verbatim, so malformed times can be sent', () => {
    const xml = buildAuthnRequest({ now: NOW, issueInstant: 'not-a-time' });
    expect(readAuthnRequest(root(xml)).issueInstant).toBe('not-a-time');
  });

  it('is deterministic given now and id, and random IDs otherwise', () => {
    expect(buildAuthnRequest(MAXIMAL_AUTHN_REQUEST)).toBe(buildAuthnRequest(MAXIMAL_AUTHN_REQUEST));
    const a = readAuthnRequest(root(buildAuthnRequest({ now: NOW })));
    const b = readAuthnRequest(root(buildAuthnRequest({ now: NOW })));
    expect(a.id).toMatch(/^_[0-9a-f]{40}$/);
    expect(a.id).not.toBe(b.id);
  });
});

describe('buildAssertion', () => {
  it('defaults: emailAddress NameID, bearer confirmation, 5-minute window, one AuthnStatement', () => {
    const el = root(buildAssertion({ now: NOW, id: '_a' }));
    const info = readAssertion(el);
    expect(info).toEqual({
      id: '_a',
      version: '2.0',
      issuer: BUILDER_DEFAULTS.idpEntityId,
      issueInstant: NOW_S,
      nameId: { value: BUILDER_DEFAULTS.nameIdValue, format: NAMEID_FORMAT.emailAddress },
      encryptedId: false,
      subjectConfirmations: [
        { method: CONFIRMATION_METHOD.bearer, recipient: BUILDER_DEFAULTS.spAcsUrl, notOnOrAfter: '2024-05-01T10:05:00Z' },
      ],
      conditions: { notBefore: NOW_S, notOnOrAfter: '2024-05-01T10:05:00Z', audiences: [[BUILDER_DEFAULTS.spEntityId]], oneTimeUse: false },
      authnStatements: [{ authnInstant: NOW_S, sessionIndex: expect.stringMatching(/^_[0-9a-f]{40}$/), classRef: AUTHN_CONTEXT.passwordProtectedTransport }],
      attributes: {},
      attributeList: [],
      encryptedAttributeCount: 0,
      hasAdvice: false,
      signaturePresent: false,
    });
    expect(childNames(el)).toEqual(['Issuer', 'Subject', 'Conditions', 'AuthnStatement']);
    // Without xsi:type values there is no reason to declare xs/xsi.
    expect(el.hasAttribute('xmlns:xsi')).toBe(false);
  });

  it('the default SessionIndex is derived from the assertion ID (deterministic)', () => {
    const a = readAssertion(root(buildAssertion({ now: NOW, id: '_same' })));
    const b = readAssertion(root(buildAssertion({ now: NOW, id: '_same' })));
    const c = readAssertion(root(buildAssertion({ now: NOW, id: '_other' })));
    expect(a.authnStatements[0].sessionIndex).toBe(b.authnStatements[0].sessionIndex);
    expect(a.authnStatements[0].sessionIndex).not.toBe(c.authnStatements[0].sessionIndex);
  });

  it('round-trips every option', () => {
    const xml = buildAssertion(MAXIMAL_ASSERTION);
    const el = root(xml);
    const info = readAssertion(el);
    expect(info).toEqual({
      id: '_assert-max',
      version: '2.0',
      issuer: 'https://idp.example.test',
      issueInstant: NOW_S,
      nameId: {
        value: AWKWARD,
        format: NAMEID_FORMAT.persistent,
        nameQualifier: 'https://idp.example.test',
        spNameQualifier: 'https://sp.example.test',
        spProvidedId: 'sp-<id>',
      },
      encryptedId: false,
      subjectConfirmations: [
        {
          method: CONFIRMATION_METHOD.bearer,
          recipient: 'https://sp.example.test/acs',
          notOnOrAfter: LATER_S,
          notBefore: EARLIER_S,
          inResponseTo: '_req-max',
          address: '192.0.2.7',
        },
        { method: CONFIRMATION_METHOD.senderVouches },
      ],
      conditions: {
        notBefore: EARLIER_S,
        notOnOrAfter: LATER_S,
        audiences: [['https://sp.example.test', 'https://other.example.test'], ['https://sp.example.test']],
        oneTimeUse: true,
        proxyRestriction: { count: 0, audiences: ['https://proxy.example.test'] },
      },
      authnStatements: [
        { authnInstant: EARLIER_S, sessionIndex: '_session-1', sessionNotOnOrAfter: LATER_S, classRef: AUTHN_CONTEXT.passwordProtectedTransport },
        { authnInstant: NOW_S, sessionIndex: '_session-2', classRef: AUTHN_CONTEXT.x509 },
      ],
      attributes: {
        'urn:oid:0.9.2342.19200300.100.1.3': ['a@example.test', 'b@example.test'],
        groups: ['admins', 'users', AWKWARD],
        'display name': ['Ann'],
        'https://example.test/claims/age': ['42'],
        empty: [],
        nothing: [''],
      },
      attributeList: [
        { name: 'urn:oid:0.9.2342.19200300.100.1.3', nameFormat: ATTRNAME_FORMAT.uri, friendlyName: 'mail', values: ['a@example.test', 'b@example.test'], valueTypes: ['xs:string', 'xs:string'] },
        { name: 'groups', nameFormat: ATTRNAME_FORMAT.basic, values: ['admins', 'users', AWKWARD], valueTypes: ['xs:string', 'xs:string', 'xs:string'] },
        { name: 'display name', nameFormat: ATTRNAME_FORMAT.unspecified, values: ['Ann'], valueTypes: [undefined] },
        { name: 'https://example.test/claims/age', nameFormat: ATTRNAME_FORMAT.uri, values: ['42'], valueTypes: ['xs:integer'] },
        { name: 'empty', nameFormat: ATTRNAME_FORMAT.basic, values: [], valueTypes: [] },
        { name: 'nothing', nameFormat: ATTRNAME_FORMAT.basic, values: [''], valueTypes: [undefined] },
      ],
      encryptedAttributeCount: 0,
      hasAdvice: true,
      signaturePresent: false,
    });
    expect(childNames(el)).toEqual(['Issuer', 'Subject', 'Conditions', 'Advice', 'AuthnStatement', 'AuthnStatement', 'AttributeStatement']);
    expect(children(el, NS.saml, 'Issuer')[0].getAttribute('Format')).toBe(NAMEID_FORMAT.entity);
    // xs and xsi are declared on the Assertion itself, because values carry xsi:type.
    expect(el.getAttribute('xmlns:xs')).toBe(NS.xs);
    expect(el.getAttribute('xmlns:xsi')).toBe(NS.xsi);
    expect(xml).toContain('<saml:AttributeValue xsi:nil="true"/>');
    expect(xml).toContain('<saml:Advice><saml:AssertionIDRef>_advised</saml:AssertionIDRef></saml:Advice>');
  });

  it('writes every NameID format with its qualifiers', () => {
    for (const format of Object.values(NAMEID_FORMAT)) {
      const nameId = { value: `user for ${format}`, format, nameQualifier: 'nq', spNameQualifier: 'spnq', spProvidedId: 'spid' };
      expect(readAssertion(root(buildAssertion({ now: NOW, nameId }))).nameId).toEqual(nameId);
    }
  });

  it('NameID format defaults to unspecified when only a value is given; null removes it', () => {
    expect(readAssertion(root(buildAssertion({ now: NOW, nameId: { value: 'x' } }))).nameId).toEqual({ value: 'x', format: NAMEID_FORMAT.unspecified });
    expect(readAssertion(root(buildAssertion({ now: NOW, nameId: { value: 'x', format: null } }))).nameId).toEqual({ value: 'x' });
  });

  it('null removes each part', () => {
    const el = root(
      buildAssertion({
        now: NOW,
        id: null,
        version: null,
        issueInstant: null,
        issuer: null,
        nameId: null,
        subjectConfirmations: null,
        conditions: null,
        authnStatement: null,
        attributes: null,
        adviceXml: null,
      }),
    );
    expect(childNames(el)).toEqual([]);
    expect(readAssertion(el)).toEqual({
      encryptedId: false,
      subjectConfirmations: [],
      authnStatements: [],
      attributes: {},
      attributeList: [],
      encryptedAttributeCount: 0,
      hasAdvice: false,
      signaturePresent: false,
    });
  });

  it('null removes fields inside confirmations, conditions, statements and attributes', () => {
    const el = root(
      buildAssertion({
        now: NOW,
        nameId: null,
        subjectConfirmations: [{ recipient: null, notOnOrAfter: null }],
        conditions: { notBefore: null, notOnOrAfter: null, audiences: null },
        authnStatement: { authnInstant: null, sessionIndex: null, classRef: null },
        attributes: [{ name: 'a', values: ['v'], nameFormat: null, valueType: null }],
      }),
    );
    const info = readAssertion(el);
    expect(info.nameId).toBeUndefined();
    expect(info.subjectConfirmations).toEqual([{ method: CONFIRMATION_METHOD.bearer }]);
    // With nothing left in it, SubjectConfirmationData is not written at all.
    expect(children(children(children(el, NS.saml, 'Subject')[0])[0])).toHaveLength(0);
    expect(info.conditions).toEqual({ audiences: [], oneTimeUse: false });
    expect(info.authnStatements).toEqual([{}]);
    // An AuthnContext stays, empty: for the "empty AuthnContext" fault.
    const context = children(children(el, NS.saml, 'AuthnStatement')[0], NS.saml, 'AuthnContext');
    expect(context).toHaveLength(1);
    expect(children(context[0])).toHaveLength(0);
    expect(info.attributeList).toEqual([{ name: 'a', values: ['v'], valueTypes: [undefined] }]);
    expect(el.hasAttribute('xmlns:xsi')).toBe(false);
  });

  it('uses the given lifetime for the default times', () => {
    const info = readAssertion(root(buildAssertion({ now: NOW, lifetimeSeconds: 60 })));
    expect(info.conditions?.notOnOrAfter).toBe('2024-05-01T10:01:00Z');
    expect(info.subjectConfirmations[0].notOnOrAfter).toBe('2024-05-01T10:01:00Z');
  });

  it('declares xmlns:saml itself, so it parses alone once cut out of a Response', () => {
    const response = buildResponse({ now: NOW, assertions: [{ id: '_cut' }] });
    const start = response.indexOf('<saml:Assertion');
    const end = response.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
    const alone = parseRoot(response.slice(start, end), NS.saml, 'Assertion');
    expect(readAssertion(alone).id).toBe('_cut');
    expect(alone.getAttribute('xmlns:saml')).toBe(NS.saml);
  });
});

describe('buildResponse', () => {
  it('defaults: Success with one assertion that inherits Issuer, Destination and InResponseTo', () => {
    const xml = buildResponse({ now: NOW, id: '_r', issuer: 'https://idp.x.test', destination: 'https://sp.x.test/acs', inResponseTo: '_req' });
    const el = root(xml);
    expect(readResponse(el)).toEqual({
      id: '_r',
      version: '2.0',
      issueInstant: NOW_S,
      destination: 'https://sp.x.test/acs',
      inResponseTo: '_req',
      issuer: 'https://idp.x.test',
      status: { code: STATUS.success, subCodes: [], hasDetail: false },
      assertionCount: 1,
      encryptedAssertionCount: 0,
      signaturePresent: false,
    });
    expect(childNames(el)).toEqual(['Issuer', 'Status', 'Assertion']);
    const assertion = readAssertion(firstAssertion(xml));
    expect(assertion.issuer).toBe('https://idp.x.test');
    expect(assertion.subjectConfirmations[0]).toMatchObject({ recipient: 'https://sp.x.test/acs', inResponseTo: '_req' });
  });

  it('round-trips every option, Extensions before Status, assertions last', () => {
    const xml = buildResponse(MAXIMAL_RESPONSE);
    const el = root(xml);
    expect(readResponse(el)).toEqual({
      id: '_resp-max',
      version: '2.0',
      issueInstant: NOW_S,
      destination: 'https://sp.example.test/acs',
      inResponseTo: '_req-max',
      consent: 'urn:oasis:names:tc:SAML:2.0:consent:unspecified',
      issuer: 'https://idp.example.test',
      status: { code: STATUS.success, subCodes: [], message: 'all good', hasDetail: true },
      assertionCount: 2,
      encryptedAssertionCount: 0,
      signaturePresent: false,
    });
    expect(childNames(el)).toEqual(['Issuer', 'Extensions', 'Status', 'Assertion', 'Assertion']);
    const [first, second] = children(el, NS.saml, 'Assertion');
    expect(readAssertion(first).id).toBe('_assert-max');
    // The second assertion kept defaults but took the Response's context.
    expect(readAssertion(second)).toMatchObject({ id: '_assert-second', issuer: 'https://idp.example.test' });
    expect(readAssertion(second).subjectConfirmations[0]).toMatchObject({ recipient: 'https://sp.example.test/acs', inResponseTo: '_req-max' });
  });

  it('nests status sub-codes in order, with message and detail', () => {
    const xml = buildResponse({
      now: NOW,
      status: { code: STATUS.requester, subCode: [STATUS.invalidNameIdPolicy, 'urn:example:third'], message: 'no <such> format', detailXml: '<x:D xmlns:x="urn:x"/>' },
    });
    const info = readResponse(root(xml));
    expect(info.status).toEqual({ code: STATUS.requester, subCodes: [STATUS.invalidNameIdPolicy, 'urn:example:third'], message: 'no <such> format', hasDetail: true });
    // A failure carries no assertion unless one is asked for.
    expect(info.assertionCount).toBe(0);
    expect(readResponse(root(buildResponse({ now: NOW, status: { code: STATUS.responder, subCode: STATUS.authnFailed } }))).status.subCodes).toEqual([STATUS.authnFailed]);
  });

  it('a failure status with an explicit assertion still carries it (attack 28)', () => {
    const info = readResponse(root(buildResponse({ now: NOW, status: { code: STATUS.responder }, assertions: [{}] })));
    expect(info).toMatchObject({ status: { code: STATUS.responder }, assertionCount: 1 });
  });

  it('null removes header fields and the Status; assertions: [] writes none', () => {
    const el = root(
      buildResponse({ now: NOW, id: null, version: null, issueInstant: null, destination: null, issuer: null, status: null, assertions: [] }),
    );
    expect(el.attributes.length).toBe(2);
    expect(childNames(el)).toEqual([]);
    expect(readResponse(el)).toEqual({ status: { subCodes: [], hasDetail: false }, assertionCount: 0, encryptedAssertionCount: 0, signaturePresent: false });
  });

  it('a removed Response Issuer or Destination does not remove them from the assertion', () => {
    const xml = buildResponse({ now: NOW, issuer: null, destination: null });
    const a = readAssertion(firstAssertion(xml));
    expect(a.issuer).toBe(BUILDER_DEFAULTS.idpEntityId);
    expect(a.subjectConfirmations[0].recipient).toBe(BUILDER_DEFAULTS.spAcsUrl);
  });

  it('raw assertion XML replaces the default assertion, or follows the built ones', () => {
    const encrypted = '<saml:EncryptedAssertion><x:Blob xmlns:x="urn:x"/></saml:EncryptedAssertion>';
    const alone = root(buildResponse({ now: NOW, assertionXml: [encrypted] }));
    expect(readResponse(alone)).toMatchObject({ assertionCount: 0, encryptedAssertionCount: 1 });
    const both = root(buildResponse({ now: NOW, assertions: [{ id: '_plain' }], assertionXml: [encrypted] }));
    expect(childNames(both)).toEqual(['Issuer', 'Status', 'Assertion', 'EncryptedAssertion']);
  });

  it('is deterministic given now and IDs', () => {
    expect(buildResponse(MAXIMAL_RESPONSE)).toBe(buildResponse(MAXIMAL_RESPONSE));
    const opts = { now: NOW, id: '_r', assertions: [{ id: '_a' }] };
    expect(buildResponse(opts)).toBe(buildResponse(opts));
  });
});

describe('buildLoginResponse', () => {
  const params = {
    idpEntityId: 'https://idp.login.test',
    spEntityId: 'https://sp.login.test',
    acsUrl: 'https://sp.login.test/acs',
    inResponseTo: '_authn1',
    nameId: { value: 'carol', format: NAMEID_FORMAT.persistent },
    attributes: [{ name: 'mail', values: ['carol@login.test'] }],
    sessionIndex: '_sess',
    now: NOW,
    responseId: '_lr',
    assertionId: '_la',
  };

  it('sets Destination, Recipient, InResponseTo, Audience, Issuer and a lifetime window', () => {
    const xml = buildLoginResponse({ ...params, lifetimeSeconds: 120 });
    expect(readResponse(root(xml))).toMatchObject({
      id: '_lr',
      destination: params.acsUrl,
      inResponseTo: '_authn1',
      issuer: params.idpEntityId,
      status: { code: STATUS.success },
      assertionCount: 1,
    });
    expect(readAssertion(firstAssertion(xml))).toMatchObject({
      id: '_la',
      issuer: params.idpEntityId,
      nameId: params.nameId,
      subjectConfirmations: [{ method: CONFIRMATION_METHOD.bearer, recipient: params.acsUrl, inResponseTo: '_authn1', notOnOrAfter: '2024-05-01T10:02:00Z' }],
      conditions: { notBefore: NOW_S, notOnOrAfter: '2024-05-01T10:02:00Z', audiences: [[params.spEntityId]] },
      authnStatements: [{ authnInstant: NOW_S, sessionIndex: '_sess' }],
      attributes: { mail: ['carol@login.test'] },
    });
    expect(buildLoginResponse(params)).toBe(buildLoginResponse(params));
  });

  it('defaults to a 5-minute window and leaves InResponseTo out when unsolicited', () => {
    const xml = buildLoginResponse({ ...params, inResponseTo: undefined, attributes: undefined });
    expect(readResponse(root(xml)).inResponseTo).toBeUndefined();
    const a = readAssertion(firstAssertion(xml));
    expect(a.subjectConfirmations[0].inResponseTo).toBeUndefined();
    expect(a.conditions?.notOnOrAfter).toBe('2024-05-01T10:05:00Z');
    expect(a.attributeList).toEqual([]);
    expect(xml).not.toContain('InResponseTo');
  });
});

describe('logout builders', () => {
  it('LogoutRequest defaults and every option round-trip', () => {
    const def = root(buildLogoutRequest({ now: NOW, id: '_l', nameId: { value: 'u' } }));
    expect(readLogoutRequest(def)).toEqual({
      id: '_l',
      version: '2.0',
      issueInstant: NOW_S,
      destination: BUILDER_DEFAULTS.idpSloUrl,
      issuer: BUILDER_DEFAULTS.spEntityId,
      nameId: { value: 'u', format: NAMEID_FORMAT.unspecified },
      encryptedId: false,
      sessionIndexes: [],
      signaturePresent: false,
    });

    const el = root(buildLogoutRequest(MAXIMAL_LOGOUT_REQUEST));
    expect(readLogoutRequest(el)).toEqual({
      id: '_logout-max',
      version: '2.0',
      issueInstant: NOW_S,
      destination: 'https://idp.example.test/slo',
      issuer: 'https://sp.example.test',
      notOnOrAfter: LATER_S,
      reason: 'urn:oasis:names:tc:SAML:2.0:logout:user',
      nameId: MAXIMAL_LOGOUT_REQUEST.nameId,
      encryptedId: false,
      sessionIndexes: ['_s1', '_s2', '_s3'],
      signaturePresent: false,
    });
    expect(el.getAttribute('Consent')).toBe('urn:oasis:names:tc:SAML:2.0:consent:obtained');
    expect(childNames(el)).toEqual(['Issuer', 'Extensions', 'NameID', 'SessionIndex', 'SessionIndex', 'SessionIndex']);
  });

  it('LogoutRequest: null removes, raw identifier XML replaces the NameID', () => {
    const el = root(buildLogoutRequest({ now: NOW, nameId: null, id: null, destination: null, issuer: null, issueInstant: null, version: null }));
    expect(el.attributes.length).toBe(2);
    expect(childNames(el)).toEqual([]);
    const enc = root(buildLogoutRequest({ now: NOW, nameId: null, identifierXml: '<saml:EncryptedID><x:B xmlns:x="urn:x"/></saml:EncryptedID>' }));
    expect(readLogoutRequest(enc)).toMatchObject({ encryptedId: true, nameId: undefined });
  });

  it('LogoutResponse defaults and every option round-trip; null removes', () => {
    expect(readLogoutResponse(root(buildLogoutResponse({ now: NOW, id: '_lr' })))).toEqual({
      id: '_lr',
      version: '2.0',
      issueInstant: NOW_S,
      destination: BUILDER_DEFAULTS.spSloUrl,
      issuer: BUILDER_DEFAULTS.idpEntityId,
      status: { code: STATUS.success, subCodes: [], hasDetail: false },
      signaturePresent: false,
    });
    const el = root(buildLogoutResponse(MAXIMAL_LOGOUT_RESPONSE));
    expect(readLogoutResponse(el)).toEqual({
      id: '_logout-resp-max',
      version: '2.0',
      issueInstant: NOW_S,
      destination: 'https://sp.example.test/slo',
      inResponseTo: '_logout-max',
      issuer: 'https://idp.example.test',
      status: { code: STATUS.responder, subCodes: [STATUS.partialLogout, 'urn:example:samlconf:deeper'], message: 'partly <done>', hasDetail: true },
      signaturePresent: false,
    });
    expect(childNames(el)).toEqual(['Issuer', 'Extensions', 'Status']);
    const bare = root(buildLogoutResponse({ now: NOW, id: null, destination: null, issuer: null, status: null }));
    expect(childNames(bare)).toEqual([]);
    expect(bare.hasAttribute('ID') || bare.hasAttribute('Destination')).toBe(false);
  });
});

describe('artifact builders', () => {
  it('ArtifactResolve round-trips; null removes the Artifact', () => {
    const el = root(buildArtifactResolve(MAXIMAL_ARTIFACT_RESOLVE));
    expect(readArtifactResolve(el)).toEqual({
      id: '_resolve-max',
      version: '2.0',
      issueInstant: NOW_S,
      destination: 'https://idp.example.test/artifact',
      issuer: 'https://sp.example.test',
      artifact: MAXIMAL_ARTIFACT_RESOLVE.artifact,
      signaturePresent: false,
    });
    expect(childNames(el)).toEqual(['Issuer', 'Extensions', 'Artifact']);
    const def = readArtifactResolve(root(buildArtifactResolve({ now: NOW, artifact: 'AAQ=' })));
    expect(def).toMatchObject({ destination: BUILDER_DEFAULTS.idpArtifactResolutionUrl, issuer: BUILDER_DEFAULTS.spEntityId, artifact: 'AAQ=' });
    expect(readArtifactResolve(root(buildArtifactResolve({ now: NOW, artifact: null }))).artifact).toBeUndefined();
  });

  it('ArtifactResponse carries the message after Status', () => {
    const inner = buildResponse({ now: NOW, id: '_inner' });
    const el = root(buildArtifactResponse(maximalArtifactResponse(inner)));
    const info = readArtifactResponse(el);
    expect(info).toMatchObject({
      id: '_artifact-resp-max',
      version: '2.0',
      issueInstant: NOW_S,
      destination: 'https://sp.example.test/artifact',
      inResponseTo: '_resolve-max',
      issuer: 'https://idp.example.test',
      status: { code: STATUS.success, subCodes: [], message: 'here it is', hasDetail: false },
      signaturePresent: false,
    });
    expect(readResponse(info.message!).id).toBe('_inner');
    expect(childNames(el)).toEqual(['Issuer', 'Extensions', 'Status', 'Response']);
    const empty = readArtifactResponse(root(buildArtifactResponse({ now: NOW })));
    expect(empty.message).toBeUndefined();
    expect(empty.destination).toBeUndefined();
  });
});

describe('escaping', () => {
  const nasty = 'x"></saml:Issuer><saml:Evil a=\'1\'>&amp;\t\n\r end ';

  it('attribute and text values come back byte for byte, markup never escapes', () => {
    const xml = buildResponse({
      now: NOW,
      issuer: nasty,
      destination: nasty,
      inResponseTo: nasty,
      status: { message: nasty },
      assertions: [{ nameId: { value: nasty, nameQualifier: nasty }, attributes: [{ name: nasty, friendlyName: nasty, values: [nasty] }] }],
    });
    const el = root(xml);
    expect(parseXml(xml).getElementsByTagNameNS(NS.saml, 'Evil').length).toBe(0);
    const info = readResponse(el);
    expect(info.issuer).toBe(nasty);
    expect(info.destination).toBe(nasty);
    expect(info.inResponseTo).toBe(nasty);
    expect(info.status.message).toBe(nasty);
    const a = readAssertion(firstAssertion(xml));
    expect(a.nameId).toMatchObject({ value: nasty, nameQualifier: nasty });
    expect(a.attributes[nasty]).toEqual([nasty]);
    expect(a.attributeList[0].friendlyName).toBe(nasty);
  });

  it('raw XML options are inserted unescaped (callers own them)', () => {
    expect(buildAuthnRequest({ now: NOW, extensionsXml: EXTENSIONS_XML })).toContain(`<samlp:Extensions>${EXTENSIONS_XML}</samlp:Extensions>`);
  });
});

describe('times', () => {
  it('Date values are written as UTC, string values verbatim, everywhere', () => {
    const xml = buildAssertion({
      now: NOW,
      issueInstant: 'bad-1',
      conditions: { notBefore: 'bad-2', notOnOrAfter: LATER },
      subjectConfirmations: [{ notOnOrAfter: 'bad-3', notBefore: EARLIER }],
      authnStatement: { authnInstant: 'bad-4', sessionNotOnOrAfter: '2024-05-01T10:00:00.5+01:00' },
    });
    const a = readAssertion(root(xml));
    expect(a.issueInstant).toBe('bad-1');
    expect(a.conditions).toMatchObject({ notBefore: 'bad-2', notOnOrAfter: LATER_S });
    expect(a.subjectConfirmations[0]).toMatchObject({ notOnOrAfter: 'bad-3', notBefore: EARLIER_S });
    expect(a.authnStatements[0]).toMatchObject({ authnInstant: 'bad-4', sessionNotOnOrAfter: '2024-05-01T10:00:00.5+01:00' });
  });

  it('defaults to the current time when no `now` is given', () => {
    const before = Date.now();
    const info = readAuthnRequest(root(buildAuthnRequest()));
    const t = Date.parse(info.issueInstant!);
    expect(t).toBeGreaterThanOrEqual(before - 1000);
    expect(t).toBeLessThanOrEqual(Date.now() + 1000);
  });
});
