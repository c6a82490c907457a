// The programmatic entry point: run the catalogue against every configured target and return
// the canonical result. The CLI, the benchmark and the harness's own tests all go through here.
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright';
import { RESULT_SCHEMA_VERSION, summarize, type RunResult, type RunTarget, type ScenarioResult } from '../shared/result-model.ts';
import { launchBrowser } from './browser.ts';
import { findScenarioFiles, loadCatalogue, type ExpandedScenario, type Selection } from './catalogue.ts';
import { toolVersion } from './cli-contract.ts';
import type { EntityMetadata } from '../saml/metadata.ts';
import { ConfigError, DEFAULT_SCENARIO_TIMEOUT_MS, type SamlconfConfig, type TargetConfig } from './config.ts';
import { runScenarios } from './runner.ts';
import type { TargetFacts } from './scenario.ts';
import { ContextPool } from './context-pool.ts';
import { openTargetSession, STABLE_PEER_PORTS, type PeerInfo, type TargetSession } from './session.ts';

export interface RunCatalogueOptions {
  config: SamlconfConfig;
  /** Folder of the config file: relative scenario globs and the state folder resolve against it. */
  configDir: string;
  selection?: Selection;
  /** Overrides config.workers. */
  workers?: number;
  onScenarioEnd?: (result: ScenarioResult) => void;
  /** A target could not be prepared (did not start, metadata unreadable): its scenarios end in error. */
  onTargetError?: (target: TargetConfig, error: Error) => void;
  onPeerReady?: (target: TargetConfig, peer: PeerInfo) => void | Promise<void>;
  /** Something about a target's configuration that will likely spoil its verdicts (the CLI prints these). */
  onWarning?: (target: TargetConfig, message: string) => void;
  /** Reuse a browser (tests); otherwise one is launched for the run and closed after it. */
  browser?: Browser;
}

/**
 * One worker per core, plus one. Scenarios spend part of their time waiting for a page to go
 * quiet (the target's last word) while the browser and the targets keep the cores busy; one extra
 * worker fills those waits, more only stretched each scenario. Measured with `npm run bench` on
 * 2 cores: 2 workers 3.7-4.1 scenarios/s, 3 workers 4.3-4.7/s, 4 workers no better than 3.
 */
export function defaultWorkers(): number {
  return os.availableParallelism() + 1;
}

export function stateDirOf(config: SamlconfConfig, configDir: string): string {
  return path.resolve(configDir, config.stateDir ?? '.samlconf');
}

export interface PlannedTarget {
  target: TargetConfig;
  scenarios: ExpandedScenario[];
}

export interface RunPlan {
  planned: PlannedTarget[];
  /** Why nothing would run, when nothing would: what the selection matched and what it missed. */
  empty?: string;
}

/** Which scenarios would run against which targets, without starting anything. */
export async function planRun(config: SamlconfConfig, configDir: string, selection: Selection = {}): Promise<RunPlan> {
  const files = await findScenarioFiles(config.scenarios ?? [], configDir);
  const catalogue = await loadCatalogue(files, selection);
  const targets = config.targets.filter((t) => !selection.role || t.role === selection.role);
  const planned = targets.map((t) => ({ target: t, scenarios: catalogue.filter((s) => s.role === t.role) })).filter((p) => p.scenarios.length > 0);
  if (planned.length > 0) return { planned };
  const configured = config.targets.map((t) => `${t.name} (${t.role})`).join(', ');
  const picked = [selection.grep !== undefined ? `--grep "${selection.grep}"` : '', selection.role ? `--role ${selection.role}` : ''].filter(Boolean).join(' with ');
  let empty: string;
  if (catalogue.length === 0) empty = `${picked || 'the selection'} matches no scenario; "samlconf list" shows the catalogue`;
  else if (targets.length === 0) empty = `--role ${selection.role}: no configured target has role '${selection.role}' (targets: ${configured})`;
  else {
    const roles = [...new Set(catalogue.map((s) => s.role))].join(' and ');
    empty = `${picked || 'the selection'} matches only ${roles} scenarios, and no configured target has that role (targets: ${configured})`;
  }
  return { planned, empty };
}

