// The mock IdP (docs/mocks.md): a fastify IdP on loopback whose answers each scenario plans.
export { startMockIdp } from './server.ts';
export { DEFAULT_USER, PlanError, buildPlannedResponse, planFromJson } from './plan.ts';
export type { CredentialName, PlannedResponse, ResponseInput } from './plan.ts';
export { PERSONAS, persona, userFacts } from './personas.ts';
export type { Persona, PersonaShape, RouteLayout, ShapeInput, UserFacts } from './personas.ts';
export { EvidenceRecorder, messageKindOf, redirectSignatureEvidence, xmlSignatureEvidence } from '../mock-kit/recorder.ts';
export type { EvidenceInput } from '../mock-kit/recorder.ts';
export { DEFAULT_SCENARIO, SCENARIO_HEADER } from './state.ts';
export type {
  IdpPlan,
  IdpPlanResponse,
  IdpPlanSigning,
  IdpScenario,
  IdpUser,
  LastAuthnRequest,
  LastResponse,
  LogoutRequestUrlOptions,
  MockIdp,
  MockIdpOptions,
  MockIdpWeaknesses,
  PersonaConfig,
  PersonaName,
  ReceivedLogout,
} from './types.ts';
