// The mock SP: a fastify SP on loopback that plays the Service Provider against an IdP target
// (SP-initiated SSO with any AuthnRequest option or fault, a strict ACS that records every rule
// finding, rogue ACS paths, Single Logout), or, in target mode, a small SP application with
// switchable weaknesses for the harness's detection matrix.
import { SpCore } from './core.ts';
import { fetchLoopbackText } from './fetch.ts';
import { createSpServer } from './server.ts';
import type { LogoutUrlOptions, MockSp, MockSpOptions, SpPlan, SpScenario } from './types.ts';

export type {
  AcsOutcome,
  LogoutOutcome,
  LogoutUrlOptions,
  MockSp,
  MockSpOptions,
  SpBinding,
  SpPlan,
  SpPlanJson,
  SpScenario,
  SpSignPlan,
  SpWeaknesses,
} from './types.ts';
export { AFTER_LOGIN_WEAKNESSES, LOGOUT_WEAKNESSES, WEAKNESS_NAMES, parseWeaknessList, toKebab as weaknessFlagName } from './weaknesses.ts';
export type { WeaknessName } from './weaknesses.ts';
export { DEFAULT_SCENARIO, SCENARIO_HEADER } from './scenarios.ts';
export { logoutNameIdOf } from './app.ts';

export function defaultSpBaseUrl(port: number): string {
  return `http://sp.samlconf.test:${port}`;
}

export async function startMockSp(o: MockSpOptions): Promise<MockSp> {
  const core = new SpCore(o);
  if (o.idp?.metadataXml !== undefined) core.setIdpMetadata(o.idp.metadataXml);
  else if (o.idp?.metadataUrl !== undefined) core.setIdpMetadata(await fetchLoopbackText(o.idp.metadataUrl));

  const app = await createSpServer(core);
  const host = o.host ?? '127.0.0.1';
  await app.listen({ port: o.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (o.port ?? 0);
  core.init((o.publicBaseUrl ?? defaultSpBaseUrl)(port));
  const u = core.u;

  const handle = (key: string): SpScenario => {
    const state = core.registry.get(key);
    return {
      key,
      setPlan(plan: SpPlan) {
        state.plan = plan;
        // A new plan starts a new exchange: a wait begun before its AuthnRequest leaves must not
        // be answered by the previous exchange's Response (scenarios that log in twice).
        state.outcomes.markNow();
      },
      evidence: () => state.recorder.list(),
      loginUrl: () => `${u.baseUrl}/login?scenario=${encodeURIComponent(key)}`,
      waitForResponse: (timeoutMs: number) => state.outcomes.wait(timeoutMs),
      responses: () => [...state.outcomes.items],
      lastRequestId: () => state.lastRequest()?.id,
      logoutUrl: (options: LogoutUrlOptions) => core.registerLogout(state, options),
      logouts: () => [...state.logouts.items],
      waitForLogoutResponse: (timeoutMs: number) => state.logouts.wait(timeoutMs, (l) => l.kind === 'LogoutResponse'),
    };
  };

  return {
    baseUrl: u.baseUrl,
    entityId: u.entityId,
    metadataUrl: u.metadataUrl,
    acsUrl: u.acsUrl,
    sloUrl: u.sloUrl,
    listenUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    metadataXml: () => core.metadataXml(),
    scenario: handle,
    forget: (key: string) => core.registry.forget(key),
    setIdpMetadata: (xml: string) => core.setIdpMetadata(xml),
    close: async () => {
      for (const s of core.registry.all()) s.dispose();
      await app.close();
    },
  };
}
