// The mock SP's logout weaknesses (target mode): acceptUnsignedLogoutRequest acts on a
// LogoutRequest that carries no signature at all, and ignoreLogoutNameId ends the browser's own
// session whatever NameID the request names. Each switch opens only its own flaw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRedirect, encodePostFields, encodeRedirect, rawQueryOf } from '../../saml/bindings/index.ts';
import { buildLogoutRequest, buildLogoutResponse } from '../../saml/builders/index.ts';
import { NAMEID_FORMAT, STATUS } from '../../saml/constants.ts';
import { readLogoutResponse } from '../../saml/readers.ts';
import { parseRoot } from '../../saml/xml.ts';
import type { MockSp, SpWeaknesses } from '../../mock-sp/index.ts';
import { IDP_ENTITY_ID, cookieHeader, get, keys, makeResponse, postForm, postResponse, startSp } from './helpers.ts';

const ALICE = 'alice@example.test';
const MALLORY = 'mallory@example.test';

async function signIn(sp: MockSp): Promise<string> {
  const login = await get(sp, '/login');
  const relayState = decodeRedirect(rawQueryOf(login.location!)).relayState!;
  const r = await postResponse(sp, makeResponse({ sp, inResponseTo: sp.scenario('default').lastRequestId() }), { relayState });
  return cookieHeader(r.setCookie);
}

async function whoami(sp: MockSp, cookie: string): Promise<string | null> {
  return ((await (await fetch(`${sp.listenUrl}/whoami`, { headers: { cookie } })).json()) as { nameId: string | null }).nameId;
}

function logoutRequest(sp: MockSp, nameId = ALICE): string {
  return buildLogoutRequest({ destination: sp.sloUrl, issuer: IDP_ENTITY_ID, nameId: { value: nameId, format: NAMEID_FORMAT.emailAddress }, sessionIndexes: nameId === ALICE ? ['_session-1'] : [] });
}

/** Send a LogoutRequest over Redirect with the browser's cookie; returns the LogoutResponse status. */
async function sendRedirect(sp: MockSp, xml: string, cookie: string, sign: 'idp' | 'attacker' | false): Promise<string | undefined> {
  const key = sign === 'idp' ? keys().idp : sign === 'attacker' ? keys().attacker : undefined;
  const url = encodeRedirect({ endpoint: '/slo', param: 'SAMLRequest', xml, ...(key ? { sign: { privateKeyPem: key.key.privateKeyPem } } : {}) });
  const r = await get(sp, url, { cookie });
  expect(r.status).toBe(302);
  return readLogoutResponse(parseRoot(decodeRedirect(rawQueryOf(r.location!)).xml)).status.code;
}

describe('mock SP logout weaknesses', () => {
  const sps = new Map<string, MockSp>();
  const variants: Record<string, SpWeaknesses> = {
    strict: {},
    unsigned: { acceptUnsignedLogoutRequest: true },
    nameId: { ignoreLogoutNameId: true },
    rejectResponse: { rejectLogoutResponse: true },
  };
  beforeAll(async () => {
    for (const [name, weaknesses] of Object.entries(variants)) sps.set(name, await startSp({ mode: 'target', weaknesses }));
  });
  afterAll(async () => {
    await Promise.all([...sps.values()].map((s) => s.close()));
  });

  it('rejectLogoutResponse: the IdP\'s valid LogoutResponse gets HTTP 400 (node-saml); the strict SP takes it with a redirect', async () => {
    for (const [name, status] of [['rejectResponse', 400], ['strict', 302]] as const) {
      const sp = sps.get(name)!;
      const cookie = await signIn(sp);
      const start = await get(sp, '/logout', { cookie });
      const request = parseRoot(decodeRedirect(rawQueryOf(start.location!)).xml);
      const answer = buildLogoutResponse({ destination: sp.sloUrl, issuer: IDP_ENTITY_ID, inResponseTo: request.getAttribute('ID')! });
      const r = await get(sp, encodeRedirect({ endpoint: '/slo', param: 'SAMLResponse', xml: answer, sign: { privateKeyPem: keys().idp.key.privateKeyPem } }));
      expect(r.status, name).toBe(status);
      // The LogoutResponse itself was valid either way: only the HTTP answer differs.
      expect(sp.scenario('default').logouts().at(-1), name).toMatchObject({ kind: 'LogoutResponse', ok: true });
    }
  });

  it('acceptUnsignedLogoutRequest: an unsigned LogoutRequest (Redirect or POST) ends the session; the strict SP refuses it', async () => {
    const weak = sps.get('unsigned')!;
    let cookie = await signIn(weak);
    expect(await sendRedirect(weak, logoutRequest(weak), cookie, false)).toBe(STATUS.success);
    expect(await whoami(weak, cookie)).toBeNull();
    expect(weak.scenario('default').logouts().at(-1)).toMatchObject({ kind: 'LogoutRequest', ok: true, sessionsEnded: 1 });

    cookie = await signIn(weak);
    const fields = encodePostFields({ param: 'SAMLRequest', xml: logoutRequest(weak) });
    await postForm(weak, '/slo', fields);
    expect(await whoami(weak, cookie)).toBeNull();

    const strict = sps.get('strict')!;
    const kept = await signIn(strict);
    expect(await sendRedirect(strict, logoutRequest(strict), kept, false)).toBe(STATUS.requester);
    expect(await whoami(strict, kept)).toBe(ALICE);
  });

  it('acceptUnsignedLogoutRequest stays narrow: a signature that is present must still verify, and the NameID must still match', async () => {
    const weak = sps.get('unsigned')!;
    const cookie = await signIn(weak);
    expect(await sendRedirect(weak, logoutRequest(weak), cookie, 'attacker')).toBe(STATUS.requester);
    expect(await sendRedirect(weak, logoutRequest(weak, MALLORY), cookie, false)).toBe(STATUS.requester);
    expect(await whoami(weak, cookie)).toBe(ALICE);
  });

  it("ignoreLogoutNameId: a signed LogoutRequest naming another user ends the browser's own session; the strict SP keeps it", async () => {
    const weak = sps.get('nameId')!;
    const cookie = await signIn(weak);
    expect(await sendRedirect(weak, logoutRequest(weak, MALLORY), cookie, 'idp')).toBe(STATUS.success);
    expect(await whoami(weak, cookie)).toBeNull();
    expect(weak.scenario('default').logouts().at(-1)).toMatchObject({ ok: true, sessionsEnded: 1 });

    const strict = sps.get('strict')!;
    const kept = await signIn(strict);
    expect(await sendRedirect(strict, logoutRequest(strict, MALLORY), kept, 'idp')).toBe(STATUS.requester);
    expect(await whoami(strict, kept)).toBe(ALICE);
  });

  it('ignoreLogoutNameId stays narrow: an unsigned LogoutRequest is still refused', async () => {
    const weak = sps.get('nameId')!;
    const cookie = await signIn(weak);
    expect(await sendRedirect(weak, logoutRequest(weak, MALLORY), cookie, false)).toBe(STATUS.requester);
    expect(await whoami(weak, cookie)).toBe(ALICE);
  });
});
