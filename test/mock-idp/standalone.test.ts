// `samlconf mock-idp` contract: a separate process prints the metadata URL on its first stdout
// line, serves with the stable identity from the state folder, and exits 0 on SIGTERM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEntity } from '../../saml/metadata.ts';
import { parseIdpWeaknessList, startStandaloneMockIdp } from '../../mock-idp/standalone.ts';
import { MOCK_IDP_WEAKNESS_NAMES, type MockIdpWeaknesses } from '../../mock-idp/types.ts';
import { SP_ACS, credentials, readAutoPost, spMetadata } from './helpers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-mock-idp-'));
afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

describe('standalone mock IdP', () => {
  it('prints the metadata URL first, serves it, and stops on SIGTERM', async () => {
    const spFile = path.join(stateDir, 'sp-metadata.xml');
    fs.writeFileSync(spFile, spMetadata());
    const standalone = path.join(root, 'mock-idp/standalone.ts');
    const script = `import(${JSON.stringify(standalone)}).then((m) => m.runStandaloneMockIdp({ port: 0, stateDir: ${JSON.stringify(stateDir)}, spMetadata: ${JSON.stringify(spFile)} })).then((code) => process.exit(code))`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: child.stdout });
        rl.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited with ${code} before printing: ${stderr}`)));
      });
      expect(firstLine).toMatch(/^http:\/\/localhost:\d+\/metadata$/);
      const metadataUrl = firstLine.replace('localhost', '127.0.0.1');
      const entity = parseEntity(await (await fetch(metadataUrl)).text());
      expect(entity.entityId).toBe('https://idp.samlconf.test/saml/metadata');
      // The stable key was written to the state folder and is the one published.
      expect(fs.existsSync(path.join(stateDir, 'idp-signing.crt'))).toBe(true);
      const published = entity.idp!.keys[0].certPem.replace(/\s+/g, '');
      expect(fs.readFileSync(path.join(stateDir, 'idp-signing.crt'), 'utf8').replace(/\s+/g, '')).toBe(published);
      // The SP metadata file was loaded: IdP-initiated SSO posts to its ACS.
      const init = await fetch(metadataUrl.replace(/\/metadata$/, '/init?scenario=s1'));
      expect(readAutoPost(await init.text())?.action).toBe(SP_ACS);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it('uses credentials and entity ID handed in by the caller (the CLI path) without touching the state folder', async () => {
    const emptyState = fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-mock-idp-empty-'));
    const idp = await startStandaloneMockIdp({ signing: credentials().idp, entityId: 'https://idp.example.test/cli', stateDir: emptyState });
    try {
      expect(idp.entityId).toBe('https://idp.example.test/cli');
      expect(idp.baseUrl).toMatch(/^http:\/\/localhost:\d+$/);
      expect(fs.readdirSync(emptyState)).toEqual([]);
    } finally {
      await idp.close();
      fs.rmSync(emptyState, { recursive: true, force: true });
    }
  });
});

describe('--weakness names', () => {
  // Written out from MockIdpWeaknesses on purpose: a switch the parser drops shows up here.
  const EVERY_SWITCH: Required<MockIdpWeaknesses> = {
    acceptUnsignedRequests: true, acceptAnyAcsUrl: true, ignoreDestination: true, acceptUnknownIssuer: true, allowRequestReplay: true,
    ignoreRequestIssueInstant: true, ignoreIsPassive: true, ignoreNameIdPolicy: true, ignoreForceAuthn: true, ignoreRequestedAuthnContext: true,
    answerWithRequestedBinding: true, unescapedAttributeValues: true, reflectRelayStateUnescaped: true, truncateRelayState: true,
    acceptUnsignedLogoutRequest: true, echoUnsupportedNameIdFormat: true,
  };
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

  it('accepts every weakness of the type, in kebab-case and camelCase', () => {
    expect([...MOCK_IDP_WEAKNESS_NAMES].sort()).toEqual(Object.keys(EVERY_SWITCH).sort());
    expect(parseIdpWeaknessList(Object.keys(EVERY_SWITCH).map(kebab).join(','))).toEqual(EVERY_SWITCH);
    expect(parseIdpWeaknessList(Object.keys(EVERY_SWITCH).join(','))).toEqual(EVERY_SWITCH);
    expect(parseIdpWeaknessList('ignore-force-authn')).toEqual({ ignoreForceAuthn: true });
  });

  it('refuses an unknown name and lists the known ones', () => {
    expect(() => parseIdpWeaknessList('ignore-force-auth')).toThrow(/unknown weakness "ignore-force-auth" \(known: .*ignore-force-authn.*accept-unsigned-logout-request/);
  });
});
