import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createCredential } from '../../saml/keys.ts';
import {
  DEFAULT_IDP_ENTITY_ID,
  DEFAULT_SP_ENTITY_ID,
  loadAttackerCredential,
  loadPeerIdentity,
  loadStoredCredential,
  StateError,
} from '../../shared/key-store.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-state-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

const mode = (f: string) => fs.statSync(f).mode & 0o777;
// RSA generation is slow (forge signs the certificate); beyond the first test, EC keeps it quick.
const EC = { keySpec: { type: 'ec' } } as const;

describe('peer identity', () => {
  it('is generated on first use, kept with tight permissions, and reused', async () => {
    const dir = path.join(tmpDir(), 'nested', '.samlconf');
    const first = await loadPeerIdentity(dir, 'idp');
    expect(first.entityId).toBe(DEFAULT_IDP_ENTITY_ID);
    expect(first.signing.keyFile).toBe(path.join(dir, 'idp-signing.key'));
    expect(first.signing.certFile).toBe(path.join(dir, 'idp-signing.crt'));
    expect(first.encryption.certFile).toBe(path.join(dir, 'idp-encryption.crt'));
    expect(mode(first.signing.keyFile)).toBe(0o600);
    expect(mode(first.encryption.keyFile)).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    // The certificate on disk is the one returned and belongs to the key.
    expect(fs.readFileSync(first.signing.certFile, 'utf8')).toBe(first.signing.certPem);
    const cert = new crypto.X509Certificate(first.signing.certPem);
    expect(cert.checkPrivateKey(crypto.createPrivateKey(first.signing.key.privateKeyPem))).toBe(true);
    expect(cert.subject).toContain('samlconf idp signing');
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 24 * 3600 * 1000);
    expect(first.signing.certPem).not.toBe(first.encryption.certPem);

    const again = await loadPeerIdentity(dir, 'idp', { entityId: 'urn:configured:idp' });
    expect(again.entityId).toBe('urn:configured:idp');
    expect(again.signing.certPem).toBe(first.signing.certPem);
    expect(again.signing.key.privateKeyPem).toBe(first.signing.key.privateKeyPem);
    expect(again.encryption.certPem).toBe(first.encryption.certPem);

    const sp = await loadPeerIdentity(dir, 'sp', EC);
    expect(sp.entityId).toBe(DEFAULT_SP_ENTITY_ID);
    expect(sp.signing.certFile).toBe(path.join(dir, 'sp-signing.crt'));
    expect(sp.signing.certPem).not.toBe(first.signing.certPem);
  });

  it('differs between state folders', async () => {
    const a = await loadPeerIdentity(tmpDir(), 'idp', EC);
    const b = await loadPeerIdentity(tmpDir(), 'idp', EC);
    expect(a.signing.certPem).not.toBe(b.signing.certPem);
  });

  it('gives a separate attacker credential that is also kept', async () => {
    const dir = tmpDir();
    const idp = await loadPeerIdentity(dir, 'idp', EC);
    const attacker = await loadAttackerCredential(dir, EC);
    expect(attacker.certFile).toBe(path.join(dir, 'attacker.crt'));
    expect(attacker.certPem).not.toBe(idp.signing.certPem);
    expect((await loadAttackerCredential(dir)).certPem).toBe(attacker.certPem);
  });

  it('uses a pair the user put there, whatever its key type, and tightens the key file mode', async () => {
    const dir = tmpDir();
    const own = createCredential({ type: 'ec' }, { commonName: 'my own' });
    fs.writeFileSync(path.join(dir, 'idp-signing.key'), own.key.privateKeyPem, { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'idp-signing.crt'), own.certPem);
    const idp = await loadPeerIdentity(dir, 'idp', EC);
    expect(idp.signing.certPem).toBe(own.certPem);
    expect(idp.signing.key.type).toBe('ec');
    expect(mode(path.join(dir, 'idp-signing.key'))).toBe(0o600);
  });

  it('refuses a key and certificate that do not belong together, and says what to do', async () => {
    const dir = tmpDir();
    const first = await loadPeerIdentity(dir, 'idp', EC);
    fs.writeFileSync(first.signing.certFile, createCredential({ type: 'ec' }).certPem);
    const err = await loadPeerIdentity(dir, 'idp', EC).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as Error).message).toMatch(/do not belong together .*delete both/);
  });

  it('regenerates a pair whose certificate never got written', async () => {
    const dir = tmpDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'sp-signing.key'), createCredential({ type: 'ec' }).key.privateKeyPem, { mode: 0o600 });
    const sp = await loadPeerIdentity(dir, 'sp', EC);
    expect(new crypto.X509Certificate(sp.signing.certPem).checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(sp.signing.keyFile)))).toBe(true);
  });

  it('breaks a lock left by a process that died', async () => {
    const dir = tmpDir();
    const dead = spawn(process.execPath, ['-e', '']);
    const deadPid = dead.pid!;
    await new Promise((r) => dead.on('exit', r));
    fs.mkdirSync(path.join(dir, '.lock-attacker'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.lock-attacker', 'owner.json'), JSON.stringify({ pid: deadPid, at: Date.now() }));
    const attacker = await loadAttackerCredential(dir, EC);
    expect(attacker.certPem).toMatch(/BEGIN CERTIFICATE/);
    expect(fs.existsSync(path.join(dir, '.lock-attacker'))).toBe(false);
  });

  it('does not race when callers start together, in this process and in others', async () => {
    const dir = tmpDir();
    const inProcess = await Promise.all([1, 2, 3].map(() => loadStoredCredential(dir, 'shared', { spec: { type: 'ec' } })));
    expect(new Set(inProcess.map((c) => c.certPem)).size).toBe(1);

    // Separate processes, released together once all have started (tsx start-up varies).
    const crossDir = tmpDir();
    const go = path.join(tmpDir(), 'go');
    const script =
      `import fs from 'node:fs';` +
      `import { loadPeerIdentity } from ${JSON.stringify(path.join(repo, 'shared/key-store.ts'))};` +
      `process.stdout.write('ready\\n');` +
      `while (!fs.existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 5));` +
      `const id = await loadPeerIdentity(${JSON.stringify(crossDir)}, 'idp');` +
      `process.stdout.write(id.signing.certPem + id.encryption.certPem);`;
    let ready = 0;
    const runOne = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c;
          if (out === 'ready\n' && ++ready === 3) fs.writeFileSync(go, '');
        });
        child.stderr.on('data', (c) => (err += c));
        child.on('exit', (code) => (code === 0 ? resolve(out.replace('ready\n', '')) : reject(new Error(`worker exited ${code}: ${err}`))));
      });
    const outputs = await Promise.all([runOne(), runOne(), runOne()]);
    expect(outputs[0]).toMatch(/BEGIN CERTIFICATE/);
    expect(new Set(outputs).size).toBe(1);
    expect(fs.readdirSync(crossDir).sort()).toEqual(['.gitignore', 'idp-encryption.crt', 'idp-encryption.key', 'idp-signing.crt', 'idp-signing.key']);
  });
});
