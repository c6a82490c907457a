// Pinned verdicts of a target: targets/<name>/expected.json maps each scenario ID to
// { verdict, reason? } — every verdict other than pass carries a one-line reason (a finding about
// the stack, or the samlconf bug that causes it). Used by test/targets/debian-stacks.test.ts, and
// by `node --import tsx targets/lib/expected.ts pin RESULTS.json` to re-pin from a run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult, Verdict } from '../../shared/result-model.ts';

export interface PinnedVerdict {
  verdict: Verdict;
  /** Why, for anything but pass. */
  reason?: string;
}
export type Expected = Record<string, PinnedVerdict>;

const TARGETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Reason given to a newly pinned non-pass verdict, until someone diagnoses it. */
export const UNDIAGNOSED = 'UNDIAGNOSED';

export function expectedFile(target: string): string {
  return path.join(TARGETS_DIR, target, 'expected.json');
}

export function readExpected(target: string): Expected {
  const file = expectedFile(target);
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Expected;
}

/**
 * Whether a scenario result is about `target`. A result names its target only when the run tested
 * several of one role (reports/SCHEMA.md); otherwise it belongs to the run's one target of its role.
 */
export function isAbout(result: RunResult, scenario: RunResult['scenarios'][number], target: string): boolean {
  if (scenario.target !== undefined) return scenario.target === target;
  const t = result.targets.find((x) => x.name === target);
  return t !== undefined && scenario.role === t.role && result.targets.filter((x) => x.role === t.role).length === 1;
}

/** Verdicts of one target in a run, by scenario ID. */
export function verdictsOf(result: RunResult, target: string): Record<string, Verdict> {
  const out: Record<string, Verdict> = {};
  for (const s of result.scenarios) if (isAbout(result, s, target)) out[s.id] = s.verdict;
  return out;
}

/**
 * The run's verdicts for `target` as an expected.json: a verdict that did not change keeps its
 * reason; a new non-pass verdict gets "UNDIAGNOSED: <what the harness said>" to be replaced by a
 * diagnosis.
 */
export function repin(result: RunResult, target: string, previous: Expected): Expected {
  const out: Expected = {};
  const scenarios = result.scenarios.filter((s) => isAbout(result, s, target)).sort((a, b) => a.id.localeCompare(b.id));
  for (const s of scenarios) {
    const before = previous[s.id];
    if (s.verdict === 'pass') out[s.id] = { verdict: 'pass' };
    else if (before && before.verdict === s.verdict && before.reason) out[s.id] = { verdict: s.verdict, reason: before.reason };
    else out[s.id] = { verdict: s.verdict, reason: `${UNDIAGNOSED}: ${(s.reason ?? '').replace(/\s+/g, ' ').slice(0, 240)}` };
  }
  return out;
}

export function writeExpected(target: string, expected: Expected): void {
  fs.writeFileSync(expectedFile(target), `${JSON.stringify(expected, null, 2)}\n`);
}

// CLI: node --import tsx targets/lib/expected.ts pin RESULTS.json [TARGET...]
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, resultsFile, ...names] = process.argv.slice(2);
  if (command !== 'pin' || !resultsFile) {
    console.error('usage: node --import tsx targets/lib/expected.ts pin RESULTS.json [TARGET...]');
    process.exit(2);
  }
  const result = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as RunResult;
  const targets = names.length > 0 ? names : result.targets.map((t) => t.name);
  for (const target of targets) {
    const next = repin(result, target, readExpected(target));
    writeExpected(target, next);
    const undiagnosed = Object.entries(next).filter(([, v]) => v.reason?.startsWith(UNDIAGNOSED)).map(([id]) => id);
    console.log(`${expectedFile(target)}: ${Object.keys(next).length} verdicts${undiagnosed.length ? `; to diagnose: ${undiagnosed.join(', ')}` : ''}`);
  }
}
