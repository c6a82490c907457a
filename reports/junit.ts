// junit.xml for CI dashboards: one <testsuite> per role+group, one <testcase> per scenario.
// fail -> <failure>, error -> <error>, not-applicable -> <skipped>; warning and review pass with
// notes in <system-out>, because CI should go red only on what the exit code goes red on.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding, RunResult, ScenarioResult } from '../shared/result-model.ts';
import {
  countVerdicts,
  decisiveFinding,
  describeFinding,
  describeVariant,
  failedFindings,
  groupScenarios,
  runDurationMs,
  stripInvalidXmlChars,
} from './format.ts';

export const JUNIT_REPORT_FILE = 'junit.xml';

/** Text content: the three characters that matter, after dropping what XML 1.0 cannot hold. */
function xmlText(value: string): string {
  return stripInvalidXmlChars(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute value: also quotes, and whitespace as references so attribute normalisation keeps it. */
function xmlAttr(value: string | number): string {
  return xmlText(String(value))
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(v as string | number)}"`)
    .join('');
}

const seconds = (ms: number) => (Number.isFinite(ms) && ms >= 0 ? (ms / 1000).toFixed(3) : '0.000');

/** Keep CI logs readable: a wrapped 5 MB response does not belong in a failure message. */
const MAX_BODY_XML = 20_000;

function findingBlock(f: Finding): string {
  const lines = [
    `[${f.severity}] ${f.check}${f.requirement ? ` (${f.requirement})` : ''}`,
    `  expected: ${f.expected}`,
    `  observed: ${f.observed}`,
  ];
  if (f.detail) lines.push(`  detail: ${f.detail}`);
  if (f.xml) {
    const xml = f.xml.length > MAX_BODY_XML ? `${f.xml.slice(0, MAX_BODY_XML)}\n  [truncated: ${f.xml.length} characters in results.json]` : f.xml;
    lines.push('  offending XML:', xml);
  }
  return lines.join('\n');
}

function context(s: ScenarioResult): string[] {
  const lines = [`${s.title}`];
  if (s.refs.length) lines.push(`refs: ${s.refs.join(', ')}`);
  if (s.variant) lines.push(`variant: ${describeVariant(s.variant)}`);
  if (s.target) lines.push(`target: ${s.target}`);
  if (s.reason) lines.push(`reason: ${s.reason}`);
  if (s.finalUrl) lines.push(`final URL: ${s.finalUrl}`);
  return lines;
}

function testcase(s: ScenarioResult, classname: string): string {
  const open = `    <testcase${attrs({ classname, name: s.id, time: seconds(s.durationMs) })}`;
  const failed = failedFindings(s);
  switch (s.verdict) {
    case 'pass':
      return `${open}/>`;
    case 'fail': {
      const f = decisiveFinding(s);
      const message = f ? describeFinding(f, 1000) : (s.reason ?? 'failed');
      const body = [...context(s), '', ...failed.map(findingBlock)].join('\n');
      return `${open}>\n      <failure${attrs({ message, type: f?.requirement ?? f?.check ?? 'fail' })}>${xmlText(body)}</failure>\n    </testcase>`;
    }
    case 'error': {
      const message = s.reason ?? 'the harness or the target broke; nothing was proven';
      const body = [...context(s), ...(failed.length ? ['', ...failed.map(findingBlock)] : [])].join('\n');
      return `${open}>\n      <error${attrs({ message, type: 'error' })}>${xmlText(body)}</error>\n    </testcase>`;
    }
    case 'not-applicable':
      return `${open}>\n      <skipped${attrs({ message: s.reason ?? 'not applicable to this target' })}/>\n    </testcase>`;
    case 'warning':
    case 'review': {
      const notes =
        s.verdict === 'warning'
          ? failed.map((f) => `WARNING ${findingBlock(f)}`)
          : failed.map((f) => `REVIEW ${findingBlock(f)}`);
      const head = `${s.verdict.toUpperCase()}: ${s.reason ?? (s.verdict === 'review' ? 'a person must look at the evidence' : 'a recommendation is not met')}`;
      const body = [head, ...context(s).slice(1), '', ...notes].join('\n');
      return `${open}>\n      <system-out>${xmlText(body)}</system-out>\n    </testcase>`;
    }
  }
}

export function renderJunit(result: RunResult): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = countVerdicts(result.scenarios);
  out.push(
    `<testsuites${attrs({
      name: 'samlconf',
      tests: result.scenarios.length,
      failures: all.fail,
      errors: all.error,
      skipped: all['not-applicable'],
      time: seconds(runDurationMs(result)),
      timestamp: result.startedAt,
    })}>`,
  );
  for (const g of groupScenarios(result.scenarios)) {
    const classname = `samlconf.${g.role}.${g.group}`;
    const counts = countVerdicts(g.scenarios);
    const time = g.scenarios.reduce((t, s) => t + (Number.isFinite(s.durationMs) ? s.durationMs : 0), 0);
    out.push(
      `  <testsuite${attrs({
        name: g.target !== undefined ? `${classname} [${g.target}]` : classname,
        tests: g.scenarios.length,
        failures: counts.fail,
        errors: counts.error,
        skipped: counts['not-applicable'],
        time: seconds(time),
        timestamp: g.scenarios[0]?.startedAt,
      })}>`,
    );
    const targets = g.target !== undefined ? result.targets.filter((t) => t.name === g.target) : result.targets.filter((t) => t.role === g.role);
    if (targets.length) {
      out.push('    <properties>');
      for (const t of targets) out.push(`      <property${attrs({ name: 'target', value: `${t.name}${t.entityId ? ` (${t.entityId})` : ''}` })}/>`);
      out.push('    </properties>');
    }
    for (const s of g.scenarios) out.push(testcase(s, classname));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

export async function writeJunitReport(result: RunResult, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, JUNIT_REPORT_FILE);
  await writeFile(file, renderJunit(result), 'utf8');
  return file;
}
