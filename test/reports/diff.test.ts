import { describe, expect, it } from 'vitest';
import { classifyChange, compareRuns, describeDiff } from '../../reports/diff.ts';
import { summarize } from '../../shared/result-model.ts';
import type { Verdict } from '../../shared/result-model.ts';
import { baselineRun, sampleRun } from '../fixtures/reports/sample-run.ts';

describe('compareRuns', () => {
  it('finds regressions, fixes, other changes, new and removed scenarios by id', () => {
    const diff = compareRuns(baselineRun(), sampleRun());
    expect(diff.regressions).toEqual([
      {
        id: 'sp-xsw3-evil-assertion-before-signed',
        title: 'XSW3: an unsigned evil Assertion placed before the signed one is not trusted',
        role: 'sp',
        group: 'security',
        target: 'acme-app',
        before: 'pass',
        after: 'fail',
        reason: 'The SP logged in the attacker’s identity from the unsigned Assertion.',
      },
    ]);
    expect(diff.fixes.map((c) => [c.id, c.before, c.after])).toEqual([['idp-signing-refuses-sha1-request', 'fail', 'warning']]);
    expect(diff.changed.map((c) => [c.id, c.before, c.after])).toEqual([['sp-xxe-external-entity', 'fail', 'error']]);
    expect(diff.newScenarios.map((r) => [r.id, r.verdict])).toEqual([['idp-metadata-valid', 'pass']]);
    expect(diff.removed.map((r) => [r.id, r.verdict])).toEqual([['sp-legacy-sha1-only', 'pass']]);
    expect(describeDiff(diff)).toBe('1 regression, 1 fix, 1 new, 1 removed, 1 otherwise changed');
  });

  it('reports nothing for identical runs', () => {
    const diff = compareRuns(sampleRun(), sampleRun());
    expect(diff).toEqual({ regressions: [], fixes: [], changed: [], newScenarios: [], removed: [] });
    expect(describeDiff(diff)).toBe('0 regressions, 0 fixes, 0 new, 0 removed');
  });

  it('keeps matching scenarios when a lone target is renamed', () => {
    const current = sampleRun();
    for (const s of current.scenarios) if (s.role === 'sp') s.target = 'acme-app-staging';
    const diff = compareRuns(sampleRun(), current);
    expect(diff.newScenarios).toEqual([]);
    expect(diff.removed).toEqual([]);
  });

  it('tells targets of the same role apart', () => {
    const withTwo = () => {
      const r = sampleRun();
      r.scenarios.push(...r.scenarios.filter((s) => s.role === 'sp').map((s) => ({ ...s, target: 'beta-sp' })));
      r.summary = summarize(r.scenarios);
      return r;
    };
    const base = withTwo();
    const cur = withTwo();
    cur.scenarios.find((s) => s.target === 'beta-sp' && s.id === 'sp-unsigned-response-refused')!.verdict = 'fail';
    const diff = compareRuns(base, cur);
    expect(diff.regressions.map((c) => [c.target, c.id])).toEqual([['beta-sp', 'sp-unsigned-response-refused']]);
  });
});

describe('classifyChange', () => {
  const cases: Array<[Verdict, Verdict, ReturnType<typeof classifyChange>]> = [
    ['pass', 'pass', 'same'],
    ['pass', 'fail', 'regression'],
    ['pass', 'error', 'regression'],
    ['pass', 'warning', 'regression'],
    ['review', 'fail', 'regression'],
    ['not-applicable', 'fail', 'regression'], // it fails now and did not before
    ['warning', 'pass', 'fix'],
    ['fail', 'pass', 'fix'],
    ['error', 'review', 'fix'],
    ['fail', 'error', 'changed'], // still nothing good
    ['fail', 'not-applicable', 'changed'], // not proven fixed
    ['pass', 'not-applicable', 'changed'],
    ['warning', 'review', 'changed'],
  ];
  it.each(cases)('%s -> %s is %s', (before, after, kind) => {
    expect(classifyChange(before, after)).toBe(kind);
  });
});
