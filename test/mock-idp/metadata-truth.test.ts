// The mock IdP's metadata says what it does: WantAuthnRequestsSigned="true" only when it refuses
// unsigned requests (in mock mode too; samlify as SP refuses to sign for an IdP that says false),
// configured or following the SP's own AuthnRequestsSigned; and assertions are encrypted by
// default only where configured, or (as-sp-metadata) where the SP publishes a use="encryption" key.
import { afterEach, describe, expect, it } from 'vitest';
import type { MockIdp, MockIdpOptions } from '../../mock-idp/index.ts';
import { parseEntity } from '../../saml/metadata.ts';
import { authnRequest, decodeB64, readAutoPost, redirectUrl, spMetadata, startIdp } from './helpers.ts';

const started: MockIdp[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function idp(o: Partial<MockIdpOptions>): Promise<MockIdp> {
  const s = await startIdp(o);
  started.push(s);
  return s;
}

const says = async (s: MockIdp) => parseEntity(await (await fetch(s.metadataUrl)).text()).idp!.wantAuthnRequestsSigned;

/** Whether an AuthnRequest (signed or not) gets a Response, and whether its assertion is encrypted. */
async function answer(s: MockIdp, sign: boolean): Promise<{ status: number; answered: boolean; encrypted?: boolean }> {
  const res = await fetch(redirectUrl(s, authnRequest(s), { sign }));
  const form = readAutoPost(await res.text());
  if (!form?.fields.SAMLResponse) return { status: res.status, answered: false };
  const xml = decodeB64(form.fields.SAMLResponse);
  return { status: res.status, answered: true, encrypted: xml.includes('EncryptedAssertion') };
}

describe('mock IdP WantAuthnRequestsSigned', () => {
  it('true: says so and, in mock mode too, gives an unsigned request no Response', async () => {
    const s = await idp({ wantAuthnRequestsSigned: true });
    expect(await says(s)).toBe(true);
    expect(await answer(s, false)).toEqual({ status: 403, answered: false });
    expect((await answer(s, true)).answered).toBe(true);
  });

  it("default false: says so and answers unsigned requests, as before", async () => {
    const s = await idp({});
    expect(await says(s)).toBe(false);
    expect((await answer(s, false)).answered).toBe(true);
  });

  it("'as-sp-metadata': follows the SP's AuthnRequestsSigned, also when the SP metadata arrives later", async () => {
    const signing = await idp({ wantAuthnRequestsSigned: 'as-sp-metadata' });
    expect(await says(signing)).toBe(true);
    expect((await answer(signing, false)).answered).toBe(false);
    const unsignedSp = spMetadata().replace('AuthnRequestsSigned="true"', 'AuthnRequestsSigned="false"');
    const later = await idp({ wantAuthnRequestsSigned: 'as-sp-metadata', sp: {} });
    expect(await says(later)).toBe(false);
    later.setSpMetadata(unsignedSp);
    expect(await says(later)).toBe(false);
    expect((await answer(later, false)).answered).toBe(true);
    later.setSpMetadata(spMetadata());
    expect(await says(later)).toBe(true);
  });
});

describe('mock IdP encryptAssertions', () => {
  it("'as-sp-metadata' encrypts for an SP publishing a use=\"encryption\" key, not for one without", async () => {
    expect(await answer(await idp({ encryptAssertions: 'as-sp-metadata' }), true)).toMatchObject({ answered: true, encrypted: true });
    expect(await answer(await idp({ encryptAssertions: 'as-sp-metadata', sp: { metadataXml: spMetadata() } }), true)).toMatchObject({ answered: true, encrypted: false });
  });

  it('default: plaintext; a plan that says encrypt: false wins over true', async () => {
    expect(await answer(await idp({}), true)).toMatchObject({ encrypted: false });
    const always = await idp({ encryptAssertions: true });
    expect(await answer(always, true)).toMatchObject({ encrypted: true });
    always.scenario('default').setPlan({ encrypt: false });
    expect(await answer(always, true)).toMatchObject({ encrypted: false });
  });
});
