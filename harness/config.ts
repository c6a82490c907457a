// The run's configuration: `samlconf.config.ts` (default export defineConfig({...})), `.mts`,
// `.js`, `.mjs` or `.json`. Validated by hand so every mistake is reported with where it is and
// what to write instead; relative paths are resolved against the config file's folder; presets
// are expanded; defaults are filled in, so callers get a complete, absolute-path config.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { Page } from 'playwright';
import { isLoopbackUrl, loopbackAddressFor } from './net.ts';
import type { AuthentikPreset, LoginFunction, LoginSelectors, Preset, SamlconfConfig, ScreenshotPolicy, SpOracle, TargetConfig, TargetIdentity, TargetStart, TestUser } from './config-types.ts';
import { applyAuthentikPreset } from './presets/authentik.ts';
import { defaultConfig } from './default-config.ts';

export type {
  AuthentikPreset,
  LoginFunction,
  LoginSelectors,
  Preset,
  SamlconfConfig,
  ScreenshotPolicy,
  SpOracle,
  TargetConfig,
  TargetIdentity,
  TargetStart,
  TargetUser,
  TestUser,
} from './config-types.ts';
const AS_SP_METADATA = 'as-sp-metadata';

/** true, false or 'as-sp-metadata'. */
function optBoolOrAsSp(v: unknown, p: string, issues: Issues): boolean | typeof AS_SP_METADATA | undefined {
  if (v === AS_SP_METADATA) return AS_SP_METADATA;
  if (v === undefined || typeof v === 'boolean') return v;
  issues.add(p, `expected true, false or '${AS_SP_METADATA}', got ${describe(v)}`);
  return undefined;
}

export const SCREENSHOT_POLICIES: readonly ScreenshotPolicy[] = ['on-failure', 'all', 'off'];

export const CONFIG_FILE_NAMES = [
  'samlconf.config.ts',
  'samlconf.config.mts',
  'samlconf.config.js',
  'samlconf.config.mjs',
  'samlconf.config.json',
] as const;

export const DEFAULT_SCENARIO_TIMEOUT_MS = 30_000;
export const DEFAULT_START_TIMEOUT_MS = 60_000;
export const DEFAULT_PEER_HOST = '127.0.0.1';
export const DEFAULT_STATE_DIR_NAME = '.samlconf';

/** Capabilities scenarios look for; other names are allowed, near-misses of these are typos. */
export const KNOWN_CAPABILITIES = ['idp-initiated', 'slo', 'encryption', 'artifact', 'signed-requests', 'force-authn', 'is-passive'];

export interface ConfigIssue {
  /** Where, e.g. `targets[0].metadata`. */
  path: string;
  /** What is wrong and what to write instead. */
  message: string;
}

export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  readonly file?: string;
  constructor(issues: ConfigIssue[] | string, file?: string, options?: { cause?: unknown }) {
    const list = typeof issues === 'string' ? [{ path: '', message: issues }] : issues;
    const where = file ? `${file}: ` : '';
    const line = (i: ConfigIssue) => (i.path ? `${i.path}: ${i.message}` : i.message);
    const message =
      list.length === 1
        ? `${where}${line(list[0]!)}`
        : `${where}${list.length} problems in the configuration:\n${list.map((i) => `  - ${line(i)}`).join('\n')}`;
    super(message, options);
    this.name = 'ConfigError';
    this.issues = list;
    this.file = file;
  }
}

/** What a config file may leave out: `metadata` when a preset supplies it. */
export type TargetConfigInput = Omit<TargetConfig, 'metadata'> & { metadata?: string };
export type SamlconfConfigInput = Omit<SamlconfConfig, 'targets'> & { targets: TargetConfigInput[] };

/** Identity function that gives a config file its types. */
export function defineConfig(config: SamlconfConfig): SamlconfConfig;
export function defineConfig(config: SamlconfConfigInput): SamlconfConfigInput;
export function defineConfig(config: SamlconfConfigInput): SamlconfConfigInput {
  return config;
}

