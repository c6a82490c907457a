// The live "list" reporter: one line per finished scenario, then a summary. Colour only on a TTY
// with NO_COLOR unset. Reasons can quote what a target sent, so every line is cleaned of control
// characters before it reaches the terminal (no escape sequences from a hostile target).
import type { RunResult, ScenarioResult, Verdict } from '../shared/result-model.ts';
import type { RunDiff, VerdictChange } from './diff.ts';
import { compareRuns, describeDiff } from './diff.ts';
import { countVerdicts, decisiveFinding, formatDuration, oneLine, runDurationMs } from './format.ts';

export interface ReporterStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ListReporterOptions {
  /** Force colour on or off; by default: stream is a TTY and NO_COLOR is unset or empty. */
  color?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface RunEndInfo {
  /** Paths of the reports that were written (what writeReports returned). */
  written?: string[];
  /** The baseline run, when one was given; compared here unless `diff` is passed. */
  baseline?: RunResult;
  /** Comparison with the baseline, when already computed. */
  diff?: RunDiff;
}

export interface ListReporter {
  onScenarioEnd(result: ScenarioResult): void;
  onRunEnd(run: RunResult, info?: RunEndInfo): void;
}

const SYMBOL: Record<Verdict, string> = {
  pass: '✓',
  fail: '✗',
  warning: '!',
  'not-applicable': '-',
  error: '‼',
  review: '?',
};

const WORD: Record<Verdict, string> = {
  pass: 'pass',
  fail: 'FAIL',
  warning: 'warn',
  'not-applicable': 'n/a',
  error: 'ERROR',
  review: 'review',
};

// SGR codes: green, red, yellow, magenta, blue, grey.
const COLOR: Record<Verdict, number> = { pass: 32, fail: 31, warning: 33, error: 35, review: 34, 'not-applicable': 90 };

export function colorEnabled(stream: ReporterStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** `12 passed, 2 failed, 1 warning, 3 not applicable, 0 errors` (plus reviews when there are any). */
export function summaryLine(counts: Record<Verdict, number>): string {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const parts = [`${counts.pass} passed`, `${counts.fail} failed`, plural(counts.warning, 'warning', 'warnings')];
  if (counts.review) parts.push(`${counts.review} to review`);
  parts.push(`${counts['not-applicable']} not applicable`, plural(counts.error, 'error', 'errors'));
  return parts.join(', ');
}

/** Observed first: in a short line, what the target did matters more than what we wanted. */
function explain(s: ScenarioResult): string {
  const f = s.verdict === 'fail' || s.verdict === 'warning' ? decisiveFinding(s) : undefined;
  if (!f) return s.reason ?? '';
  return `${f.check}${f.requirement ? ` (${f.requirement})` : ''}: observed ${f.observed}; expected ${f.expected}`;
}

export function createListReporter(stream: ReporterStream, options: ListReporterOptions = {}): ListReporter {
  const color = options.color ?? colorEnabled(stream, options.env);
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const dim = (text: string) => paint(2, text);
  const bold = (text: string) => paint(1, text);
  const line = (text: string) => stream.write(`${text}\n`);
  // A terminal has a width; a CI log does not, but very long lines still read badly there.
  const width = () => (stream.isTTY && stream.columns && stream.columns > 40 ? stream.columns : 200);

  const changeLine = (c: VerdictChange) =>
    `    ${oneLine(c.id, 160)}${c.target ? ` [${oneLine(c.target, 40)}]` : ''}: ${WORD[c.before]} → ${paint(COLOR[c.after], WORD[c.after])}`;

  return {
    onScenarioEnd(s) {
      const mark = paint(COLOR[s.verdict], `${SYMBOL[s.verdict]} ${WORD[s.verdict].padEnd(6)}`);
      const target = s.target ? ` [${oneLine(s.target, 40)}]` : '';
      const head = `  ${mark} ${oneLine(s.id, 160)}${target} ${dim(`(${formatDuration(s.durationMs)})`)}`;
      const why = s.verdict === 'pass' ? '' : explain(s);
      if (!why) return void line(head);
      // Fit the reason on the same line; the full story is in the reports.
      const visible = head.replace(/\u001b\[[0-9;]*m/g, '').length;
      const room = Math.max(40, width() - visible - 3);
      line(`${head} ${dim('—')} ${oneLine(why, room)}`);
    },

    onRunEnd(run, info = {}) {
      const counts = countVerdicts(run.scenarios);
      const bad = counts.fail + counts.error > 0;
      const status = bad ? paint(31, bold('FAILED')) : paint(32, bold('PASSED'));
      line('');
      line(`${status}  ${summaryLine(counts)} ${dim(`(${run.scenarios.length} scenarios in ${formatDuration(runDurationMs(run))})`)}`);
      const diff = info.diff ?? (info.baseline ? compareRuns(info.baseline, run) : undefined);
      if (diff) {
        line(`Compared with baseline: ${describeDiff(diff)}`);
        if (diff.regressions.length) {
          line(paint(31, '  Regressions:'));
          for (const c of diff.regressions) line(changeLine(c));
        }
        if (diff.fixes.length) {
          line(paint(32, '  Fixes:'));
          for (const c of diff.fixes) line(changeLine(c));
        }
      }
      if (info.written?.length) {
        line('Reports:');
        for (const p of info.written) line(`  ${p}`);
      }
    },
  };
}
