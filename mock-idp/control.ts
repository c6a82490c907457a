// The control side of the mock IdP: the JSON control API (plans, evidence, health) and the
// IdpScenario handle the harness drives in-process. Neither is SAML; both only read and set state.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { LOGOUT_START_PATH, RESEND_PATH, firstString, type IdpCore } from './core.ts';
import { planFromJson } from './plan.ts';
import { DEFAULT_SCENARIO } from './state.ts';
import type { IdpScenario } from './types.ts';

/**
 * Control API (JSON). Reached by the harness or a vendor's own tests; a browser page cannot
 * send these cross-site without a CORS preflight, which is never answered.
 */
export function registerControlApi(app: FastifyInstance, core: IdpCore): void {
  const { scenarios } = core;
  app.put('/_samlconf/plan', async (req, reply) => {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return reply.code(415).send({ error: 'send the plan as application/json' });
    const key = firstString((req.query as Record<string, unknown>).scenario) ?? DEFAULT_SCENARIO;
    try {
      scenarios.get(key).plan = planFromJson(req.body);
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
    return { ok: true, scenario: key };
  });
  // A plan stays until replaced: GET shows what is in force, DELETE goes back to the defaults.
  app.get('/_samlconf/plan', async (req) => {
    const key = firstString((req.query as Record<string, unknown>).scenario) ?? DEFAULT_SCENARIO;
    return { scenario: key, plan: scenarios.find(key)?.plan ?? {} };
  });
  app.delete('/_samlconf/plan', async (req) => {
    const key = firstString((req.query as Record<string, unknown>).scenario) ?? DEFAULT_SCENARIO;
    const state = scenarios.find(key);
    if (state) state.plan = {};
    return { ok: true, scenario: key };
  });
  app.get('/_samlconf/messages', async (req) => {
    const key = firstString((req.query as Record<string, unknown>).scenario) ?? DEFAULT_SCENARIO;
    return { scenario: key, messages: scenarios.find(key)?.recorder.list() ?? [] };
  });
  app.delete('/_samlconf/messages', async (req) => {
    const key = firstString((req.query as Record<string, unknown>).scenario);
    for (const s of key ? [scenarios.find(key)].filter(Boolean) : scenarios.all()) s!.recorder.clear();
    return { ok: true };
  });
  // entityId is read per request: it is only known once the server listens.
  app.get('/_samlconf/health', async () => ({ ok: true, role: 'idp', mode: core.mode, entityId: core.entityId, metadataUrl: core.url(core.routes.metadata) }));
}

/** The in-process handle of one scenario: its plan, its evidence, and URLs that start flows. */
export function scenarioHandle(core: IdpCore, key: string): IdpScenario {
  const state = core.scenarios.get(key);
  return {
    key,
    setPlan(plan) {
      state.plan = plan;
    },
    plan: () => state.plan,
    evidence: () => state.recorder.list(),
    idpInitiatedUrl(opts = {}) {
      const q = new URLSearchParams({ scenario: key });
      if (opts.relayState !== undefined) q.set('RelayState', opts.relayState);
      return `${core.url(core.routes.init)}?${q.toString()}`;
    },
    lastAuthnRequest: () => state.lastRequest,
    lastResponse: () => state.lastResponse,
    logoutRequestUrl(opts) {
      const token = randomBytes(18).toString('base64url');
      core.logoutStarts.set(token, { key, opts });
      return `${core.url(LOGOUT_START_PATH)}?${new URLSearchParams({ scenario: key, token }).toString()}`;
    },
    receivedLogouts: () => [...state.logouts],
    resendUrl() {
      const response = state.lastResponse;
      if (!response) throw new Error(`scenario ${key}: no Response was sent yet, so there is nothing to resend`);
      const token = randomBytes(18).toString('base64url');
      core.resends.set(token, { key, response });
      return `${core.url(RESEND_PATH)}?${new URLSearchParams({ scenario: key, token }).toString()}`;
    },
  };
}
