// Shared by the tests that run a config's whole catalogue against bundled reference targets and
// compare the verdicts with targets/<name>/expected.json (the default run's, debian-stacks, js-stacks). Not a test
// file itself. With SAMLCONF_PIN=1 the caller re-pins instead of comparing.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { parseJsonReport } from '../../reports/json.ts';
import type { RunResult } from '../../shared/result-model.ts';
import { isAbout, readExpected, repin, verdictsOf, writeExpected, type Expected } from '../../targets/lib/expected.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/samlconf.js');
export const PIN = process.env.SAMLCONF_PIN === '1';

/**
 * `samlconf run --config <config>` from `work` (reports in <work>/report); expects exit 0 or 1
 * (reference stacks have real failures) and exactly `targets` in the result.
 */
export function runConfig(config: string, targets: readonly string[], work: string, timeoutMs: number): { result: RunResult; seconds: number } {
  const out = path.join(work, 'report');
  const started = Date.now();
  const r = spawnSync(process.execPath, [BIN, 'run', '--config', config, '--out', out, '--reporter', 'list,json'], {
    cwd: work,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const seconds = (Date.now() - started) / 1000;
  expect([0, 1], `exit ${r.status} after ${seconds.toFixed(0)} s\n${r.stdout}\n${r.stderr}`).toContain(r.status);
  const result = parseJsonReport(readFileSync(path.join(out, 'results.json'), 'utf8'));
  expect(result.targets.map((t) => t.name).sort()).toEqual([...targets].sort());
  return { result, seconds };
}

/** Rewrites targets/<name>/expected.json from the run (reasons of unchanged verdicts kept). */
export function pinAll(result: RunResult, targets: readonly string[]): void {
  for (const target of targets) writeExpected(target, repin(result, target, readExpected(target)));
}

/**
 * Every difference between the run and the pinned verdicts, with what the harness said, plus every
 * pinned non-pass verdict that lacks a reason. Empty when the run matches.
 */
export function differencesFromPinned(result: RunResult, targets: readonly string[]): string[] {
  const problems: string[] = [];
  for (const target of targets) {
    const expected: Expected = readExpected(target);
    const got = verdictsOf(result, target);
    // A run that reached no verdict for the target proves nothing, whatever is pinned.
    if (Object.keys(got).length === 0) problems.push(`[${target}] the run has no verdicts for this target`);
    const ids = [...new Set([...Object.keys(expected), ...Object.keys(got)])].sort();
    for (const id of ids) {
      if (expected[id]?.verdict === got[id]) continue;
      const s = result.scenarios.find((x) => isAbout(result, x, target) && x.id === id);
      const lines = [`[${target}] ${id}: expected ${expected[id]?.verdict ?? '(not pinned)'}, got ${got[id] ?? '(not run)'}${s?.reason ? ` (${s.reason.slice(0, 300)})` : ''}`];
      if (expected[id]?.reason) lines.push(`    pinned because: ${expected[id]!.reason}`);
      for (const f of s?.findings ?? []) if (!f.ok) lines.push(`    FAILED ${f.check}: ${f.observed.slice(0, 400)}`);
      for (const e of s?.evidence ?? []) if (e.note) lines.push(`    ${e.direction} ${e.kind}: ${e.note.slice(0, 300)}`);
      problems.push(lines.join('\n'));
    }
    for (const [id, pinned] of Object.entries(expected)) {
      if (pinned.verdict !== 'pass' && !pinned.reason) problems.push(`[${target}] ${id}: pinned ${pinned.verdict} without a reason`);
    }
  }
  return problems;
}

export function expectPinnedVerdicts(result: RunResult, targets: readonly string[]): void {
  const problems = differencesFromPinned(result, targets);
  expect(problems, `${problems.length} verdicts differ from targets/<name>/expected.json (re-pin with SAMLCONF_PIN=1 if the change is right):\n${problems.join('\n')}`).toEqual([]);
}
