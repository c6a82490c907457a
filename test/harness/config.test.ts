import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, validateConfig, type LoginSelectors } from '../../harness/config.ts';
import { REFERENCE_TARGETS } from '../../harness/default-config.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/config');
const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-config-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

async function configError(p: Promise<unknown> | (() => unknown)): Promise<ConfigError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('loadConfig: file formats', () => {
  it('loads a .ts config through tsx and resolves paths against its folder', async () => {
    const dir = path.join(fixtures, 'ts');
    const { config, dir: configDir } = await loadConfig(undefined, { cwd: dir });
    expect(configDir).toBe(dir);
    expect(config.stateDir).toBe(path.join(dir, 'state'));
    expect(config.scenarios).toEqual([path.join(dir, 'my-scenarios/**/*.ts')]);
    expect(config.workers).toBe(2);
    expect(config.timeoutMs).toBe(30_000);
    expect(config.peer).toEqual({ host: '127.0.0.1' });
    expect(config.browser).toEqual({ headless: true });
    const [idp, sp] = config.targets;
    expect(idp).toMatchObject({
      name: 'fixture-idp',
      role: 'idp',
      metadata: path.join(dir, 'idp-metadata.xml'),
      users: [{ username: 'alice', password: 'secret', attributes: { email: 'alice@fixture.test', groups: ['a', 'b'] } }],
      login: { username: '#user', password: '#pass', submit: 'button[type=submit]', next: ['#consent'] },
      capabilities: ['idp-initiated'],
    });
    expect(sp?.start).toEqual({
      command: 'node server.js',
      url: 'http://app.fixture.test:7000/metadata',
      cwd: path.join(dir, 'app'),
      port: 7000,
      env: { MODE: 'test' },
      timeoutMs: 60_000,
    });
    expect(sp?.oracle).toEqual({ whoami: 'http://app.fixture.test:7000/whoami' });
  });

  it('loads .mts, .js and .json configs', async () => {
    const mts = await loadConfig(path.join(fixtures, 'mts/samlconf.config.mts'));
    expect(mts.config.targets.map((t) => t.name)).toEqual(['mts-sp']);
    const js = await loadConfig(undefined, { cwd: path.join(fixtures, 'js') });
    expect(js.config.targets[0]?.oracle).toEqual({ selector: '#user' });
    const jsonDir = path.join(fixtures, 'json');
    const json = await loadConfig('samlconf.config.json', { cwd: jsonDir });
    expect(json.config.timeoutMs).toBe(5000);
    expect(json.config.browser).toEqual({ executablePath: path.join(jsonDir, 'bin/chrome'), headless: false });
    expect(json.config.peer).toEqual({ host: '127.0.0.1', idpPort: 8101, spEntityId: 'urn:fixture:sp' });
    // A started target may create its metadata file, so its absence is not an error.
    expect(json.config.targets[0]?.metadata).toBe(path.join(jsonDir, 'sp.xml'));
  });

  it('prefers samlconf.config.ts over .json in the same folder', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'samlconf.config.json'), JSON.stringify({ targets: [{ name: 'from-json', role: 'sp', metadata: 'http://localhost/', oracle: { text: 'x' } }] }));
    fs.writeFileSync(path.join(dir, 'samlconf.config.ts'), `export default { targets: [{ name: 'from-ts', role: 'sp', metadata: 'http://localhost/', oracle: { text: 'x' } }] };\n`);
    const { config } = await loadConfig(undefined, { cwd: dir });
    expect(config.targets[0]?.name).toBe('from-ts');
  });

  it('falls back to the built-in default config when no config file exists', async () => {
    const dir = tmpDir();
    const { config, dir: configDir } = await loadConfig(undefined, { cwd: dir });
    expect(configDir).toBe(dir);
    expect(config.stateDir).toBe(path.join(dir, '.samlconf'));
    expect(config.targets.map((t) => t.name)).toEqual(REFERENCE_TARGETS.map((t) => t.name));
    for (const t of config.targets) {
      expect(t.start?.url).toMatch(new RegExp(`^http://${t.name}\\.target\\.test:\\d+/`));
      expect(path.isAbsolute(t.start?.cwd ?? '')).toBe(true);
    }
  });
});

