// The shape of samlconf's configuration, apart from its loading and validation (config.ts), so
// the presets and the default configuration can name these types without importing the loader.
import type { Page } from 'playwright';

export interface TestUser {
  username: string;
  password: string;
  /** The NameID the IdP should assert for this user, when known. */
  nameId?: string;
  /** Attributes the IdP should release for this user. */
  attributes?: Record<string, string | string[]>;
}

/** Same as TestUser (both names are in use). */
export type TargetUser = TestUser;

/** CSS selectors on the IdP's login page (Playwright selectors; open shadow roots are pierced). */
export interface LoginSelectors {
  username: string;
  password: string;
  submit: string;
  /** Clicked one after another after submitting, e.g. a consent button. */
  next?: string[];
}

export type LoginFunction = (page: Page, user: { username: string; password: string }) => Promise<void>;

export interface TargetStart {
  /** Shell command that starts the target. */
  command: string;
  /** Readiness URL: the target is up once it answers with any status below 500. */
  url: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Passed to the command as PORT. */
  port?: number;
  /** How long to wait for `url`. Default 60000. */
  timeoutMs?: number;
}

export interface SpOracle {
  /** URL fetched in the same browser context after login; its body shows who is logged in. */
  whoami?: string;
  /** Regular expression the page URL matches once logged in (templated). */
  urlPattern?: string;
  /** Text the page shows once logged in, templated: {{nameId}}, {{attr.email}}. */
  text?: string;
  /** Selector of the element that shows the identity. */
  selector?: string;
  /**
   * Where the whoami JSON names the logged-in user, as a dotted path (`user.username` for
   * authentik's `/api/v3/core/users/me/`). Without it the answer must be `{ nameId }`,
   * `{ authenticated, nameId? }` or `{ user: "…" }`; text or another shape is an error.
   */
  identityPath?: string;
}

/** SP targets: the identity the mock IdP asserts for positive flows, when the SP needs a given one. */
export interface TargetIdentity {
  nameId?: string;
  /** A NameID Format URI; the mock then sends this format whatever the SP's NameIDPolicy asks. */
  nameIdFormat?: string;
  attributes?: Record<string, string | string[]>;
}

/** The authentik preset: base URL and application (or source) slug fill in the rest. */
export interface AuthentikPreset {
  kind: 'authentik';
  baseUrl: string;
  slug: string;
}

export type Preset = AuthentikPreset;

export interface TargetConfig {
  name: string;
  role: 'sp' | 'idp';
  /** URL or file path (relative to the config file). Filled from `preset` when left out. */
  metadata: string;
  /** Entity to use when `metadata` is an aggregate (EntitiesDescriptor) with several. */
  entityId?: string;
  start?: TargetStart;
  /** e.g. 'idp-initiated', 'slo', 'encryption', 'artifact'. */
  capabilities?: string[];
  // role 'sp'
  /** Where a user clicks "Sign in with SSO". */
  loginUrl?: string;
  logoutUrl?: string;
  oracle?: SpOracle;
  /** The test user's NameID (value, format) and attributes, when the SP needs particular ones. */
  identity?: TargetIdentity;
  // role 'idp'
  users?: TestUser[];
  login?: LoginSelectors | LoginFunction;
  /** URL that starts IdP-initiated SSO toward the harness's SP (not in SAML metadata). */
  idpInitiatedUrl?: string;
  preset?: Preset;
}

export interface SamlconfConfig {
  targets: TargetConfig[];
  /** Default '.samlconf' next to the config: peer keys and certificates are kept here. */
  stateDir?: string;
  /** Extra globs of user scenario files (ours are always included). */
  scenarios?: string[];
  /** Default: the core count (at least 2). */
  workers?: number;
  /** Per scenario, default 30000. */
  timeoutMs?: number;
  /** screenshots: where the browser ended, kept for scenarios that failed, warned or broke (default), all, or none. */
  browser?: { executablePath?: string; headless?: boolean; screenshots?: ScreenshotPolicy };
  peer?: {
    host?: string;
    idpPort?: number;
    spPort?: number;
    idpEntityId?: string;
    spEntityId?: string;
    /** Mock SP toward an IdP: signs its AuthnRequests by default and says so (AuthnRequestsSigned). Default true. */
    authnRequestsSigned?: boolean;
    /** Mock IdP toward an SP: WantAuthnRequestsSigned, and refuses unsigned requests when true. Default 'as-sp-metadata'. */
    wantAuthnRequestsSigned?: boolean | 'as-sp-metadata';
    /** Mock IdP toward an SP: encrypt assertions (true), never (false), or when its metadata has a use="encryption" key. Default false. */
    encryptAssertions?: boolean | 'as-sp-metadata';
  };
}

export type ScreenshotPolicy = 'on-failure' | 'all' | 'off';
