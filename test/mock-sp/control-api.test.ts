// The mock SP's plan over the control API: the whole plan is checked (a typo at any depth or a
// wrong type is a 400 naming its path), and a plan can be read back and dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockSp } from '../../mock-sp/index.ts';
import { PlanError, parsePlanJson } from '../../mock-sp/plan.ts';
import { decodeRedirect, rawQueryOf } from '../../saml/bindings/index.ts';
import { readAuthnRequest } from '../../saml/readers.ts';
import { parseRoot } from '../../saml/xml.ts';
import { get, startSp } from './helpers.ts';

let sp: MockSp;
beforeAll(async () => {
  sp = await startSp();
});
afterAll(() => sp.close());

const planUrl = (scenario: string) => `${sp.listenUrl}/_samlconf/plan?scenario=${scenario}`;
const put = (scenario: string, body: unknown) =>
  fetch(planUrl(scenario), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function refusal(plan: unknown): string {
  try {
    parsePlanJson(plan);
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return (err as Error).message;
  }
  throw new Error('the plan was accepted');
}

describe('parsePlanJson checks the whole plan', () => {
  it('accepts a plan using every part', () => {
    const plan = {
      binding: 'post',
      sign: { algorithm: 'rsa-sha256', credential: 'attacker' },
      request: {
        id: '_x', issuer: null, forceAuthn: true, isPassive: null, assertionConsumerServiceIndex: 1, protocolBinding: null,
        nameIdPolicy: { format: null, allowCreate: false }, requestedAuthnContext: { comparison: 'exact', classRefs: ['urn:c'] },
        scoping: { proxyCount: 1, idpList: ['urn:i', { providerId: 'urn:j', name: 'J' }], requesterIds: ['urn:r'] },
        conditions: { notOnOrAfter: '2030-01-01T00:00:00Z', audiences: ['urn:a'], oneTimeUse: true },
        subjectNameId: { value: 'u', format: null },
      },
      relayState: 'rs',
      expectAcsPath: '/acs-rogue',
      allowUnsolicited: true,
      sigAlgOverride: 'garbage',
    };
    expect(parsePlanJson(plan)).toEqual(plan);
    expect(parsePlanJson({ sign: false })).toEqual({ sign: false });
  });

  it('names the path of a nested typo or a wrong type', () => {
    expect(refusal({ request: { forceAuth: true } })).toBe('plan request.forceAuth: unknown field; did you mean "forceAuthn"?');
    expect(refusal({ request: { nameIdPolicy: { allowcreate: true } } })).toBe('plan request.nameIdPolicy.allowcreate: unknown field; did you mean "allowCreate"?');
    expect(refusal({ sign: { algorith: 'rsa-sha256' } })).toBe('plan sign.algorith: unknown field; did you mean "algorithm"?');
    expect(refusal({ request: { forceAuthn: 'yes' } })).toBe('plan request.forceAuthn: expected true or false or null, got "yes"');
    expect(refusal({ request: { assertionConsumerServiceIndex: 1.5 } })).toBe('plan request.assertionConsumerServiceIndex: expected a whole number, got number 1.5');
    expect(refusal({ request: { requestedAuthnContext: { comparison: 'exact' } } })).toBe('plan request.requestedAuthnContext.classRefs: missing: expected a list, each a string');
    expect(refusal({ request: { scoping: { idpList: [{ providerID: 'urn:x' }] } } })).toBe('plan request.scoping.idpList[0].providerID: unknown field; did you mean "providerId"?');
    expect(refusal({ binding: 'soap' })).toBe('plan binding: expected one of "redirect", "post", got "soap"');
    expect(refusal({ sign: 'yes' })).toBe('plan sign: expected true or false or an object { algorithm, credential }, got "yes"');
    expect(refusal({ mutate: 'x' })).toBe('plan mutate: unknown field; mutations are functions and cannot be set over the control API');
    expect(refusal({ expectAcsPath: '/elsewhere' })).toBe('plan expectAcsPath: must be "/acs" or start with "/acs-"');
  });
});

describe('control API: /_samlconf/plan', () => {
  it('answers 400 naming the path of a nested typo, and keeps the plan in force', async () => {
    expect((await put('typo', { relayState: 'kept' })).status).toBe(200);
    const typo = await put('typo', { request: { isPasive: true } });
    expect(typo.status).toBe(400);
    expect((await typo.json()).error).toBe('plan request.isPasive: unknown field; did you mean "isPassive"?');
    expect(await (await fetch(planUrl('typo'))).json()).toEqual({ scenario: 'typo', plan: { relayState: 'kept' } });
  });

  it('GET returns the plan in force until replaced, DELETE goes back to the defaults', async () => {
    expect(await (await fetch(planUrl('rw'))).json()).toEqual({ scenario: 'rw', plan: {} });
    expect((await put('rw', { request: { forceAuthn: true }, relayState: 'rs' })).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      // Each login uses the plan again: it stays until replaced.
      const r = await get(sp, '/login?scenario=rw');
      const info = readAuthnRequest(parseRoot(decodeRedirect(rawQueryOf(r.location!)).xml));
      expect(info.forceAuthn).toBe(true);
    }
    expect(await (await fetch(planUrl('rw'))).json()).toEqual({ scenario: 'rw', plan: { request: { forceAuthn: true }, relayState: 'rs' } });
    const del = await fetch(planUrl('rw'), { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await (await fetch(planUrl('rw'))).json()).toEqual({ scenario: 'rw', plan: {} });
    const after = await get(sp, '/login?scenario=rw');
    expect(readAuthnRequest(parseRoot(decodeRedirect(rawQueryOf(after.location!)).xml)).forceAuthn).toBeUndefined();
  });
});
