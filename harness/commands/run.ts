// `samlconf run`: the catalogue against the configured targets, live progress, reports, exit code.
import path from 'node:path';
import { readJsonReport } from '../../reports/json.ts';
import { createListReporter } from '../../reports/console.ts';
import { writeReports } from '../../reports/index.ts';
import type { RunResult } from '../../shared/result-model.ts';
import { planRun, runCatalogue } from '../api.ts';
import { EXIT_FAILED, EXIT_OK, UsageError, type ReporterName } from '../cli-contract.ts';
import { loadConfig } from '../config.ts';

export interface RunCommandOptions {
  config?: string;
  grep?: string;
  role?: 'idp' | 'sp';
  reporters: ReporterName[];
  out: string;
  workers?: number;
  baseline?: string;
}

async function readBaseline(file: string): Promise<RunResult> {
  try {
    return await readJsonReport(path.resolve(file));
  } catch (err) {
    // Missing, unreadable or not a results.json: the user named the wrong file.
    throw new UsageError(`--baseline: ${(err as Error).message}`);
  }
}

export async function runCommand(o: RunCommandOptions): Promise<number> {
  const { config, dir } = await loadConfig(o.config);
  const baseline = o.baseline ? await readBaseline(o.baseline) : undefined;
  const selection = { grep: o.grep, role: o.role };
  // "PASSED 0 scenarios" would let a CI job with a mistyped --grep pass forever.
  const plan = await planRun(config, dir, selection);
  if (plan.empty) throw new UsageError(`nothing to run: ${plan.empty}`);
  // Progress and the summary always go to the console; the other reporters write files as well.
  const live = createListReporter(process.stdout);
  const result = await runCatalogue({
    config,
    configDir: dir,
    selection,
    workers: o.workers,
    onScenarioEnd: (r) => live.onScenarioEnd(r),
    onTargetError: (t, err) => console.error(`samlconf: target '${t.name}' could not be prepared:\n${err.message}`),
    onWarning: (_t, message) => console.error(`samlconf: warning: ${message}`),
  });
  const outDir = path.resolve(o.out);
  const formats = o.reporters.filter((r): r is Exclude<ReporterName, 'list'> => r !== 'list');
  const written = formats.length ? await writeReports(result, outDir, formats, { baseline }) : [];
  live.onRunEnd(result, { written, baseline });
  return result.summary.failed ? EXIT_FAILED : EXIT_OK;
}