/**
 * Loads, validates and completes the configuration. Without `file`, looks for a
 * samlconf.config.{ts,mts,js,mjs,json} in `options.cwd` (default process.cwd()); when there is
 * none, returns the built-in default config (the reference targets), with `dir` = that folder.
 */
export async function loadConfig(file?: string, options: { cwd?: string } = {}): Promise<{ config: SamlconfConfig; dir: string }> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  let configFile: string | undefined;
  if (file !== undefined) {
    configFile = path.resolve(cwd, file);
    if (!fs.existsSync(configFile)) throw new ConfigError(`config file ${configFile} does not exist`);
  } else {
    configFile = CONFIG_FILE_NAMES.map((n) => path.join(cwd, n)).find((f) => fs.existsSync(f));
  }
  if (!configFile) {
    return { config: validateConfig(defaultConfig(), { dir: cwd, file: '(built-in default config)' }), dir: cwd };
  }
  const raw = await readConfigFile(configFile);
  const dir = path.dirname(configFile);
  return { config: validateConfig(raw, { dir, file: path.basename(configFile) }), dir };
}

async function readConfigFile(file: string): Promise<unknown> {
  const name = path.basename(file);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (cause) {
      throw new ConfigError(`cannot read ${file}: ${(cause as Error).message}`, name, { cause });
    }
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new ConfigError(`not valid JSON: ${(cause as Error).message}`, name, { cause });
    }
  }
  if (!['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].includes(ext)) {
    throw new ConfigError(`unsupported config file type '${ext || '(none)'}': use .ts, .mts, .js, .mjs or .json`, name);
  }
  let mod: unknown;
  try {
    if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
      const { tsImport } = await import('tsx/esm/api');
      mod = await tsImport(pathToFileURL(file).href, import.meta.url);
    } else {
      mod = await import(pathToFileURL(file).href);
    }
  } catch (cause) {
    throw new ConfigError(`could not load the config file: ${(cause as Error).message ?? String(cause)}`, name, { cause });
  }
  // ESM gives { default: config }; a file compiled as CommonJS may nest it once more.
  if (!isObject(mod) || !('default' in mod)) {
    throw new ConfigError('the config file must default-export the configuration: export default defineConfig({ targets: [...] })', name);
  }
  let value: unknown = mod.default;
  for (let i = 0; i < 2 && isObject(value) && !('targets' in value) && 'default' in value; i++) value = value.default;
  if (!isObject(value)) {
    throw new ConfigError('the config file must default-export the configuration: export default defineConfig({ targets: [...] })', name);
  }
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Validation

class Issues {
  readonly list: ConfigIssue[] = [];
  add(p: string, message: string): void {
    this.list.push({ path: p, message });
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function') return 'a function';
  return `${typeof v} ${String(v)}`;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

function checkKeys(obj: Record<string, unknown>, known: readonly string[], p: string, issues: Issues): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const guess = closest(key, known);
    issues.add(p ? `${p}.${key}` : key, `unknown setting${guess ? `; did you mean '${guess}'?` : `; known settings here: ${known.join(', ')}`}`);
  }
}

function optString(v: unknown, p: string, issues: Issues, what = 'a non-empty string'): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') {
    issues.add(p, `expected ${what}, got ${describe(v)}`);
    return undefined;
  }
  return v;
}

function optInt(v: unknown, p: string, issues: Issues, min: number, max: number, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    issues.add(p, `expected ${what} (a whole number from ${min} to ${max}), got ${describe(v)}`);
    return undefined;
  }
  return v;
}

function optBool(v: unknown, p: string, issues: Issues): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') {
    issues.add(p, `expected true or false, got ${describe(v)}`);
    return undefined;
  }
  return v;
}

const OFF_MACHINE_HINT =
  'samlconf never sends traffic off this machine: use localhost, 127.0.0.1 or a *.test host name (mapped to 127.0.0.1)';

