// The configuration used when there is no samlconf.config.* in the working folder: the bundled
// reference targets in targets/, started by the harness.
//
// What the harness expects of a reference target (the helpers below build configs this way):
// - `start.command` runs from the repository root (start.cwd) and serves HTTP on 127.0.0.1:$PORT.
// - It reads the harness's peer from the environment: an SP target gets SAMLCONF_IDP_METADATA_URL,
//   SAMLCONF_IDP_METADATA_FILE, SAMLCONF_IDP_ENTITY_ID, SAMLCONF_IDP_SSO_URL and
//   SAMLCONF_IDP_CERT_FILE; an IdP target gets the SAMLCONF_SP_* counterparts (..._ACS_URL
//   instead of ..._SSO_URL). See harness/target-process.ts.
// - Its public address is http://<name>.target.test:<port> (the browser maps *.test to 127.0.0.1;
//   fetchLocal does the same), and it serves its metadata at /metadata, which is also the
//   readiness URL.
// - SP: GET /login starts SP-initiated SSO; GET /whoami answers with the logged-in NameID (and
//   attributes) in the body, or 401 when nobody is logged in; GET /logout starts SLO.
// - IdP: a login page with input[name="username"], input[name="password"] and
//   button[type="submit"]; the users in REFERENCE_USERS; IdP-initiated SSO (when the library has
//   it) at /idp-initiated.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SamlconfConfig, TargetConfig, TestUser } from './config-types.ts';

/** The repository root (this file lives in harness/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The test users of targets/samlify-idp (see targets/README.md). */
export const REFERENCE_USERS: TestUser[] = [
  { username: 'alice', password: 'alice-password', nameId: 'alice@example.test', attributes: { email: 'alice@example.test', uid: 'alice', displayName: 'Alice Example' } },
  { username: 'bob', password: 'bob-password', nameId: 'bob@example.test', attributes: { email: 'bob@example.test', uid: 'bob', displayName: 'Bob Example' } },
  {
    username: 'mallory',
    password: 'mallory-password',
    nameId: 'mallory@example.test',
    attributes: { email: 'mallory@example.test', uid: 'mallory', displayName: 'x</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin' },
  },
];

export interface ReferenceTargetOptions {
  name: string;
  port: number;
  command: string;
  capabilities?: string[];
  env?: Record<string, string>;
}

export function referenceTargetBase(name: string, port: number): string {
  return `http://${name}.target.test:${port}`;
}

export function referenceSp(o: ReferenceTargetOptions): TargetConfig {
  const base = referenceTargetBase(o.name, o.port);
  return {
    name: o.name,
    role: 'sp',
    metadata: `${base}/metadata`,
    start: { command: o.command, url: `${base}/metadata`, cwd: REPO_ROOT, port: o.port, ...(o.env ? { env: o.env } : {}) },
    capabilities: o.capabilities ?? [],
    loginUrl: `${base}/login`,
    logoutUrl: `${base}/logout`,
    oracle: { whoami: `${base}/whoami` },
  };
}

export function referenceIdp(o: ReferenceTargetOptions & { idpInitiated?: boolean }): TargetConfig {
  const base = referenceTargetBase(o.name, o.port);
  return {
    name: o.name,
    role: 'idp',
    metadata: `${base}/metadata`,
    start: { command: o.command, url: `${base}/metadata`, cwd: REPO_ROOT, port: o.port, ...(o.env ? { env: o.env } : {}) },
    capabilities: o.capabilities ?? [],
    users: REFERENCE_USERS,
    login: { username: 'input[name="username"]', password: 'input[name="password"]', submit: 'button[type="submit"]' },
    ...(o.idpInitiated ? { idpInitiatedUrl: `${base}/idp-initiated` } : {}),
  };
}

/** The command that starts a bundled target (run from the repository root). */
function targetCommand(name: string): string {
  return `node --import tsx targets/${name}/server.ts`;
}

export const REFERENCE_TARGETS: TargetConfig[] = [
  referenceSp({ name: 'node-saml-sp', port: 47101, command: targetCommand('node-saml-sp'), capabilities: ['encryption'] }),
  referenceIdp({ name: 'samlify-idp', port: 47201, command: targetCommand('samlify-idp'), capabilities: ['idp-initiated', 'slo'], idpInitiated: true }),
];

/** A fresh copy each call, so callers may change it. Paths are absolute already. */
export function defaultConfig(): SamlconfConfig {
  return { targets: structuredClone(REFERENCE_TARGETS) };
}
