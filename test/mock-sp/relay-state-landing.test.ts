// followRelayState: after a valid login the weak target-mode SP sends the browser wherever the
// returned RelayState says, by script; the strict SP goes home whatever RelayState came back, and
// even the weak one goes home when RelayState is its own login token. Plus the SHA-1 refusal of
// the target-mode SP (acceptSha1 lifts it) as judgeResponse sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeResponse } from '../../mock-sp/acs.ts';
import type { MockSp } from '../../mock-sp/index.ts';
import { relayStateLandingPage } from '../../mock-sp/pages.ts';
import { decodeRedirect, rawQueryOf } from '../../saml/bindings/index.ts';
import { readAuthnRequest } from '../../saml/readers.ts';
import { signAssertions } from '../../saml/signature.ts';
import { parseRoot } from '../../saml/xml.ts';
import { IDP_ENTITY_ID, cookieHeader, get, keys, makeResponse, postResponse, startSp } from './helpers.ts';

const EVIL = 'https://evil.example.test/landing';

async function startLogin(sp: MockSp): Promise<{ relayState: string; requestId: string; cookie: string }> {
  const r = await get(sp, '/login');
  const msg = decodeRedirect(rawQueryOf(r.location!));
  return { relayState: msg.relayState!, requestId: readAuthnRequest(parseRoot(msg.xml)).id!, cookie: cookieHeader(r.setCookie) };
}

/** A valid login whose Response comes back with `relayState` (the login cookie still names the request). */
async function loginWith(sp: MockSp, relayState: (own: string) => string) {
  const l = await startLogin(sp);
  const r = await postResponse(sp, makeResponse({ sp, inResponseTo: l.requestId }), { relayState: relayState(l.relayState), headers: { cookie: l.cookie } });
  const who = (await (await fetch(`${sp.listenUrl}/whoami`, { headers: { cookie: cookieHeader(r.setCookie) } })).json()) as { nameId: string | null };
  return { ...r, who };
}

describe('followRelayState', () => {
  let strict: MockSp;
  let weak: MockSp;
  beforeAll(async () => {
    strict = await startSp({ mode: 'target' });
    weak = await startSp({ mode: 'target', weaknesses: { followRelayState: true } });
  });
  afterAll(async () => {
    await Promise.all([strict.close(), weak.close()]);
  });

  it('sends the browser to a foreign RelayState by script, after signing the user in', async () => {
    const r = await loginWith(weak, () => EVIL);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`window.location.href = ${JSON.stringify(EVIL)};`);
    expect(r.who.nameId).toBe('alice@example.test');
  });

  it('goes home on its own token, and the strict SP goes home whatever came back', async () => {
    const own = await loginWith(weak, (token) => token);
    expect([own.status, own.location]).toEqual([302, '/']);
    const foreign = await loginWith(strict, () => EVIL);
    expect([foreign.status, foreign.location]).toEqual([302, '/']);
    expect(foreign.who.nameId).toBe('alice@example.test');
  });

  it('quotes RelayState as a script string that cannot close the script element', () => {
    const html = relayStateLandingPage('javascript:alert(1)</script><script>alert(2)');
    expect(html).toContain('window.location.href = "javascript:alert(1)\\u003c/script>\\u003cscript>alert(2)";');
    expect(html.match(/<\/script>/g)).toHaveLength(1);
  });
});

describe('SHA-1 in target mode', () => {
  const sp = { baseUrl: 'https://sp.example.test', entityId: 'https://sp.example.test/metadata' } as MockSp;
  const ctx = () => ({ trustedCerts: [keys().idp.certPem], idpEntityId: IDP_ENTITY_ID, spEntityId: sp.entityId, acsUrl: `${sp.baseUrl}/acs`, expectedRequestId: '_r1', requireSignedAssertion: true });
  const sha1 = () =>
    signAssertions(makeResponse({ sp, inResponseTo: '_r1', sign: 'none' }), { privateKeyPem: keys().idp.key.privateKeyPem, certPem: keys().idp.certPem, algorithm: 'rsa-sha1', digest: 'sha1' });

  it('is refused by a refusing SP, accepted with acceptSha1, and only noted in mock mode', async () => {
    const xml = sha1();
    const refused = await judgeResponse(xml, ctx(), { weaknesses: {}, refuseSha1: true });
    expect([refused.accepted, refused.failedRules]).toEqual([false, ['signature-algorithm']]);
    const weak = await judgeResponse(xml, ctx(), { weaknesses: { acceptSha1: true }, refuseSha1: true });
    expect([weak.accepted, weak.ignoredRules, weak.identity?.nameId]).toEqual([true, ['signature-algorithm'], 'alice@example.test']);
    const mock = await judgeResponse(xml, ctx());
    expect(mock.accepted).toBe(true);
    expect(mock.validation.findings.find((f) => f.rule === 'signature-algorithm')?.ok).toBe(false);
  });

  it('leaves SHA-256 signatures alone', async () => {
    const r = await judgeResponse(makeResponse({ sp, inResponseTo: '_r1' }), ctx(), { weaknesses: {}, refuseSha1: true });
    expect(r.accepted).toBe(true);
  });
});

describe('normalizeNameId', () => {
  const sp = { baseUrl: 'https://sp.example.test', entityId: 'https://sp.example.test/metadata' } as MockSp;
  const ctx = () => ({ trustedCerts: [keys().idp.certPem], idpEntityId: IDP_ENTITY_ID, spEntityId: sp.entityId, acsUrl: `${sp.baseUrl}/acs`, expectedRequestId: '_r1', requireSignedAssertion: true });

  it('trims and lower-cases the signed NameID; the strict SP keeps it byte for byte', async () => {
    const xml = makeResponse({ sp, inResponseTo: '_r1', nameId: 'Alice@EXAMPLE.test ' });
    expect((await judgeResponse(xml, ctx(), { weaknesses: {} })).identity?.nameId).toBe('Alice@EXAMPLE.test ');
    expect((await judgeResponse(xml, ctx(), { weaknesses: { normalizeNameId: true } })).identity?.nameId).toBe('alice@example.test');
  });
});
