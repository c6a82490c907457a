// authentik preset: one line in the config (`preset: { kind: 'authentik', baseUrl, slug }`) fills
// in where authentik serves its metadata and how a user logs in on its pages.
//
// Role 'idp' (authentik's SAML Provider, 2025.8 layout), per application slug:
//   metadata            <base>/application/saml/<slug>/metadata/
//   SSO Redirect / POST <base>/application/saml/<slug>/sso/binding/redirect/ | .../post/
//   IdP-initiated       <base>/application/saml/<slug>/sso/binding/init/
//   SLO Redirect / POST <base>/application/saml/<slug>/slo/binding/redirect/ | .../post/
// Older releases served metadata from `<base>/api/v3/providers/saml/<provider id>/metadata/?download`
// (numeric provider ID, not the slug). For those, set `metadata` to that URL yourself: an explicit
// `metadata` always wins over the preset.
//
// Role 'sp' (authentik's SAML Source), per source slug:
//   metadata <base>/source/saml/<slug>/metadata/, login start <base>/source/saml/<slug>/,
//   ACS <base>/source/saml/<slug>/acs/, SLO <base>/source/saml/<slug>/slo/.
//
// The login selectors are BEST-EFFORT. authentik renders its flow executor (/if/flow/...) with web
// components inside open shadow roots; Playwright's CSS selectors pierce open shadow roots, so
// plain selectors work there, but custom flows, themes, MFA or enrollment stages need a
// `login` function of your own.
import type { Page } from 'playwright';
import type { AuthentikPreset, TargetConfig } from '../config-types.ts';

export type { AuthentikPreset };


/** Selectors of authentik's default authentication and authorization flows (best-effort, see above). */
export const AUTHENTIK_LOGIN_SELECTORS = {
  /** Identification stage: the username / email field. */
  username: 'input[name="uidField"]',
  /** Password stage, or the password field an identification stage embeds. */
  password: 'input[name="password"]',
  submit: 'button[type="submit"]',
  /** The explicit-consent stage of the default provider authorization flow. */
  consent: 'ak-stage-consent button[type="submit"]',
} as const;

function joinBase(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

export function authentikIdpEndpoints(baseUrl: string, slug: string) {
  const app = (p: string) => joinBase(baseUrl, `/application/saml/${encodeURIComponent(slug)}/${p}`);
  return {
    metadata: app('metadata/'),
    ssoRedirect: app('sso/binding/redirect/'),
    ssoPost: app('sso/binding/post/'),
    idpInitiated: app('sso/binding/init/'),
    sloRedirect: app('slo/binding/redirect/'),
    sloPost: app('slo/binding/post/'),
  };
}

/** The metadata URL of releases before the application-slug layout. */
export function authentikLegacyMetadataUrl(baseUrl: string, providerId: number | string): string {
  return joinBase(baseUrl, `/api/v3/providers/saml/${encodeURIComponent(String(providerId))}/metadata/?download`);
}

export function authentikSpEndpoints(baseUrl: string, slug: string) {
  const source = (p: string) => joinBase(baseUrl, `/source/saml/${encodeURIComponent(slug)}/${p}`);
  return {
    metadata: source('metadata/'),
    login: source(''),
    acs: source('acs/'),
    slo: source('slo/'),
    /** authentik's API answer for the signed-in user: JSON with the user's username and email. */
    whoami: joinBase(baseUrl, '/api/v3/core/users/me/'),
  };
}

async function isVisibleSoon(page: Page, selector: string, timeoutMs: number): Promise<boolean> {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: timeoutMs });
    return true;
  } catch {
    return false;
  }
}

/** How long to wait, after the password, for authentik to either hand over or ask for consent. */
const AFTER_LOGIN_TIMEOUT_MS = 15_000;

/**
 * Logs in through authentik's default authentication flow: identification (username), then the
 * password stage, which authentik shows either on the same step or on the next one, then the
 * explicit-consent stage when the provider's authorization flow has one. Returns once the browser
 * has left authentik's origin (the auto-submitted Response on its way to the SP), or after the
 * consent click, or after a bounded wait: the caller judges where the browser ended. Best-effort.
 */
export async function authentikLogin(page: Page, user: { username: string; password: string }): Promise<void> {
  const s = AUTHENTIK_LOGIN_SELECTORS;
  const authentikOrigin = new URL(page.url()).origin;
  await page.locator(s.username).first().fill(user.username);
  // The password is on the identification step only when that stage embeds a password stage.
  if (!(await isVisibleSoon(page, s.password, 500))) {
    await page.locator(s.submit).first().click();
  }
  await page.locator(s.password).first().fill(user.password);
  await page.locator(s.submit).first().click();
  // The authentication flow ends with redirects through authentik (still its origin), then the
  // authorization flow either asks for consent or posts the Response to the SP (another origin).
  const outcome = await Promise.any([
    page.waitForURL((u) => u.origin !== authentikOrigin, { timeout: AFTER_LOGIN_TIMEOUT_MS }).then(() => 'left' as const),
    page.locator(s.consent).first().waitFor({ state: 'visible', timeout: AFTER_LOGIN_TIMEOUT_MS }).then(() => 'consent' as const),
  ]).catch(() => 'timeout' as const);
  if (outcome === 'consent') await page.locator(s.consent).first().click();
}

/**
 * Fills what the preset knows into a target. Anything the user set explicitly stays as it is.
 * Returns a new object; the preset itself is kept so reports can say where values came from.
 */
export function applyAuthentikPreset(target: TargetConfig, preset: AuthentikPreset): TargetConfig {
  if (target.role === 'idp') {
    const e = authentikIdpEndpoints(preset.baseUrl, preset.slug);
    return {
      ...target,
      metadata: target.metadata || e.metadata,
      idpInitiatedUrl: target.idpInitiatedUrl ?? e.idpInitiated,
      // IdP-initiated login exists for every authentik SAML provider (the init endpoint).
      capabilities: target.capabilities ?? ['idp-initiated'],
      login: target.login ?? authentikLogin,
    };
  }
  const e = authentikSpEndpoints(preset.baseUrl, preset.slug);
  return {
    ...target,
    metadata: target.metadata || e.metadata,
    loginUrl: target.loginUrl ?? e.login,
    // users/me answers {"user": {"username": …, "email": …}}; a SAML source names its users by the NameID.
    oracle: target.oracle ?? { whoami: e.whoami, identityPath: 'user.username' },
  };
}