/** An http(s) URL on this machine (what the browser and fetchLocal can reach). */
function optLocalUrl(v: unknown, p: string, issues: Issues): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') {
    issues.add(p, `expected an http(s) URL such as http://app.target.test:8080/, got ${describe(v)}`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    issues.add(p, `expected an absolute http(s) URL such as http://app.target.test:8080/, got ${describe(v)}`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    issues.add(p, `expected an http or https URL, got ${url.protocol} in ${describe(v)}`);
    return undefined;
  }
  if (!isLoopbackUrl(url)) {
    issues.add(p, `${url.hostname} is not on this machine; ${OFF_MACHINE_HINT}`);
    return undefined;
  }
  return v;
}

function optStringList(v: unknown, p: string, issues: Issues): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    issues.add(p, `expected a list of strings, got ${describe(v)}`);
    return undefined;
  }
  const out: string[] = [];
  v.forEach((item, i) => {
    const s = optString(item, `${p}[${i}]`, issues);
    if (s !== undefined) out.push(s);
  });
  return out;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function resolvePath(dir: string, p: string): string {
  return path.resolve(dir, p);
}

const TOP_KEYS = ['targets', 'stateDir', 'scenarios', 'workers', 'timeoutMs', 'browser', 'peer'] as const;
const TARGET_KEYS = [
  'name', 'role', 'metadata', 'entityId', 'start', 'capabilities', 'loginUrl', 'logoutUrl', 'oracle',
  'identity', 'users', 'login', 'idpInitiatedUrl', 'preset',
] as const;
const SP_ONLY = ['loginUrl', 'logoutUrl', 'oracle', 'identity'] as const;
const IDP_ONLY = ['users', 'login', 'idpInitiatedUrl'] as const;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const CAPABILITY_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export interface ValidateOptions {
  /** Folder that relative paths are resolved against (the config file's folder). */
  dir: string;
  /** Named in error messages. */
  file?: string;
}

/**
 * Checks a raw configuration object and returns it completed: presets expanded, relative paths
 * made absolute, defaults filled in. Throws ConfigError listing every problem found.
 */
