import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../harness/config.ts';
import { fetchLocal } from '../../harness/net.ts';
import { peerEnvironment, processGroupAlive, startTarget, targetBaseUrl, TargetStartError } from '../../harness/target-process.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let work: string;
let serverScript: string;

// A tiny target: 503 on /ready for its first two polls, then 200; /env shows its environment.
const SERVER = `
const http = require('node:http');
let polls = 0;
http.createServer((req, res) => {
  if (req.url === '/ready') { res.statusCode = ++polls <= 2 ? 503 : 200; return res.end('ready?'); }
  if (req.url === '/env') {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('SAMLCONF_') || k === 'PORT' || k === 'EXTRA'));
    return res.end(JSON.stringify({ env, pid: process.pid }));
  }
  res.statusCode = 404; res.end();
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
`;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-target-'));
  serverScript = path.join(work, 'server.cjs');
  fs.writeFileSync(serverScript, SERVER);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const groupAlive = processGroupAlive;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startError(p: Promise<unknown>): Promise<TargetStartError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TargetStartError);
  return err as TargetStartError;
}

const sp = (name: string, start: TargetConfig['start']): TargetConfig => ({ name, role: 'sp', metadata: 'http://localhost/', start });

describe('peerEnvironment', () => {
  it('names the harness IdP for an SP target and the harness SP for an IdP target', () => {
    const peer = { entityId: 'urn:e', metadataUrl: 'http://m.test/', metadataFile: '/m.xml', certFile: '/c.crt', ssoUrl: 'http://idp.test/sso', acsUrl: 'http://sp.test/acs' };
    expect(peerEnvironment('sp', peer)).toEqual({
      SAMLCONF_IDP_METADATA_URL: 'http://m.test/',
      SAMLCONF_IDP_METADATA_FILE: '/m.xml',
      SAMLCONF_IDP_ENTITY_ID: 'urn:e',
      SAMLCONF_IDP_SSO_URL: 'http://idp.test/sso',
      SAMLCONF_IDP_CERT_FILE: '/c.crt',
    });
    expect(peerEnvironment('idp', peer)).toEqual({
      SAMLCONF_SP_METADATA_URL: 'http://m.test/',
      SAMLCONF_SP_METADATA_FILE: '/m.xml',
      SAMLCONF_SP_ENTITY_ID: 'urn:e',
      SAMLCONF_SP_ACS_URL: 'http://sp.test/acs',
      SAMLCONF_SP_CERT_FILE: '/c.crt',
    });
  });
});

