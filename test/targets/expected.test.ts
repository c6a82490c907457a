// The re-pin helper behind targets/<name>/expected.json: a run's verdicts replace the pinned ones,
// reasons survive where the verdict did not change, and a new non-pass verdict is marked for
// diagnosis instead of inheriting a reason that no longer fits.
import { describe, expect, it } from 'vitest';
import type { RunResult, ScenarioResult, Verdict } from '../../shared/result-model.ts';
import { repin, UNDIAGNOSED, verdictsOf } from '../../targets/lib/expected.ts';

function scenario(id: string, target: string, verdict: Verdict, reason?: string): ScenarioResult {
  return { id, family: id, role: 'sp', target, group: 'g', title: id, refs: [], verdict, ...(reason ? { reason } : {}), durationMs: 1, startedAt: '', findings: [], evidence: [] };
}

const run = {
  scenarios: [
    scenario('a', 'x', 'pass'),
    scenario('b', 'x', 'fail', 'the SP logged in   somebody\nelse'),
    scenario('c', 'x', 'warning', 'still weak'),
    scenario('d', 'x', 'error', 'broke'),
    scenario('a', 'y', 'fail', 'other target'),
  ],
} as unknown as RunResult;

describe('targets/lib/expected.ts', () => {
  it('picks one target out of a run', () => {
    expect(verdictsOf(run, 'x')).toEqual({ a: 'pass', b: 'fail', c: 'warning', d: 'error' });
  });

  it('takes a result without a target name as the one of the run\'s only target of its role', () => {
    const single = {
      targets: [{ name: 'lone-idp', role: 'idp' }, { name: 'sp-1', role: 'sp' }, { name: 'sp-2', role: 'sp' }],
      scenarios: [
        { ...scenario('i', 'unused', 'warning'), role: 'idp', target: undefined },
        { ...scenario('s', 'unused', 'pass'), target: undefined },
        scenario('t', 'sp-2', 'fail'),
      ],
    } as unknown as RunResult;
    expect(verdictsOf(single, 'lone-idp')).toEqual({ i: 'warning' });
    expect(verdictsOf(single, 'sp-1')).toEqual({});
    expect(verdictsOf(single, 'sp-2')).toEqual({ t: 'fail' });
    expect(Object.keys(repin(single, 'lone-idp', {}))).toEqual(['i']);
  });

  it('keeps the reasons of unchanged verdicts and marks new non-pass verdicts UNDIAGNOSED', () => {
    const next = repin(run, 'x', {
      a: { verdict: 'fail', reason: 'was a finding' },
      b: { verdict: 'error', reason: 'was a harness bug' },
      c: { verdict: 'warning', reason: 'a SHOULD the stack skips' },
    });
    expect(next).toEqual({
      a: { verdict: 'pass' },
      b: { verdict: 'fail', reason: `${UNDIAGNOSED}: the SP logged in somebody else` },
      c: { verdict: 'warning', reason: 'a SHOULD the stack skips' },
      d: { verdict: 'error', reason: `${UNDIAGNOSED}: broke` },
    });
  });
});
