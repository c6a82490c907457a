// The detection matrix (docs/architecture.md, "The detection matrix"): every negative scenario
// fails against a target that has exactly the weakness it probes, and passes against a correct
// target and against targets weakened in other ways; the positive scenarios pass against a
// correct target. The targets are the mocks in target mode, driven through runCatalogue like any
// real target. Each cell checks the verdict AND the finding that decided it, so a cell cannot
// pass for the wrong reason (a flow that broke, a different check that failed).
//
// Rows are data; each topic's test file declares its own and calls defineDetectionMatrix, so the
// matrix grows without every topic editing one file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../harness/browser.ts';
import type { MockIdpWeaknesses } from '../../mock-idp/index.ts';
import { WEAKNESS_NAMES, type SpWeaknesses } from '../../mock-sp/index.ts';
import type { ScenarioResult, Verdict } from '../../shared/result-model.ts';
import {
  createTargetKeys,
  runAgainstIdpTarget,
  runAgainstSpTarget,
  type IdpTargetOptions,
  type RunEnvironment,
  type SpTargetOptions,
} from './targets.ts';

export type Role = 'sp' | 'idp';

/** The finding that must decide a cell: its check name and requirement. */
interface Decisive {
  check: string;
  requirement: string;
}

export interface NegativeRow extends Decisive {
  role: Role;
  scenario: string;
  /** The target weakness (a mock-sp or mock-idp weakness switch) it must detect. */
  weakness: keyof SpWeaknesses | keyof MockIdpWeaknesses;
  /** 'warning' when the scenario's check is should-level. */
  expectWeak: 'fail' | 'warning';
  /** Text the failing finding's observation must contain: proof the weakness was exploited. */
  exploited: string;
  /** Text the passing finding's observation must contain on targets without the weakness. */
  refused: string;
}

export interface PositiveRow extends Decisive {
  role: Role;
  scenario: string;
  /** Name of the (correct) target configuration it runs on: `sp-strict`, `idp-strict` or one of `correctTargets`. */
  target: string;
  /**
   * 'not-applicable': the scenario found it could not reach what it probes on this target (e.g. its
   * positive control was refused); `observed` is then text the verdict's reason must contain, and
   * no check may have failed.
   */
  expect: Extract<Verdict, 'pass' | 'warning' | 'not-applicable'>;
  /** Text the decisive finding's observation must contain (the reason's, for 'not-applicable'). */
  observed: string;
  why?: string;
}

/** A correct target configured otherwise than the defaults, for positive rows. */
export interface CorrectTarget {
  name: string;
  role: Role;
  sp?: SpTargetOptions;
  idp?: IdpTargetOptions;
}

export interface DetectionMatrix {
  negatives: NegativeRow[];
  positives: PositiveRow[];
  correctTargets?: CorrectTarget[];
  /**
   * The file's own correct configuration: the strict target runs with it, and every weakened
   * target starts from it (its weaknesses, if any, merged under the one switched on). Correct
   * targets are configured in full by their own entry and do not get it.
   */
  baseline?: { sp?: SpTargetOptions; idp?: IdpTargetOptions };
}

/** One target configuration = one mock started in target mode = one runCatalogue. */
interface TargetRow {
  name: string;
  role: Role;
  /** The one weakness switched on; none for a correct target. */
  weakness?: NegativeRow['weakness'];
  sp?: SpTargetOptions;
  idp?: IdpTargetOptions;
  /** Whether every negative row of its role runs here (the correct and the weakened targets). */
  negatives: boolean;
}

interface Cell extends Decisive {
  target: TargetRow;
  scenario: string;
  expected: Verdict;
  /** Text the decisive finding's observation must contain. */
  observed: string;
  /** The cell shows the harness completing a login on this target (a weakness exploited, or a positive flow). */
  provesLogin: boolean;
  why?: string;
}

/** The file's baseline for a role, with `weakness` (if any) switched on over the baseline's own. */
function baselineWith(m: DetectionMatrix, role: Role, weakness?: NegativeRow['weakness']): Pick<TargetRow, 'sp' | 'idp'> {
  const base: SpTargetOptions | IdpTargetOptions | undefined = role === 'sp' ? m.baseline?.sp : m.baseline?.idp;
  if (!base && !weakness) return {};
  const options = { ...base, ...(weakness ? { weaknesses: { ...base?.weaknesses, [weakness]: true } } : {}) };
  return role === 'sp' ? { sp: options as SpTargetOptions } : { idp: options as IdpTargetOptions };
}

