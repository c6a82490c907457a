// A refusal is proof only beside a positive control: the runner asks for the scenario's control
// whenever a passing check is a refusal, and lets the pass stand only when the control succeeded.
import { describe, expect, it } from 'vitest';
import { expandFamily } from '../../harness/catalogue.ts';
import { runScenarios } from '../../harness/runner.ts';
import { defineScenario, type ScenarioFamily, type TargetFacts } from '../../harness/scenario.ts';
import type { PositiveControl } from '../../shared/result-model.ts';

const facts: TargetFacts = { role: 'sp', name: 't', ssoBindings: [], sloBindings: [], nameIdFormats: [], capabilities: [] };
const refused = { check: 'attack-refused', expected: 'no session', observed: 'no session', refusal: true as const };

async function run(body: ScenarioFamily['run'], control?: () => Promise<PositiveControl>) {
  let asked = 0;
  const [result] = await runScenarios({
    scenarios: expandFamily(defineScenario({ id: 'x', title: 'x', role: 'sp', group: 'g', refs: [], run: body }), 'inline'),
    facts,
    workers: 1,
    timeoutMs: 2000,
    openScenario: async () => ({
      context: {},
      close: async () => ({ evidence: [] }),
      ...(control
        ? {
            positiveControl: async () => {
              asked++;
              return control();
            },
          }
        : {}),
    }),
  });
  return { result: result!, asked };
}

const control = (outcome: PositiveControl['outcome']) => async (): Promise<PositiveControl> => ({ shape: 'plain login', outcome, observed: `control ${outcome}`, shared: false });

describe('refusals and their positive control', () => {
  it('lets a refusal pass when the control got through, and records the control', async () => {
    const { result, asked } = await run(async ({ check }: any) => void check.must(true, refused), control('succeeded'));
    expect(asked).toBe(1);
    expect(result.verdict).toBe('pass');
    expect(result.findings[0]?.refusal).toBe(true);
    expect(result.positiveControl).toMatchObject({ outcome: 'succeeded', observed: 'control succeeded' });
  });

  it('makes a refusal not-applicable when the control was refused too', async () => {
    const { result } = await run(async ({ check }: any) => void check.must(true, refused), control('refused'));
    expect(result.verdict).toBe('not-applicable');
    expect(result.reason).toMatch(/refused the same flow without the fault as well \(plain login: control refused\)/);
    expect(result.positiveControl?.outcome).toBe('refused');
  });

  it('makes a refusal an error when the control could not be judged, or when there is no control', async () => {
    expect((await run(async ({ check }: any) => void check.must(true, refused), control('error'))).result).toMatchObject({ verdict: 'error', reason: expect.stringMatching(/could not be judged: control error/) });
    expect((await run(async ({ check }: any) => void check.should(true, refused))).result).toMatchObject({ verdict: 'error', reason: expect.stringMatching(/no positive control/) });
  });

  it('does not run the control for a failure, nor for a pass that is not a refusal', async () => {
    const failed = await run(async ({ check }: any) => {
      check.must(true, refused);
      check.must(false, { check: 'logged-in-attacker', expected: 'nobody', observed: 'mallory' });
    }, control('refused'));
    expect(failed.asked).toBe(0);
    expect(failed.result.verdict).toBe('fail');
    const plain = await run(async ({ check }: any) => void check.must(true, { check: 'logged-in', expected: 'alice', observed: 'alice' }), control('refused'));
    expect(plain.asked).toBe(0);
    expect(plain.result.verdict).toBe('pass');
    expect(plain.result.positiveControl).toBeUndefined();
  });

  it("takes a control held in the scenario's own flow instead of running one", async () => {
    const { result, asked } = await run(async ({ check }: any) => void check.should(true, { ...refused, refusal: { provenBy: 'the first delivery logged alice in' } }), control('refused'));
    expect(asked).toBe(0);
    expect(result.verdict).toBe('pass');
    expect(result.positiveControl).toMatchObject({ outcome: 'succeeded', inFlow: true, observed: 'the first delivery logged alice in' });
  });
});