export function validateConfig(raw: unknown, options: ValidateOptions): SamlconfConfig {
  const dir = path.resolve(options.dir);
  const issues = new Issues();
  if (!isObject(raw)) {
    throw new ConfigError([{ path: '', message: `the configuration must be an object with a 'targets' list, got ${describe(raw)}` }], options.file);
  }
  checkKeys(raw, TOP_KEYS, '', issues);

  const targets: TargetConfig[] = [];
  if (!Array.isArray(raw.targets) || raw.targets.length === 0) {
    issues.add('targets', `expected a list with at least one target ({ name, role, metadata, ... }), got ${describe(raw.targets)}`);
  } else {
    const seen = new Map<string, number>();
    raw.targets.forEach((t, i) => {
      const name = isObject(t) && typeof t.name === 'string' ? t.name : undefined;
      if (name !== undefined) {
        const prev = seen.get(name);
        if (prev !== undefined) issues.add(`targets[${i}].name`, `'${name}' is already used by targets[${prev}]; give each target its own name`);
        else seen.set(name, i);
      }
      const target = validateTarget(t, `targets[${i}]`, dir, issues);
      if (target) targets.push(target);
    });
  }

  const stateDirRaw = optString(raw.stateDir, 'stateDir', issues, 'a folder path');
  const scenarios = optStringList(raw.scenarios, 'scenarios', issues)?.map((g) => resolvePath(dir, g));
  const workers = optInt(raw.workers, 'workers', issues, 1, 256, 'a number of parallel scenarios');
  const timeoutMs = optInt(raw.timeoutMs, 'timeoutMs', issues, 1, 3_600_000, 'milliseconds per scenario');

  let browser: SamlconfConfig['browser'] = { headless: true };
  if (raw.browser !== undefined) {
    if (!isObject(raw.browser)) issues.add('browser', `expected { executablePath?, headless?, screenshots? }, got ${describe(raw.browser)}`);
    else {
      checkKeys(raw.browser, ['executablePath', 'headless', 'screenshots'], 'browser', issues);
      const screenshots = raw.browser.screenshots;
      if (screenshots !== undefined && !SCREENSHOT_POLICIES.includes(screenshots as ScreenshotPolicy)) {
        issues.add('browser.screenshots', `expected one of ${SCREENSHOT_POLICIES.map((x) => `'${x}'`).join(', ')}, got ${describe(screenshots)}`);
      }
      const exe = optString(raw.browser.executablePath, 'browser.executablePath', issues, 'the path of a Chromium or Chrome executable');
      const headless = optBool(raw.browser.headless, 'browser.headless', issues);
      browser = {
        // A bare name ("chromium") is left for the caller to look up; anything with a slash is a path.
        ...(exe !== undefined ? { executablePath: exe.includes('/') || exe.includes('\\') ? resolvePath(dir, exe) : exe } : {}),
        headless: headless ?? true,
        ...(SCREENSHOT_POLICIES.includes(screenshots as ScreenshotPolicy) ? { screenshots: screenshots as ScreenshotPolicy } : {}),
      };
    }
  }

  let peer: NonNullable<SamlconfConfig['peer']> = { host: DEFAULT_PEER_HOST };
  if (raw.peer !== undefined) {
    if (!isObject(raw.peer)) issues.add('peer', `expected { host?, idpPort?, spPort?, idpEntityId?, spEntityId?, authnRequestsSigned?, wantAuthnRequestsSigned?, encryptAssertions? }, got ${describe(raw.peer)}`);
    else {
      checkKeys(raw.peer, ['host', 'idpPort', 'spPort', 'idpEntityId', 'spEntityId', 'authnRequestsSigned', 'wantAuthnRequestsSigned', 'encryptAssertions'], 'peer', issues);
      let host = optString(raw.peer.host, 'peer.host', issues, 'a loopback address such as 127.0.0.1');
      if (host !== undefined && (loopbackAddressFor(host) === undefined || host.endsWith('.test'))) {
        issues.add('peer.host', `the mocks listen on loopback only: use 127.0.0.1, ::1 or localhost, got ${describe(host)}`);
        host = undefined;
      }
      const idpPort = optInt(raw.peer.idpPort, 'peer.idpPort', issues, 0, 65535, 'a TCP port (0 = any free port)');
      const spPort = optInt(raw.peer.spPort, 'peer.spPort', issues, 0, 65535, 'a TCP port (0 = any free port)');
      const idpEntityId = optString(raw.peer.idpEntityId, 'peer.idpEntityId', issues, 'an entity ID (a URI)');
      const spEntityId = optString(raw.peer.spEntityId, 'peer.spEntityId', issues, 'an entity ID (a URI)');
      const authnRequestsSigned = optBool(raw.peer.authnRequestsSigned, 'peer.authnRequestsSigned', issues);
      const wantAuthnRequestsSigned = optBoolOrAsSp(raw.peer.wantAuthnRequestsSigned, 'peer.wantAuthnRequestsSigned', issues);
      const encryptAssertions = optBoolOrAsSp(raw.peer.encryptAssertions, 'peer.encryptAssertions', issues);
      peer = {
        host: host ?? DEFAULT_PEER_HOST,
        ...(idpPort !== undefined ? { idpPort } : {}),
        ...(spPort !== undefined ? { spPort } : {}),
        ...(idpEntityId !== undefined ? { idpEntityId } : {}),
        ...(spEntityId !== undefined ? { spEntityId } : {}),
        ...(authnRequestsSigned !== undefined ? { authnRequestsSigned } : {}),
        ...(wantAuthnRequestsSigned !== undefined ? { wantAuthnRequestsSigned } : {}),
        ...(encryptAssertions !== undefined ? { encryptAssertions } : {}),
      };
    }
  }

  if (issues.list.length > 0) throw new ConfigError(issues.list, options.file);
  return {
    targets,
    stateDir: resolvePath(dir, stateDirRaw ?? DEFAULT_STATE_DIR_NAME),
    scenarios: scenarios ?? [],
    // Left unset, the runner picks a default from the core count (harness/api.ts defaultWorkers).
    ...(workers !== undefined ? { workers } : {}),
    timeoutMs: timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS,
    browser,
    peer,
  };
}

