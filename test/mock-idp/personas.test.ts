// Personas: the authentik and Azure AD shapes the seed documents describe, end to end through the
// server (URL layout, issuer, signing) and directly through shape() for the NameID table.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMEID_FORMAT, NS } from '../../saml/constants.ts';
import { parseEntity } from '../../saml/metadata.ts';
import { readAssertion, readResponse } from '../../saml/readers.ts';
import { validateResponse } from '../../saml/rules/index.ts';
import { child, children, descendants, parseXml } from '../../saml/xml.ts';
import { PERSONAS, buildPlannedResponse, type IdpUser, type MockIdp, type ShapeInput } from '../../mock-idp/index.ts';
import { validateAgainstSamlSchema } from '../peers/xsd.ts';
import { SP_ACS, SP_ENTITY_ID, authnRequest, credentials, decodeB64, readAutoPost, redirectUrl, startIdp } from './helpers.ts';

const USER: IdpUser = {
  nameId: 'dana@example.test',
  username: 'dana',
  attributes: { email: ['dana@example.test'], name: ['Dana Example'], givenName: ['Dana'], surname: ['Example'], groups: ['admins', 'staff'], pk: ['42'] },
};

async function login(idp: MockIdp, scenario: string, nameIdFormat?: string) {
  idp.scenario(scenario).setPlan({ user: USER });
  const xml = authnRequest(idp, nameIdFormat ? { nameIdPolicy: { format: nameIdFormat } } : {});
  const res = await fetch(redirectUrl(idp, xml), { headers: { 'x-samlconf-scenario': scenario } });
  const form = readAutoPost(await res.text());
  const responseXml = decodeB64(form!.fields.SAMLResponse);
  const root = parseXml(responseXml).documentElement!;
  return { requestId: parseXml(xml).documentElement!.getAttribute('ID')!, responseXml, root, assertion: child(root, NS.saml, 'Assertion') };
}

