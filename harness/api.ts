// The programmatic entry point: run the catalogue against every configured target and return
// the canonical result. The CLI, the benchmark and the harness's own tests all go through here.
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright';
import { RESULT_SCHEMA_VERSION, summarize, type RunResult, type RunTarget, type ScenarioResult } from '../reports/schema.ts';
import { launchBrowser } from './browser.ts';
import { findScenarioFiles, loadCatalogue, type ExpandedScenario, type Selection } from './catalogue.ts';
import { toolVersion } from './cli.ts';
import { DEFAULT_SCENARIO_TIMEOUT_MS, type SamlconfConfig, type TargetConfig } from './config.ts';
import { runScenarios } from './runner.ts';
import type { TargetFacts } from './scenario.ts';
import { ContextPool } from './context-pool.ts';
import { openTargetSession, type PeerInfo, type TargetSession } from './session.ts';

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

export async function runCatalogue(o: RunCatalogueOptions): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const files = await findScenarioFiles(o.config.scenarios ?? [], o.configDir);
  const catalogue = await loadCatalogue(files, o.selection);
  const stateDir = stateDirOf(o.config, o.configDir);
  const workers = o.workers ?? o.config.workers ?? defaultWorkers();
  const timeoutMs = o.config.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS;

  const targets = o.config.targets.filter((t) => !o.selection?.role || t.role === o.selection.role);
  const planned = targets.map((t) => ({ target: t, scenarios: catalogue.filter((s) => s.role === t.role) })).filter((p) => p.scenarios.length > 0);
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
