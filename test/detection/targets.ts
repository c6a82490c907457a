// Weak and strict targets for the detection matrix: the mock SP and the mock IdP in target mode,
// started in-process and described as a validated samlconf config, plus one catalogue run
// against them. Each run gets its own target server; keys and the harness's state folder are
// shared by the whole file, because generating RSA keys is what costs time.
import type { Browser } from 'playwright';
import { runCatalogue } from '../../harness/api.ts';
import { validateConfig, type SamlconfConfig, type TargetIdentity } from '../../harness/config.ts';
import { startMockIdp, type IdpUser, type MockIdpOptions, type MockIdpWeaknesses } from '../../mock-idp/index.ts';
import { startMockSp, type SpWeaknesses } from '../../mock-sp/index.ts';
import type { ScenarioResult } from '../../shared/result-model.ts';
import { createCredential, type Credential } from '../../saml/keys.ts';

export interface TargetKeys {
  spSigning: Credential;
  spEncryption: Credential;
  idpSigning: Credential;
}

export function createTargetKeys(): TargetKeys {
  return {
    spSigning: createCredential({ type: 'rsa' }, { commonName: 'detection target sp signing' }),
    spEncryption: createCredential({ type: 'rsa' }, { commonName: 'detection target sp encryption' }),
    idpSigning: createCredential({ type: 'rsa' }, { commonName: 'detection target idp signing' }),
  };
}

export interface RunEnvironment {
  browser: Browser;
  /** Shared state folder: the harness's peer keys are generated once for the whole file. */
  stateDir: string;
  keys: TargetKeys;
  workers: number;
}

export interface SpTargetOptions {
  weaknesses?: SpWeaknesses;
  wantAssertionsSigned?: boolean;
  /** Point the harness's oracle at another path (a broken oracle, for fail-closed tests). */
  whoamiPath?: string;
  /** Point the harness's oracle at another server altogether (a lying or babbling oracle). */
  whoamiUrl?: string;
  /** The SP trusts another certificate than the mock IdP's: it refuses every login (a null target). */
  distrustIdp?: boolean;
  /** The NameIDPolicy Format the SP's AuthnRequests ask for (mod_auth_mellon asks for transient). */
  requestNameIdFormat?: string;
  /** The config's identity pin for the target (TargetConfig.identity). */
  identity?: TargetIdentity;
  /** What the target declares in the config (e.g. 'idp-initiated'). */
  capabilities?: string[];
}

export interface IdpTargetOptions {
  weaknesses?: MockIdpWeaknesses;
  /** Tell the harness a password other than the user's (a broken adapter, for fail-closed tests). */
  configuredPassword?: string;
  /** More accounts after IDP_TARGET_USER, known to the IdP and listed in the config as they are. */
  extraUsers?: Array<IdpUser & { username: string; password: string }>;
  /** A broken IdP (a null target): see MockIdpOptions.breakdown. */
  breakdown?: MockIdpOptions['breakdown'];
}

/** The IdP target's one account, as the IdP knows it and as the config tells the harness. */
export const IDP_TARGET_USER: IdpUser & { username: string; password: string } = {
  username: 'alice',
  password: 'alice-password',
  nameId: 'alice@example.test',
  attributes: { email: ['alice@example.test'], givenName: ['Alice'] },
};

/** `^(a|b)$`: exactly these scenario IDs (grep also matches titles and groups, so anchor it). */
export function exactIds(ids: readonly string[]): string {
  const escaped = ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return `^(${escaped.join('|')})$`;
}

function config(target: Record<string, unknown>, env: RunEnvironment): SamlconfConfig {
  // Ephemeral ports for the harness's mocks: the stable defaults could collide with another test
  // file, and the targets here learn the mock's metadata through onPeerReady anyway.
  const raw = { targets: [target], stateDir: env.stateDir, workers: env.workers, timeoutMs: 30_000, peer: { idpPort: 0, spPort: 0 } };
  return validateConfig(raw, { dir: env.stateDir, file: 'detection matrix' });
}

async function run(cfg: SamlconfConfig, env: RunEnvironment, ids: readonly string[], onPeerReady: (metadataXml: string) => void): Promise<ScenarioResult[]> {
  const errors: string[] = [];
  const result = await runCatalogue({
    config: cfg,
    configDir: env.stateDir,
    selection: { grep: exactIds(ids) },
    workers: env.workers,
    browser: env.browser,
    onPeerReady: (_target, peer) => onPeerReady(peer.metadataXml),
    onTargetError: (target, err) => void errors.push(`${target.name}: ${err.message}`),
  });
  if (errors.length) throw new Error(`target could not be prepared: ${errors.join('; ')}`);
  return result.scenarios;
}

/** Start a mock SP in target mode, run the given SP scenarios against it, and stop it. */
export async function runAgainstSpTarget(name: string, options: SpTargetOptions, ids: readonly string[], env: RunEnvironment): Promise<ScenarioResult[]> {
  const sp = await startMockSp({
    mode: 'target',
    port: 0,
    signing: env.keys.spSigning,
    encryption: env.keys.spEncryption,
    weaknesses: options.weaknesses ?? {},
    ...(options.wantAssertionsSigned !== undefined ? { wantAssertionsSigned: options.wantAssertionsSigned } : {}),
    ...(options.requestNameIdFormat !== undefined ? { requestNameIdFormat: options.requestNameIdFormat } : {}),
  });
  try {
    const whoami = options.whoamiUrl ?? `${sp.baseUrl}${options.whoamiPath ?? '/whoami'}`;
    const cfg = config({ name, role: 'sp', metadata: sp.metadataUrl, loginUrl: `${sp.baseUrl}/login`, logoutUrl: `${sp.baseUrl}/logout`, oracle: { whoami }, capabilities: options.capabilities ?? [], ...(options.identity ? { identity: options.identity } : {}) }, env);
    const stranger = env.keys.spEncryption.certPem.replace(/-----[^-]+-----|\s/g, '');
    const trusted = (xml: string) => (options.distrustIdp ? xml.replace(/(<(?:ds:)?X509Certificate>)[^<]*(<\/)/g, `$1${stranger}$2`) : xml);
    return await run(cfg, env, ids, (xml) => sp.setIdpMetadata(trusted(xml)));
  } finally {
    await sp.close();
  }
}

/** Start a mock IdP in target mode (login form, wants signed requests), run IdP scenarios, stop it. */
export async function runAgainstIdpTarget(name: string, options: IdpTargetOptions, ids: readonly string[], env: RunEnvironment): Promise<ScenarioResult[]> {
  const idp = await startMockIdp({
    mode: 'target',
    port: 0,
    signing: env.keys.idpSigning,
    users: [IDP_TARGET_USER, ...(options.extraUsers ?? [])],
    wantAuthnRequestsSigned: true,
    weaknesses: options.weaknesses ?? {},
    ...(options.breakdown ? { breakdown: options.breakdown } : {}),
  });
  try {
    const cfg = config(
      {
        name,
        role: 'idp',
        metadata: idp.metadataUrl,
        users: [
          { username: IDP_TARGET_USER.username, password: options.configuredPassword ?? IDP_TARGET_USER.password },
          ...(options.extraUsers ?? []).map((u) => ({ username: u.username, password: u.password, nameId: u.nameId, ...(u.attributes ? { attributes: u.attributes } : {}) })),
        ],
        login: { username: 'input[name="username"]', password: 'input[name="password"]', submit: 'button[type="submit"]' },
      },
      env,
    );
    return await run(cfg, env, ids, (xml) => idp.setSpMetadata(xml));
  } finally {
    await idp.close();
  }
}
