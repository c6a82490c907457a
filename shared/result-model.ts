// The canonical result of a run: what results.json holds. Every other report (JUnit, HTML,
// Markdown, console) is rendered from this and nothing else. Bump RESULT_SCHEMA_VERSION on any
// change that a consumer could notice, and describe it in reports/SCHEMA.md.

export const RESULT_SCHEMA_VERSION = 1;

export type Role = 'idp' | 'sp';

/** pass / fail / warning / not-applicable / error (nothing proven) / review (a person must look). */
export type Verdict = 'pass' | 'fail' | 'warning' | 'not-applicable' | 'error' | 'review';

/** Where a check was made decides its weight: a failed `must` fails, a failed `should` warns. */
export type Severity = 'must' | 'should' | 'may' | 'info';

export interface Finding {
  /** Stable kebab-case name of the check, e.g. `audience-matches`. */
  check: string;
  /** Requirement registry ID (`core-2.5.1.4`) or an attack reference (`CVE-2025-29775`). */
  requirement?: string;
  severity: Severity;
  ok: boolean;
  expected: string;
  observed: string;
  /** The offending XML, when the check looked at a message. */
  xml?: string;
  /** Free-form detail a reader needs to understand the observation. */
  detail?: string;
  /**
   * The check passes because the target refused something (nobody logged in, no assertion issued).
   * Such a pass only counts once a positive control showed the same flow without the fault
   * succeeding: `positiveControl` on the scenario result says whether one did.
   */
  refusal?: boolean;
}

/** The positive control behind a scenario's refusals: the same flow without the fault, same target and shape. */
export interface PositiveControl {
  /** What the control sent, in words (flow, binding, signing, identity shape). */
  shape: string;
  /** `succeeded`: the unfaulted flow got through, so refusals count. Otherwise they prove nothing. */
  outcome: 'succeeded' | 'refused' | 'error';
  observed: string;
  /** Whether this scenario ran it, or reused a control already run for the same target and shape. */
  shared: boolean;
  /** How the refusal was proven when the scenario's own flow held the control (e.g. a first login before a replay). */
  inFlow?: boolean;
}

export type MessageKind =
  | 'AuthnRequest'
  | 'Response'
  | 'LogoutRequest'
  | 'LogoutResponse'
  | 'ArtifactResolve'
  | 'ArtifactResponse'
  | 'Metadata'
  | 'Other';

export interface SignatureEvidence {
  /** Where the signature sat: the enveloped XML signature, or the Redirect binding's query signature. */
  kind: 'xml' | 'redirect-query';
  valid: boolean;
  algorithm?: string;
  /** ID of the element the signature covers (xml), when known. */
  covers?: string;
  reason?: string;
}

export interface EvidenceMessage {
  /** Order within the scenario, from 1. */
  seq: number;
  at: string;
  /** Seen from the harness: `sent` left a mock, `received` arrived at one. */
  direction: 'sent' | 'received';
  /** Which harness component saw it, e.g. `mock-idp`, `mock-sp`. */
  via: string;
  kind: MessageKind;
  binding?: 'redirect' | 'post' | 'artifact' | 'soap';
  /** The URL it was sent to or received at. */
  url?: string;
  /** Exactly what went over the wire (query string or form field, undecoded). */
  raw: string;
  /** The decoded XML message. */
  xml?: string;
  /** Indented XML for reading; never the thing that was verified. */
  pretty?: string;
  relayState?: string;
  signatures?: SignatureEvidence[];
  note?: string;
}

export interface ScenarioResult {
  /** Stable kebab-case ID, with the variant's suffix for expanded scenarios. */
  id: string;
  /** ID of the scenario family before variant expansion. */
  family: string;
  role: Role;
  /** Name of the target (RunTarget.name) this result is about; needed when a run tests several targets of one role. */
  target?: string;
  group: string;
  title: string;
  refs: string[];
  /** The variant's axis values, for expanded scenarios. */
  variant?: Record<string, string | number | boolean>;
  verdict: Verdict;
  /** Why: the reason for not-applicable or error, or a one-line summary of the verdict. */
  reason?: string;
  durationMs: number;
  startedAt: string;
  findings: Finding[];
  evidence: EvidenceMessage[];
  /** PNG of where the browser ended, base64, when the scenario used one. */
  screenshot?: string;
  /** URL the browser ended on. */
  finalUrl?: string;
  /** Present when a passing check was a refusal: the control that made (or did not make) it count. */
  positiveControl?: PositiveControl;
}

export interface RunTarget {
  name: string;
  role: Role;
  metadata?: string;
  entityId?: string;
}

export interface RunSummary {
  total: number;
  byVerdict: Record<Verdict, number>;
  /** True when some scenario failed or errored: the exit code follows `failed` (1 when true). */
  failed: boolean;
}

export interface RunResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  tool: { name: 'samlconf'; version: string };
  /** The targets tested in this run (usually one per role). */
  targets: RunTarget[];
  startedAt: string;
  finishedAt: string;
  /** The command-line selection that produced this run. */
  selection?: { grep?: string; role?: Role };
  summary: RunSummary;
  scenarios: ScenarioResult[];
}

export const VERDICTS: Verdict[] = ['pass', 'fail', 'warning', 'not-applicable', 'error', 'review'];

export function summarize(scenarios: ScenarioResult[]): RunSummary {
  const byVerdict = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const s of scenarios) byVerdict[s.verdict]++;
  return { total: scenarios.length, byVerdict, failed: byVerdict.fail > 0 || byVerdict.error > 0 };
}
