// Mock SP in target mode: a small SP application for the detection matrix. Strict by default it
// behaves as a correct SP; each weakness lets through exactly its own fault, and /whoami then
// shows the identity that fault smuggled in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRedirect, rawQueryOf } from '../../saml/bindings/index.ts';
import { buildAssertion } from '../../saml/builders/index.ts';
import { NAMEID_FORMAT, NS, STATUS } from '../../saml/constants.ts';
import { readAuthnRequest } from '../../saml/readers.ts';
import { type Element, child, children, descendants, parseRoot, parseXml, serialize } from '../../saml/xml.ts';
import { wrapSignature } from '../../saml/attacks/wrapping.ts';
import type { MockSp, SpWeaknesses } from '../../mock-sp/index.ts';
import { AFTER_LOGIN_WEAKNESSES, LOGOUT_WEAKNESSES, WEAKNESS_NAMES, parseWeaknessList } from '../../mock-sp/index.ts';
import { signAssertions } from '../../saml/signature.ts';
import { IDP_ENTITY_ID, IDP_SSO, cookieHeader, get, keys, makeResponse, postResponse, resultOf, startSp } from './helpers.ts';

const ALICE = 'alice@example.test';
const MALLORY = 'mallory@evil.test';

interface Login {
  relayState: string;
  requestId: string;
}

async function startLogin(sp: MockSp): Promise<Login> {
  const r = await get(sp, '/login');
  expect(r.status).toBe(302);
  expect(r.location!.startsWith(IDP_SSO)).toBe(true);
  const msg = decodeRedirect(rawQueryOf(r.location!));
  return { relayState: msg.relayState!, requestId: readAuthnRequest(parseRoot(msg.xml)).id! };
}

interface Whoami {
  authenticated: boolean;
  nameId: string | null;
  attributes: Record<string, string[]>;
}

/** Post to the ACS and ask /whoami with whatever session cookie the ACS set. */
async function deliver(sp: MockSp, xml: string, relayState?: string): Promise<{ status: number; location?: string; setCookie: string[]; who: Whoami; body: string }> {
  const r = await postResponse(sp, xml, { relayState });
  const who = (await (await fetch(`${sp.listenUrl}/whoami`, { headers: { cookie: cookieHeader(r.setCookie) } })).json()) as Whoami;
  return { ...r, who };
}

/** Every SignatureValue of a document emptied. */
function emptySignatureValues(xml: string): string {
  const doc = parseXml(xml);
  for (const v of descendants(doc.documentElement!, NS.ds, 'SignatureValue')) while (v.firstChild) v.removeChild(v.firstChild);
  return serialize(doc);
}

/** The signed assertion's Signature moved into a mallory copy placed before it (Reference still names the original). */
function signatureInEvilCopy(xml: string): string {
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  const original = children(root, NS.saml, 'Assertion')[0];
  const sig = child(original, NS.ds, 'Signature')!;
  const evil = original.cloneNode(true) as Element;
  evil.removeChild(child(evil, NS.ds, 'Signature')!);
  evil.setAttribute('ID', '_evil-copy');
  for (const el of [...descendants(evil, NS.saml, 'NameID'), ...descendants(evil, NS.saml, 'AttributeValue')]) {
    el.replaceChild(doc.createTextNode(MALLORY), el.firstChild!);
  }
  original.removeChild(sig);
  evil.insertBefore(sig, child(evil, NS.saml, 'Issuer')!.nextSibling);
  root.insertBefore(evil, original);
  return serialize(doc);
}

/** alice's signed Response with mallory's separately signed assertion appended after hers. */
function appendSignedAssertion(xml: string, other: string): string {
  const doc = parseXml(xml);
  const extra = children(parseXml(other).documentElement!, NS.saml, 'Assertion')[0];
  doc.documentElement!.appendChild(doc.importNode(extra, true));
  return serialize(doc);
}

type Fault = (sp: MockSp) => Promise<{ xml: string; relayState?: string; setup?: () => Promise<void> }>;

