// What a running scenario is handed. A scenario sees the target, a fresh browser page of its own,
// its slice of the mock that plays the other side, and flows that drive the browser through the
// standard journeys. Target-specific pages (login forms) are handled by adapters, never here.
import type { BrowserContext, Page } from 'playwright';
import type { IdpScenario, IdpUser, LogoutRequestUrlOptions, MockIdp } from '../mock-idp/index.ts';
import type { AcsOutcome, LogoutOutcome, LogoutUrlOptions, MockSp, SpScenario } from '../mock-sp/index.ts';
import type { EntityMetadata } from '../saml/metadata.ts';
import type { LogoutValidation, ResponseValidation } from '../saml/rules/index.ts';
import type { TargetConfig, TargetUser } from './config.ts';
import type { IdpControlShape, SpControlShape } from './controls.ts';
import type { SentIdentity, SpLoginOutcome, SpSessionState } from './sp-flows.ts';
import type { FirstAnswer } from './idp-flows.ts';
import { defineScenario, type Checker, type ScenarioFamily, type TargetFacts, type Variant } from './scenario.ts';
import type { IdpInitiatedLogoutOutcome, IdpSessionProbe, SpInitiatedLogoutOutcome } from './slo-flows.ts';

export type { IdpInitiatedLogoutOutcome, IdpSessionProbe, SpInitiatedLogoutOutcome } from './slo-flows.ts';
export type { FirstAnswer } from './idp-flows.ts';
export type { IdpControlShape, SpControlShape } from './controls.ts';
export type { SentIdentity, SpLoginOutcome, SpSessionState } from './sp-flows.ts';

export interface TargetHandle {
  config: TargetConfig;
  facts: TargetFacts;
  metadataXml: string;
  metadata: EntityMetadata;
}

/** What every scenario gets, whichever role its target plays. */
export interface CommonContext {
  target: TargetHandle;
  page: Page;
  browserContext: BrowserContext;
  check: Checker;
  /** A line for the scenario's log, shown in reports as a note. */
  log(message: string): void;
}

export interface SpTargetContext extends CommonContext {
  mockIdp: MockIdp;
  /** This scenario's slice of the mock IdP: set its plan, read what it received and sent. */
  idp: IdpScenario;
  /** The legitimate user for positive flows (the config's `identity` pin over the default). */
  testUser: IdpUser;
  /** Start at the target's login URL and follow the flow through the mock IdP back to the SP. */
  spInitiatedLogin(): Promise<SpLoginOutcome>;
  /** Have the mock IdP post an unsolicited Response to the SP. */
  idpInitiatedLogin(options?: { relayState?: string }): Promise<SpLoginOutcome>;
  /** Ask the oracle who is logged in now. */
  whoIsLoggedIn(): Promise<SpSessionState>;
  /** True when the oracle shows exactly this identity (a NameID, or what the mock sent) logged in. */
  isLoggedInAs(state: SpSessionState, who: string | SentIdentity): boolean;
  /** Open the target's logoutUrl and follow SP-initiated Single Logout through the mock IdP and back. */
  spInitiatedLogout(options?: { waitMs?: number }): Promise<SpInitiatedLogoutOutcome>;
  /** Have the mock IdP send the LogoutRequest described to the SP's SLO endpoint, through the browser. */
  idpInitiatedLogout(request: LogoutRequestUrlOptions, options?: { waitMs?: number }): Promise<IdpInitiatedLogoutOutcome>;
}

export interface IdpTargetContext extends CommonContext {
  mockSp: MockSp;
  /** This scenario's slice of the mock SP. */
  sp: SpScenario;
  /** The first configured test user (scenarios needing another pick from target.config.users). */
  user: TargetUser;
  /**
   * Navigate to the mock SP's login URL (which sends the AuthnRequest the plan describes), complete
   * the IdP's login page with the target's adapter when it shows one, and return what reached the
   * mock SP, or undefined when nothing arrived within the time allowed.
   */
  loginAtIdp(options?: { user?: TargetUser; waitMs?: number }): Promise<AcsOutcome | undefined>;
  /** Record every rule finding of a validated Response as a check (must or should as the rule says). */
  checkResponse(validation: ResponseValidation, options?: { only?: string[] }): void;
  /**
   * SP-initiated Single Logout: the mock SP sends the LogoutRequest described (through the browser)
   * and waits for the LogoutResponse; undefined when none arrived within the time allowed.
   */
  logoutAtIdp(request: LogoutUrlOptions, options?: { waitMs?: number }): Promise<LogoutOutcome | undefined>;
  /**
   * Send the AuthnRequest the plan describes and report what the IdP does first: answer the mock
   * SP at once, or show its login page (left alone), or nothing within the wait.
   */
  firstAnswerAtIdp(options?: { waitMs?: number }): Promise<FirstAnswer>;
  /** Send a fresh AuthnRequest and report whether the IdP answered at once (its session is alive) or asked for a login. */
  probeIdpSession(options?: { waitMs?: number }): Promise<IdpSessionProbe>;
}

/**
 * Record every rule finding of a validated logout message as a check (must or should as the rule
 * says), named `<prefix>-<rule>` so the two messages of an exchange stay apart in the report.
 */
export function checkLogoutMessage(check: Checker, validation: LogoutValidation, xml: string, prefix: string): void {
  for (const f of validation.findings) {
    const record = f.severity === 'must' ? check.must : check.should;
    record(f.ok, { check: `${prefix}-${f.rule}`, requirement: f.requirement, expected: f.expected, observed: f.observed, xml: f.xml ?? xml });
  }
}

export function defineSpScenario<V extends Variant = Record<string, never>>(
  family: Omit<ScenarioFamily<V, SpTargetContext, SpControlShape>, 'role'>,
): ScenarioFamily<V, SpTargetContext, SpControlShape> {
  return defineScenario<V, SpTargetContext, SpControlShape>({ ...family, role: 'sp' });
}

export function defineIdpScenario<V extends Variant = Record<string, never>>(
  family: Omit<ScenarioFamily<V, IdpTargetContext, IdpControlShape>, 'role'>,
): ScenarioFamily<V, IdpTargetContext, IdpControlShape> {
  return defineScenario<V, IdpTargetContext, IdpControlShape>({ ...family, role: 'idp' });
}
