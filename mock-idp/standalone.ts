// `samlconf mock-idp`: the mock IdP on its own, for a vendor's tests or a manual look. It uses the
// harness's stable peer identity (shared/key-store.ts), so an
// SP configured once with our certificate keeps working run after run.
//
// Contract with the CLI and scripts: the FIRST line on stdout is the metadata URL; then it serves
// until SIGINT or SIGTERM, closes, and resolves with exit code 0.
import fs from 'node:fs';
import type { Credential } from '../saml/keys.ts';
import { startMockIdp } from './server.ts';
import { DEFAULT_USER } from './plan.ts';
import { MOCK_IDP_WEAKNESS_NAMES as WEAKNESSES, type IdpUser, type MockIdp, type MockIdpOptions, type MockIdpWeaknesses, type PersonaConfig, type PersonaName } from './types.ts';

/** 'accept-any-acs-url,accept-unsigned-requests' (or camelCase) → weakness switches. */
export function parseIdpWeaknessList(list: string): MockIdpWeaknesses {
  const out: MockIdpWeaknesses = {};
  for (const item of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const name = item.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof MockIdpWeaknesses;
    if (!WEAKNESSES.includes(name)) {
      const known = WEAKNESSES.map((w) => w.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
      throw new Error(`unknown weakness "${item}" (known: ${known.join(', ')})`);
    }
    out[name] = true;
  }
  return out;
}

/** The user a target-mode mock IdP knows when none are given. */
export const DEFAULT_TARGET_USER: IdpUser = { ...DEFAULT_USER, username: 'alice', password: 'alice-password' };

export interface StandaloneMockIdpOptions {
  /** Default 0 (ephemeral); pick a fixed one so the SP's configuration stays valid. */
  port?: number;
  /** The SP's metadata: a file path or an http(s) URL on loopback. Optional. */
  spMetadata?: string;
  /** Where the stable keys live when `signing` is not given. Default `.samlconf`. */
  stateDir?: string;
  /** The stable identity, when the caller (the CLI) already loaded it; otherwise read from stateDir. */
  signing?: Credential;
  encryption?: Credential;
  attacker?: Credential;
  entityId?: string;
  /** Default http://localhost:<port>, which an ordinary browser on this machine reaches. */
  publicBaseUrl?: (port: number) => string;
  persona?: PersonaName;
  personaConfig?: PersonaConfig;
  mode?: MockIdpOptions['mode'];
  /** Target mode: deliberate flaws (`accept-unsigned-requests,accept-any-acs-url`) for detection tests. */
  weaknesses?: MockIdpWeaknesses | string;
  /** Target mode: who may log in. Default: alice / alice-password. */
  users?: IdpUser[];
  /** Where the lines go. Default process.stdout. */
  write?: (line: string) => void;
}

function spSource(spMetadata: string | undefined): MockIdpOptions['sp'] {
  if (spMetadata === undefined) return undefined;
  if (/^https?:\/\//i.test(spMetadata)) return { metadataUrl: spMetadata };
  return { metadataXml: fs.readFileSync(spMetadata, 'utf8') };
}

/** Start the mock IdP with the stable identity from the state folder. */
export async function startStandaloneMockIdp(o: StandaloneMockIdpOptions = {}): Promise<MockIdp> {
  let { signing, encryption, attacker, entityId } = o;
  if (!signing && o.mode === 'target') {
    // As a target it keeps keys of its own, never the harness's identity.
    const { loadStoredCredential } = await import('../shared/key-store.ts');
    const stateDir = o.stateDir ?? '.samlconf';
    signing = await loadStoredCredential(stateDir, 'target-idp-signing', { commonName: 'samlconf mock IdP as target' });
  } else if (!signing) {
    // Loaded lazily so that callers passing credentials never touch the harness.
    const { loadAttackerCredential, loadPeerIdentity } = await import('../shared/key-store.ts');
    const stateDir = o.stateDir ?? '.samlconf';
    const identity = await loadPeerIdentity(stateDir, 'idp');
    signing = identity.signing;
    encryption ??= identity.encryption;
    attacker ??= await loadAttackerCredential(stateDir);
    entityId ??= identity.entityId;
  }
  const sp = spSource(o.spMetadata);
  return startMockIdp({
    port: o.port ?? 0,
    publicBaseUrl: o.publicBaseUrl ?? ((p) => `http://localhost:${p}`),
    // A persona brings its own entity ID style; otherwise the stable harness entity ID.
    ...(entityId && (!o.persona || o.persona === 'generic') ? { entityId } : {}),
    signing,
    ...(encryption ? { encryption } : {}),
    ...(attacker ? { attacker } : {}),
    ...(sp ? { sp } : {}),
    ...(o.persona ? { persona: o.persona } : {}),
    ...(o.personaConfig ? { personaConfig: o.personaConfig } : {}),
    ...(o.mode ? { mode: o.mode } : {}),
    ...(o.mode === 'target'
      ? {
          users: o.users ?? [DEFAULT_TARGET_USER],
          wantAuthnRequestsSigned: true,
          weaknesses: typeof o.weaknesses === 'string' ? parseIdpWeaknessList(o.weaknesses) : o.weaknesses ?? {},
        }
      : {}),
  });
}

/** Serve until SIGINT/SIGTERM; the first stdout line is the metadata URL. Resolves with the exit code. */
export async function runStandaloneMockIdp(o: StandaloneMockIdpOptions = {}): Promise<number> {
  const write = o.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const idp = await startStandaloneMockIdp(o);
  write(idp.metadataUrl);
  write(`entity ID ${idp.entityId}`);
  write(`SSO (Redirect) ${idp.ssoUrl}`);
  write(`SSO (POST) ${idp.ssoPostUrl}`);
  write(`control API ${idp.baseUrl}/_samlconf/ (PUT/GET/DELETE plan, GET/DELETE messages, GET health)`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      idp.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
