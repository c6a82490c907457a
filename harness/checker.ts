// Records a scenario's checks and turns them into its verdict. The verdict comes only from
// checks that were actually made: a scenario that made none proved nothing and ends in `error`.
import type { Finding, Verdict } from '../shared/result-model.ts';
import type { Checker, CheckOptions } from './scenario.ts';

export function createChecker(): Checker {
  const findings: Finding[] = [];
  let inFlowControl: string | undefined;
  const record = (severity: Finding['severity'], ok: boolean, o: CheckOptions): boolean => {
    if (typeof ok !== 'boolean') throw new TypeError(`check ${o.check}: the outcome must be a boolean, got ${typeof ok}`);
    const finding: Finding = { check: o.check, requirement: o.requirement, severity, ok, expected: o.expected, observed: o.observed, xml: o.xml, detail: o.detail };
    if (o.refusal) {
      finding.refusal = true;
      if (o.refusal !== true) inFlowControl = o.refusal.provenBy;
    }
    findings.push(finding);
    return ok;
  };
  return {
    must: (ok, o) => record('must', ok, o),
    should: (ok, o) => record('should', ok, o),
    may: (ok, o) => record('may', ok, o),
    review: (o) => {
      findings.push({ check: o.check, requirement: o.requirement, severity: 'info', ok: false, expected: o.expected ?? 'a person judges the evidence', observed: o.observed, xml: o.xml, detail: o.detail });
    },
    get findings() {
      return findings;
    },
    get inFlowControl() {
      return inFlowControl;
    },
  };
}

/**
 * Whether the findings stand or fall on a refusal: some passing check is a refusal and no
 * must-check failed (a failure is proof by itself and needs no control).
 */
export function restsOnRefusal(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.refusal && f.ok) && !findings.some((f) => !f.ok && f.severity === 'must');
}

export interface VerdictOutcome {
  verdict: Verdict;
  reason?: string;
}

/** Verdict from findings: must-failure → fail; should-failure → warning; review → review. */
export function verdictFromFindings(findings: readonly Finding[]): VerdictOutcome {
  if (findings.length === 0) return { verdict: 'error', reason: 'the scenario made no check, so nothing was proven' };
  const firstFailed = (severity: Finding['severity']) => findings.find((f) => !f.ok && f.severity === severity);
  const must = firstFailed('must');
  if (must) return { verdict: 'fail', reason: `${must.check}: expected ${must.expected}; observed ${must.observed}` };
  const should = firstFailed('should');
  if (should) return { verdict: 'warning', reason: `${should.check}: expected ${should.expected}; observed ${should.observed}` };
  const review = firstFailed('info');
  if (review) return { verdict: 'review', reason: `${review.check}: ${review.observed}` };
  return { verdict: 'pass' };
}
