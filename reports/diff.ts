// Baseline comparison: what changed between a previous results.json and this run, by scenario ID
// (and target, when a run tested several targets of one role). Regressions and fixes follow a simple ladder:
//   pass  <  warning, review  <  fail, error
// Anything that now fails or errors and did not before is a regression. `not-applicable` is off
// the ladder: a scenario that stops applying is a change, not a fix, because nothing was proven.
import type { Role, RunResult, ScenarioResult, Verdict } from '../shared/result-model.ts';
import { hasSeveralTargets, isBad } from './format.ts';

export interface ScenarioRef {
  id: string;
  title: string;
  role: Role;
  group: string;
  target?: string;
  verdict: Verdict;
}

export interface VerdictChange {
  id: string;
  title: string;
  role: Role;
  group: string;
  target?: string;
  before: Verdict;
  after: Verdict;
  /** Reason of the current result, when it has one. */
  reason?: string;
}

export interface RunDiff {
  /** Worse than in the baseline. */
  regressions: VerdictChange[];
  /** Better than in the baseline. */
  fixes: VerdictChange[];
  /** Verdict changed without getting better or worse (e.g. fail to error, pass to not-applicable). */
  changed: VerdictChange[];
  /** In this run, not in the baseline. */
  newScenarios: ScenarioRef[];
  /** In the baseline, not in this run (removed, renamed or deselected). */
  removed: ScenarioRef[];
}

const RANK: Partial<Record<Verdict, number>> = { pass: 0, warning: 1, review: 1, fail: 2, error: 2 };

/** ID alone, unless a run holds several targets of one role: renaming a lone target keeps the diff. */
function keyFunction(baseline: RunResult, current: RunResult): (s: ScenarioResult) => string {
  const byTarget = hasSeveralTargets(baseline.scenarios) || hasSeveralTargets(current.scenarios);
  return byTarget ? (s) => `${s.target ?? ''}\u0000${s.id}` : (s) => s.id;
}

function ref(s: ScenarioResult): ScenarioRef {
  const r: ScenarioRef = { id: s.id, title: s.title, role: s.role, group: s.group, verdict: s.verdict };
  if (s.target) r.target = s.target;
  return r;
}

function change(before: ScenarioResult, after: ScenarioResult): VerdictChange {
  const c: VerdictChange = {
    id: after.id,
    title: after.title,
    role: after.role,
    group: after.group,
    before: before.verdict,
    after: after.verdict,
  };
  if (after.target) c.target = after.target;
  if (after.reason) c.reason = after.reason;
  return c;
}

export function classifyChange(before: Verdict, after: Verdict): 'same' | 'regression' | 'fix' | 'changed' {
  if (before === after) return 'same';
  if (isBad(after) && !isBad(before)) return 'regression';
  const b = RANK[before];
  const a = RANK[after];
  if (a === undefined || b === undefined) return 'changed';
  if (a > b) return 'regression';
  if (a < b) return 'fix';
  return 'changed';
}

export function compareRuns(baseline: RunResult, current: RunResult): RunDiff {
  const keyOf = keyFunction(baseline, current);
  const before = new Map(baseline.scenarios.map((s) => [keyOf(s), s]));
  const seen = new Set<string>();
  const diff: RunDiff = { regressions: [], fixes: [], changed: [], newScenarios: [], removed: [] };
  for (const s of current.scenarios) {
    const key = keyOf(s);
    seen.add(key);
    const old = before.get(key);
    if (!old) {
      diff.newScenarios.push(ref(s));
      continue;
    }
    const kind = classifyChange(old.verdict, s.verdict);
    if (kind === 'regression') diff.regressions.push(change(old, s));
    else if (kind === 'fix') diff.fixes.push(change(old, s));
    else if (kind === 'changed') diff.changed.push(change(old, s));
  }
  for (const s of baseline.scenarios) if (!seen.has(keyOf(s))) diff.removed.push(ref(s));
  return diff;
}

/** `2 regressions, 1 fix, 3 new, 0 removed`. */
export function describeDiff(diff: RunDiff): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts = [
    n(diff.regressions.length, 'regression', 'regressions'),
    n(diff.fixes.length, 'fix', 'fixes'),
    `${diff.newScenarios.length} new`,
    `${diff.removed.length} removed`,
  ];
  if (diff.changed.length) parts.push(`${diff.changed.length} otherwise changed`);
  return parts.join(', ');
}
