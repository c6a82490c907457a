// When the harness cannot observe the target — the login adapter does not get past the IdP's login
// page, or the SP's oracle is broken — a negative scenario has proven nothing. It must end in
// `error`, never in `pass`, even against a target that has every weakness.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../harness/browser.ts';
import { createTargetKeys, runAgainstIdpTarget, runAgainstSpTarget, type RunEnvironment } from './targets.ts';

let env: RunEnvironment;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  env = { browser, stateDir: mkdtempSync(path.join(os.tmpdir(), 'samlconf-fail-closed-')), keys: createTargetKeys(), workers: 2 };
});
afterAll(async () => {
  await browser?.close();
  rmSync(env.stateDir, { recursive: true, force: true });
});

describe('negative scenarios fail closed when the harness cannot see the outcome', () => {
  it('IdP: a wrong password in the config makes the refusals errors, not passes', async () => {
    const ids = ['idp-unsigned-authn-request-rejected-redirect', 'idp-unsigned-authn-request-rejected-post', 'idp-rogue-acs-url-refused'];
    const results = await runAgainstIdpTarget('idp-every-weakness-wrong-password', {
      weaknesses: { acceptUnsignedRequests: true, acceptAnyAcsUrl: true },
      configuredPassword: 'not-the-password',
    }, ids, env);
    expect(Object.fromEntries(results.map((r) => [r.id, r.verdict]))).toEqual(Object.fromEntries(ids.map((id) => [id, 'error'])));
    for (const r of results) expect(r.reason).toMatch(/still shows its login page/);
  }, 120_000);

  it('SP: a whoami oracle that answers 404 makes the rejections errors, not passes', async () => {
    const ids = ['sp-unsigned-response-rejected', 'sp-wrong-audience-rejected'];
    const results = await runAgainstSpTarget('sp-every-weakness-broken-oracle', {
      weaknesses: { acceptUnsigned: true, skipAudience: true },
      whoamiPath: '/no-such-page',
    }, ids, env);
    expect(Object.fromEntries(results.map((r) => [r.id, r.verdict]))).toEqual(Object.fromEntries(ids.map((id) => [id, 'error'])));
    for (const r of results) expect(r.reason).toMatch(/whoami oracle .* answered 404/);
  }, 120_000);
});