describe('loadConfig: errors say what to fix', () => {
  it('names a missing file, a throwing module and a missing default export', async () => {
    expect((await configError(loadConfig('/nonexistent/samlconf.config.ts'))).message).toMatch(/\/nonexistent\/samlconf\.config\.ts does not exist/);
    const thrown = await configError(loadConfig(undefined, { cwd: path.join(fixtures, 'throws') }));
    expect(thrown.message).toMatch(/^samlconf\.config\.ts: could not load the config file: fixture config exploded on purpose/);
    const noDefault = await configError(loadConfig(undefined, { cwd: path.join(fixtures, 'no-default') }));
    expect(noDefault.message).toMatch(/must default-export the configuration/);
  });

  it('reports invalid JSON with the file name', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'samlconf.config.json'), '{ "targets": [ }');
    const err = await configError(loadConfig(undefined, { cwd: dir }));
    expect(err.message).toMatch(/^samlconf\.config\.json: not valid JSON/);
  });

  it('lists every problem with its path', async () => {
    const err = await configError(loadConfig(undefined, { cwd: path.join(fixtures, 'bad') }));
    const byPath = Object.fromEntries(err.issues.map((i) => [i.path, i.message]));
    expect(err.file).toBe('samlconf.config.json');
    expect(byPath['taregts']).toMatch(/unknown setting; did you mean 'targets'\?/);
    expect(byPath['workers']).toMatch(/whole number from 1/);
    expect(byPath['targets[0].name']).toMatch(/letters, digits/);
    expect(byPath['targets[0].metadata']).toMatch(/^expected a URL or file path of the target's SAML metadata, got number 42/);
    expect(byPath['targets[0].loginUrl']).toMatch(/app\.example\.com is not on this machine/);
    expect(byPath['targets[0].users']).toMatch(/only for targets with role 'idp'/);
    expect(byPath['targets[0].oracle']).toMatch(/how samlconf tells who is logged in/);
    expect(byPath['targets[1].role']).toMatch(/expected 'sp' .* or 'idp'/);
    expect(byPath['targets[2].metadata']).toMatch(/idp\.example\.com is not on this machine/);
    expect(byPath['targets[2].start.env.PORT']).toMatch(/expected a string/);
    expect(byPath['targets[2].capabilities[0]']).toMatch(/did you mean 'idp-initiated'/);
    expect(byPath['targets[2].capabilities[1]']).toBeUndefined(); // custom capabilities are fine
    expect(byPath['targets[2].users']).toMatch(/at least one test user/);
    expect(byPath['targets[3].name']).toMatch(/already used by targets\[2\]/);
    expect(byPath['targets[3].metadata']).toMatch(/missing\.xml does not exist/);
    expect(byPath['targets[3].users[0].password']).toMatch(/password as a string/);
    expect(err.message).toContain('targets[0].metadata: expected a URL or file path');
    expect(err.message.split('\n')[0]).toMatch(/^samlconf\.config\.json: \d+ problems in the configuration:$/);
  });

  it('validates programmatic configs the same way', async () => {
    const one = await configError(() => validateConfig({ targets: [{ name: 'a', role: 'sp', oracle: { text: 'x' } }] }, { dir: '/' }));
    expect(one.message).toBe("targets[0].metadata: missing: the URL or file path of the target's SAML metadata (or a preset that knows it)");
    expect((await configError(() => validateConfig({ targets: [] }, { dir: '/' }))).message).toMatch(/^targets: expected a list with at least one target/);
    expect((await configError(() => validateConfig([], { dir: '/' }))).message).toMatch(/must be an object/);
    const peer = await configError(() =>
      validateConfig({ targets: [{ name: 'a', role: 'sp', metadata: 'http://localhost/', oracle: { text: 'x' } }], peer: { host: '0.0.0.0' } }, { dir: '/' }),
    );
    expect(peer.message).toMatch(/^peer\.host: the mocks listen on loopback only/);
    // The mocks' signing and encryption flags: booleans, and 'as-sp-metadata' where the IdP can follow the SP.
    const flags = { authnRequestsSigned: false, wantAuthnRequestsSigned: 'as-sp-metadata', encryptAssertions: true };
    const ok = validateConfig({ targets: [{ name: 'a', role: 'sp', metadata: 'http://localhost/', oracle: { text: 'x' } }], peer: flags }, { dir: '/' });
    expect(ok.peer).toMatchObject(flags);
    const badFlags = await configError(() =>
      validateConfig({ targets: [{ name: 'a', role: 'sp', metadata: 'http://localhost/', oracle: { text: 'x' } }], peer: { authnRequestsSigned: 'as-sp-metadata', wantAuthnRequestsSigned: 'yes', encryptAssertions: 1 } }, { dir: '/' }),
    );
    expect(badFlags.issues.map((i) => i.path).sort()).toEqual(['peer.authnRequestsSigned', 'peer.encryptAssertions', 'peer.wantAuthnRequestsSigned']);
    expect(badFlags.message).toContain("peer.wantAuthnRequestsSigned: expected true, false or 'as-sp-metadata'");
    const login = await configError(() =>
      validateConfig({ targets: [{ name: 'i', role: 'idp', metadata: 'http://localhost/', users: [{ username: 'u', password: 'p' }], login: { username: '#u' } }] }, { dir: '/' }),
    );
    expect(login.issues.map((i) => i.path).sort()).toEqual(['targets[0].login.password', 'targets[0].login.submit']);
  });

  it('refuses a start.cwd that is not an existing folder, naming the setting', async () => {
    const dir = tmpDir();
    const target = (cwd: string) => ({ name: 'a', role: 'sp', metadata: 'http://localhost/', oracle: { text: 'x' }, start: { command: 'true', url: 'http://localhost:1/', cwd } });
    const err = await configError(() => validateConfig({ targets: [target('no-such-folder')] }, { dir }));
    expect(err.message).toBe(`targets[0].start.cwd: folder ${path.join(dir, 'no-such-folder')} does not exist (relative paths are read from the config file's folder)`);
    fs.mkdirSync(path.join(dir, 'app'));
    expect(validateConfig({ targets: [target('app')] }, { dir }).targets[0]!.start!.cwd).toBe(path.join(dir, 'app'));
  });
});

