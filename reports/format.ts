// Small pieces every report writer shares: verdict wording, grouping, the "why did it fail" line,
// durations, and cleaning of strings that came from a target. Pure functions over schema data.
import type { Finding, Role, RunResult, ScenarioResult, Verdict } from '../shared/result-model.ts';
import { VERDICTS } from '../shared/result-model.ts';

export const VERDICT_LABEL: Record<Verdict, string> = {
  pass: 'pass',
  fail: 'fail',
  warning: 'warning',
  'not-applicable': 'n/a',
  error: 'error',
  review: 'review',
};

export function isBad(verdict: Verdict): boolean {
  return verdict === 'fail' || verdict === 'error';
}

export interface ScenarioGroup {
  key: string;
  role: Role;
  group: string;
  /** Set only when the role was tested on several targets, so that each target gets its own groups. */
  target?: string;
  scenarios: ScenarioResult[];
}

function targetsPerRole(scenarios: readonly ScenarioResult[]): Map<Role, Set<string>> {
  const perRole = new Map<Role, Set<string>>();
  for (const s of scenarios) {
    const set = perRole.get(s.role) ?? new Set<string>();
    set.add(s.target ?? '');
    perRole.set(s.role, set);
  }
  return perRole;
}

/** True when some role has results from more than one target, so role+group alone is ambiguous. */
export function hasSeveralTargets(scenarios: readonly ScenarioResult[]): boolean {
  return [...targetsPerRole(scenarios).values()].some((set) => set.size > 1);
}

/**
 * Scenarios by role (IdP first) then group in order of first appearance; scenario order inside a
 * group is kept. A role tested on several targets gets one group per target. Deterministic for a
 * given result, whatever order the runner finished in.
 */
export function groupScenarios(scenarios: readonly ScenarioResult[]): ScenarioGroup[] {
  const perRole = targetsPerRole(scenarios);
  const groups = new Map<string, ScenarioGroup>();
  for (const s of scenarios) {
    const target = (perRole.get(s.role)?.size ?? 0) > 1 ? (s.target ?? '') : undefined;
    const key = [s.role, s.group, target ?? ''].join('\u0000');
    let g = groups.get(key);
    if (!g) {
      g = { key, role: s.role, group: s.group, scenarios: [] };
      if (target !== undefined) g.target = target;
      groups.set(key, g);
    }
    g.scenarios.push(s);
  }
  const roleRank = (r: Role) => (r === 'idp' ? 0 : 1);
  // Array.prototype.sort is stable, so first appearance decides among equal roles.
  return [...groups.values()].sort((a, b) => roleRank(a.role) - roleRank(b.role));
}

export function countVerdicts(scenarios: readonly ScenarioResult[]): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const s of scenarios) counts[s.verdict]++;
  return counts;
}

export function failedFindings(s: ScenarioResult): Finding[] {
  return s.findings.filter((f) => !f.ok);
}

/** The finding that explains a verdict: the first failed `must`, else the first failed check. */
export function decisiveFinding(s: ScenarioResult): Finding | undefined {
  const failed = failedFindings(s);
  return failed.find((f) => f.severity === 'must') ?? failed[0];
}

/** `audience-matches: expected X, observed Y (core-2.5.1.4)` on one line. */
export function describeFinding(f: Finding, max = 400): string {
  const req = f.requirement ? ` (${f.requirement})` : '';
  return oneLine(`${f.check}: expected ${f.expected}; observed ${f.observed}${req}`, max);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  const sec = Math.round((ms % 60_000) / 1000);
  return `${min} min ${sec} s`;
}

/** `2026-03-14 09:29:58 UTC`; the input unchanged when it is not a date. */
export function formatTimestamp(iso: string | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  return `${new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '')} UTC`;
}

export function runDurationMs(run: Pick<RunResult, 'startedAt' | 'finishedAt'>): number {
  const d = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  return Number.isFinite(d) ? d : NaN;
}

/**
 * Characters XML 1.0 does not allow at all (C0 controls except tab/newline/return, lone
 * surrogates, U+FFFE/U+FFFF). Also unwelcome in HTML and terminals.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function stripInvalidXmlChars(value: string): string {
  return value.replace(NOT_XML_CHAR, '');
}

/** C0 and C1 controls, DEL and lone surrogates: what a terminal could be steered with. */
const TERMINAL_UNSAFE = /[\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]/gu;

/** Collapse to one printable line, safe for a terminal and for table cells. */
export function oneLine(value: string, max = 400): string {
  const flat = value.replace(/\s+/g, ' ').replace(TERMINAL_UNSAFE, '').trim();
  return truncate(flat, max);
}

export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  return `${value.slice(0, Math.max(0, max - 1))}…`;
}

/** `binding=post, nameid=email`. */
export function describeVariant(variant: ScenarioResult['variant']): string {
  if (!variant) return '';
  return Object.entries(variant)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

/** Short name of an algorithm URI: `http://...#rsa-sha256` becomes `rsa-sha256`. */
export function shortAlgorithm(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const hash = uri.lastIndexOf('#');
  return hash >= 0 && hash < uri.length - 1 ? uri.slice(hash + 1) : uri;
}