function validatePreset(v: unknown, p: string, issues: Issues): Preset | undefined {
  if (!isObject(v)) {
    issues.add(p, `expected { kind: 'authentik', baseUrl, slug }, got ${describe(v)}`);
    return undefined;
  }
  if (v.kind !== 'authentik') {
    issues.add(`${p}.kind`, `unknown preset ${describe(v.kind)}; the only preset is 'authentik'`);
    return undefined;
  }
  checkKeys(v, ['kind', 'baseUrl', 'slug'], p, issues);
  const before = issues.list.length;
  const baseUrl = optLocalUrl(v.baseUrl, `${p}.baseUrl`, issues);
  if (v.baseUrl === undefined) issues.add(`${p}.baseUrl`, "missing: authentik's address, e.g. http://authentik.test:9000");
  const slug = optString(v.slug, `${p}.slug`, issues, 'the application (or source) slug');
  if (v.slug === undefined) issues.add(`${p}.slug`, "missing: the slug of the authentik application (IdP) or SAML source (SP)");
  else if (slug !== undefined && !/^[-a-zA-Z0-9_]+$/.test(slug)) issues.add(`${p}.slug`, `a slug has only letters, digits, '-' and '_', got ${describe(slug)}`);
  if (issues.list.length > before || !baseUrl || !slug) return undefined;
  return { kind: 'authentik', baseUrl, slug };
}

function validateStart(v: unknown, p: string, dir: string, issues: Issues): TargetStart | undefined {
  if (!isObject(v)) {
    issues.add(p, `expected { command, url, cwd?, env?, port?, timeoutMs? }, got ${describe(v)}`);
    return undefined;
  }
  checkKeys(v, ['command', 'url', 'cwd', 'env', 'port', 'timeoutMs'], p, issues);
  const before = issues.list.length;
  const command = optString(v.command, `${p}.command`, issues, 'a shell command');
  if (v.command === undefined) issues.add(`${p}.command`, 'missing: the shell command that starts the target');
  const url = optLocalUrl(v.url, `${p}.url`, issues);
  if (v.url === undefined) issues.add(`${p}.url`, 'missing: a URL that answers once the target is ready (e.g. its metadata URL)');
  const cwd = optString(v.cwd, `${p}.cwd`, issues, 'a folder path');
  const port = optInt(v.port, `${p}.port`, issues, 1, 65535, 'a TCP port');
  const timeoutMs = optInt(v.timeoutMs, `${p}.timeoutMs`, issues, 1, 3_600_000, 'milliseconds to wait for the URL');
  let env: Record<string, string> | undefined;
  if (v.env !== undefined) {
    if (!isObject(v.env)) issues.add(`${p}.env`, `expected an object of NAME: 'value' pairs, got ${describe(v.env)}`);
    else {
      env = {};
      for (const [k, val] of Object.entries(v.env)) {
        if (typeof val !== 'string') issues.add(`${p}.env.${k}`, `expected a string (environment values are text: write '${String(val)}' in quotes), got ${describe(val)}`);
        else env[k] = val;
      }
    }
  }
  const cwdPath = resolvePath(dir, cwd ?? '.');
  // Spawning in a missing folder only says `spawn /bin/sh ENOENT`, and then every scenario errs.
  if (cwd !== undefined && !isDirectory(cwdPath)) {
    issues.add(`${p}.cwd`, `folder ${cwdPath} does not exist (relative paths are read from the config file's folder)`);
  }
  if (issues.list.length > before || !command || !url) return undefined;
  return {
    command,
    url,
    cwd: cwdPath,
    ...(env ? { env } : {}),
    ...(port !== undefined ? { port } : {}),
    timeoutMs: timeoutMs ?? DEFAULT_START_TIMEOUT_MS,
  };
}

