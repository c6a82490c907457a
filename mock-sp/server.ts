// HTTP routes of the mock SP (fastify 5). Routes only translate between HTTP and SpCore.
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { decodeArtifactQuery, rawQueryOf } from '../saml/bindings/index.ts';
import { LOGIN_COOKIE, SESSION_COOKIE, parseCookies } from './app.ts';
import type { HttpAction, SpCore } from './core.ts';
import { decodeIncomingPost, decodeIncomingRedirect } from './incoming.ts';
import { PAGE_CSP, errorPage } from './pages.ts';
import { PlanError, isAcsPath, parsePlanJson } from './plan.ts';
import { DEFAULT_SCENARIO, SCENARIO_COOKIE, SCENARIO_HEADER } from './scenarios.ts';

export const BODY_LIMIT = 2 * 1024 * 1024;

export async function createSpServer(core: SpCore): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: BODY_LIMIT, logger: false });
  await app.register(formbody, { bodyLimit: BODY_LIMIT });

  const hints = (req: FastifyRequest) => {
    const header = req.headers[SCENARIO_HEADER];
    const cookies = parseCookies(req.headers.cookie);
    return {
      header: typeof header === 'string' && header !== '' ? header : undefined,
      cookie: cookies[SCENARIO_COOKIE],
      loginCookie: cookies[LOGIN_COOKIE],
      session: cookies[SESSION_COOKIE],
      query: queryParam(req, 'scenario'),
    };
  };

  app.get('/metadata', async (_req, rep) => {
    rep.header('content-type', 'application/samlmetadata+xml; charset=utf-8').header('cache-control', 'no-store').send(core.metadataXml());
  });

  app.get('/login', async (req, rep) => {
    const h = hints(req);
    send(rep, core.login({ header: h.header, query: h.query }));
  });

  const acsPost = async (req: FastifyRequest, rep: FastifyReply, path: string) => {
    const h = hints(req);
    const acsHints = { header: h.header, cookie: h.cookie, loginCookie: h.loginCookie };
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    if (body.SAMLart !== undefined && body.SAMLResponse === undefined) {
      const relayState = typeof body.RelayState === 'string' ? body.RelayState : undefined;
      const art = typeof body.SAMLart === 'string'
        ? { artifact: body.SAMLart, relayState, binding: 'post' as const, raw: body.SAMLart }
        : { relayState, binding: 'post' as const, raw: String(body.SAMLart), error: 'SAMLart sent more than once' };
      send(rep, await core.acsArtifact(path, art, acsHints));
      return;
    }
    send(rep, await core.acs(path, decodeIncomingPost(req.body), acsHints));
  };
  const acsGet = async (req: FastifyRequest, rep: FastifyReply, path: string) => {
    const raw = rawQueryOf(req.raw.url ?? '');
    const h = hints(req);
    const acsHints = { header: h.header, cookie: h.cookie, loginCookie: h.loginCookie };
    if (/(^|&)SAMLart=/.test(raw)) {
      let art: Parameters<SpCore['acsArtifact']>[1];
      try {
        art = { ...decodeArtifactQuery(raw), binding: 'redirect', raw };
      } catch (err) {
        art = { binding: 'redirect', raw, error: (err as Error).message };
      }
      send(rep, await core.acsArtifact(path, art, acsHints));
      return;
    }
    if (!/(^|&)SAMLResponse=/.test(raw)) {
      send(rep, { kind: 'html', status: 405, html: errorPage('Wrong method', 'the assertion consumer service takes a POSTed SAMLResponse or a SAMLart'), csp: PAGE_CSP });
      return;
    }
    send(rep, await core.acs(path, decodeIncomingRedirect(raw), acsHints));
  };
  // '/acs' is the registered ACS; '/acs-<anything>' are rogue ACS URLs listed nowhere.
  const roguePath = (req: FastifyRequest) => `/acs-${(req.params as Record<string, string>)['*'] ?? ''}`;
  app.post('/acs', (req, rep) => acsPost(req, rep, '/acs'));
  app.get('/acs', (req, rep) => acsGet(req, rep, '/acs'));
  app.post('/acs-*', async (req, rep) => {
    const path = roguePath(req);
    if (!isAcsPath(path)) return send(rep, notFound());
    await acsPost(req, rep, path);
  });
  app.get('/acs-*', async (req, rep) => {
    const path = roguePath(req);
    if (!isAcsPath(path)) return send(rep, notFound());
    await acsGet(req, rep, path);
  });

  app.get('/slo', async (req, rep) => {
    const h = hints(req);
    send(rep, await core.slo(decodeIncomingRedirect(rawQueryOf(req.raw.url ?? '')), { header: h.header, cookie: h.cookie }, h.session));
  });
  app.post('/slo', async (req, rep) => {
    const h = hints(req);
    send(rep, await core.slo(decodeIncomingPost(req.body), { header: h.header, cookie: h.cookie }, h.session));
  });
  app.get('/slo-start', async (req, rep) => {
    send(rep, core.sloStart(queryParam(req, 'scenario'), queryParam(req, 't')));
  });

  app.get('/', async (req, rep) => send(rep, core.home(hints(req).session)));
  if (core.mode === 'target') {
    app.get('/whoami', async (req, rep) => send(rep, core.whoami(hints(req).session)));
    app.get('/logout', async (req, rep) => {
      const h = hints(req);
      send(rep, core.logout(h.session, { header: h.header }));
    });
  }

  // ---------------------------------------------------------------- control API
  const scenarioOf = (req: FastifyRequest) => queryParam(req, 'scenario') ?? DEFAULT_SCENARIO;
  app.put('/_samlconf/plan', async (req, rep) => {
    try {
      const plan = parsePlanJson(req.body);
      core.registry.get(scenarioOf(req)).plan = plan;
      rep.code(200).send({ ok: true, scenario: scenarioOf(req) });
    } catch (err) {
      if (!(err instanceof PlanError)) throw err;
      rep.code(400).send({ ok: false, error: err.message });
    }
  });
  // A plan stays until replaced: GET shows what is in force, DELETE goes back to the defaults.
  app.get('/_samlconf/plan', async (req, rep) => {
    rep.header('cache-control', 'no-store').send({ scenario: scenarioOf(req), plan: core.registry.find(scenarioOf(req))?.plan ?? {} });
  });
  app.delete('/_samlconf/plan', async (req, rep) => {
    const state = core.registry.find(scenarioOf(req));
    if (state) state.plan = {};
    rep.code(200).send({ ok: true, scenario: scenarioOf(req) });
  });
  app.get('/_samlconf/messages', async (req, rep) => {
    rep.header('cache-control', 'no-store').send(core.registry.find(scenarioOf(req))?.recorder.list() ?? []);
  });
  app.delete('/_samlconf/messages', async (req, rep) => {
    const key = queryParam(req, 'scenario');
    for (const s of key === undefined ? core.registry.all() : [core.registry.find(key)]) s?.recorder.clear();
    rep.code(200).send({ ok: true });
  });
  app.get('/_samlconf/responses', async (req, rep) => {
    rep.header('cache-control', 'no-store').send(core.registry.find(scenarioOf(req))?.outcomes.items ?? []);
  });
  app.get('/_samlconf/health', async (_req, rep) => {
    rep.send({ ok: true, role: 'sp', mode: core.mode, entityId: core.u.entityId, idp: core.idpView()?.entityId ?? null });
  });

  return app;
}

function queryParam(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function notFound(): HttpAction {
  return { kind: 'html', status: 404, html: errorPage('Not found', 'no such page'), csp: PAGE_CSP };
}

function send(rep: FastifyReply, action: HttpAction): void {
  rep.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
  if (action.cookies && action.cookies.length > 0) rep.header('set-cookie', action.cookies);
  if (action.kind === 'redirect') {
    rep.code(302).header('location', action.location).send();
  } else if (action.kind === 'html') {
    rep.code(action.status).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', action.csp).send(action.html);
  } else {
    rep.code(action.status).send(action.body);
  }
}
