// The browser that drives every flow: one Chromium per run, one fresh context per scenario.
// Its host resolver maps *.test to 127.0.0.1 and every other name to "not found", so mocks and
// targets get distinct sites (idp.samlconf.test, sp.samlconf.test, <name>.target.test) and
// nothing a page links to can leave this machine.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright';

export const HOST_RESOLVER_RULES = 'MAP *.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1';

export const CHROMIUM_ARGS: readonly string[] = [
  `--host-resolver-rules=${HOST_RESOLVER_RULES}`,
  // A system proxy would otherwise receive the requests (and resolve names itself).
  '--no-proxy-server',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
  '--disable-gpu',
  // One process fewer per browser: the (software) GPU service runs inside the browser process.
  '--in-process-gpu',
  // Every cross-site hop of a SAML flow (SP -> IdP -> SP) could otherwise start a new renderer
  // process. Isolation protects a user's sites from each other; this browser only ever visits the
  // targets under test on loopback. (No --disable-features here: Chromium keeps only the last such
  // switch, and Playwright's own, which keeps plain-HTTP navigations from being upgraded to HTTPS
  // among other things, would be lost.)
  '--disable-site-isolation-trials',
];

export const SYSTEM_CHROMIUM_PATHS: readonly string[] = [
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/**
 * Chromium's headless shell (the "old headless" build: no browser UI, no GPU process). It runs a
 * fresh context through a three-hop SAML flow about three times faster than the full browser in
 * headless mode, so headless runs prefer it; Playwright makes the same choice with its own download.
 */
export const SYSTEM_HEADLESS_SHELL_PATHS: readonly string[] = [
  '/usr/lib/chromium/chromium-headless-shell',
  '/usr/bin/chromium-headless-shell',
  '/usr/bin/chrome-headless-shell',
];

/** Per-scenario defaults: long enough for a slow IdP, short enough that a stuck page ends. */
export const ACTION_TIMEOUT_MS = 15_000;
export const NAVIGATION_TIMEOUT_MS = 20_000;

export class BrowserNotFoundError extends Error {
  readonly tried: string[];
  constructor(tried: string[]) {
    super(
      'No Chromium or Chrome found to drive the login flows. Install one:\n' +
        '  Debian/Ubuntu:  apt-get install -y chromium chromium-headless-shell   (the shell makes headless runs faster)\n' +
        '  elsewhere:      npx playwright install chromium\n' +
        'or point samlconf at an existing one with SAMLCONF_CHROMIUM=/path/to/chrome ' +
        '(or browser.executablePath in samlconf.config.ts).\n' +
        `Looked at: ${tried.length > 0 ? tried.join(', ') : '(nothing)'}`,
    );
    this.name = 'BrowserNotFoundError';
    this.tried = tried;
  }
}

/** Injection points so tests can make every location absent. */
export interface FindChromiumOptions {
  /** Default true: prefer a headless shell where one is installed next to the full browser. */
  headless?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Playwright's own browser path; `null` to skip it. Default: chromium.executablePath(). */
  playwrightPath?: string | null;
  /** Playwright's own headless shell; `null` to skip it. Default: found next to playwrightPath. */
  playwrightShellPath?: string | null;
  systemPaths?: readonly string[];
  systemShellPaths?: readonly string[];
  exists?: (file: string) => boolean;
}

function isExecutableFile(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function playwrightChromiumPath(): string | null {
  try {
    return chromium.executablePath();
  } catch {
    return null;
  }
}

/** Where Playwright keeps the headless shell it downloads alongside its Chromium. */
const PLAYWRIGHT_SHELL_LAYOUTS = [
  'chrome-headless-shell-linux64/chrome-headless-shell',
  'chrome-headless-shell-linux-arm64/chrome-headless-shell',
  'chrome-linux/headless_shell',
  'chrome-headless-shell-mac-arm64/chrome-headless-shell',
  'chrome-headless-shell-mac-x64/chrome-headless-shell',
  'chrome-headless-shell-win64/chrome-headless-shell.exe',
];

/**
 * Playwright installs `chromium-<rev>/…` and `chromium_headless_shell-<rev>/…` side by side; the
 * shell's path is derived from the browser's (Playwright has no public API for it).
 */
export function playwrightShellCandidates(playwrightPath: string): string[] {
  let dir = path.dirname(playwrightPath);
  while (!/^chromium-\d+$/.test(path.basename(dir))) {
    const up = path.dirname(dir);
    if (up === dir) return [];
    dir = up;
  }
  const shellDir = path.join(path.dirname(dir), path.basename(dir).replace('chromium-', 'chromium_headless_shell-'));
  return PLAYWRIGHT_SHELL_LAYOUTS.map((layout) => path.join(shellDir, layout));
}

/**
 * The Chromium to use: the configured path, then $SAMLCONF_CHROMIUM, then Playwright's own
 * download, then the usual system locations; for headless runs, a headless shell comes before the
 * full browser at each of the last two. A configured path or SAMLCONF_CHROMIUM that does not
 * exist is an error of its own (a typo should not silently fall through to another browser).
 */
export function findChromium(configured?: string, options: FindChromiumOptions = {}): string {
  const env = options.env ?? process.env;
  const exists = options.exists ?? isExecutableFile;
  const headless = options.headless ?? true;
  // A bare name ("chromium") is looked up on PATH; anything with a slash is taken as a path.
  const resolve = (name: string): string | undefined => {
    if (name.includes('/') || name.includes('\\')) return exists(name) ? name : undefined;
    for (const dir of (env.PATH ?? '').split(path.delimiter)) {
      if (dir && exists(path.join(dir, name))) return path.join(dir, name);
    }
    return undefined;
  };
  if (configured) {
    const found = resolve(configured);
    if (found) return found;
    throw new BrowserNotFoundError([`${configured} (browser.executablePath: not an executable file)`]);
  }
  const fromEnv = env.SAMLCONF_CHROMIUM;
  if (fromEnv) {
    const found = resolve(fromEnv);
    if (found) return found;
    throw new BrowserNotFoundError([`${fromEnv} (SAMLCONF_CHROMIUM: not an executable file)`]);
  }
  const pw = options.playwrightPath === undefined ? playwrightChromiumPath() : options.playwrightPath;
  const pwShell =
    options.playwrightShellPath === undefined ? (pw ? playwrightShellCandidates(pw) : []) : options.playwrightShellPath ? [options.playwrightShellPath] : [];
  const candidates = [
    ...(headless ? pwShell : []),
    ...(pw ? [pw] : []),
    ...(headless ? (options.systemShellPaths ?? SYSTEM_HEADLESS_SHELL_PATHS) : []),
    ...(options.systemPaths ?? SYSTEM_CHROMIUM_PATHS),
  ];
  const tried: string[] = [];
  for (const candidate of candidates) {
    if (exists(candidate)) return candidate;
    tried.push(candidate);
  }
  throw new BrowserNotFoundError(tried);
}

export interface LaunchBrowserOptions {
  executablePath?: string;
  /** Default true. */
  headless?: boolean;
}

/** One browser per run. */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<Browser> {
  const headless = options.headless ?? true;
  const executablePath = findChromium(options.executablePath, { headless });
  return chromium.launch({
    executablePath,
    headless,
    args: [...CHROMIUM_ARGS],
    timeout: 60_000,
  });
}

/**
 * A fresh context (own cookies and storage) for one scenario, with bounded timeouts. Targets in
 * development often use self-signed TLS; certificate errors are ignored because samlconf tests
 * SAML, not the target's TLS set-up.
 */
export async function newScenarioContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    acceptDownloads: false,
    serviceWorkers: 'block',
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  return context;
}