describe('authentik persona (Better Stack set-up, SAML Provider 2025.8)', () => {
  let idp: MockIdp;
  beforeAll(async () => {
    idp = await startIdp({ persona: 'authentik', personaConfig: { issuer: 'betterstack', slug: 'better-stack', installId: 'install-1' } });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it("serves authentik's endpoint paths with the configured issuer as entity ID", async () => {
    const app = `${idp.baseUrl}/application/saml/better-stack`;
    expect(idp.entityId).toBe('betterstack');
    expect(idp.metadataUrl).toBe(`${app}/metadata/`);
    expect(idp.ssoUrl).toBe(`${app}/sso/binding/redirect/`);
    expect(idp.ssoPostUrl).toBe(`${app}/sso/binding/post/`);
    expect(idp.sloUrl).toBe(`${app}/slo/binding/redirect/`);
    expect(idp.scenario('x').idpInitiatedUrl()).toMatch(new RegExp(`^${app}/sso/binding/init/\\?scenario=x`));
    const entity = parseEntity(await (await fetch(idp.metadataUrl)).text());
    expect(entity.entityId).toBe('betterstack');
    expect(entity.idp!.sloServices.map((e) => e.location)).toEqual([`${app}/slo/binding/redirect/`, `${app}/slo/binding/post/`]);
  });

  it('signs only the assertion, issuer betterstack, `email` plus the default mappings without NameFormat', async () => {
    const r = await login(idp, 'ak-email', NAMEID_FORMAT.emailAddress);
    expect(children(r.root, NS.ds, 'Signature')).toHaveLength(0);
    expect(children(r.assertion!, NS.ds, 'Signature')).toHaveLength(1);
    const info = readAssertion(r.assertion!);
    expect(info.issuer).toBe('betterstack');
    expect(readResponse(r.root).issuer).toBe('betterstack');
    expect(info.nameId).toMatchObject({ value: 'dana@example.test', format: NAMEID_FORMAT.emailAddress });
    expect(info.attributes.email).toEqual(['dana@example.test']);
    expect(info.attributes['http://schemas.goauthentik.io/2021/02/saml/username']).toEqual(['dana']);
    expect(info.attributes['http://schemas.goauthentik.io/2021/02/saml/uid']).toEqual(['42']);
    expect(info.attributes['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress']).toEqual(['dana@example.test']);
    expect(info.attributes['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name']).toEqual(['Dana Example']);
    expect(info.attributes['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn']).toEqual(['dana@example.test']);
    expect(info.attributes['http://schemas.xmlsoap.org/claims/Group']).toEqual(['admins', 'staff']);
    expect(info.attributes['http://schemas.microsoft.com/ws/2008/06/identity/claims/windowsaccountname']).toEqual(['dana']);
    expect(info.attributeList.every((a) => a.nameFormat === undefined && a.valueTypes.every((t) => t === undefined))).toBe(true);
    expect(info.authnStatements[0].sessionIndex).toBe(info.id);
    const v = await validateResponse(r.responseXml, {
      trustedCerts: [credentials().idp.certPem],
      idpEntityId: 'betterstack',
      spEntityId: SP_ENTITY_ID,
      acsUrl: SP_ACS,
      expectedRequestId: r.requestId,
      requestedNameIdFormat: NAMEID_FORMAT.emailAddress,
      requireSignedAssertion: true,
    });
    expect(v.findings.filter((f) => !f.ok && f.severity === 'must')).toEqual([]);
  });

  it('uses the hashed user ID for persistent and when no format is requested', async () => {
    const expected = createHash('sha256').update('42-install-1').digest('hex');
    const persistent = readAssertion((await login(idp, 'ak-persistent', NAMEID_FORMAT.persistent)).assertion!);
    expect(persistent.nameId).toMatchObject({ value: expected, format: NAMEID_FORMAT.persistent });
    const unspecified = readAssertion((await login(idp, 'ak-none', NAMEID_FORMAT.unspecified)).assertion!);
    expect(unspecified.nameId?.value).toBe(expected);
  });

  it('answers an unsupported NameID format with InvalidNameIDPolicy', async () => {
    const r = await login(idp, 'ak-kerberos', NAMEID_FORMAT.kerberos);
    const info = readResponse(r.root);
    expect(info.status.subCodes).toEqual(['urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy']);
    expect(info.assertionCount).toBe(0);
  });

  it('follows the NameID table and its fallbacks (shape)', () => {
    const base: ShapeInput = { user: USER, sessionKey: 'session-1', idpEntityId: 'authentik', config: { installId: 'install-1' } };
    const hashed = (s: string) => createHash('sha256').update(s).digest('hex');
    const nameId = (format: string | undefined, user = USER, sessionKey = 'session-1') => {
      const shape = PERSONAS.authentik.shape({ ...base, user, sessionKey, requestedNameIdFormat: format });
      return 'refuse' in shape.nameId ? undefined : shape.nameId;
    };
    const persistent = hashed('42-install-1');
    for (const x509 of [NAMEID_FORMAT.x509SubjectName, 'urn:oasis:names:tc:SAML:2.0:nameid-format:X509SubjectName']) {
      expect(nameId(x509)).toEqual({ value: persistent, format: x509 });
      const withDn = { ...USER, attributes: { ...USER.attributes, distinguishedName: ['cn=dana,dc=example,dc=test'] } };
      expect(nameId(x509, withDn)?.value).toBe('cn=dana,dc=example,dc=test');
    }
    const windows = 'urn:oasis:names:tc:SAML:2.0:nameid-format:WindowsDomainQualifiedName';
    expect(nameId(windows)?.value).toBe(persistent);
    expect(nameId(windows, { ...USER, attributes: { ...USER.attributes, upn: ['dana@corp.example.test'] } })?.value).toBe('dana@corp.example.test');
    expect(nameId(NAMEID_FORMAT.transient)?.value).toBe(hashed('session-1'));
    expect(nameId(NAMEID_FORMAT.transient, USER, 'session-2')?.value).not.toBe(nameId(NAMEID_FORMAT.transient)?.value);
    expect(nameId(undefined)).toEqual({ value: persistent, format: NAMEID_FORMAT.unspecified });
  });
});

describe('azure-ad persona (Chatlayer set-up)', () => {
  const tenant = '7f5c1d2e-0000-4000-8000-00000000abcd';
  let idp: MockIdp;
  beforeAll(async () => {
    idp = await startIdp({ persona: 'azure-ad', personaConfig: { tenantId: tenant } });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('uses the sts.windows.net issuer and the login.microsoftonline.com path layout', () => {
    expect(idp.entityId).toBe(`https://sts.windows.net/${tenant}/`);
    expect(idp.ssoUrl).toBe(`${idp.baseUrl}/${tenant}/saml2`);
    expect(idp.sloUrl).toBe(`${idp.baseUrl}/${tenant}/saml2`);
  });

  it('signs only the assertion and sends the UPN as an emailAddress NameID with the usual claims', async () => {
    const r = await login(idp, 'az-default');
    expect(children(r.root, NS.ds, 'Signature')).toHaveLength(0);
    const info = readAssertion(r.assertion!);
    expect(info.issuer).toBe(`https://sts.windows.net/${tenant}/`);
    expect(info.nameId).toMatchObject({ value: 'dana@example.test', format: NAMEID_FORMAT.emailAddress });
    expect(info.attributes['http://schemas.microsoft.com/identity/claims/tenantid']).toEqual([tenant]);
    expect(info.attributes['http://schemas.microsoft.com/identity/claims/objectidentifier']?.[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(info.attributes['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress']).toEqual(['dana@example.test']);
    expect(info.attributes['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname']).toEqual(['Dana']);
    expect(info.attributes['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname']).toEqual(['Example']);
    expect(info.attributes['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name']).toEqual(['dana@example.test']);
    expect(descendants(r.assertion!, NS.ds, 'SignatureMethod')[0].getAttribute('Algorithm')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    const v = await validateResponse(r.responseXml, {
      trustedCerts: [credentials().idp.certPem],
      idpEntityId: idp.entityId,
      spEntityId: SP_ENTITY_ID,
      acsUrl: SP_ACS,
      expectedRequestId: r.requestId,
      requireSignedAssertion: true,
    });
    expect(v.ok).toBe(true);
  });

  it('gives an opaque persistent ID when persistent is requested', async () => {
    const r = await login(idp, 'az-persistent', NAMEID_FORMAT.persistent);
    const nameId = readAssertion(r.assertion!).nameId!;
    expect(nameId.format).toBe(NAMEID_FORMAT.persistent);
    expect(nameId.value).not.toContain('@');
  });
});

describe('other personas', () => {
  it('okta signs Response and Assertion with an entity-format issuer', () => {
    const shape = PERSONAS.okta.shape({ user: USER, sessionKey: 's', idpEntityId: 'http://www.okta.com/x', config: {} });
    expect(shape.sign).toMatchObject({ response: true, assertion: true, algorithm: 'rsa-sha256' });
    expect(shape.issuerFormat).toBe(NAMEID_FORMAT.entity);
    expect(PERSONAS.okta.entityId('http://h', { appId: 'exk1' })).toBe('http://www.okta.com/exk1');
  });

  it('onelogin and google sign the assertion only and name the user by email', () => {
    for (const p of [PERSONAS.onelogin, PERSONAS.google]) {
      const shape = p.shape({ user: USER, sessionKey: 's', idpEntityId: 'x', config: {} });
      expect(shape.sign.response).toBe(false);
      expect(shape.sign.assertion).toBe(true);
      expect('refuse' in shape.nameId ? undefined : shape.nameId.value).toBe('dana@example.test');
    }
    expect(PERSONAS.google.entityId('http://h', { idpId: 'C01' })).toBe('https://accounts.google.com/o/saml2?idpid=C01');
    expect(PERSONAS.onelogin.entityId('http://h', { appId: '715551' })).toBe('https://app.onelogin.com/saml/metadata/715551');
  });
});

describe('every persona', () => {
  it('produces a schema-valid, signed Response (xmllint against the OASIS schemas)', async () => {
    for (const p of Object.values(PERSONAS)) {
      const planned = await buildPlannedResponse({
        plan: {},
        persona: p,
        personaConfig: {},
        idpEntityId: p.entityId('http://127.0.0.1:1', {}),
        credential: () => credentials().idp,
        // No groups: authentik then writes a Group attribute with no values, which must stay valid.
        user: { ...USER, attributes: { ...USER.attributes, groups: [] } },
        acsUrl: SP_ACS,
        inResponseTo: '_req1',
        spEntityId: SP_ENTITY_ID,
      });
      expect(validateAgainstSamlSchema(planned.xml), p.name).toEqual({ valid: true, errors: [] });
      expect(planned.signed.assertion, p.name).toBe(true);
    }
  });
});
