// What samlconf offers the code around it: config files, user scenario files and scripts import
// from here (`import { defineConfig } from 'samlconf'`).
export { defineConfig, loadConfig, ConfigError } from './config.ts';
export type { SamlconfConfig, TargetConfig, TestUser, LoginSelectors, LoginFunction, SpOracle } from './config.ts';
export { defineSpScenario, defineIdpScenario } from './context.ts';
export type { SpTargetContext, IdpTargetContext, SpLoginOutcome, SpSessionState, TargetHandle } from './context.ts';
export { defineScenario, NotApplicableError } from './scenario.ts';
export type { ScenarioFamily, TargetFacts, Checker, CheckOptions } from './scenario.ts';
export { runCatalogue } from './api.ts';
export type { RunResult, ScenarioResult, Finding, Verdict } from '../shared/result-model.ts';