function validateMetadata(v: unknown, p: string, dir: string, hasStart: boolean, issues: Issues): string | undefined {
  if (typeof v !== 'string' || v.trim() === '') {
    issues.add(p, `expected a URL or file path of the target's SAML metadata, got ${describe(v)}`);
    return undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    if (v.toLowerCase().startsWith('file://')) {
      try {
        return validateMetadataFile(fileURLToPath(v), p, hasStart, issues);
      } catch {
        issues.add(p, `not a valid file URL: ${describe(v)}`);
        return undefined;
      }
    }
    return optLocalUrl(v, p, issues);
  }
  return validateMetadataFile(resolvePath(dir, v), p, hasStart, issues);
}

function validateMetadataFile(file: string, p: string, hasStart: boolean, issues: Issues): string | undefined {
  // A started target may write its metadata file on start-up, so only check when nothing starts.
  if (!hasStart && !fs.existsSync(file)) {
    issues.add(p, `metadata file ${file} does not exist (relative paths are read from the config file's folder)`);
    return undefined;
  }
  return file;
}

function validateUsers(v: unknown, p: string, issues: Issues): TestUser[] | undefined {
  if (!Array.isArray(v) || v.length === 0) {
    issues.add(p, `an IdP target needs at least one test user to log in with: [{ username, password }], got ${describe(v)}`);
    return undefined;
  }
  const users: TestUser[] = [];
  v.forEach((u, i) => {
    const up = `${p}[${i}]`;
    if (!isObject(u)) {
      issues.add(up, `expected { username, password, nameId?, attributes? }, got ${describe(u)}`);
      return;
    }
    checkKeys(u, ['username', 'password', 'nameId', 'attributes'], up, issues);
    const before = issues.list.length;
    const username = optString(u.username, `${up}.username`, issues);
    if (u.username === undefined) issues.add(`${up}.username`, 'missing: the login name typed on the IdP page');
    if (u.password === undefined || typeof u.password !== 'string') issues.add(`${up}.password`, `expected the user's password as a string, got ${describe(u.password)}`);
    const nameId = optString(u.nameId, `${up}.nameId`, issues);
    const attributes = u.attributes === undefined ? undefined : validateAttributes(u.attributes, `${up}.attributes`, issues);
    if (issues.list.length > before || !username) return;
    users.push({ username, password: u.password as string, ...(nameId ? { nameId } : {}), ...(attributes ? { attributes } : {}) });
  });
  return users;
}

function validateAttributes(v: unknown, p: string, issues: Issues): Record<string, string | string[]> | undefined {
  if (!isObject(v)) {
    issues.add(p, `expected { name: 'value' | ['v1', 'v2'] }, got ${describe(v)}`);
    return undefined;
  }
  const attributes: Record<string, string | string[]> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string' || (Array.isArray(val) && val.every((x) => typeof x === 'string'))) attributes[k] = val as string | string[];
    else issues.add(`${p}.${k}`, `expected a string or a list of strings, got ${describe(val)}`);
  }
  return attributes;
}

function validateLogin(v: unknown, p: string, issues: Issues): LoginSelectors | LoginFunction | undefined {
  if (typeof v === 'function') return v as LoginFunction;
  if (!isObject(v)) {
    issues.add(p, `expected selectors { username, password, submit, next? } or a function (page, user) => Promise<void>, got ${describe(v)}`);
    return undefined;
  }
  checkKeys(v, ['username', 'password', 'submit', 'next'], p, issues);
  const before = issues.list.length;
  const username = optString(v.username, `${p}.username`, issues, 'the CSS selector of the username field');
  const password = optString(v.password, `${p}.password`, issues, 'the CSS selector of the password field');
  const submit = optString(v.submit, `${p}.submit`, issues, 'the CSS selector of the submit button');
  for (const k of ['username', 'password', 'submit'] as const) {
    if (v[k] === undefined) issues.add(`${p}.${k}`, `missing: the CSS selector of the ${k === 'submit' ? 'submit button' : `${k} field`}`);
  }
  const next = optStringList(v.next, `${p}.next`, issues);
  if (issues.list.length > before || !username || !password || !submit) return undefined;
  return { username, password, submit, ...(next ? { next } : {}) };
}

