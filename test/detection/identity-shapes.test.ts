// Scenarios judge the identity the mock IdP actually sent, whatever shape the SP asked for. An SP
// that asks for transient NameIDs (mod_auth_mellon's default) or persistent ones (pysaml2's
// example) gets them, and every SP scenario must reach the same verdict there as against the same
// SP asking for nothing in particular: none may end in error, or pass or fail, because the NameID
// is not the email it planned. A config can also pin the test user's NameID and Format.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../harness/browser.ts';
import { findScenarioFiles, loadCatalogue } from '../../harness/catalogue.ts';
import type { ScenarioResult } from '../../shared/result-model.ts';
import { NAMEID_FORMAT } from '../../saml/constants.ts';
import { createTargetKeys, runAgainstSpTarget, type RunEnvironment } from './targets.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let browser: Browser;
const env = {} as RunEnvironment;
let spIds: string[] = [];
let baseline = new Map<string, ScenarioResult>();

const summary = (r: ScenarioResult | undefined) => (r ? `${r.verdict}${r.reason ? ` (${r.reason.slice(0, 300)})` : ''}` : '(missing)');

beforeAll(async () => {
  browser = await launchBrowser({ headless: true });
  Object.assign(env, { browser, stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-identity-')), keys: createTargetKeys(), workers: 2 } satisfies RunEnvironment);
  spIds = (await loadCatalogue(await findScenarioFiles([], ROOT))).filter((s) => s.role === 'sp').map((s) => s.id);
  const results = await runAgainstSpTarget('sp-asks-unspecified', {}, spIds, env);
  baseline = new Map(results.map((r) => [r.id, r]));
}, 240_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (env.stateDir) fs.rmSync(env.stateDir, { recursive: true, force: true });
});

describe('SP scenarios judge the NameID the mock IdP sent', () => {
  it('reaches every verdict of its own on the baseline SP, with nothing in error', () => {
    expect([...baseline.values()].filter((r) => r.verdict === 'error').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
  });

  for (const [label, format] of [
    ['transient', NAMEID_FORMAT.transient],
    ['persistent', NAMEID_FORMAT.persistent],
  ] as const) {
    it(`gives the same verdicts on an SP that asks for ${label} NameIDs`, async () => {
      const results = await runAgainstSpTarget(`sp-asks-${label}`, { requestNameIdFormat: format }, spIds, env);
      const differing = results
        .filter((r) => r.verdict !== baseline.get(r.id)?.verdict)
        .map((r) => `${r.id}: ${summary(r)}; on the baseline SP: ${summary(baseline.get(r.id))}`);
      expect(differing, differing.join('\n')).toEqual([]);
      // The SP really got what it asked for: its whoami reports the NameID and Format it took in
      // (the Response itself may be encrypted, as this SP's metadata publishes an encryption key).
      const loggedIn = results.find((r) => r.id === 'sp-initiated-sso-both')?.findings.find((f) => f.check === 'asserted-user-logged-in')?.observed ?? '';
      expect(loggedIn).toContain(`"nameIdFormat":"${format}"`);
      expect(loggedIn).not.toContain('"nameId":"alice@samlconf.test"');
    }, 240_000);
  }

  it('sends the NameID and Format the config pins for the target, whatever the SP asks for', async () => {
    const identity = { nameId: 'employee-4711', nameIdFormat: NAMEID_FORMAT.persistent };
    const [sso] = await runAgainstSpTarget('sp-with-pinned-identity', { identity }, ['sp-initiated-sso-both'], env);
    expect(sso?.verdict, summary(sso)).toBe('pass');
    const loggedIn = sso!.findings.find((f) => f.check === 'asserted-user-logged-in')?.observed ?? '';
    expect(loggedIn).toContain('"nameId":"employee-4711"');
    expect(loggedIn).toContain(`"nameIdFormat":"${NAMEID_FORMAT.persistent}"`);
  }, 120_000);
});
