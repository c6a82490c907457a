// The mock IdP server (docs/mocks.md): fastify on loopback, one server for many concurrent scenarios.
// This file only assembles it: the state lives in core.ts, the SAML endpoints in routes.ts (which
// hands each to sso / login / response / slo), the JSON control API in control.ts.
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { registerControlApi, scenarioHandle } from './control.ts';
import { IdpCore } from './core.ts';
import { registerSamlRoutes } from './routes.ts';
import type { MockIdp, MockIdpOptions } from './types.ts';

const BODY_LIMIT = 2 * 1024 * 1024;

export async function startMockIdp(o: MockIdpOptions): Promise<MockIdp> {
  const core = new IdpCore(o);
  await core.loadConfiguredSp();

  const app = Fastify({ bodyLimit: BODY_LIMIT, logger: false });
  await app.register(formbody);
  registerSamlRoutes(app, core);
  registerControlApi(app, core);

  await app.listen({ host: core.host, port: o.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (o.port ?? 0);
  core.setBaseUrl(port);
  const url = (path: string) => core.url(path);

  return {
    baseUrl: core.baseUrl,
    entityId: core.entityId,
    port,
    metadataUrl: url(core.routes.metadata),
    ssoUrl: url(core.routes.ssoRedirect),
    ssoPostUrl: url(core.routes.ssoPost),
    sloUrl: url(core.routes.sloRedirect),
    metadataXml: () => core.metadataXml(),
    scenario: (key: string) => scenarioHandle(core, key),
    forget: (key: string) => core.scenarios.forget(key),
    setSpMetadata(xml: string) {
      core.learnSp(xml);
    },
    close: async () => {
      await app.close();
    },
  };
}
