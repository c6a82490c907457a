// summary.md: what a pull-request comment or a CI job summary should say. Totals, a table per
// role and group, then every failing or erroring scenario with expected vs observed. Anything a
// target said goes into code spans, so Markdown and HTML in it stay inert.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding, RunResult, ScenarioResult, Verdict } from '../shared/result-model.ts';
import type { RunDiff, VerdictChange } from './diff.ts';
import { describeDiff } from './diff.ts';
import {
  countVerdicts,
  decisiveFinding,
  describeVariant,
  failedFindings,
  formatDuration,
  formatTimestamp,
  groupScenarios,
  oneLine,
  runDurationMs,
  VERDICT_LABEL,
} from './format.ts';

export const MARKDOWN_REPORT_FILE = 'summary.md';

const ICON: Record<Verdict, string> = {
  pass: '✅',
  fail: '❌',
  warning: '⚠️',
  'not-applicable': '➖',
  error: '💥',
  review: '👀',
};

const COLUMNS: Verdict[] = ['pass', 'fail', 'warning', 'review', 'error', 'not-applicable'];

/** An inline code span that survives backticks and newlines in the value (not for table cells). */
function code(value: string, max = 300): string {
  const flat = oneLine(value, max);
  if (flat === '') return '` `';
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Plain text in Markdown: neutralise markup characters rather than interpret them. */
function plain(value: string, max = 300): string {
  return oneLine(value, max).replace(/[\\`*_{}[\]<>|#!~]/g, (c) => `\\${c}`).replace(/&/g, '&amp;');
}

function findingLines(f: Finding): string[] {
  const req = f.requirement ? ` — ${code(f.requirement, 80)}` : '';
  const lines = [`- **${f.severity.toUpperCase()}** ${code(f.check, 80)}${req}`];
  lines.push(`  - expected: ${code(f.expected)}`);
  lines.push(`  - observed: ${code(f.observed)}`);
  if (f.detail) lines.push(`  - detail: ${plain(f.detail)}`);
  return lines;
}

function scenarioSection(s: ScenarioResult): string[] {
  const out = [`### ${ICON[s.verdict]} ${plain(s.id, 200)}`, '', plain(s.title)];
  const meta: string[] = [`${VERDICT_LABEL[s.verdict]}`, `${s.role} / ${plain(s.group, 80)}`];
  if (s.target) meta.push(`target ${code(s.target, 80)}`);
  if (s.variant) meta.push(`variant ${code(describeVariant(s.variant), 120)}`);
  if (s.refs.length) meta.push(`refs ${s.refs.map((r) => code(r, 80)).join(', ')}`);
  out.push('', meta.join(' · '));
  if (s.reason) out.push('', `Reason: ${plain(s.reason, 500)}`);
  if (s.positiveControl) out.push('', `Positive control (${plain(s.positiveControl.inFlow ? "the scenario's own flow" : s.positiveControl.shape, 200)}): ${s.positiveControl.outcome} — ${plain(s.positiveControl.observed, 300)}`);
  const failed = failedFindings(s);
  if (failed.length) out.push('', ...failed.flatMap(findingLines));
  out.push('');
  return out;
}

function changeLine(c: VerdictChange): string {
  return `- ${code(c.id, 200)}: ${VERDICT_LABEL[c.before]} → **${VERDICT_LABEL[c.after]}**${c.reason ? ` — ${plain(c.reason, 200)}` : ''}`;
}

export interface MarkdownOptions {
  diff?: RunDiff;
}

export function renderMarkdown(result: RunResult, options: MarkdownOptions = {}): string {
  const counts = countVerdicts(result.scenarios);
  const failed = counts.fail + counts.error > 0;
  const out: string[] = [
    `# samlconf: ${failed ? 'FAILED' : 'PASSED'}`,
    '',
    `samlconf ${plain(result.tool.version, 40)} · started ${plain(formatTimestamp(result.startedAt), 40)} · took ${formatDuration(runDurationMs(result))}`,
    '',
  ];
  if (result.targets.length) {
    out.push('Targets:', '');
    for (const t of result.targets) {
      out.push(`- ${code(t.name, 80)} (${t.role})${t.entityId ? ` — ${code(t.entityId, 200)}` : ''}`);
    }
    out.push('');
  }
  out.push(
    `**${result.scenarios.length} scenarios:** ` +
      COLUMNS.map((v) => `${ICON[v]} ${counts[v]} ${VERDICT_LABEL[v]}`).join(' · '),
    '',
    `| role | group | ${COLUMNS.map((v) => VERDICT_LABEL[v]).join(' | ')} |`,
    `| --- | --- | ${COLUMNS.map(() => '---:').join(' | ')} |`,
  );
  for (const g of groupScenarios(result.scenarios)) {
    const c = countVerdicts(g.scenarios);
    const group = g.target !== undefined ? `${plain(g.group, 60)} (${plain(g.target, 60)})` : plain(g.group, 60);
    out.push(`| ${g.role} | ${group} | ${COLUMNS.map((v) => (c[v] ? String(c[v]) : '·')).join(' | ')} |`);
  }
  out.push('');

  const { diff } = options;
  if (diff) {
    out.push('## Compared with the baseline', '', describeDiff(diff), '');
    if (diff.regressions.length) out.push('Regressions:', '', ...diff.regressions.map(changeLine), '');
    if (diff.fixes.length) out.push('Fixes:', '', ...diff.fixes.map(changeLine), '');
  }

  const bad = result.scenarios.filter((s) => s.verdict === 'fail' || s.verdict === 'error');
  if (bad.length) {
    out.push('## Failures and errors', '');
    for (const s of bad) out.push(...scenarioSection(s));
  }
  const warnings = result.scenarios.filter((s) => s.verdict === 'warning' || s.verdict === 'review');
  if (warnings.length) {
    out.push('## Warnings and reviews', '');
    for (const s of warnings) {
      const f = s.verdict === 'warning' ? decisiveFinding(s) : undefined;
      const why = f ? `${code(f.check, 80)}: observed ${code(f.observed, 200)}, expected ${code(f.expected, 200)}` : plain(s.reason ?? '', 300);
      out.push(`- ${ICON[s.verdict]} ${code(s.id, 200)} — ${why}`);
    }
    out.push('');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

export async function writeMarkdownReport(result: RunResult, dir: string, options: MarkdownOptions = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, MARKDOWN_REPORT_FILE);
  await writeFile(file, renderMarkdown(result, options), 'utf8');
  return file;
}
