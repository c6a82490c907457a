// `samlconf run`: the catalogue against the configured targets, live progress, reports, exit code.
import path from 'node:path';
import { readJsonReport } from '../../reports/json.ts';
import { createListReporter } from '../../reports/console.ts';
import { writeReports } from '../../reports/index.ts';
import { runCatalogue } from '../api.ts';
import { EXIT_FAILED, EXIT_OK, type ReporterName } from '../cli.ts';
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

export async function runCommand(o: RunCommandOptions): Promise<number> {
  const { config, dir } = await loadConfig(o.config);
  const baseline = o.baseline ? await readJsonReport(path.resolve(o.baseline)) : undefined;
  const live = o.reporters.includes('list') ? createListReporter(process.stdout) : undefined;
  const result = await runCatalogue({
    config,
    configDir: dir,
    selection: { grep: o.grep, role: o.role },
    workers: o.workers,
    onScenarioEnd: (r) => live?.onScenarioEnd(r),
    onTargetError: (t, err) => console.error(`samlconf: target '${t.name}' could not be prepared:\n${err.message}`),
  });
  const outDir = path.resolve(o.out);
  const formats = o.reporters.filter((r): r is Exclude<ReporterName, 'list'> => r !== 'list');
  const written = formats.length ? await writeReports(result, outDir, formats, { baseline }) : [];
  live?.onRunEnd(result, { written, baseline });
  if (!live) for (const file of written) console.log(file);
  return result.summary.failed ? EXIT_FAILED : EXIT_OK;
}
