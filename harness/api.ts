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
import { openTargetSession, type PeerInfo } from './session.ts';

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

/** Flows wait on the network more than on the CPU, so a few more workers than cores pay off. */
export function defaultWorkers(): number {
  return Math.max(2, os.availableParallelism() * 2);
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

  let browser = o.browser;
  const ownBrowser = !browser && planned.length > 0;
  if (ownBrowser) browser = await launchBrowser(o.config.browser ?? {});

  const results: ScenarioResult[] = [];
  const runTargets: RunTarget[] = [];
  try {
    for (const { target, scenarios } of planned) {
      const prefixed = (r: ScenarioResult): ScenarioResult => (planned.length > 1 ? { ...r, target: target.name } : r);
      let session;
      try {
        session = await openTargetSession(target, { config: o.config, stateDir, browser: browser!, onPeerReady: o.onPeerReady });
      } catch (err) {
        o.onTargetError?.(target, err as Error);
        runTargets.push({ name: target.name, role: target.role, metadata: target.metadata });
        for (const s of scenarios) {
          const r = prefixed(unrunnable(s, `target '${target.name}' could not be prepared: ${(err as Error).message.split('\n')[0]}`));
          results.push(r);
          o.onScenarioEnd?.(r);
        }
        continue;
      }
      try {
        runTargets.push({ name: target.name, role: target.role, metadata: target.metadata, entityId: session.target.facts.entityId });
        const done = await runScenarios({
          scenarios,
          facts: session.target.facts as TargetFacts,
          workers,
          timeoutMs,
          openScenario: (s, check, signal) => session.openScenario(s, check, signal),
          onScenarioEnd: (r) => o.onScenarioEnd?.(prefixed(r)),
        });
        results.push(...done.map(prefixed));
      } finally {
        await session.close();
      }
    }
  } finally {
    if (ownBrowser) await browser!.close().catch(() => undefined);
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