function validateOracle(v: unknown, p: string, issues: Issues): SpOracle | undefined {
  if (!isObject(v)) {
    issues.add(p, `expected { whoami?, urlPattern?, text?, selector?, identityPath? }, got ${describe(v)}`);
    return undefined;
  }
  checkKeys(v, ['whoami', 'urlPattern', 'text', 'selector', 'identityPath'], p, issues);
  const before = issues.list.length;
  const oracle: SpOracle = {};
  const whoami = optLocalUrl(v.whoami, `${p}.whoami`, issues);
  const urlPattern = optString(v.urlPattern, `${p}.urlPattern`, issues, 'a regular expression');
  const text = optString(v.text, `${p}.text`, issues, "the text shown once logged in, e.g. 'Signed in as {{nameId}}'");
  const selector = optString(v.selector, `${p}.selector`, issues, 'a CSS selector');
  if (whoami) oracle.whoami = whoami;
  if (urlPattern) oracle.urlPattern = urlPattern;
  if (text) oracle.text = text;
  if (selector) oracle.selector = selector;
  const identityPath = optString(v.identityPath, `${p}.identityPath`, issues, "a dotted path into the whoami JSON, e.g. 'user.username'");
  if (identityPath !== undefined) {
    if (!/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/.test(identityPath)) issues.add(`${p}.identityPath`, `expected a dotted path of field names such as 'user.username', got ${describe(identityPath)}`);
    else if (!whoami) issues.add(`${p}.identityPath`, 'only means something with oracle.whoami (it names a field of the whoami JSON)');
    else oracle.identityPath = identityPath;
  }
  if (issues.list.length > before) return undefined;
  if (Object.keys(oracle).length === 0) {
    issues.add(p, 'give at least one of whoami, urlPattern, text or selector, so samlconf can tell who is logged in');
    return undefined;
  }
  return oracle;
}

function validateIdentity(v: unknown, p: string, issues: Issues): TargetIdentity | undefined {
  if (!isObject(v)) {
    issues.add(p, `expected { nameId?, nameIdFormat?, attributes? }, got ${describe(v)}`);
    return undefined;
  }
  checkKeys(v, ['nameId', 'nameIdFormat', 'attributes'], p, issues);
  const before = issues.list.length;
  const nameId = optString(v.nameId, `${p}.nameId`, issues, 'the NameID value the mock IdP asserts');
  const nameIdFormat = optString(v.nameIdFormat, `${p}.nameIdFormat`, issues, 'a NameID Format URI');
  if (nameIdFormat !== undefined && !/^urn:/.test(nameIdFormat)) issues.add(`${p}.nameIdFormat`, `expected a Format URI such as 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', got ${describe(nameIdFormat)}`);
  const attributes = v.attributes === undefined ? undefined : validateAttributes(v.attributes, `${p}.attributes`, issues);
  if (issues.list.length > before) return undefined;
  return { ...(nameId !== undefined ? { nameId } : {}), ...(nameIdFormat !== undefined ? { nameIdFormat } : {}), ...(attributes ? { attributes } : {}) };
}

function validateCapabilities(v: unknown, p: string, issues: Issues): string[] | undefined {
  const list = optStringList(v, p, issues);
  if (!list) return undefined;
  list.forEach((c, i) => {
    if (KNOWN_CAPABILITIES.includes(c)) return;
    if (!CAPABILITY_RE.test(c)) {
      issues.add(`${p}[${i}]`, `capabilities are kebab-case names like 'idp-initiated', got ${describe(c)}`);
      return;
    }
    const guess = closest(c, KNOWN_CAPABILITIES);
    if (guess) issues.add(`${p}[${i}]`, `unknown capability '${c}'; did you mean '${guess}'?`);
  });
  return list;
}