describe('startTarget', () => {
  it('passes the peer environment and PORT, waits for readiness, logs, and kills the whole group', async () => {
    const port = await freePort();
    const logFile = path.join(work, 'logs', 'env-sp.log');
    // `sleep` in the background is a grandchild: stopping must take it too.
    const target = sp('env-sp', {
      command: `sleep 300 & exec node ${JSON.stringify(serverScript)}`,
      url: `http://env-sp.target.test:${port}/ready`,
      port,
      env: { EXTRA: 'from-config' },
      timeoutMs: 20_000,
    });
    const peerEnv = peerEnvironment('sp', { entityId: 'urn:samlconf:idp', metadataUrl: 'http://idp.samlconf.test:1/metadata', metadataFile: '/tmp/idp.xml', certFile: '/tmp/idp.crt', ssoUrl: 'http://idp.samlconf.test:1/sso' });
    const running = await startTarget(target, { peerEnv, logFile });
    try {
      const answer = JSON.parse((await fetchLocal(`http://env-sp.target.test:${port}/env`)).text()) as { env: Record<string, string>; pid: number };
      expect(answer.env).toEqual({ ...peerEnv, SAMLCONF_TARGET_BASE_URL: `http://env-sp.target.test:${port}`, PORT: String(port), EXTRA: 'from-config' });
      expect(running.exited).toBe(false);
      expect(groupAlive(running.pid)).toBe(true);
      expect(running.logTail()).toContain(`listening on ${port}`);
    } finally {
      await running.stop();
    }
    expect(running.exited).toBe(true);
    expect(groupAlive(running.pid)).toBe(false);
    expect(fs.readFileSync(logFile, 'utf8')).toContain(`listening on ${port}`);
    await running.stop(); // twice is fine
  });

  it('fails with the output tail when the command exits before answering', async () => {
    const port = await freePort();
    const err = await startError(
      startTarget(sp('crashy', { command: 'echo starting; echo "bad config: no IdP metadata" >&2; exit 3', url: `http://127.0.0.1:${port}/`, timeoutMs: 10_000 })),
    );
    expect(err.exitCode).toBe(3);
    expect(err.logTail).toEqual(expect.arrayContaining(['starting', 'bad config: no IdP metadata']));
    expect(err.message).toMatch(/target 'crashy' exited with code 3 before http:\/\/127\.0\.0\.1:\d+\/ answered/);
    expect(err.message).toContain('bad config: no IdP metadata');
  });

  it('times out when nothing answers, and leaves no process behind', async () => {
    const port = await freePort();
    const pidFile = path.join(work, 'sleeper.pid');
    const started = Date.now();
    const err = await startError(
      startTarget(sp('silent', { command: `echo $$ > ${JSON.stringify(pidFile)}; echo waiting; sleep 60`, url: `http://localhost:${port}/`, timeoutMs: 600 })),
    );
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(err.message).toMatch(/did not answer at http:\/\/localhost:\d+\/ within 600 ms.*raise start\.timeoutMs/);
    expect(err.logTail).toEqual(['waiting']);
    const shellPid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(groupAlive(shellPid)).toBe(false);
  });

  it('refuses to start when something already answers at the readiness URL', async () => {
    const squatter = http.createServer((_req, res) => res.end('an old server'));
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      const marker = path.join(work, 'should-not-exist');
      const err = await startError(startTarget(sp('late', { command: `touch ${JSON.stringify(marker)}`, url: `http://late.target.test:${port}/` })));
      expect(err.message).toMatch(/something already answers at http:\/\/late\.target\.test:\d+\//);
      expect(fs.existsSync(marker)).toBe(false);
    } finally {
      squatter.closeAllConnections();
      await new Promise((r) => squatter.close(r));
    }
  });

  it('stops gracefully: TERM reaches the whole group and a start script\'s cleanup trap runs to its end', async () => {
    const port = await freePort();
    const marker = path.join(work, 'trap-ran');
    const script = path.join(work, 'trapping.sh');
    // The trap takes a while, as a `docker stop` would; `; true` keeps sh from exec-ing the script,
    // so sh (which dies of TERM at once) is the group leader and the script is its child.
    fs.writeFileSync(
      script,
      `trap 'sleep 0.4; echo cleaned up > ${JSON.stringify(marker)}; echo trap done; exit 0' TERM\n` +
        `node ${JSON.stringify(serverScript)} &\n` +
        `while :; do sleep 0.05; done\n`,
    );
    const logFile = path.join(work, 'logs', 'trap.log');
    const running = await startTarget(sp('trapping', { command: `sh ${JSON.stringify(script)}; true`, url: `http://127.0.0.1:${port}/ready`, port, timeoutMs: 20_000 }), { logFile });
    await running.stop();
    expect(fs.readFileSync(marker, 'utf8')).toBe('cleaned up\n');
    expect(groupAlive(running.pid)).toBe(false);
    expect(fs.readFileSync(logFile, 'utf8')).toContain('trap done');
  });

  it('kills a group that ignores TERM once the grace period is over', async () => {
    const port = await freePort();
    const running = await startTarget(
      sp('stubborn', { command: `trap '' TERM; node ${JSON.stringify(serverScript)} & while :; do sleep 0.05; done`, url: `http://127.0.0.1:${port}/ready`, port, timeoutMs: 20_000 }),
      { stopGraceMs: 300 },
    );
    const started = Date.now();
    await running.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(groupAlive(running.pid)).toBe(false);
  });

  it('gives the target real pipes (not sockets) for stdout and stderr, drained into its log', async () => {
    const port = await freePort();
    const logFile = path.join(work, 'logs', 'pipes.log');
    // Apache's ErrorLog /dev/stderr opens the file anew: that fails when stderr is a socket.
    const command =
      `if [ -p /dev/stdout ]; then echo "stdout is a pipe"; fi; if [ -p /dev/stderr ]; then echo "stderr is a pipe" >&2; fi; ` +
      `echo "reopened stderr" > /dev/stderr && exec node ${JSON.stringify(serverScript)}`;
    const running = await startTarget(sp('pipes', { command, url: `http://127.0.0.1:${port}/ready`, port, timeoutMs: 20_000 }), { logFile });
    try {
      expect(running.logTail()).toEqual(expect.arrayContaining(['stdout is a pipe', 'stderr is a pipe', 'reopened stderr']));
    } finally {
      await running.stop();
    }
    const log = fs.readFileSync(logFile, 'utf8');
    for (const line of ['stdout is a pipe', 'stderr is a pipe', 'reopened stderr', `listening on ${port}`]) expect(log).toContain(line);
  });

  it('tells the target its own base URL: the origin of start.url', async () => {
    const port = await freePort();
    const running = await startTarget(sp('own-address', { command: `exec node ${JSON.stringify(serverScript)}`, url: `http://own-address.target.test:${port}/ready`, port, timeoutMs: 20_000 }));
    try {
      const answer = JSON.parse((await fetchLocal(`http://own-address.target.test:${port}/env`)).text()) as { env: Record<string, string> };
      expect(answer.env.SAMLCONF_TARGET_BASE_URL).toBe(`http://own-address.target.test:${port}`);
    } finally {
      await running.stop();
    }
    expect(targetBaseUrl(sp('x', { command: 'true', url: 'https://app.test:8443/health?x=1' }))).toBe('https://app.test:8443');
  });

  it('says what the readiness URL answered when it never became ready', async () => {
    const server = http.createServer((_req, res) => {
      res.statusCode = 500;
      res.end('Internal Server Error: database is not migrated');
    });
    const port = await freePort();
    // The server only starts after the "already answers" check, as a target's would.
    const err = await startError(
      (async () => {
        const p = startTarget(sp('broken', { command: 'sleep 30', url: `http://127.0.0.1:${port}/`, timeoutMs: 800 }));
        await new Promise((r) => setTimeout(r, 100));
        await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
        return p;
      })(),
    ).finally(() => new Promise((r) => server.close(r)));
    expect(err.message).toMatch(/within 800 ms/);
    expect(err.message).toContain('HTTP 500: "Internal Server Error: database is not migrated"');
  });

  it('names start.cwd when that folder does not exist', async () => {
    const missing = path.join(work, 'no-such-folder');
    const err = await startError(startTarget(sp('lost', { command: 'true', url: `http://127.0.0.1:${await freePort()}/`, cwd: missing })));
    expect(err.message).toContain(`start.cwd ${missing} is not an existing folder`);
  });

  it('kills started targets when the harness is interrupted (SIGINT)', async () => {
    const port = await freePort();
    const script =
      `import { startTarget } from ${JSON.stringify(path.join(repo, 'harness/target-process.ts'))};` +
      `const t = await startTarget({ name: 'orphan', role: 'sp', metadata: 'http://localhost/', start: { command: ${JSON.stringify(`exec node ${JSON.stringify(serverScript)}`)}, url: 'http://localhost:${port}/ready', port: ${port} } });` +
      `process.stdout.write('started ' + t.pid + '\\n');` +
      `setInterval(() => {}, 1000);`;
    const harness = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    harness.stderr.on('data', (c) => (stderr += c));
    const targetPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      harness.stdout.on('data', (c) => {
        out += c;
        const m = /started (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      harness.on('exit', (code) => reject(new Error(`harness exited early (${code}): ${stderr}`)));
    });
    try {
      expect(pidAlive(targetPid)).toBe(true);
      const exited = new Promise<NodeJS.Signals | null>((r) => harness.on('exit', (_code, signal) => r(signal)));
      harness.kill('SIGINT');
      expect(await exited).toBe('SIGINT');
      // The kill is synchronous in the handler; allow the kernel a moment to finish it.
      for (let i = 0; i < 100 && groupAlive(targetPid); i++) await new Promise((r) => setTimeout(r, 20));
      expect(groupAlive(targetPid)).toBe(false);
    } finally {
      if (groupAlive(targetPid)) process.kill(-targetPid, 'SIGKILL');
      harness.kill('SIGKILL');
    }
  });

  it('lets targets clean up when the harness is interrupted: TERM, the grace period, then the harness dies of the signal', async () => {
    const port = await freePort();
    const marker = path.join(work, 'interrupted-trap-ran');
    const startScript = path.join(work, 'interrupted.sh');
    fs.writeFileSync(
      startScript,
      `trap 'sleep 0.4; echo cleaned up > ${JSON.stringify(marker)}; exit 0' TERM\nnode ${JSON.stringify(serverScript)} &\nwhile :; do sleep 0.05; done\n`,
    );
    const script =
      `import { startTarget } from ${JSON.stringify(path.join(repo, 'harness/target-process.ts'))};` +
      `const t = await startTarget({ name: 'interrupted', role: 'sp', metadata: 'http://localhost/', start: { command: ${JSON.stringify(`sh ${JSON.stringify(startScript)}; true`)}, url: 'http://localhost:${port}/ready', port: ${port} } });` +
      `process.stdout.write('started ' + t.pid + '\\n');` +
      `setInterval(() => {}, 1000);`;
    const harness = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    harness.stderr.on('data', (c) => (stderr += c));
    const targetPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      harness.stdout.on('data', (c) => {
        out += c;
        const m = /started (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      harness.on('exit', (code) => reject(new Error(`harness exited early (${code}): ${stderr}`)));
    });
    try {
      const exited = new Promise<NodeJS.Signals | null>((r) => harness.on('exit', (_code, signal) => r(signal)));
      harness.kill('SIGINT');
      expect(await exited).toBe('SIGINT');
      expect(fs.readFileSync(marker, 'utf8')).toBe('cleaned up\n');
      for (let i = 0; i < 100 && groupAlive(targetPid); i++) await new Promise((r) => setTimeout(r, 20));
      expect(groupAlive(targetPid)).toBe(false);
    } finally {
      if (groupAlive(targetPid)) process.kill(-targetPid, 'SIGKILL');
      harness.kill('SIGKILL');
    }
  });
});
