// The harness's own peer identity, kept in the state folder (default .samlconf/) so that a target
// configured once with our certificate keeps working run after run. Keys are generated on first
// use; afterwards the files are read back. Several workers may start at once: generation happens
// under a lock folder (mkdir is atomic), files are written to a temporary name and renamed into
// place, and a reader that sees a half-written pair waits for the lock instead.
//
// Layout:  <stateDir>/idp-signing.key|.crt, idp-encryption.key|.crt, sp-signing.*, sp-encryption.*,
//          attacker.key|.crt, .gitignore (`*`, so private keys are never committed)
// Keys are PKCS#8 PEM with mode 0600; certificates are self-signed, valid for ten years.
// A user may drop in their own key and certificate under these names; they are used as they are.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createCredential, type Credential, type KeyPair, type KeySpec } from '../saml/keys.ts';

export const DEFAULT_IDP_ENTITY_ID = 'https://idp.samlconf.test/saml/metadata';
export const DEFAULT_SP_ENTITY_ID = 'https://sp.samlconf.test/saml/metadata';
const LOCK_WAIT_MS = 60_000;
const LOCK_STALE_MS = 120_000;

export class StateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateError';
  }
}

export interface StoredCredential extends Credential {
  keyFile: string;
  certFile: string;
}

export interface PeerIdentity {
  role: 'idp' | 'sp';
  entityId: string;
  signing: StoredCredential;
  encryption: StoredCredential;
}

export interface StoredCredentialOptions {
  /** Default RSA 2048. Used only when the credential is generated. */
  spec?: KeySpec;
  /** Certificate subject CN. Used only when the credential is generated. */
  commonName?: string;
}

/**
 * The harness's identity when it plays `role` (the mock IdP toward SP targets, the mock SP toward
 * IdP targets): signing and encryption credentials, generated on first use and reused afterwards.
 * `keySpec` (default RSA 2048) applies only to newly generated keys.
 */
export async function loadPeerIdentity(
  stateDir: string,
  role: 'idp' | 'sp',
  options: { entityId?: string; keySpec?: KeySpec } = {},
): Promise<PeerIdentity> {
  const spec = options.keySpec;
  const [signing, encryption] = [
    await loadStoredCredential(stateDir, `${role}-signing`, { commonName: `samlconf ${role} signing`, spec }),
    await loadStoredCredential(stateDir, `${role}-encryption`, { commonName: `samlconf ${role} encryption`, spec }),
  ];
  return {
    role,
    entityId: options.entityId ?? (role === 'idp' ? DEFAULT_IDP_ENTITY_ID : DEFAULT_SP_ENTITY_ID),
    signing,
    encryption,
  };
}

/** A credential no target trusts, for untrusted-key and certificate-faking scenarios. */
export function loadAttackerCredential(stateDir: string, options: { keySpec?: KeySpec } = {}): Promise<StoredCredential> {
  return loadStoredCredential(stateDir, 'attacker', { commonName: 'samlconf attacker', spec: options.keySpec });
}

// One load per file pair at a time within this process; the lock handles other processes.
const inFlight = new Map<string, Promise<StoredCredential>>();

/** `<stateDir>/<name>.key` and `.crt`, generated under a lock when missing. */
export function loadStoredCredential(stateDir: string, name: string, options: StoredCredentialOptions = {}): Promise<StoredCredential> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new StateError(`bad credential name '${name}'`);
  const dir = path.resolve(stateDir);
  const id = path.join(dir, name);
  let pending = inFlight.get(id);
  if (!pending) {
    pending = loadOrCreate(dir, name, options).finally(() => inFlight.delete(id));
    inFlight.set(id, pending);
  }
  return pending;
}

async function loadOrCreate(dir: string, name: string, options: StoredCredentialOptions): Promise<StoredCredential> {
  ensureStateDir(dir);
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  const existing = readPair(keyFile, certFile);
  if (existing.kind === 'ok') return existing.credential;

  const release = await acquireLock(path.join(dir, `.lock-${name}`));
  try {
    const again = readPair(keyFile, certFile);
    if (again.kind === 'ok') return again.credential;
    if (again.kind === 'mismatch') {
      throw new StateError(`${keyFile} and ${certFile} do not belong together (${again.reason}); delete both to have new ones generated, or put a matching pair there`);
    }
    const credential = createCredential(options.spec, { commonName: options.commonName ?? `samlconf ${name}`, validDays: 3650 });
    // The key first, the certificate last: a pair counts as present only once the certificate is.
    writeFileAtomic(keyFile, credential.key.privateKeyPem, 0o600);
    writeFileAtomic(certFile, credential.certPem, 0o644);
    return { ...credential, keyFile, certFile };
  } finally {
    release();
  }
}

function ensureStateDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new StateError(`cannot create the state folder ${dir}: ${(cause as Error).message}`, { cause });
  }
  const ignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(ignore)) {
    try {
      writeFileAtomic(ignore, '# samlconf state: private keys, never commit\n*\n', 0o644);
    } catch {
      // Cosmetic only; a read-only state folder fails later with a clearer message.
    }
  }
}

type PairRead =
  | { kind: 'ok'; credential: StoredCredential }
  | { kind: 'missing' }
  | { kind: 'mismatch'; reason: string };

function readPair(keyFile: string, certFile: string): PairRead {
  let keyPem: string;
  let certPem: string;
  try {
    keyPem = fs.readFileSync(keyFile, 'utf8');
    certPem = fs.readFileSync(certFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new StateError(`cannot read ${keyFile} / ${certFile}: ${(err as Error).message}`, { cause: err });
  }
  let privateKey: crypto.KeyObject;
  let cert: crypto.X509Certificate;
  try {
    privateKey = crypto.createPrivateKey(keyPem);
  } catch (cause) {
    return { kind: 'mismatch', reason: `the key file is not a PEM private key: ${(cause as Error).message}` };
  }
  try {
    cert = new crypto.X509Certificate(certPem);
  } catch (cause) {
    return { kind: 'mismatch', reason: `the certificate file is not a PEM certificate: ${(cause as Error).message}` };
  }
  const publicKey = crypto.createPublicKey(privateKey);
  const spki = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' });
  if (!spki(publicKey).equals(spki(cert.publicKey))) return { kind: 'mismatch', reason: "the certificate's public key is not the key's" };
  const type = privateKey.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec') return { kind: 'mismatch', reason: `unsupported key type ${type}; use RSA or EC P-256` };
  tightenKeyMode(keyFile);
  const key: KeyPair = {
    type,
    // Normalised to PKCS#8 so callers see one format whatever the user dropped in.
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  return { kind: 'ok', credential: { key, certPem, keyFile, certFile } };
}

function tightenKeyMode(keyFile: string): void {
  if (process.platform === 'win32') return;
  try {
    if ((fs.statSync(keyFile).mode & 0o077) !== 0) fs.chmodSync(keyFile, 0o600);
  } catch {
    // Not our file to change (another owner): leave it.
  }
}

/** Write to a temporary file in the same folder, then rename over the target (atomic on POSIX). */
export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644): void {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
  try {
    fs.writeFileSync(tmp, data, { mode, flag: 'wx' });
    fs.chmodSync(tmp, mode); // writeFileSync's mode is filtered by the umask
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockIsStale(lockDir: string): boolean {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(lockDir, 'owner.json'), 'utf8')) as { pid?: number; at?: number };
    if (typeof owner.pid === 'number' && !pidAlive(owner.pid)) return true;
    return typeof owner.at === 'number' && Date.now() - owner.at > LOCK_STALE_MS;
  } catch {
    // No owner file yet: the holder is between mkdir and writing it, unless that was long ago.
    try {
      return Date.now() - fs.statSync(lockDir).mtimeMs > LOCK_STALE_MS;
    } catch {
      return false;
    }
  }
}

async function acquireLock(lockDir: string): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'owner.json'), JSON.stringify({ pid: process.pid, at: Date.now() }));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StateError(`cannot lock ${lockDir}: ${(err as Error).message}`, { cause: err });
      }
    }
    if (lockIsStale(lockDir)) {
      // Move it aside first so that only one waiter removes it.
      const aside = `${lockDir}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
      try {
        fs.renameSync(lockDir, aside);
        fs.rmSync(aside, { recursive: true, force: true });
      } catch {
        // Someone else moved it first.
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new StateError(`timed out waiting for ${lockDir}; another samlconf process is generating keys. If none is running, delete that folder.`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