function targetsOf(m: DetectionMatrix): TargetRow[] {
  const rows: TargetRow[] = [];
  for (const role of ['sp', 'idp'] as const) {
    const negatives = m.negatives.filter((r) => r.role === role);
    const strictUsed = negatives.length > 0 || m.positives.some((p) => p.target === `${role}-strict`);
    if (strictUsed) rows.push({ name: `${role}-strict`, role, ...baselineWith(m, role), negatives: negatives.length > 0 });
    for (const w of new Set(negatives.map((r) => r.weakness))) {
      rows.push({ name: `${role}-weak-${w}`, role, weakness: w, ...baselineWith(m, role, w), negatives: true });
    }
    for (const t of (m.correctTargets ?? []).filter((t) => t.role === role)) rows.push({ ...t, negatives: false });
  }
  return rows;
}

function cellsFor(target: TargetRow, m: DetectionMatrix): Cell[] {
  const negatives = target.negatives
    ? m.negatives
        .filter((r) => r.role === target.role)
        .map((r): Cell => {
          const own = r.weakness === target.weakness;
          return { target, scenario: r.scenario, check: r.check, requirement: r.requirement, expected: own ? r.expectWeak : 'pass', observed: own ? r.exploited : r.refused, provesLogin: own };
        })
    : [];
  const positives = m.positives
    .filter((p) => p.target === target.name)
    .map((p): Cell => ({ target, scenario: p.scenario, check: p.check, requirement: p.requirement, expected: p.expect, observed: p.observed, provesLogin: p.expect === 'pass', why: p.why }));
  return [...negatives, ...positives];
}

function summarize(r: ScenarioResult | undefined): string {
  if (!r) return '(no result)';
  const findings = r.findings.map((f) => `  ${f.ok ? 'ok  ' : 'FAIL'} ${f.severity} ${f.check} [${f.requirement ?? '-'}]: ${f.observed}`).join('\n');
  return `${r.id}: ${r.verdict}${r.reason ? ` (${r.reason})` : ''}\n${findings}`;
}

function assertCell(cell: Cell, r: ScenarioResult | undefined): void {
  const detail = `${cell.target.name} / ${cell.scenario}\n${summarize(r)}`;
  expect(r, detail).toBeDefined();
  expect(r!.verdict, detail).toBe(cell.expected);
  if (cell.expected === 'not-applicable') {
    expect(r!.reason ?? '', detail).toContain(cell.observed);
    expect(r!.findings.filter((f) => !f.ok), detail).toEqual([]);
    return;
  }
  const decisive = r!.findings.filter((f) => f.check === cell.check);
  expect(decisive.length, `${detail}\nno finding named ${cell.check}`).toBeGreaterThan(0);
  for (const f of decisive) expect(f.requirement, detail).toBe(cell.requirement);
  if (cell.expected === 'pass') {
    expect(decisive.every((f) => f.ok), detail).toBe(true);
    // A pass that rests on a refusal is proof only with a positive control that got through.
    if (decisive.some((f) => f.refusal)) expect(r!.positiveControl?.outcome, `${detail}\na refusal passed without a succeeded positive control`).toBe('succeeded');
    expect(r!.findings.filter((f) => !f.ok && (f.severity === 'must' || f.severity === 'should')), detail).toEqual([]);
    expect(decisive.some((f) => f.observed.includes(cell.observed)), `${detail}\nexpected an observation containing "${cell.observed}"`).toBe(true);
    return;
  }
  // Failing cells: the verdict's reason is the first failed check of the verdict's severity, and it must be ours.
  const severity = cell.expected === 'fail' ? 'must' : 'should';
  const failed = decisive.find((f) => !f.ok && f.severity === severity);
  expect(failed, `${detail}\nno failed ${severity}-level ${cell.check}`).toBeDefined();
  expect(r!.reason?.startsWith(`${cell.check}:`), detail).toBe(true);
  expect(failed!.observed, detail).toContain(cell.observed);
}

