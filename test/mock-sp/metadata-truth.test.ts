// The mock SP's metadata says what it does with its AuthnRequests: AuthnRequestsSigned is true
// exactly when it signs them by default (SimpleSAMLphp's metadata converter turns request
// validation off for an SP that says "false"), configured or following the IdP's wish.
import { afterEach, describe, expect, it } from 'vitest';
import type { MockSp } from '../../mock-sp/index.ts';
import { parseEntity } from '../../saml/metadata.ts';
import { decodeRedirect, rawQueryOf } from '../../saml/bindings/index.ts';
import { get, idpMetadata, startSp } from './helpers.ts';

const started: MockSp[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function sp(o: Parameters<typeof startSp>[0]): Promise<MockSp> {
  const s = await startSp(o);
  started.push(s);
  return s;
}

/** What the metadata states, and whether the default login request is signed. */
async function stateOf(s: MockSp): Promise<{ says: boolean; signs: boolean }> {
  const says = parseEntity((await get(s, '/metadata')).body).sp!.authnRequestsSigned;
  const login = await get(s, '/login?scenario=truth');
  return { says, signs: decodeRedirect(rawQueryOf(login.location!)).signature !== undefined };
}

describe('mock SP metadata AuthnRequestsSigned', () => {
  it('follows the IdP when unconfigured: signs, and says so, exactly when the IdP wants signed requests', async () => {
    expect(await stateOf(await sp({ idpWantsSigned: true }))).toEqual({ says: true, signs: true });
    expect(await stateOf(await sp({ idpWantsSigned: false }))).toEqual({ says: false, signs: false });
  });

  it('configured, does what it says whatever the IdP wants', async () => {
    expect(await stateOf(await sp({ idpWantsSigned: false, authnRequestsSigned: true }))).toEqual({ says: true, signs: true });
    expect(await stateOf(await sp({ idpWantsSigned: true, authnRequestsSigned: false }))).toEqual({ says: false, signs: false });
  });

  it('updates the metadata when the IdP metadata arrives later', async () => {
    const s = await sp({ idp: undefined });
    expect(parseEntity(s.metadataXml()).sp!.authnRequestsSigned).toBe(false);
    s.setIdpMetadata(idpMetadata({ wantAuthnRequestsSigned: true }));
    expect(await stateOf(s)).toEqual({ says: true, signs: true });
  });
});
