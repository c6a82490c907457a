// The programmatic run's plumbing around the scenarios: what it refuses before running anything,
// and what it warns about. A stand-in browser is enough: these never reach a page.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, describe, expect, it } from 'vitest';
import { oracleHostWarnings, planRun, runCatalogue } from '../../harness/api.ts';
import { ConfigError, validateConfig, type TargetConfig } from '../../harness/config.ts';
import { parseMetadata } from '../../saml/metadata.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures');
// Its ACS is on authentik.example.test.
const spMetadataFile = path.join(fixtures, 'metadata/authentik-source-sp.xml');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-api-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const spTarget = (extra: Record<string, unknown> = {}) => ({
  name: 'app',
  role: 'sp',
  metadata: spMetadataFile,
  loginUrl: 'http://authentik.example.test:9000/login',
  oracle: { whoami: 'http://authentik.example.test:9000/whoami' },
  ...extra,
});

describe('oracleHostWarnings', () => {
  const entity = parseMetadata(fs.readFileSync(spMetadataFile, 'utf8'))[0]!;
  const target = (extra: Record<string, unknown>) => validateConfig({ targets: [spTarget(extra)] }, { dir: work }).targets[0]! as TargetConfig;

  it('is silent when the oracle and the login are on the ACS host (ports may differ)', () => {
    expect(oracleHostWarnings(target({}), entity)).toEqual([]);
  });

  it('warns when the whoami URL or the login URL is on another host than the ACS', () => {
    const warnings = oracleHostWarnings(target({ loginUrl: 'http://localhost:9000/login', oracle: { whoami: 'http://127.0.0.1:9000/whoami' } }), entity);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^target 'app': oracle\.whoami http:\/\/127\.0\.0\.1:9000\/whoami is on host 127\.0\.0\.1, but the AssertionConsumerService in its metadata is on authentik\.example\.test/);
    expect(warnings[0]).toContain('session cookie');
    expect(warnings[1]).toMatch(/^target 'app': loginUrl http:\/\/localhost:9000\/login is on host localhost/);
  });

  it('reaches onWarning during a run', async () => {
    const config = validateConfig({ targets: [spTarget({ oracle: { whoami: 'http://other.test:9000/whoami' } })], stateDir: path.join(work, 'state') }, { dir: work });
    const warnings: string[] = [];
    // The stand-in browser makes each scenario end in error; the warning comes before any runs.
    await runCatalogue({ config, configDir: work, browser: {} as Browser, selection: { grep: '^sp-initiated-sso-both$' }, onWarning: (_t, m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringMatching(/^target 'app': oracle\.whoami http:\/\/other\.test:9000\/whoami is on host other\.test/)]);
  }, 60_000);
});

describe('runCatalogue refusals', () => {
  it('names peer.idpPort and the port when the mock IdP cannot listen there', async () => {
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      const config = validateConfig({ targets: [spTarget()], stateDir: path.join(work, 'state'), peer: { idpPort: port } }, { dir: work });
      const err = await runCatalogue({ config, configDir: work, browser: {} as Browser, selection: { grep: '^sp-initiated-sso-both$' } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toBe(
        `peer.idpPort: port ${port} is already in use, so the mock IdP for target 'app' cannot listen there (peer.idpPort is ${port}). Stop what uses it or choose another port.`,
      );
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  }, 60_000);

  it('planRun says why a selection runs nothing', async () => {
    const config = validateConfig({ targets: [spTarget()] }, { dir: work });
    expect((await planRun(config, work, { grep: 'no-such-scenario-anywhere' })).empty).toBe('--grep "no-such-scenario-anywhere" matches no scenario; "samlconf list" shows the catalogue');
    expect((await planRun(config, work, { role: 'idp' })).empty).toBe("--role idp: no configured target has role 'idp' (targets: app (sp))");
    expect((await planRun(config, work, { grep: '^idp-sso-post$' })).empty).toBe('--grep "^idp-sso-post$" matches only idp scenarios, and no configured target has that role (targets: app (sp))');
    const ok = await planRun(config, work, { grep: '^sp-initiated-sso-both$' });
    expect(ok.empty).toBeUndefined();
    expect(ok.planned.map((p) => [p.target.name, p.scenarios.map((s) => s.id)])).toEqual([['app', ['sp-initiated-sso-both']]]);
  });
});
