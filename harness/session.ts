// One target's session: the mock that plays its peer, the target itself (started when the config
// says how), its metadata and facts, and per scenario a fresh browser context plus the scenario's
// slice of the mock. The runner asks it to open and close scenarios.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright';
import { SCENARIO_HEADER, startMockIdp, type IdpScenario, type MockIdp } from '../mock-idp/index.ts';
import { startMockSp, type MockSp, type SpScenario } from '../mock-sp/index.ts';
import type { EvidenceMessage, PositiveControl, Verdict } from '../shared/result-model.ts';
import type { ResponseValidation } from '../saml/rules/index.ts';
import type { FreshContext } from './context-pool.ts';
import type { ExpandedScenario } from './catalogue.ts';
import type { SamlconfConfig, ScreenshotPolicy, TargetConfig } from './config.ts';
import type { CommonContext, IdpTargetContext, SpTargetContext, TargetHandle } from './context.ts';
import { firstAnswerAtIdp, loginAtIdp } from './idp-flows.ts';
import type { OpenedScenario } from './runner.ts';
import { controlKey, runIdpControl, runSpControl, type ControlResult, type IdpControlShape, type SpControlShape } from './controls.ts';
import { testUserFor } from './identities.ts';
import type { Checker } from './scenario.ts';
import { idpInitiatedLogin, isLoggedInAs, spInitiatedLogin, whoIsLoggedIn } from './sp-flows.ts';
import { idpInitiatedLogout, logoutAtIdp, probeIdpSession, spInitiatedLogout } from './slo-flows.ts';
import { loadAttackerCredential, loadPeerIdentity, type PeerIdentity, type StoredCredential } from '../shared/key-store.ts';
import { loadTargetFacts } from './target-facts.ts';
import { peerEnvironment, startTarget, type RunningTarget } from './target-process.ts';

/** Ports the mocks use for a target the harness does not start, so its configuration stays valid. */
export const STABLE_PEER_PORTS = { idp: 47301, sp: 47302 } as const;

/** What a started mock offers a target that is not started by the harness (tests, vendors). */
export interface PeerInfo {
  role: 'idp' | 'sp';
  entityId: string;
  metadataUrl: string;
  metadataXml: string;
  certPem: string;
}

export interface SessionOptions {
  config: SamlconfConfig;
  stateDir: string;
  /** A never-used browser context and page for the next scenario. */
  takeContext(): Promise<FreshContext>;
  /** Called once the mock is up and before the target's metadata is read. */
  onPeerReady?: (target: TargetConfig, peer: PeerInfo) => void | Promise<void>;
}

export interface TargetSession {
  target: TargetHandle;
  openScenario(scenario: ExpandedScenario, check: Checker, signal: AbortSignal): Promise<OpenedScenario<SpTargetContext | IdpTargetContext>>;
  close(): Promise<void>;
}

export async function openTargetSession(targetConfig: TargetConfig, options: SessionOptions): Promise<TargetSession> {
  return targetConfig.role === 'sp' ? openSpTargetSession(targetConfig, options) : openIdpTargetSession(targetConfig, options);
}

function peerPort(target: TargetConfig, configured: number | undefined, role: 'idp' | 'sp'): number {
  if (configured !== undefined) return configured;
  // A target the harness starts is told our URLs each time; one it doesn't start was configured once.
  return target.start ? 0 : STABLE_PEER_PORTS[role];
}

