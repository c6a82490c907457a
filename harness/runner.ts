// Runs expanded scenarios against one target: applicability, a worker pool, a timeout per
// scenario, and the verdict model. Everything environment-specific (mocks, browser, target) comes
// from the session through `openScenario`, which keeps this file testable with fakes.
import type { EvidenceMessage, PositiveControl, ScenarioResult, Verdict } from '../shared/result-model.ts';
import type { ExpandedScenario } from './catalogue.ts';
import { createChecker, restsOnRefusal, verdictFromFindings } from './checker.ts';
import { NotApplicableError, type Checker, type TargetFacts } from './scenario.ts';

/** What the session hands a running scenario, beyond `variant` and `check`. */
export interface OpenedScenario<C> {
  context: C;
  /**
   * Ends the scenario's environment and returns what it recorded. Called exactly once, with the
   * verdict as it stands (a failure in closing can still turn it into an error).
   */
  close(verdict: Verdict): Promise<{ evidence: EvidenceMessage[]; screenshot?: string; finalUrl?: string }>;
  /**
   * The scenario's positive control: the same flow without the fault, against the same target,
   * run (or reused, per target and shape) when a passing check is a refusal.
   */
  positiveControl?(): Promise<PositiveControl>;
}

export interface RunOptions<C> {
  scenarios: ExpandedScenario[];
  /** The target's facts, or a lookup when one run covers several targets. */
  facts: TargetFacts | ((scenario: ExpandedScenario) => TargetFacts);
  workers: number;
  timeoutMs: number;
  openScenario: (scenario: ExpandedScenario, check: Checker, signal: AbortSignal) => Promise<OpenedScenario<C>>;
  onScenarioEnd?: (result: ScenarioResult, scenario: ExpandedScenario) => void;
}

class ScenarioTimeout extends Error {}

export async function runScenarios<C>(options: RunOptions<C>): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = new Array(options.scenarios.length);
  let next = 0;
  const worker = async () => {
    while (next < options.scenarios.length) {
      const index = next++;
      results[index] = await runOne(options.scenarios[index], options);
      options.onScenarioEnd?.(results[index], options.scenarios[index]);
    }
  };
  const workers = Math.max(1, Math.min(options.workers, options.scenarios.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

async function runOne<C>(scenario: ExpandedScenario, options: RunOptions<C>): Promise<ScenarioResult> {
  const startedAt = new Date();
  const base = {
    id: scenario.id,
    family: scenario.family.id,
    role: scenario.role,
    group: scenario.group,
    title: scenario.title,
    refs: scenario.refs,
    variant: Object.keys(scenario.variant).length ? scenario.variant : undefined,
    startedAt: startedAt.toISOString(),
  };
  const finish = (partial: Pick<ScenarioResult, 'verdict' | 'reason' | 'findings' | 'evidence'> & Partial<ScenarioResult>): ScenarioResult => ({
    ...base,
    ...partial,
    durationMs: Date.now() - startedAt.getTime(),
  });

  let applicable: true | string;
  try {
    const facts = typeof options.facts === 'function' ? options.facts(scenario) : options.facts;
    applicable = scenario.family.applies ? scenario.family.applies(facts, scenario.variant) : true;
  } catch (err) {
    return finish({ verdict: 'error', reason: `applies() threw: ${(err as Error).message}`, findings: [], evidence: [] });
  }
  if (applicable !== true) return finish({ verdict: 'not-applicable', reason: applicable, findings: [], evidence: [] });

  const check = createChecker();
  const abort = new AbortController();
  const timeoutMs = scenario.family.timeoutMs ?? options.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  let opened: OpenedScenario<C> | undefined;
  let failure: { verdict: 'error' | 'not-applicable'; reason: string } | undefined;
  let control: PositiveControl | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new ScenarioTimeout(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const body = (async () => {
      opened = await options.openScenario(scenario, check, abort.signal);
      await scenario.family.run({ ...(opened.context as object), variant: scenario.variant, check } as never);
      await confirmRefusals(check, opened, (c) => void (control = c));
    })();
    body.catch(() => undefined); // the timeout may win the race; the body's later rejection is expected
    await Promise.race([body, timeout]);
  } catch (err) {
    if (err instanceof NotApplicableError) failure = { verdict: 'not-applicable', reason: err.message };
    else failure = { verdict: 'error', reason: err instanceof ScenarioTimeout ? err.message : describeError(err) };
  } finally {
    clearTimeout(timer);
  }

  const findings = [...check.findings];
  // A breakdown proves nothing, so it outranks passing checks; a must-check that already failed
  // was proven before the breakdown, so it stands.
  const decide = () => {
    const fromFindings = verdictFromFindings(findings);
    return failure && fromFindings.verdict !== 'fail' ? failure : fromFindings;
  };
  let recorded: Awaited<ReturnType<OpenedScenario<C>['close']>> = { evidence: [] };
  if (opened) {
    try {
      recorded = await opened.close(decide().verdict);
    } catch (err) {
      failure ??= { verdict: 'error', reason: `closing the scenario failed: ${describeError(err)}` };
    }
  }
  return finish({
    ...decide(),
    ...(control ? { positiveControl: control } : {}),
    findings,
    evidence: recorded.evidence,
    screenshot: recorded.screenshot,
    finalUrl: recorded.finalUrl,
  });
}

/**
 * A pass that rests on a refusal counts only when the same flow without the fault succeeds on the
 * same target (the positive control). Otherwise the refusal may be the target refusing everything,
 * or the harness failing to log in, and proves nothing: not-applicable when the control was
 * refused, error when it could not be judged. Checks that failed stand on their own.
 */
async function confirmRefusals<C>(check: Checker, opened: OpenedScenario<C>, record: (control: PositiveControl) => void): Promise<void> {
  if (!restsOnRefusal(check.findings)) return;
  if (check.inFlowControl !== undefined) {
    record({ shape: "the scenario's own flow", outcome: 'succeeded', observed: check.inFlowControl, shared: false, inFlow: true });
    return;
  }
  if (!opened.positiveControl) throw new Error('a check passed on a refusal, but this scenario has no positive control, so the refusal proves nothing');
  const control = await opened.positiveControl();
  record(control);
  if (control.outcome === 'refused') {
    throw new NotApplicableError(`the target refused the same flow without the fault as well (${control.shape}: ${control.observed}), so its refusal here proves nothing`);
  }
  if (control.outcome === 'error') {
    throw new Error(`the positive control (the same flow without the fault) could not be judged: ${control.observed}`);
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`.split('\n')[0];
  return String(err);
}
