// `samlconf mock-sp`: the mock SP on its own, for a vendor's tests, a manual look, or as a target
// SP (mode 'target', with weaknesses) that the harness starts for its detection matrix.
//
// Contract with the CLI and scripts: the FIRST line on stdout is the metadata URL; then it serves
// until SIGINT or SIGTERM, closes, and resolves with exit code 0.
//
// Keys: whatever the caller passes; otherwise the stable ones from the state folder
// (shared/key-store.ts): the harness's SP identity in mock
// mode, a separate "target-sp" identity in target mode so a target never shares the harness's keys.
import fs from 'node:fs';
import { loadAttackerCredential, loadPeerIdentity, loadStoredCredential } from '../shared/key-store.ts';
import type { Credential } from '../saml/keys.ts';
import { fetchLoopbackText } from './fetch.ts';
import { startMockSp } from './index.ts';
import type { MockSp, MockSpOptions, SpWeaknesses } from './types.ts';
import { parseWeaknessList } from './weaknesses.ts';

export interface StandaloneMockSpOptions {
  /** Default: PORT from the environment in target mode, else 0 (ephemeral). */
  port?: number;
  /** The IdP's metadata: a file path or an http(s) URL on loopback. In target mode, default SAMLCONF_IDP_METADATA_FILE, then SAMLCONF_IDP_METADATA_URL. */
  idpMetadata?: string;
  /** Where stable keys live when none are passed. Default `.samlconf`. */
  stateDir?: string;
  mode?: 'mock' | 'target';
  /** Target mode: an object, or the CLI's comma list ("accept-unsigned,skip-audience"). */
  weaknesses?: SpWeaknesses | string | string[];
  signing?: Credential;
  encryption?: Credential;
  attacker?: Credential;
  entityId?: string;
  /** Default http://localhost:<port>, which an ordinary browser on this machine reaches. */
  publicBaseUrl?: string | ((port: number) => string);
  clockSkewSeconds?: number;
  /** Where the lines go. Default process.stdout. */
  write?: (line: string) => void;
  /** Environment to read SAMLCONF_IDP_METADATA_* and PORT from. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

async function readIdpMetadata(source: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) return fetchLoopbackText(source);
  return fs.readFileSync(source, 'utf8');
}

function portFrom(o: StandaloneMockSpOptions, env: NodeJS.ProcessEnv, mode: 'mock' | 'target'): number {
  if (o.port !== undefined) return o.port;
  if (mode === 'target' && env.PORT) {
    const n = Number(env.PORT);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT must be 0-65535, got "${env.PORT}"`);
    return n;
  }
  return 0;
}

/** Start the mock SP as `samlconf mock-sp` would, without blocking. */
export async function startStandaloneMockSp(o: StandaloneMockSpOptions = {}): Promise<MockSp> {
  const env = o.env ?? process.env;
  const mode = o.mode ?? 'mock';
  const stateDir = o.stateDir ?? '.samlconf';
  const source = o.idpMetadata ?? (mode === 'target' ? env.SAMLCONF_IDP_METADATA_FILE || env.SAMLCONF_IDP_METADATA_URL || undefined : undefined);
  const weaknesses = typeof o.weaknesses === 'string' || Array.isArray(o.weaknesses) ? parseWeaknessList(o.weaknesses) : o.weaknesses;
  if (mode !== 'target' && weaknesses && Object.values(weaknesses).some(Boolean)) throw new Error('weaknesses apply only in target mode (--mode target)');

  let { signing, encryption, entityId } = o;
  if (!signing) {
    if (mode === 'target') {
      signing = await loadStoredCredential(stateDir, 'target-sp-signing', { commonName: 'samlconf target SP signing' });
      encryption ??= await loadStoredCredential(stateDir, 'target-sp-encryption', { commonName: 'samlconf target SP encryption' });
    } else {
      const identity = await loadPeerIdentity(stateDir, 'sp');
      signing = identity.signing;
      encryption ??= identity.encryption;
      entityId ??= identity.entityId;
    }
  }
  const attacker = o.attacker ?? (await loadAttackerCredential(stateDir));
  const base = o.publicBaseUrl;
  const options: MockSpOptions = {
    port: portFrom(o, env, mode),
    publicBaseUrl: typeof base === 'string' ? () => base : base ?? ((p) => `http://localhost:${p}`),
    signing,
    attacker,
    mode,
  };
  if (encryption) options.encryption = encryption;
  if (entityId) options.entityId = entityId;
  if (source !== undefined) options.idp = { metadataXml: await readIdpMetadata(source) };
  if (weaknesses) options.weaknesses = weaknesses;
  if (o.clockSkewSeconds !== undefined) options.clockSkewSeconds = o.clockSkewSeconds;
  return startMockSp(options);
}

/** Serve until SIGINT/SIGTERM; the first stdout line is the metadata URL. Resolves with the exit code. */
export async function runStandaloneMockSp(o: StandaloneMockSpOptions = {}): Promise<number> {
  const write = o.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const sp = await startStandaloneMockSp(o);
  write(sp.metadataUrl);
  write(`entity ID ${sp.entityId}`);
  write(`ACS (POST) ${sp.acsUrl}`);
  write(`login ${sp.baseUrl}/login`);
  write(`mode ${o.mode ?? 'mock'}`);
  write(`control API ${sp.baseUrl}/_samlconf/ (PUT/GET/DELETE plan, GET/DELETE messages, GET responses, GET health)`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      sp.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
