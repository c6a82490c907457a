import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandFamily, loadCatalogue, type ExpandedScenario } from '../../harness/catalogue.ts';
import { runScenarios } from '../../harness/runner.ts';
import { defineScenario, NotApplicableError, type ScenarioFamily, type TargetFacts } from '../../harness/scenario.ts';
import { wantsScreenshot } from '../../harness/session.ts';

const facts: TargetFacts = { role: 'sp', name: 't', ssoBindings: [], sloBindings: [], nameIdFormats: [], capabilities: [] };

function scenario(run: ScenarioFamily['run'], extra: Partial<ScenarioFamily> = {}): ExpandedScenario {
  return expandFamily(defineScenario({ id: 'x', title: 'x', role: 'sp', group: 'g', refs: [], run, ...extra }), 'inline')[0];
}

async function runOne(s: ExpandedScenario, timeoutMs = 2000) {
  let closed = 0;
  let closedWith: string | undefined;
  const [result] = await runScenarios({
    scenarios: [s],
    facts,
    workers: 1,
    timeoutMs,
    openScenario: async () => ({
      context: { answer: 42 },
      close: async (verdict) => {
        closed++;
        closedWith = verdict;
        return { evidence: [] };
      },
    }),
  });
  return { result, closed, closedWith };
}

const ok = { check: 'c', expected: 'e', observed: 'o' };

describe('catalogue', () => {
  it('expands variant axes as data, honours include, and makes stable kebab-case ids', async () => {
    const file = path.resolve('test/fixtures/scenarios/sample.scenario.ts');
    const all = await loadCatalogue([file]);
    expect(all.map((s) => s.id)).toEqual([
      'sample-login-redirect-true',
      'sample-login-redirect-false',
      'sample-login-post-true',
      'sample-idp-only',
    ]);
    expect(all[2].title).toBe('login over post, signed');
    expect((await loadCatalogue([file], { role: 'idp' })).map((s) => s.id)).toEqual(['sample-idp-only']);
    expect((await loadCatalogue([file], { grep: 'post' })).map((s) => s.id)).toEqual(['sample-login-post-true']);
  });

  it('refuses ids that are not kebab-case', () => {
    expect(() => scenario(async () => {}, { id: 'Not_Kebab' })).toThrow(/kebab/);
  });
});

describe('runner verdicts', () => {
  it('passes when every check holds, and hands the context to run', async () => {
    const { result, closed } = await runOne(
      scenario(async (ctx: any) => {
        ctx.check.must(ctx.answer === 42, ok);
      }),
    );
    expect(result.verdict).toBe('pass');
    expect(closed).toBe(1);
  });

  it('tells the session the verdict when closing, so it can keep a screenshot only where one helps', async () => {
    for (const [run, verdict] of [
      [async ({ check }: any) => void check.must(true, ok), 'pass'],
      [async ({ check }: any) => void check.must(false, ok), 'fail'],
      [async () => { throw new NotApplicableError('not here'); }, 'not-applicable'],
      [async () => { throw new Error('broke'); }, 'error'],
    ] as const) {
      const { result, closedWith } = await runOne(scenario(run));
      expect(result.verdict).toBe(verdict);
      expect(closedWith).toBe(verdict);
    }
    expect(wantsScreenshot('on-failure', 'fail')).toBe(true);
    expect(wantsScreenshot('on-failure', 'error')).toBe(true);
    expect(wantsScreenshot('on-failure', 'not-applicable')).toBe(false);
    expect(wantsScreenshot('on-failure', 'pass')).toBe(false);
    expect(wantsScreenshot('all', 'pass')).toBe(true);
    expect(wantsScreenshot('off', 'fail')).toBe(false);
  });

  it('fails on a must, warns on a should, and a scenario without checks is an error', async () => {
    expect((await runOne(scenario(async ({ check }: any) => void check.must(false, ok)))).result.verdict).toBe('fail');
    expect((await runOne(scenario(async ({ check }: any) => void check.should(false, ok)))).result.verdict).toBe('warning');
    const none = (await runOne(scenario(async () => {}))).result;
    expect(none.verdict).toBe('error');
    expect(none.reason).toMatch(/no check/);
  });

  it('turns a throw into error even after passing checks, but keeps a proven failure', async () => {
    const thrown = await runOne(scenario(async ({ check }: any) => { check.must(true, ok); throw new Error('target broke'); }));
    expect(thrown.result.verdict).toBe('error');
    expect(thrown.result.reason).toContain('target broke');
    const failedFirst = await runOne(scenario(async ({ check }: any) => { check.must(false, ok); throw new Error('later'); }));
    expect(failedFirst.result.verdict).toBe('fail');
  });

  it('times out a hanging scenario as error and still closes it', async () => {
    const { result, closed } = await runOne(scenario(() => new Promise(() => {})), 100);
    expect(result.verdict).toBe('error');
    expect(result.reason).toMatch(/timed out after 100 ms/);
    expect(closed).toBe(1);
  });

  it('reports not-applicable with the reason from applies() or a NotApplicableError', async () => {
    const a = await runOne(scenario(async () => {}, { applies: () => 'the target has no SLO endpoint' }));
    expect(a.result).toMatchObject({ verdict: 'not-applicable', reason: 'the target has no SLO endpoint' });
    expect(a.closed).toBe(0);
    const b = await runOne(scenario(async () => { throw new NotApplicableError('no users configured'); }));
    expect(b.result).toMatchObject({ verdict: 'not-applicable', reason: 'no users configured' });
  });

  it('runs scenarios concurrently up to the worker count and keeps their order', async () => {
    let running = 0;
    let peak = 0;
    const family = defineScenario<{ n: number }>({
      id: 'c', title: 'c', role: 'sp', group: 'g', refs: [], variants: { n: [1, 2, 3, 4, 5, 6] },
      async run({ check }: any) {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 30));
        running--;
        check.must(true, ok);
      },
    });
    const results = await runScenarios({
      scenarios: expandFamily(family, 'inline'), facts, workers: 3, timeoutMs: 2000,
      openScenario: async () => ({ context: {}, close: async () => ({ evidence: [] }) }),
    });
    expect(peak).toBe(3);
    expect(results.map((r) => r.id)).toEqual(['c-1', 'c-2', 'c-3', 'c-4', 'c-5', 'c-6']);
  });
});
