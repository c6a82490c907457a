// Part 2: the bundled scenario catalogue against the reference targets, through the harness's
// programmatic API (harness/api.ts runCatalogue), timed as a whole run, with peak memory of this
// process and of the browser.
//
// The harness is loaded lazily: while it (or something it imports) is missing or broken,
// benchBrowser returns { available: false } with the reason, and part 1 still runs.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Role, RunResult, ScenarioResult, Verdict } from '../shared/result-model.ts';
import { median, percentile } from './measure.ts';
import { startMemorySampler, type MemoryPeaks } from './memory.ts';

/** Scenarios per second the whole run should reach. */
export const BROWSER_AIM_SCENARIOS_PER_SECOND = 4;

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const HARNESS_API = new URL('../harness/api.ts', import.meta.url);
const HARNESS_CONFIG = new URL('../harness/config.ts', import.meta.url);

type HarnessApi = typeof import('../harness/api.ts');
type HarnessConfig = typeof import('../harness/config.ts');

export interface BrowserBenchOptions {
  /** samlconf config file; absent = a config in the repository root if any, else the built-in reference targets. */
  configFile?: string;
  grep?: string;
  role?: Role;
  workers?: number;
  log?: (line: string) => void;
}

export interface BrowserBenchFigures {
  available: true;
  /** runCatalogue from call to return: config, target start-up, browser launch, scenarios, shutdown. */
  wallSeconds: number;
  /** From the first scenario's start to the last one's end. */
  scenarioPhaseSeconds: number;
  scenarios: number;
  /**
   * Scenarios that ran a browser flow: all but those `applies` ruled out, which cost nothing. A
   * scenario found not applicable while running (a refused positive control) did run its flows.
   */
  executed: number;
  /** Executed scenarios per second of the whole run: the figure held to the aim. */
  executedPerSecond: number;
  /** Executed scenarios per second of the scenario phase only. */
  executedPerPhaseSecond: number;
  /** All scenarios, not-applicable included, per second of the whole run. */
  scenariosPerSecond: number;
  /** Over executed scenarios, from each result's durationMs. */
  medianScenarioMs: number;
  p95ScenarioMs: number;
  byVerdict: Partial<Record<Verdict, number>>;
  targetErrors: string[];
  /** The slowest executed scenarios, slowest first: where to look when the rate is low. */
  slowest: Array<{ id: string; ms: number; verdict: Verdict }>;
  /** The first few scenarios that ended in error, with their reasons: errors end early and flatter the rate. */
  errorSamples: string[];
  workers?: number;
  memory: MemoryPeaks;
  aim: number;
}

export type BrowserBenchResult = { available: false; reason: string } | BrowserBenchFigures;

async function loadHarness(): Promise<{ api: HarnessApi; config: HarnessConfig } | string> {
  for (const url of [HARNESS_API, HARNESS_CONFIG]) {
    if (!existsSync(fileURLToPath(url))) return `${fileURLToPath(url)} does not exist yet (the harness session has not landed it)`;
  }
  try {
    const api = (await import(HARNESS_API.href)) as HarnessApi;
    const config = (await import(HARNESS_CONFIG.href)) as HarnessConfig;
    if (typeof api.runCatalogue !== 'function') return 'harness/api.ts does not export runCatalogue yet';
    if (typeof config.loadConfig !== 'function') return 'harness/config.ts does not export loadConfig yet';
    return { api, config };
  } catch (err) {
    return `the harness failed to load: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** The span the scenarios themselves occupied, from their own timestamps. */
function scenarioPhaseSeconds(results: ScenarioResult[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const r of results) {
    const start = Date.parse(r.startedAt);
    if (!Number.isFinite(start)) continue;
    first = Math.min(first, start);
    last = Math.max(last, start + r.durationMs);
  }
  return last > first ? (last - first) / 1000 : Number.NaN;
}

export async function benchBrowser(options: BrowserBenchOptions = {}): Promise<BrowserBenchResult> {
  const log = options.log ?? (() => {});
  const harness = await loadHarness();
  if (typeof harness === 'string') return { available: false, reason: harness };

  const { config, dir } = await harness.config.loadConfig(options.configFile, { cwd: REPO_ROOT });
  log(`targets: ${config.targets.map((t) => `${t.name} (${t.role})`).join(', ')}`);
  const targetErrors: string[] = [];
  let finished = 0;
  const sampler = startMemorySampler();
  const start = performance.now();
  let run: RunResult;
  let memory: MemoryPeaks;
  try {
    run = await harness.api.runCatalogue({
      config,
      configDir: dir,
      selection: { grep: options.grep, role: options.role },
      workers: options.workers,
      onScenarioEnd: () => {
        finished++;
        if (finished % 25 === 0) log(`  ${finished} scenarios done`);
      },
      onTargetError: (target, err) => targetErrors.push(`${target.name}: ${err.message.split('\n')[0]}`),
    });
  } finally {
    // Stopped on failure too, so the interval never keeps the process alive.
    memory = sampler.stop();
  }
  const wallSeconds = (performance.now() - start) / 1000;

  const executed = run.scenarios.filter((s) => s.verdict !== 'not-applicable' || s.evidence.length > 0);
  const durations = Float64Array.from(executed.map((s) => s.durationMs)).sort();
  const byVerdict: Partial<Record<Verdict, number>> = {};
  for (const s of run.scenarios) byVerdict[s.verdict] = (byVerdict[s.verdict] ?? 0) + 1;
  const phase = scenarioPhaseSeconds(executed);
  return {
    available: true,
    wallSeconds,
    scenarioPhaseSeconds: phase,
    scenarios: run.scenarios.length,
    executed: executed.length,
    executedPerSecond: executed.length / wallSeconds,
    executedPerPhaseSecond: executed.length / phase,
    scenariosPerSecond: run.scenarios.length / wallSeconds,
    medianScenarioMs: median(durations),
    p95ScenarioMs: percentile(durations, 95),
    byVerdict,
    targetErrors,
    slowest: [...executed]
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, 5)
      .map((s) => ({ id: s.target ? `${s.target}/${s.id}` : s.id, ms: s.durationMs, verdict: s.verdict })),
    errorSamples: run.scenarios
      .filter((s) => s.verdict === 'error')
      .slice(0, 5)
      .map((s) => `${s.id}: ${(s.reason ?? '').split('\n')[0].slice(0, 160)}`),
    workers: options.workers,
    memory,
    aim: BROWSER_AIM_SCENARIOS_PER_SECOND,
  };
}