function validateTarget(t: unknown, p: string, dir: string, issues: Issues): TargetConfig | undefined {
  if (!isObject(t)) {
    issues.add(p, `expected a target { name, role, metadata, ... }, got ${describe(t)}`);
    return undefined;
  }
  const before = issues.list.length;
  checkKeys(t, TARGET_KEYS, p, issues);

  const name = optString(t.name, `${p}.name`, issues);
  if (t.name === undefined) issues.add(`${p}.name`, "missing: a short name for the target, e.g. 'my-app'");
  else if (name !== undefined && !NAME_RE.test(name)) {
    issues.add(`${p}.name`, `use letters, digits, '.', '_' or '-' (it names log files and report sections), got ${describe(name)}`);
  }
  const role = t.role;
  if (role !== 'sp' && role !== 'idp') {
    const hint = typeof role === 'string' && ['sp', 'idp'].includes(role.toLowerCase()) ? ` (write it in lower case: '${role.toLowerCase()}')` : '';
    issues.add(`${p}.role`, `expected 'sp' (the target is a Service Provider) or 'idp' (an Identity Provider), got ${describe(role)}${hint}`);
  }
  const preset = t.preset !== undefined ? validatePreset(t.preset, `${p}.preset`, issues) : undefined;
  const start = t.start !== undefined ? validateStart(t.start, `${p}.start`, dir, issues) : undefined;

  if (role === 'sp' || role === 'idp') {
    const foreign = role === 'sp' ? IDP_ONLY : SP_ONLY;
    const other = role === 'sp' ? 'idp' : 'sp';
    for (const k of foreign) {
      if (t[k] !== undefined) issues.add(`${p}.${k}`, `only for targets with role '${other}'; this target has role '${role}' (remove it or fix the role)`);
    }
  }

  let target: TargetConfig = {
    name: name ?? '',
    role: role === 'idp' ? 'idp' : 'sp',
    metadata: '',
    ...(preset ? { preset } : {}),
    ...(start ? { start } : {}),
  };
  const entityId = optString(t.entityId, `${p}.entityId`, issues, 'an entity ID');
  if (entityId) target.entityId = entityId;
  const capabilities = validateCapabilities(t.capabilities, `${p}.capabilities`, issues);
  if (capabilities) target.capabilities = capabilities;

  if (role === 'sp') {
    const loginUrl = optLocalUrl(t.loginUrl, `${p}.loginUrl`, issues);
    const logoutUrl = optLocalUrl(t.logoutUrl, `${p}.logoutUrl`, issues);
    if (loginUrl) target.loginUrl = loginUrl;
    if (logoutUrl) target.logoutUrl = logoutUrl;
    if (t.oracle !== undefined) {
      const oracle = validateOracle(t.oracle, `${p}.oracle`, issues);
      if (oracle) target.oracle = oracle;
    }
    if (t.identity !== undefined) {
      const identity = validateIdentity(t.identity, `${p}.identity`, issues);
      if (identity) target.identity = identity;
    }
  } else if (role === 'idp') {
    if (t.users !== undefined || !preset) {
      const users = validateUsers(t.users, `${p}.users`, issues);
      if (users) target.users = users;
    }
    if (t.login !== undefined) {
      const login = validateLogin(t.login, `${p}.login`, issues);
      if (login) target.login = login;
    }
    const init = optLocalUrl(t.idpInitiatedUrl, `${p}.idpInitiatedUrl`, issues);
    if (init) target.idpInitiatedUrl = init;
  }

  if (t.metadata !== undefined && !(preset && t.metadata === '')) {
    const metadata = validateMetadata(t.metadata, `${p}.metadata`, dir, start !== undefined, issues);
    if (metadata) target.metadata = metadata;
  } else if (!preset && t.preset === undefined) {
    issues.add(`${p}.metadata`, "missing: the URL or file path of the target's SAML metadata (or a preset that knows it)");
  }

  if (preset && (role === 'sp' || role === 'idp')) target = applyAuthentikPreset(target, preset);

  // Checks that need the preset's contribution.
  if (role === 'idp' && preset && !target.users) {
    issues.add(`${p}.users`, 'an IdP target needs at least one test user to log in with: [{ username, password }]');
  }
  if (role === 'sp' && !target.oracle) {
    issues.add(`${p}.oracle`, 'missing: how samlconf tells who is logged in, e.g. { whoami: "http://app.target.test:3000/whoami" } or { text: "Signed in as {{nameId}}" }');
  }
  if (issues.list.length > before) return undefined;
  return target;
}
