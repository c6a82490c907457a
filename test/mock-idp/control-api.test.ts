// The mock IdP's plan over the control API: the whole plan is checked (a typo at any depth or a
// wrong type is a 400 naming its path), and a plan can be read back and dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockIdp } from '../../mock-idp/index.ts';
import { PlanError, planFromJson } from '../../mock-idp/plan.ts';
import { startIdp } from './helpers.ts';

let idp: MockIdp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(() => idp.close());

const planUrl = (scenario: string) => `${idp.baseUrl}/_samlconf/plan?scenario=${scenario}`;
const put = (scenario: string, body: unknown) =>
  fetch(planUrl(scenario), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function refusal(plan: unknown): string {
  try {
    planFromJson(plan);
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return (err as Error).message;
  }
  throw new Error('the plan was accepted');
}

describe('planFromJson checks the whole plan', () => {
  it('accepts a plan using every part', () => {
    const plan = {
      user: { nameId: 'u@example.test', nameIdFormat: 'urn:x', attributes: { email: ['u@example.test'] }, username: 'u', password: 'p' },
      persona: 'okta',
      sign: { response: true, assertion: false, algorithm: 'rsa-sha256', digest: 'sha256', credential: 'attacker' },
      encrypt: { dataAlgorithm: 'aes256-gcm', keyTransport: 'rsa-oaep' },
      acsUrl: 'https://sp.samlconf.test/acs',
      response: {
        audience: null, destination: 'https://x.test/', recipient: null, inResponseTo: null, issuer: 'urn:i', notBeforeOffsetSeconds: -5,
        lifetimeSeconds: 60, confirmationLifetimeSeconds: 30, clockOffsetSeconds: 0, status: { code: 'urn:s', subCode: ['urn:a'], message: null },
        includeAssertion: true, sessionIndex: null,
      },
      relayState: 'rs',
      logout: { sign: false, status: { code: 'urn:s' } },
    };
    expect(planFromJson(plan)).toEqual(plan);
    expect(planFromJson({ encrypt: false })).toEqual({ encrypt: false });
  });

  it('names the path of a nested typo and suggests the field meant', () => {
    expect(refusal({ response: { audiance: 'urn:other' } })).toBe('plan response.audiance: unknown field; did you mean "audience"?');
    expect(refusal({ sign: { credentials: 'attacker' } })).toBe('plan sign.credentials: unknown field; did you mean "credential"?');
    expect(refusal({ response: { status: { code: 'urn:s', subcode: 'x' } } })).toBe('plan response.status.subcode: unknown field; did you mean "subCode"?');
    expect(refusal({ respons: {} })).toBe('plan respons: unknown field; did you mean "response"?');
    expect(refusal({ zzz: 1 })).toMatch(/^plan zzz: unknown field; known fields here: user, persona, keepNameIdFormat, sign/);
    expect(refusal({ mutate: 'x' })).toBe('plan mutate: unknown field; mutations are functions and cannot be set over the control API');
  });

  it('names the path of a wrong type or value', () => {
    expect(refusal({ response: { lifetimeSeconds: 'abc' } })).toBe('plan response.lifetimeSeconds: expected a number, got "abc"');
    expect(refusal({ response: { audience: 5 } })).toBe('plan response.audience: expected a string or null, got number 5');
    expect(refusal({ sign: { algorithm: 'rsa-sha265' } })).toMatch(/^plan sign\.algorithm: expected one of .*, got "rsa-sha265"; did you mean "rsa-sha256"\?$/);
    expect(refusal({ persona: 'azure' })).toMatch(/^plan persona: expected one of .*"azure-ad".*, got "azure"/);
    expect(refusal({ encrypt: true })).toBe('plan encrypt: expected false or an object { dataAlgorithm, keyTransport }, got boolean true');
    expect(refusal({ encrypt: { keytransport: 'rsa-oaep' } })).toBe('plan encrypt.keytransport: unknown field; did you mean "keyTransport"?');
    expect(refusal({ user: { attributes: { email: 'a@b.test' } } })).toBe('plan user.attributes.email: expected a list, each a string, got "a@b.test"');
    expect(refusal({ user: { attributes: { email: ['a', 1] } } })).toBe('plan user.attributes.email[1]: expected a string, got number 1');
    expect(refusal({ user: { username: 'u' } })).toBe('plan user.nameId: missing: expected a string');
    expect(refusal({ response: { status: { subCode: [1] } } })).toBe('plan response.status.subCode[0]: expected a string, got number 1');
  });
});

describe('control API: /_samlconf/plan', () => {
  it('answers 400 naming the path for a nested typo or a wrong type, and keeps the plan in force', async () => {
    expect((await put('typo', { user: { nameId: 'kept@example.test' } })).status).toBe(200);
    const typo = await put('typo', { response: { audiance: 'urn:other' } });
    expect(typo.status).toBe(400);
    expect((await typo.json()).error).toBe('plan response.audiance: unknown field; did you mean "audience"?');
    const type = await put('typo', { response: { lifetimeSeconds: 'abc' } });
    expect(type.status).toBe(400);
    expect((await type.json()).error).toBe('plan response.lifetimeSeconds: expected a number, got "abc"');
    expect(await (await fetch(planUrl('typo'))).json()).toEqual({ scenario: 'typo', plan: { user: { nameId: 'kept@example.test' } } });
  });

  it('GET returns the plan in force until replaced, DELETE goes back to the defaults', async () => {
    expect(await (await fetch(planUrl('rw'))).json()).toEqual({ scenario: 'rw', plan: {} });
    expect((await put('rw', { response: { lifetimeSeconds: 60 } })).status).toBe(200);
    expect(idp.scenario('rw').lastResponse()).toBeUndefined();
    expect(await (await fetch(planUrl('rw'))).json()).toEqual({ scenario: 'rw', plan: { response: { lifetimeSeconds: 60 } } });
    expect(await (await fetch(planUrl('rw'))).json()).toEqual({ scenario: 'rw', plan: { response: { lifetimeSeconds: 60 } } });
    expect((await put('rw', { relayState: 'second' })).status).toBe(200);
    expect(await (await fetch(planUrl('rw'))).json()).toEqual({ scenario: 'rw', plan: { relayState: 'second' } });
    const del = await fetch(planUrl('rw'), { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ ok: true, scenario: 'rw' });
    expect(await (await fetch(planUrl('rw'))).json()).toEqual({ scenario: 'rw', plan: {} });
    // Without ?scenario= it is the default scenario's plan.
    expect((await put('default', { relayState: 'd' })).status).toBe(200);
    expect(await (await fetch(`${idp.baseUrl}/_samlconf/plan`)).json()).toEqual({ scenario: 'default', plan: { relayState: 'd' } });
    expect((await fetch(`${idp.baseUrl}/_samlconf/plan`, { method: 'DELETE' })).status).toBe(200);
    expect(await (await fetch(`${idp.baseUrl}/_samlconf/plan`)).json()).toEqual({ scenario: 'default', plan: {} });
  });
});
