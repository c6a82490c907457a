// Null targets: targets that prove nothing. One refuses every login, one's oracle says the same
// user is always logged in, others' oracles answer empty, garbage or a shape samlconf does not
// know; an IdP answers with a DOCTYPE, another takes the password and never answers. Against any
// of them no scenario of the catalogue may pass: a refusal there is no evidence, and an oracle
// nobody can read says nothing about who got in. The whole catalogue runs here, found by glob, so
// a scenario added tomorrow is held to the same rule without anyone listing it.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../harness/browser.ts';
import { findScenarioFiles, loadCatalogue } from '../../harness/catalogue.ts';
import type { ScenarioResult } from '../../shared/result-model.ts';
import { createTargetKeys, runAgainstIdpTarget, runAgainstSpTarget, type IdpTargetOptions, type RunEnvironment, type SpTargetOptions } from './targets.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Oracles that lie or babble, served apart from the SP (on another *.test host). */
const ORACLE_ANSWERS: Record<string, { type: string; body: string }> = {
  '/always-alice': { type: 'application/json', body: JSON.stringify({ nameId: 'alice@samlconf.test' }) },
  '/empty': { type: 'application/json', body: '' },
  '/garbage': { type: 'text/html', body: 'OK <html><body>Welcome back!</body></html>' },
  '/unknown-shape': { type: 'application/json', body: JSON.stringify({ user: { username: 'alice', email: 'alice@samlconf.test' } }) },
};

const SP_NULL_TARGETS: Array<{ name: string; options: (oracleBase: string) => SpTargetOptions }> = [
  { name: 'sp-refuses-every-login', options: () => ({ distrustIdp: true, capabilities: ['idp-initiated'] }) },
  ...Object.keys(ORACLE_ANSWERS).map((p) => ({ name: `sp-oracle${p.replace('/', '-')}`, options: (base: string) => ({ whoamiUrl: `${base}${p}`, capabilities: ['idp-initiated'] }) })),
];

const IDP_NULL_TARGETS: Array<{ name: string; options: IdpTargetOptions }> = [
  { name: 'idp-answers-with-doctype', options: { breakdown: 'doctype-answers' } },
  { name: 'idp-silent-after-login', options: { breakdown: 'silent-after-login' } },
];

let browser: Browser;
let oracle: http.Server;
let oracleBase = '';
const env = {} as RunEnvironment;
const ids = { sp: [] as string[], idp: [] as string[] };

beforeAll(async () => {
  browser = await launchBrowser({ headless: true });
  Object.assign(env, { browser, stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-null-')), keys: createTargetKeys(), workers: 2 } satisfies RunEnvironment);
  oracle = http.createServer((req, res) => {
    const answer = ORACLE_ANSWERS[new URL(req.url ?? '/', 'http://x').pathname];
    res.writeHead(answer ? 200 : 404, { 'content-type': answer?.type ?? 'text/plain' }).end(answer?.body ?? 'not found');
  });
  await new Promise<void>((resolve) => oracle.listen(0, '127.0.0.1', resolve));
  oracleBase = `http://oracle.samlconf.test:${(oracle.address() as AddressInfo).port}`;
  const catalogue = await loadCatalogue(await findScenarioFiles([], ROOT));
  ids.sp = catalogue.filter((s) => s.role === 'sp').map((s) => s.id);
  ids.idp = catalogue.filter((s) => s.role === 'idp').map((s) => s.id);
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await new Promise((resolve) => oracle?.close(resolve));
  if (env.stateDir) fs.rmSync(env.stateDir, { recursive: true, force: true });
});

/** No pass, and every verdict says why (so an error or not-applicable is never silent). */
function expectNothingPasses(target: string, results: ScenarioResult[], expectedIds: string[]): void {
  expect(results.map((r) => r.id).sort(), target).toEqual([...expectedIds].sort());
  const passed = results.filter((r) => r.verdict === 'pass');
  const detail = passed.map((r) => `${r.id}: ${r.findings.filter((f) => f.ok).map((f) => `${f.check}: ${f.observed}`).join('; ')}`).join('\n');
  expect(passed.map((r) => r.id), `${target}: these scenarios passed against a target that proves nothing\n${detail}`).toEqual([]);
  for (const r of results) if (r.verdict !== 'fail') expect(r.reason, `${target} / ${r.id}`).toBeTruthy();
}

describe('no scenario passes against a target that proves nothing', () => {
  for (const t of SP_NULL_TARGETS) {
    it(`SP: ${t.name}`, async () => {
      const results = await runAgainstSpTarget(t.name, t.options(oracleBase), ids.sp, env);
      expectNothingPasses(t.name, results, ids.sp);
      if (t.name.startsWith('sp-oracle')) {
        // An unreadable or lying oracle is the harness's blind spot: it says so, it does not judge.
        for (const r of results.filter((x) => x.verdict === 'error')) expect(r.reason, r.id).toMatch(/oracle|whoami/);
      }
    }, 240_000);
  }

  for (const t of IDP_NULL_TARGETS) {
    it(`IdP: ${t.name}`, async () => {
      const results = await runAgainstIdpTarget(t.name, t.options, ids.idp, env);
      expectNothingPasses(t.name, results, ids.idp);
    }, 240_000);
  }
});