/** Registers the matrix's tests in the calling test file: one describe per target configuration. */
export function defineDetectionMatrix(m: DetectionMatrix): void {
  const targets = targetsOf(m);
  const table: { target: string; scenario: string; expected: Verdict; got: Verdict | 'missing'; ms: number }[] = [];
  const runTimes: { target: string; ms: number }[] = [];
  let browser: Browser | undefined;
  let stateDir: string | undefined;
  const env = {} as RunEnvironment;
  const fileStart = Date.now();

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-detection-'));
    // Fails (never skips) with install instructions when no Chromium is found.
    browser = await launchBrowser({ headless: true });
    Object.assign(env, { browser, stateDir, keys: createTargetKeys(), workers: 2 } satisfies RunEnvironment);
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    if (table.length === 0) return;
    const width = (xs: string[]) => Math.max(...xs.map((x) => x.length));
    const tw = width(table.map((t) => t.target));
    const sw = width(table.map((t) => t.scenario));
    const lines = table.map((t) => `${t.target.padEnd(tw)}  ${t.scenario.padEnd(sw)}  ${t.expected.padEnd(14)} ${t.got === t.expected ? 'ok ' : 'BAD'} ${t.got.padEnd(14)} ${String(t.ms).padStart(5)} ms`);
    const runs = runTimes.map((r) => `${r.target} ${(r.ms / 1000).toFixed(1)} s`).join(', ');
    console.log(
      `detection matrix (${table.length} cells, ${((Date.now() - fileStart) / 1000).toFixed(1)} s in all)\n` +
        `${'target'.padEnd(tw)}  ${'scenario'.padEnd(sw)}  ${'expected'.padEnd(18)} ${'got'.padEnd(14)} scenario time\n${lines.join('\n')}\nruns: ${runs}`,
    );
  });

  it('gives every negative row a target with exactly its weakness, and every positive row a correct target', () => {
    for (const row of m.negatives) {
      expect(targets.some((t) => t.role === row.role && t.weakness === row.weakness && t.negatives), row.scenario).toBe(true);
      if (row.role === 'sp') expect(WEAKNESS_NAMES, row.scenario).toContain(row.weakness);
    }
    const correct = targets.filter((t) => !t.weakness).map((t) => t.name);
    for (const p of m.positives) expect(correct, p.scenario).toContain(p.target);
  });

  // A refusal ("no session", "nothing reached the mock SP") only counts when the same harness does
  // get through on the same target: otherwise a wrong password or a broken oracle would look like a
  // target that refuses everything. Every target therefore runs at least one cell that logs in.
  it('runs on every target a cell that proves the harness can log in there', () => {
    for (const t of targets) expect(cellsFor(t, m).some((c) => c.provesLogin), t.name).toBe(true);
  });

  for (const target of targets) {
    const cells = cellsFor(target, m);
    describe(`${target.name}${target.weakness ? ` (weakness: ${target.weakness})` : ' (correct target)'}`, () => {
      const results = new Map<string, ScenarioResult>();

      beforeAll(async () => {
        const started = Date.now();
        const ids = cells.map((c) => c.scenario);
        const scenarios =
          target.role === 'sp'
            ? await runAgainstSpTarget(target.name, target.sp ?? {}, ids, env)
            : await runAgainstIdpTarget(target.name, target.idp ?? {}, ids, env);
        runTimes.push({ target: target.name, ms: Date.now() - started });
        for (const s of scenarios) results.set(s.id, s);
        for (const c of cells) {
          const r = results.get(c.scenario);
          table.push({ target: target.name, scenario: c.scenario, expected: c.expected, got: r?.verdict ?? 'missing', ms: r?.durationMs ?? 0 });
        }
      }, 120_000);

      it('ran exactly the selected scenarios', () => {
        expect([...results.keys()].sort()).toEqual(cells.map((c) => c.scenario).sort());
      });

      for (const cell of cells) {
        it(`${cell.scenario} → ${cell.expected}${cell.why ? ` (${cell.why})` : ''}`, () => {
          assertCell(cell, results.get(cell.scenario));
        });
      }
    });
  }
}
