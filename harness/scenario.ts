// The scenario contract (docs/scenarios.md). A scenario file default-exports one
// ScenarioFamily (or an array of them) built with defineScenario. Families declare their variant
// axes as data; the runner expands them into one scenario per combination.
import type { Finding, Role, Severity } from '../shared/result-model.ts';

export type VariantValue = string | number | boolean;
export type Variant = Record<string, VariantValue>;

/** What the scenario sees of the target when deciding whether it applies. */
export interface TargetFacts {
  role: Role;
  name: string;
  entityId?: string;
  /** Bindings the target's metadata offers for SSO (IdP) or ACS (SP). */
  ssoBindings: string[];
  /** SLO bindings from the metadata. */
  sloBindings: string[];
  nameIdFormats: string[];
  /** IdP metadata WantAuthnRequestsSigned. */
  wantAuthnRequestsSigned?: boolean;
  /** SP metadata AuthnRequestsSigned / WantAssertionsSigned. */
  authnRequestsSigned?: boolean;
  wantAssertionsSigned?: boolean;
  /** Capabilities the config declares (e.g. `idp-initiated`, `slo`, `encryption`). */
  capabilities: string[];
  /** SP targets: the configured URL that starts SP-initiated logout, when there is one. */
  logoutUrl?: string;
}

/** `true` when the scenario applies; otherwise the reason it does not. */
export type Applicability = true | string;

export interface CheckOptions {
  /** Stable kebab-case name of what is checked. */
  check: string;
  requirement?: string;
  expected: string;
  observed: string;
  xml?: string;
  detail?: string;
  /**
   * The check holds because the target refused something (nobody logged in, no assertion). Such a
   * pass proves nothing on its own: a target that refuses everything would earn it too. `true`:
   * the runner then runs the scenario's positive control (its `control` shape: the same flow
   * without the fault) and lets the pass stand only when that control succeeds. `{ provenBy }`:
   * the scenario's own flow already showed the unfaulted flow succeeding (a first login before a
   * replay, say); the text says how.
   */
  refusal?: true | { provenBy: string };
}

/**
 * Records checks. The severity is chosen where the check is made: `must` failing makes the
 * scenario fail, `should` failing makes it a warning. A scenario that records no check at all
 * ends in `error`, because it proved nothing.
 */
export interface Checker {
  must(ok: boolean, options: CheckOptions): boolean;
  should(ok: boolean, options: CheckOptions): boolean;
  may(ok: boolean, options: CheckOptions): boolean;
  /** A person must look at the evidence; the verdict becomes `review` unless something failed. */
  review(options: Omit<CheckOptions, 'expected'> & { expected?: string }): void;
  /** Everything recorded so far. */
  readonly findings: readonly Finding[];
  /** How the scenario's own flow proved its refusals, when a check said so (`refusal: { provenBy }`). */
  readonly inFlowControl: string | undefined;
}

export class NotApplicableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotApplicableError';
  }
}

export interface ScenarioFamily<V extends Variant = Variant, C = unknown, K = unknown> {
  /** Stable kebab-case ID of the family. With variants, `id(variant)` names each expansion. */
  id: string;
  /** The expanded scenario's ID; defaults to the family ID plus each variant value, kebab-cased. */
  variantId?: (variant: V) => string;
  title: string | ((variant: V) => string);
  role: Role;
  group: string;
  refs: string[];
  /** Variant axes as data: every combination of the listed values becomes one scenario. */
  variants?: { [K in keyof V]: readonly V[K][] };
  /** Drop combinations that make no sense. */
  include?: (variant: V) => boolean;
  applies?: (target: TargetFacts, variant: V) => Applicability;
  /**
   * The positive control's shape: the same flow as the scenario's, without its fault (same flow,
   * binding and signing). Used whenever a refusal check passes; the harness runs it once per target
   * and shape and shares the outcome. Default: the role's plain login (see harness/controls.ts).
   */
  control?: (variant: V) => K;
  timeoutMs?: number;
  run: (ctx: C & { variant: V }) => Promise<void>;
}

export function defineScenario<V extends Variant = Variant, C = unknown, K = unknown>(
  family: ScenarioFamily<V, C, K>,
): ScenarioFamily<V, C, K> {
  return family;
}

export type { Finding, Role, Severity };
