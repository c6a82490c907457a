// The mock IdP's replay capability: resendUrl() posts the Response sent last again, unchanged
// (same encoded bytes, RelayState and ACS), records it as sent once more, and renews lastResponse().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockIdp } from '../../mock-idp/index.ts';
import { readAutoPost, SP_ACS, startIdp } from './helpers.ts';

let idp: MockIdp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(() => idp.close());

describe('resendUrl', () => {
  it('refuses to make a URL before any Response was sent', () => {
    expect(() => idp.scenario('nothing-yet').resendUrl()).toThrow(/no Response was sent yet/);
  });

  it('posts the captured Response again, byte for byte, and records the replay', async () => {
    const s = idp.scenario('replay');
    const first = readAutoPost(await (await fetch(s.idpInitiatedUrl({ relayState: 'rs-1' }))).text());
    const sent = s.lastResponse();
    expect(first?.action).toBe(SP_ACS);

    const url = s.resendUrl();
    // A later Response does not change what the URL stands for: it is bound when made.
    await fetch(s.idpInitiatedUrl({ relayState: 'rs-2' }));
    const again = readAutoPost(await (await fetch(url)).text());
    expect(again).toEqual(first);
    expect(s.lastResponse()).not.toBe(sent);
    expect(s.lastResponse()).toEqual(sent);

    const ev = s.evidence();
    expect(ev.map((e) => e.direction)).toEqual(['sent', 'sent', 'sent']);
    expect(ev[2].note).toContain('replay');
    expect(ev[2].raw).toBe(first!.fields.SAMLResponse);
  });

  it('answers 400 to an unknown token', async () => {
    const res = await fetch(`${idp.baseUrl}/_samlconf/resend?token=nope`);
    expect(res.status).toBe(400);
  });
});
