// One call to write the reports a run asked for. results.json goes first: it is the source of
// truth, so if a later writer fails the canonical result is already on disk.
import type { RunResult } from '../shared/result-model.ts';
import type { RunDiff } from './diff.ts';
import { compareRuns } from './diff.ts';
import { JSON_REPORT_FILE, writeJsonReport } from './json.ts';
import { JUNIT_REPORT_FILE, writeJunitReport } from './junit.ts';
import { HTML_REPORT_FILE, writeHtmlReport } from './html.ts';
import { MARKDOWN_REPORT_FILE, writeMarkdownReport } from './markdown.ts';

export type ReportFormat = 'json' | 'junit' | 'html' | 'markdown';

export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'junit', 'html', 'markdown'];

export const REPORT_FILES: Record<ReportFormat, string> = {
  json: JSON_REPORT_FILE,
  junit: JUNIT_REPORT_FILE,
  html: HTML_REPORT_FILE,
  markdown: MARKDOWN_REPORT_FILE,
};

export interface WriteReportsOptions {
  /** A previous run (or its comparison with this one) to list regressions and fixes. */
  baseline?: RunResult;
  diff?: RunDiff;
}

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

/** Write each requested format into `dir` and return the paths written, in canonical order. */
export async function writeReports(
  result: RunResult,
  dir: string,
  formats: readonly ReportFormat[],
  options: WriteReportsOptions = {},
): Promise<string[]> {
  const unknown = formats.filter((f) => !isReportFormat(f));
  if (unknown.length) {
    throw new Error(`unknown report format ${unknown.map((f) => JSON.stringify(f)).join(', ')}; use ${REPORT_FORMATS.join(', ')}`);
  }
  const wanted = new Set(formats);
  const diff = options.diff ?? (options.baseline ? compareRuns(options.baseline, result) : undefined);
  const written: string[] = [];
  if (wanted.has('json')) written.push(await writeJsonReport(result, dir));
  if (wanted.has('junit')) written.push(await writeJunitReport(result, dir));
  if (wanted.has('html')) written.push(await writeHtmlReport(result, dir, { diff }));
  if (wanted.has('markdown')) written.push(await writeMarkdownReport(result, dir, { diff }));
  return written;
}

export { compareRuns, describeDiff } from './diff.ts';
export type { RunDiff, ScenarioRef, VerdictChange } from './diff.ts';
export { readJsonReport, parseJsonReport, ReportFormatError, stringifyRunResult } from './json.ts';
export { renderJunit } from './junit.ts';
export { renderHtml } from './html.ts';
export { renderMarkdown } from './markdown.ts';
export { createListReporter, summaryLine } from './console.ts';
export type { ListReporter, ListReporterOptions, ReporterStream, RunEndInfo } from './console.ts';
