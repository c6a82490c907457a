// `samlconf mock-sp` as its own process: the first stdout line is the metadata URL, it serves
// until killed, and in target mode it takes its IdP from SAMLCONF_IDP_METADATA_FILE and its
// weaknesses from the CLI-style list.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEntity } from '../../saml/metadata.ts';
import { idpMetadata } from './helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];

/** Start runStandaloneMockSp in a child process; resolve with the first stdout line. */
function startChild(optionsJs: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; firstLine: string }> {
  const code = `import(${JSON.stringify(path.join(ROOT, 'mock-sp/standalone.ts'))}).then((m) => m.runStandaloneMockSp(${optionsJs})).then((code) => process.exit(code), (err) => { console.error(err); process.exit(3); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no metadata URL within 20 s; stderr: ${err}`)), 20_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ child, firstLine: out.slice(0, nl) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code} before printing; stderr: ${err}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}

describe('standalone mock SP', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-mock-sp-'));
  });
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('prints the metadata URL first, serves it, and exits 0 on SIGTERM', async () => {
    const { child, firstLine } = await startChild(`{ port: 0, stateDir: ${JSON.stringify(stateDir)} }`);
    expect(firstLine).toMatch(/^http:\/\/localhost:\d+\/metadata$/);
    const res = await fetch(firstLine.replace('localhost', '127.0.0.1'));
    expect(res.status).toBe(200);
    const entity = parseEntity(await res.text());
    // Mock mode uses the harness's stable SP identity from the state folder.
    expect(entity.entityId).toBe('https://sp.samlconf.test/saml/metadata');
    expect(entity.sp!.acsServices[0].location).toBe(firstLine.replace('/metadata', '/acs'));
    expect(fs.existsSync(path.join(stateDir, 'sp-signing.crt'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
  });

  it('target mode: IdP metadata from SAMLCONF_IDP_METADATA_FILE, port from PORT, weaknesses from a list', async () => {
    const file = path.join(stateDir, 'idp.xml');
    fs.writeFileSync(file, idpMetadata());
    const port = await freePort();
    const { child, firstLine } = await startChild(`{ mode: 'target', weaknesses: 'skip-audience,accept-unsolicited', stateDir: ${JSON.stringify(stateDir)} }`, {
      SAMLCONF_IDP_METADATA_FILE: file,
      PORT: String(port),
    });
    expect(firstLine).toBe(`http://localhost:${port}/metadata`);
    const base = firstLine.replace('/metadata', '').replace('localhost', '127.0.0.1');
    const health = await (await fetch(`${base}/_samlconf/health`)).json();
    expect(health).toMatchObject({ ok: true, role: 'sp', mode: 'target', idp: 'https://idp.example.test/metadata' });
    expect(await (await fetch(`${base}/whoami`)).json()).toEqual({ authenticated: false, nameId: null, attributes: {} });
    const login = await fetch(`${base}/login`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toMatch(/^https:\/\/idp\.example\.test\/sso\?SAMLRequest=/);
    // Target mode has its own keys, not the harness's SP identity.
    expect(fs.existsSync(path.join(stateDir, 'target-sp-signing.crt'))).toBe(true);
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(0);
  });
});