export async function runCatalogue(o: RunCatalogueOptions): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const { planned } = await planRun(o.config, o.configDir, o.selection);
  const stateDir = stateDirOf(o.config, o.configDir);
  const workers = o.workers ?? o.config.workers ?? defaultWorkers();
  const timeoutMs = o.config.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS;
  const several = planned.length > 1;
  const tagged = (target: TargetConfig, r: ScenarioResult): ScenarioResult => (several ? { ...r, target: target.name } : r);

  // Start-up is mostly waiting (targets booting, metadata, the browser): do all of it at once.
  const ownBrowser = !o.browser && planned.length > 0;
  const browserReady = o.browser ? Promise.resolve(o.browser) : planned.length ? launchBrowser(o.config.browser ?? {}) : undefined;
  browserReady?.catch(() => undefined);
  // One context made ahead: deeper pools only competed with running flows for the CPU (measured).
  const poolReady = browserReady?.then((b) => new ContextPool(b, 1));
  poolReady?.catch(() => undefined);
  // Sessions only take contexts once scenarios run, after the browser is up.
  const takeContext = async () => (await poolReady!).take();
  const sessions = await Promise.all(
    planned.map(async ({ target }) => {
      try {
        return await openTargetSession(target, { config: o.config, stateDir, takeContext, onPeerReady: o.onPeerReady });
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    }),
  );

  const results: ScenarioResult[] = [];
  const runTargets: RunTarget[] = [];
  try {
    // A mock that cannot listen on its port is a configuration problem, not a target's: stop here.
    planned.forEach(({ target }, i) => {
      const busy = portInUse(o.config, target, sessions[i]);
      if (busy) throw busy;
    });
    planned.forEach(({ target }, i) => {
      const session = sessions[i];
      if (session instanceof Error) return;
      for (const message of oracleHostWarnings(target, session.target.metadata)) o.onWarning?.(target, message);
    });
    await browserReady; // a browser that cannot start is a usage error, before any scenario runs
    // One worker pool across every target: a slow target's waits leave room for the others.
    const runnable: ExpandedScenario[] = [];
    const sessionOf = new Map<ExpandedScenario, TargetSession>();
    planned.forEach(({ target, scenarios }, i) => {
      const session = sessions[i];
      runTargets.push({ name: target.name, role: target.role, metadata: target.metadata, ...(session instanceof Error ? {} : { entityId: session.target.facts.entityId }) });
      if (session instanceof Error) {
        o.onTargetError?.(target, session);
        for (const s of scenarios) {
          const r = tagged(target, unrunnable(s, `target '${target.name}' could not be prepared: ${session.message.split('\n')[0]}`));
          results.push(r);
          o.onScenarioEnd?.(r);
        }
        return;
      }
      for (const s of scenarios) {
        const own = { ...s }; // the same scenario may run against several targets
        sessionOf.set(own, session);
        runnable.push(own);
      }
    });
    const targetOf = (s: ExpandedScenario) => sessionOf.get(s)!.target.config;
    const done = await runScenarios({
      scenarios: runnable,
      facts: (s) => sessionOf.get(s)!.target.facts as TargetFacts,
      workers,
      timeoutMs,
      openScenario: (s, check, signal) => sessionOf.get(s)!.openScenario(s, check, signal),
      onScenarioEnd: (r, s) => o.onScenarioEnd?.(tagged(targetOf(s), r)),
    });
    // Targets that could not be prepared come first; then the rest in configured, then catalogue, order.
    results.push(...done.map((r, i) => tagged(targetOf(runnable[i]), r)));
  } finally {
    await Promise.all(sessions.map((s) => (s instanceof Error ? undefined : s.close().catch(() => undefined))));
    await (await poolReady?.catch(() => undefined))?.close();
    if (ownBrowser) await (await browserReady?.catch(() => undefined))?.close().catch(() => undefined);
  }

  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'samlconf', version: toolVersion() },
    targets: runTargets,
    startedAt,
    finishedAt: new Date().toISOString(),
    selection: o.selection && (o.selection.grep || o.selection.role) ? { ...o.selection } : undefined,
    summary: summarize(results),
    scenarios: results,
  };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * An SP sets its session cookie on the host its ACS is on: an oracle (or a login) on another host
 * never sees that session, so every login would look like a refusal. Warnings, not errors: a
 * domain cookie or a proxy may still make it work.
 */
export function oracleHostWarnings(target: TargetConfig, metadata: EntityMetadata): string[] {
  if (target.role !== 'sp') return [];
  const acsHosts = [...new Set((metadata.sp?.acsServices ?? []).map((e) => hostOf(e.location)).filter((h): h is string => !!h))];
  if (acsHosts.length === 0) return [];
  const warnings: string[] = [];
  for (const [setting, url] of [['oracle.whoami', target.oracle?.whoami], ['loginUrl', target.loginUrl]] as const) {
    const host = url ? hostOf(url) : undefined;
    if (!host || acsHosts.includes(host)) continue;
    warnings.push(
      `target '${target.name}': ${setting} ${url} is on host ${host}, but the AssertionConsumerService in its metadata is on ${acsHosts.join(', ')}. ` +
        `The SP sets its session cookie on its ACS host, so ${setting === 'loginUrl' ? 'a login started' : 'an oracle asking'} on ${host} will likely see nobody logged in; use the same host name.`,
    );
  }
  return warnings;
}

/** A ConfigError naming the setting and the port when a target's mock could not listen because the port is taken. */
export function portInUse(config: SamlconfConfig, target: TargetConfig, failure: unknown): ConfigError | undefined {
  if (!(failure instanceof Error) || (failure as NodeJS.ErrnoException).code !== 'EADDRINUSE') return undefined;
  // An SP target is played against by the mock IdP, an IdP target by the mock SP.
  const mock = target.role === 'sp' ? 'idp' : 'sp';
  const setting = mock === 'idp' ? 'peer.idpPort' : 'peer.spPort';
  const configured = mock === 'idp' ? config.peer?.idpPort : config.peer?.spPort;
  const port = (failure as { port?: number }).port ?? configured ?? STABLE_PEER_PORTS[mock];
  const why =
    configured !== undefined
      ? `${setting} is ${configured}`
      : `the mock ${mock === 'idp' ? 'IdP' : 'SP'} uses the fixed port ${STABLE_PEER_PORTS[mock]} for a target samlconf does not start, so the target's configuration stays valid; set ${setting} to choose another`;
  return new ConfigError([
    { path: setting, message: `port ${port} is already in use, so the mock ${mock === 'idp' ? 'IdP' : 'SP'} for target '${target.name}' cannot listen there (${why}). Stop what uses it or choose another port.` },
  ]);
}

function unrunnable(s: ExpandedScenario, reason: string): ScenarioResult {
  return {
    id: s.id,
    family: s.family.id,
    role: s.role,
    group: s.group,
    title: s.title,
    refs: s.refs,
    variant: Object.keys(s.variant).length ? s.variant : undefined,
    verdict: 'error',
    reason,
    durationMs: 0,
    startedAt: new Date().toISOString(),
    findings: [],
    evidence: [],
  };
}