describe('presets', () => {
  it("pins an SP target's test identity and reads nested whoami answers through identityPath", async () => {
    const sp = { name: 'a', role: 'sp', metadata: 'http://localhost/m', loginUrl: 'http://localhost/login' };
    const ok = validateConfig({ targets: [{ ...sp, oracle: { whoami: 'http://localhost/me', identityPath: 'user.username' }, identity: { nameId: 'alice', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', attributes: { email: 'a@b.test' } } }] }, { dir: '/' });
    expect(ok.targets[0]).toMatchObject({ oracle: { identityPath: 'user.username' }, identity: { nameId: 'alice', attributes: { email: 'a@b.test' } } });
    const bad = await configError(() =>
      validateConfig({ targets: [{ ...sp, oracle: { text: 'hi', identityPath: 'user..x' }, identity: { nameIdFormat: 'persistent', colour: 'red' } }] }, { dir: '/' }),
    );
    expect(bad.message).toMatch(/targets\[0\]\.oracle\.identityPath: expected a dotted path/);
    expect(bad.message).toMatch(/targets\[0\]\.identity\.nameIdFormat: expected a Format URI/);
    expect(bad.message).toMatch(/targets\[0\]\.identity\.colour/);
    const idp = await configError(() => validateConfig({ targets: [{ name: 'i', role: 'idp', metadata: 'http://localhost/', users: [{ username: 'u', password: 'p' }], identity: { nameId: 'x' } }] }, { dir: '/' }));
    expect(idp.message).toMatch(/targets\[0\]\.identity: only for targets with role 'sp'/);
  });

  it('expands the authentik IdP preset from a config file', async () => {
    const { config } = await loadConfig(undefined, { cwd: path.join(fixtures, 'preset') });
    const t = config.targets[0]!;
    expect(t.metadata).toBe('http://authentik.test:9000/application/saml/samlconf/metadata/');
    expect(t.idpInitiatedUrl).toBe('http://authentik.test:9000/application/saml/samlconf/sso/binding/init/');
    expect(t.capabilities).toEqual(['idp-initiated']);
    expect(typeof t.login).toBe('function');
    expect(t.preset).toEqual({ kind: 'authentik', baseUrl: 'http://authentik.test:9000/', slug: 'samlconf' });
  });

  it('keeps explicit settings over the preset and checks the preset itself', async () => {
    const login: LoginSelectors = { username: '#u', password: '#p', submit: '#s' };
    const config = validateConfig(
      {
        targets: [
          {
            name: 'old-authentik',
            role: 'idp',
            metadata: 'http://authentik.test:9000/api/v3/providers/saml/3/metadata/?download',
            preset: { kind: 'authentik', baseUrl: 'http://authentik.test:9000', slug: 'app' },
            users: [{ username: 'u', password: 'p' }],
            capabilities: ['slo'],
            login,
          },
        ],
      },
      { dir: '/' },
    );
    expect(config.targets[0]).toMatchObject({ metadata: 'http://authentik.test:9000/api/v3/providers/saml/3/metadata/?download', capabilities: ['slo'], login });
    const bad = await configError(() =>
      validateConfig({ targets: [{ name: 'a', role: 'idp', users: [{ username: 'u', password: 'p' }], preset: { kind: 'keycloak', baseUrl: 'http://x.test' } }] }, { dir: '/' }),
    );
    expect(bad.issues.map((i) => `${i.path}: ${i.message}`)).toContain("targets[0].preset.kind: unknown preset \"keycloak\"; the only preset is 'authentik'");
    const remote = await configError(() =>
      validateConfig({ targets: [{ name: 'a', role: 'idp', users: [{ username: 'u', password: 'p' }], preset: { kind: 'authentik', baseUrl: 'https://authentik.company', slug: 's' } }] }, { dir: '/' }),
    );
    expect(remote.message).toMatch(/^targets\[0\]\.preset\.baseUrl: authentik\.company is not on this machine/);
  });
});