function runDir(stateDir: string, target: TargetConfig): string {
  const dir = path.join(stateDir, 'run', target.name.replace(/[^A-Za-z0-9._-]/g, '_'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function startTargetIfNeeded(target: TargetConfig, env: Record<string, string>, dir: string): Promise<RunningTarget | undefined> {
  if (!target.start) return undefined;
  return startTarget(target, { peerEnv: env, logFile: path.join(dir, 'target.log') });
}

/**
 * Per-scenario browser set-up shared by both roles: a fresh context whose requests name the
 * scenario, so the shared mock can attribute them. A request header is the only tag that survives
 * both cross-site POSTs (SameSite cookies are dropped) and the target's redirects (Playwright's
 * request routing never sees redirected requests). Targets receive it too and can ignore it.
 */
async function scenarioBrowser(takeContext: () => Promise<FreshContext>, key: string): Promise<FreshContext> {
  const fresh = await takeContext();
  await fresh.browserContext.setExtraHTTPHeaders({ [SCENARIO_HEADER]: key });
  return fresh;
}

/**
 * Whether the scenario's verdict earns a screenshot under the configured policy. By default only
 * outcomes a person will look into keep one: a pass or a not-applicable would only cost time.
 */
export function wantsScreenshot(policy: ScreenshotPolicy, verdict: Verdict): boolean {
  if (policy === 'all') return true;
  if (policy === 'off') return false;
  return verdict !== 'pass' && verdict !== 'not-applicable';
}

async function closeScenarioBrowser(
  browserContext: BrowserContext,
  page: Page,
  own: EvidenceMessage[],
  log: string[],
  screenshot: boolean,
  control: EvidenceMessage[] = [],
) {
  // The control's messages follow the scenario's own, numbered on, each marked as the control's.
  const evidence = [...own, ...control.map((m, i) => ({ ...m, seq: own.length + i + 1, note: `positive control${m.note ? `: ${m.note}` : ''}` }))];
  let image: string | undefined;
  let finalUrl: string | undefined;
  if (!page.isClosed()) {
    finalUrl = page.url();
    if (screenshot) {
      image = await page
        .screenshot({ type: 'png', timeout: 5000 })
        .then((b) => b.toString('base64'))
        .catch(() => undefined);
    }
  }
  await browserContext.close().catch(() => undefined);
  const notes: EvidenceMessage[] = log.map((note, i) => ({
    seq: evidence.length + i + 1,
    at: new Date().toISOString(),
    direction: 'received',
    via: 'harness',
    kind: 'Other',
    raw: '',
    note,
  }));
  return { evidence: [...evidence, ...notes], screenshot: image, finalUrl };
}

let scenarioCounter = 0;
function scenarioKey(id: string): string {
  return `${id}.${(++scenarioCounter).toString(36)}`;
}

/** A started mock as the session needs it, whichever role it plays. */
interface PeerMock<S> {
  forget(key: string): void;
  baseUrl: string;
  entityId: string;
  metadataUrl: string;
  metadataXml(): string;
  scenario(key: string): S;
  close(): Promise<void>;
}

/** A control as run once for a target and shape: its result, its messages, and the scenario that ran it. */
interface ControlRun {
  result: ControlResult;
  evidence: EvidenceMessage[];
  ranBy: string;
}

/** What differs between the roles; everything else about a session is the same. */
interface RoleSpec<M extends PeerMock<S>, S extends { evidence(): EvidenceMessage[] }, C extends SpTargetContext | IdpTargetContext> {
  /** The role the harness plays toward the target. */
  peerRole: 'idp' | 'sp';
  start(identity: PeerIdentity, attacker: StoredCredential, port: number): Promise<M>;
  /** The endpoint the target is told about: our SSO URL (SP targets) or ACS URL (IdP targets). */
  endpoint(mock: M): { ssoUrl: string } | { acsUrl: string };
  learnTargetMetadata(mock: M, xml: string): void;
  context(common: CommonContext, mock: M, slice: S): C;
  /** The positive control of this role for a scenario's shape, in a browser and mock slice of its own. */
  runControl(browser: FreshContext, mock: M, slice: S, shape: unknown): Promise<ControlResult>;
}

async function openRoleSession<M extends PeerMock<S>, S extends { evidence(): EvidenceMessage[] }, C extends SpTargetContext | IdpTargetContext>(
  target: TargetConfig,
  o: SessionOptions,
  spec: RoleSpec<M, S, C>,
): Promise<TargetSession> {
  const role = spec.peerRole;
  const screenshots = o.config.browser?.screenshots ?? 'on-failure';
  const entityId = role === 'idp' ? o.config.peer?.idpEntityId : o.config.peer?.spEntityId;
  const identity = await loadPeerIdentity(o.stateDir, role, { entityId });
  const attacker = await loadAttackerCredential(o.stateDir);
  const mock = await spec.start(identity, attacker, peerPort(target, role === 'idp' ? o.config.peer?.idpPort : o.config.peer?.spPort, role));
  let running: RunningTarget | undefined;
  try {
    const dir = runDir(o.stateDir, target);
    const metadataFile = path.join(dir, `${role}-metadata.xml`);
    writeFileSync(metadataFile, mock.metadataXml());
    const peer = { entityId: mock.entityId, metadataUrl: mock.metadataUrl, metadataFile, certFile: identity.signing.certFile };
    await o.onPeerReady?.(target, { role, entityId: mock.entityId, metadataUrl: mock.metadataUrl, metadataXml: mock.metadataXml(), certPem: identity.signing.certPem });
    running = await startTargetIfNeeded(target, peerEnvironment(target.role, { ...peer, ...spec.endpoint(mock) }), dir);
    const loaded = await loadTargetFacts(target);
    spec.learnTargetMetadata(mock, loaded.metadataXml);
    const handle: TargetHandle = { config: target, facts: loaded.facts, metadataXml: loaded.metadataXml, metadata: loaded.metadata };

    // Controls per shape, shared by the scenarios of this target. A control that errored is not
    // kept: the next scenario needing it tries again rather than inheriting a passing glitch.
    const controls = new Map<string, Promise<ControlRun>>();
    const runControl = async (shape: unknown, scenarioId: string): Promise<ControlRun> => {
      const key = scenarioKey(`control.${scenarioId}`);
      const fresh = await scenarioBrowser(o.takeContext, key);
      const slice = mock.scenario(key);
      try {
        const result = await spec.runControl(fresh, mock, slice, shape).catch((err: Error): ControlResult => ({ shape: 'the same flow without the fault', outcome: 'error', observed: err.message }));
        return { result, evidence: slice.evidence(), ranBy: scenarioId };
      } finally {
        await fresh.browserContext.close().catch(() => undefined);
        mock.forget(key);
      }
    };
    const controlFor = (shape: unknown, scenarioId: string): { run: Promise<ControlRun>; shared: boolean } => {
      const k = controlKey(shape);
      const existing = controls.get(k);
      if (existing) return { run: existing, shared: true };
      const run = runControl(shape, scenarioId);
      controls.set(k, run);
      const forget = () => void (controls.get(k) === run && controls.delete(k));
      run.then((r) => r.result.outcome === 'error' && forget(), forget);
      return { run, shared: false };
    };

    return {
      target: handle,
      async openScenario(scenario, check) {
        const key = scenarioKey(scenario.id);
        const { browserContext, page } = await scenarioBrowser(o.takeContext, key);
        const slice = mock.scenario(key);
        const log: string[] = [];
        const context = spec.context({ target: handle, page, browserContext, check, log: (m) => void log.push(m) }, mock, slice);
        let controlEvidence: EvidenceMessage[] = [];
        return {
          context,
          async positiveControl(): Promise<PositiveControl> {
            const shape = scenario.family.control?.(scenario.variant) ?? {};
            const { run, shared } = controlFor(shape, scenario.id);
            const { result, evidence, ranBy } = await run;
            if (!shared) controlEvidence = evidence;
            log.push(`positive control (${result.shape})${shared ? `, shared with ${ranBy}` : ''}: ${result.outcome}: ${result.observed}`);
            return { ...result, shared };
          },
          async close(verdict) {
            const recorded = await closeScenarioBrowser(browserContext, page, slice.evidence(), log, wantsScreenshot(screenshots, verdict), controlEvidence);
            mock.forget(key); // the evidence is in the result now; a long run must not keep it twice
            return recorded;
          },
        };
      },
      async close() {
        await running?.stop();
        await mock.close();
      },
    };
  } catch (err) {
    await running?.stop();
    await mock.close();
    throw err;
  }
}

function openSpTargetSession(target: TargetConfig, o: SessionOptions): Promise<TargetSession> {
  const testUser = testUserFor(target);
  return openRoleSession<MockIdp, IdpScenario, SpTargetContext>(target, o, {
    peerRole: 'idp',
    start: (identity, attacker, port) =>
      startMockIdp({
        host: o.config.peer?.host, port, entityId: identity.entityId, signing: identity.signing, encryption: identity.encryption, attacker,
        // What the metadata states is what the mock does (README: peer options).
        wantAuthnRequestsSigned: o.config.peer?.wantAuthnRequestsSigned ?? 'as-sp-metadata',
        encryptAssertions: o.config.peer?.encryptAssertions ?? 'as-sp-metadata',
      }),
    endpoint: (mockIdp) => ({ ssoUrl: mockIdp.ssoUrl }),
    learnTargetMetadata: (mockIdp, xml) => mockIdp.setSpMetadata(xml),
    context(common, mockIdp, slice) {
      const idp = pinnedIdentity(target, slice);
      const deps = { page: common.page, browserContext: common.browserContext, target, mockIdp, idp };
      return {
        ...common,
        mockIdp,
        idp,
        testUser,
        spInitiatedLogin: () => spInitiatedLogin(deps),
        idpInitiatedLogin: (opts) => idpInitiatedLogin(deps, opts),
        whoIsLoggedIn: () => whoIsLoggedIn(deps),
        isLoggedInAs: (state, who) => isLoggedInAs(target, state, typeof who === 'string' ? { nameId: who } : who),
        spInitiatedLogout: (opts) => spInitiatedLogout(deps, opts),
        idpInitiatedLogout: (request, opts) => idpInitiatedLogout(deps, request, opts),
      };
    },
    runControl: (fresh, mockIdp, slice, shape) =>
      runSpControl({ page: fresh.page, browserContext: fresh.browserContext, target, mockIdp, idp: pinnedIdentity(target, slice) }, shape as SpControlShape, testUser),
  });
}

/**
 * A target whose config pins a NameID Format gets it whatever its AuthnRequests ask for: the mock
 * IdP then keeps the planned format instead of honouring the NameIDPolicy.
 */
function pinnedIdentity(target: TargetConfig, slice: IdpScenario): IdpScenario {
  if (!target.identity?.nameIdFormat) return slice;
  return { ...slice, setPlan: (plan) => slice.setPlan({ keepNameIdFormat: true, ...plan }) };
}

function openIdpTargetSession(target: TargetConfig, o: SessionOptions): Promise<TargetSession> {
  const users = target.users ?? [];
  return openRoleSession<MockSp, SpScenario, IdpTargetContext>(target, o, {
    peerRole: 'sp',
    start: (identity, attacker, port) =>
      startMockSp({
        host: o.config.peer?.host, port, entityId: identity.entityId, signing: identity.signing, encryption: identity.encryption, attacker,
        authnRequestsSigned: o.config.peer?.authnRequestsSigned ?? true,
      }),
    endpoint: (mockSp) => ({ acsUrl: mockSp.acsUrl }),
    learnTargetMetadata: (mockSp, xml) => mockSp.setIdpMetadata(xml),
    context(common, mockSp, sp) {
      return {
        ...common,
        mockSp,
        sp,
        user: users[0] ?? { username: '', password: '' },
        loginAtIdp: (opts = {}) => loginAtIdp({ page: common.page, target, sp }, opts.user ?? users[0], opts.waitMs),
        checkResponse: (validation, opts) => checkResponse(common.check, validation, opts?.only),
        logoutAtIdp: (request, opts) => logoutAtIdp({ page: common.page, target, sp }, request, opts),
        firstAnswerAtIdp: (opts = {}) => firstAnswerAtIdp({ page: common.page, target, sp }, opts.waitMs),
        probeIdpSession: (opts) => probeIdpSession({ page: common.page, target, sp }, opts),
      };
    },
    runControl: (fresh, _mockSp, sp, shape) => runIdpControl({ page: fresh.page, target, sp }, shape as IdpControlShape, users[0]),
  });
}

/** Every rule finding of a validated Response becomes a check with the rule's own severity. */
export function checkResponse(check: Checker, validation: ResponseValidation, only?: string[]): void {
  for (const f of validation.findings) {
    if (only && !only.includes(f.rule)) continue;
    const record = f.severity === 'must' ? check.must : check.should;
    record(f.ok, { check: f.rule, requirement: f.requirement, expected: f.expected, observed: f.observed, xml: f.xml });
  }
}