/** Each fault names the identity an attacker would get when the SP falls for it. */
const FAULTS: Record<string, { weakness: keyof SpWeaknesses; attackerIdentity: string; make: Fault }> = {
  unsigned: {
    weakness: 'acceptUnsigned',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      return { xml: makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY, sign: 'none' }), relayState: l.relayState };
    },
  },
  audience: {
    weakness: 'skipAudience',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      return { xml: makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY, audience: 'https://another-sp.test/metadata' }), relayState: l.relayState };
    },
  },
  'keyinfo-cert': {
    weakness: 'trustKeyInfoCert',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      return { xml: makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY, credential: keys().attacker }), relayState: l.relayState };
    },
  },
  'wrong-in-response-to': {
    weakness: 'ignoreInResponseTo',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      return { xml: makeResponse({ sp, inResponseTo: '_another-sessions-request', nameId: MALLORY }), relayState: l.relayState };
    },
  },
  expired: {
    weakness: 'ignoreTimes',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      return { xml: makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY, now: new Date(Date.now() - 2 * 3600_000) }), relayState: l.relayState };
    },
  },
  destination: {
    weakness: 'ignoreDestination',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      const xml = makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY, before: (x) => x.replace(/(<samlp:Response[^>]*Destination=")[^"]*"/, '$1https://another-sp.test/acs"') });
      return { xml, relayState: l.relayState };
    },
  },
  recipient: {
    weakness: 'ignoreRecipient',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      const xml = makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY, before: (x) => x.replace(/Recipient="[^"]*"/, 'Recipient="https://another-sp.test/acs"') });
      return { xml, relayState: l.relayState };
    },
  },
  unsolicited: {
    weakness: 'acceptUnsolicited',
    attackerIdentity: MALLORY,
    make: async (sp) => ({ xml: makeResponse({ sp, inResponseTo: null, nameId: MALLORY }) }),
  },
  xsw3: {
    weakness: 'readIdentityFromUnsignedAssertion',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      const signed = makeResponse({ sp, inResponseTo: l.requestId, nameId: ALICE });
      const evil = buildAssertion({
        issuer: IDP_ENTITY_ID,
        nameId: { value: MALLORY, format: NAMEID_FORMAT.emailAddress },
        subjectConfirmations: [{ recipient: `${sp.baseUrl}/acs`, inResponseTo: l.requestId }],
        conditions: { audiences: [sp.entityId] },
        authnStatement: { sessionIndex: '_evil' },
        attributes: [{ name: 'email', values: [MALLORY] }],
      });
      const at = signed.indexOf('<saml:Assertion');
      return { xml: signed.slice(0, at) + evil + signed.slice(at), relayState: l.relayState };
    },
  },
  replay: {
    weakness: 'allowReplay',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      const xml = makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY });
      return {
        xml,
        relayState: l.relayState,
        // The first delivery is legitimate; the fault is the second one, in another browser.
        setup: async () => {
          expect((await deliver(sp, xml, l.relayState)).who.nameId).toBe(MALLORY);
        },
      };
    },
  },
  issuer: {
    weakness: 'ignoreIssuer',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      const xml = makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY, before: (x) => x.replaceAll(`>${IDP_ENTITY_ID}</saml:Issuer>`, '>https://other-tenant.test/idp</saml:Issuer>') });
      return { xml, relayState: l.relayState };
    },
  },
  comment: {
    weakness: 'truncateNameIdAtComment',
    attackerIdentity: 'admin@victim.test',
    make: async (sp) => {
      const l = await startLogin(sp);
      const signed = makeResponse({ sp, inResponseTo: l.requestId, nameId: 'admin@victim.test.evil.test' });
      return { xml: signed.replace('admin@victim.test.evil.test</saml:NameID>', 'admin@victim.test<!---->.evil.test</saml:NameID>'), relayState: l.relayState };
    },
  },
  'error-status': {
    weakness: 'ignoreStatus',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      const xml = makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY, before: (x) => x.replace(STATUS.success, STATUS.responder) });
      return { xml, relayState: l.relayState };
    },
  },
  'empty-signature-value': {
    weakness: 'skipEmptySignatureValue',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      return { xml: emptySignatureValues(makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY, sign: 'both' })), relayState: l.relayState };
    },
  },
  'foreign-reference': {
    weakness: 'ignoreReferenceTarget',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      return { xml: signatureInEvilCopy(makeResponse({ sp, inResponseTo: l.requestId, nameId: ALICE })), relayState: l.relayState };
    },
  },
  'last-assertion': {
    weakness: 'lastAssertionWins',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      const own = makeResponse({ sp, inResponseTo: l.requestId, nameId: ALICE });
      return { xml: appendSignedAssertion(own, makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY })), relayState: l.relayState };
    },
  },
  // XSW1: only the Response is signed; its unsigned copy moves into the Signature, the outer one turns evil.
  'xsw1-response-wrap': {
    weakness: 'responseSignatureReferenceAnywhere',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      const signed = makeResponse({ sp, inResponseTo: l.requestId, nameId: ALICE, sign: 'response' });
      return { xml: wrapSignature(signed, 'xsw1', { nameId: MALLORY }), relayState: l.relayState };
    },
  },
  // Signed by the IdP's own key, but only with RSA-SHA1 / SHA-1: the target-mode SP refuses it unless acceptSha1.
  sha1: {
    weakness: 'acceptSha1',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      const unsigned = makeResponse({ sp, inResponseTo: l.requestId, nameId: MALLORY, sign: 'none' });
      const xml = signAssertions(unsigned, { privateKeyPem: keys().idp.key.privateKeyPem, certPem: keys().idp.certPem, algorithm: 'rsa-sha1', digest: 'sha1' });
      return { xml, relayState: l.relayState };
    },
  },
  // Another IdP account whose NameID differs only in case and a trailing blank: normalised, it becomes mallory's.
  'nameid-case': {
    weakness: 'normalizeNameId',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      return { xml: makeResponse({ sp, inResponseTo: l.requestId, nameId: 'Mallory@EVIL.test ', attributes: [{ name: 'email', values: [MALLORY] }] }), relayState: l.relayState };
    },
  },
  // XSW7: an evil copy with the signed assertion's own ID, in Extensions before it.
  'xsw7-duplicate-id': {
    weakness: 'splitDuplicateIdLookup',
    attackerIdentity: MALLORY,
    make: async (sp) => {
      const l = await startLogin(sp);
      const signed = makeResponse({ sp, inResponseTo: l.requestId, nameId: ALICE });
      return { xml: wrapSignature(signed, 'xsw7', { nameId: MALLORY }), relayState: l.relayState };
    },
  },
};

describe('mock SP target mode', () => {
  const sps = new Map<string, MockSp>();
  beforeAll(async () => {
    sps.set('strict', await startSp({ mode: 'target' }));
    for (const name of WEAKNESS_NAMES) sps.set(name, await startSp({ mode: 'target', weaknesses: { [name]: true } }));
  });
  afterAll(async () => {
    await Promise.all([...sps.values()].map((s) => s.close()));
  });

  it('every weakness has exactly one fault in this matrix', () => {
    // Logout-only weaknesses have no Response fault; slo-weaknesses.test.ts covers them. Nor does
    // followRelayState, which changes where the browser goes, not who logs in (relay-state-landing.test.ts).
    const elsewhere = [...LOGOUT_WEAKNESSES, ...AFTER_LOGIN_WEAKNESSES];
    expect(Object.values(FAULTS).map((f) => f.weakness).sort()).toEqual(WEAKNESS_NAMES.filter((n) => !elsewhere.includes(n)).sort());
  });

  it('signs in with a valid Response: session cookie, redirect home, whoami and the home page show the user', async () => {
    const sp = sps.get('strict')!;
    const anonymous = await get(sp, '/');
    expect(anonymous.body).toContain('Not signed in');
    expect(anonymous.body).toContain('href="/login"');
    const l = await startLogin(sp);
    const r = await deliver(sp, makeResponse({ sp, inResponseTo: l.requestId }), l.relayState);
    expect(r.status).toBe(302);
    expect(r.location).toBe('/');
    const session = r.setCookie.find((c) => c.startsWith('samlconf_sp_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(r.who).toEqual({ authenticated: true, nameId: ALICE, nameIdFormat: NAMEID_FORMAT.emailAddress, sessionIndex: '_session-1', attributes: { email: [ALICE] } });
    const home = await get(sp, '/', { cookie: cookieHeader(r.setCookie) });
    expect(home.body).toContain(`Signed in as ${ALICE}`);
    const out = await get(sp, '/logout', { cookie: cookieHeader(r.setCookie) });
    expect(out.status).toBe(302);
    const after = await (await fetch(`${sp.listenUrl}/whoami`, { headers: { cookie: cookieHeader(r.setCookie) } })).json();
    expect(after.authenticated).toBe(false);
  });

  it('strict SP rejects every fault and never creates a session for them', async () => {
    const sp = sps.get('strict')!;
    for (const [name, fault] of Object.entries(FAULTS)) {
      const f = await fault.make(sp);
      if (f.setup) await f.setup();
      const r = await deliver(sp, f.xml, f.relayState);
      const exploited = r.who.authenticated && r.who.nameId === fault.attackerIdentity;
      expect(exploited, `strict SP fell for ${name}`).toBe(false);
      if (name === 'nameid-case') {
        // A correct SP logs in the signed NameID exactly as written.
        expect(r.who.nameId).toBe('Mallory@EVIL.test ');
      } else if (name !== 'comment') {
        expect(r.status, name).toBe(200);
        expect(resultOf(r.body).accepted, name).toBe(false);
        expect(r.who.authenticated, name).toBe(false);
      } else {
        // A correct SP logs in the signed identity, comment and all.
        expect(r.who.nameId).toBe('admin@victim.test.evil.test');
      }
    }
  });

  it('each weakness lets through its own fault and no other', async () => {
    const matrix: string[] = [];
    for (const weakness of WEAKNESS_NAMES) {
      const sp = sps.get(weakness)!;
      for (const [name, fault] of Object.entries(FAULTS)) {
        const f = await fault.make(sp);
        if (f.setup) await f.setup();
        const r = await deliver(sp, f.xml, f.relayState);
        const exploited = r.who.authenticated && r.who.nameId === fault.attackerIdentity;
        if (exploited !== (fault.weakness === weakness)) matrix.push(`${weakness} x ${name}: exploited=${exploited}`);
        if (exploited && name !== 'comment') expect(r.who.attributes.email, `${weakness} x ${name}`).toEqual([MALLORY]);
      }
    }
    expect(matrix).toEqual([]);
  });

  it('a weak SP still signs in honest users', async () => {
    for (const weakness of WEAKNESS_NAMES) {
      const sp = sps.get(weakness)!;
      const l = await startLogin(sp);
      const r = await deliver(sp, makeResponse({ sp, inResponseTo: l.requestId }), l.relayState);
      expect(r.who.nameId, weakness).toBe(ALICE);
    }
  });

  it('reports waived rules in the outcome', async () => {
    const sp = sps.get('skipAudience')!;
    const l = await startLogin(sp);
    const p = sp.scenario('default').waitForResponse(5000);
    await deliver(sp, makeResponse({ sp, inResponseTo: l.requestId, audience: 'https://x.test' }), l.relayState);
    const o = (await p)!;
    expect(o).toMatchObject({ accepted: true, failedRules: [], ignoredRules: ['audience'] });
    expect(o.validation.ok).toBe(false);
    expect(sp.scenario('default').evidence().at(-1)!.note).toContain('waived by weaknesses: audience');
  });

  it('parses the CLI weakness list', () => {
    expect(parseWeaknessList('accept-unsigned, skip-audience,trustKeyInfoCert')).toEqual({ acceptUnsigned: true, skipAudience: true, trustKeyInfoCert: true });
    expect(() => parseWeaknessList('accept-everything')).toThrow(/unknown weakness "accept-everything".*accept-unsigned/);
  });
});
