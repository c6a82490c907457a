// The JavaScript reference targets of targets/js-stacks.config.ts: saml2-js 4 as an SP, once as its
// README's ServiceProvider example sets it up (unencrypted assertions allowed) and once as its
// README's Express example (encrypted assertions required). One full `samlconf run` against both,
// compared verdict for verdict with targets/<name>/expected.json (each non-pass pinned with its
// reason). SAMLCONF_PIN=1 re-pins instead of comparing, as in debian-stacks.test.ts.
//
// The encrypted target doubles as a guard on the positive controls: until the mock IdP encrypts
// for it, it logs nobody in, so none of its negative scenarios may pass.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectPinnedVerdicts, PIN, pinAll, ROOT, runConfig } from './pinned-run.ts';

const CONFIG = path.join(ROOT, 'targets/js-stacks.config.ts');
const TARGETS = ['saml2js-sp', 'saml2js-sp-encrypted'] as const;

const work = mkdtempSync(path.join(os.tmpdir(), 'samlconf-js-stacks-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('samlconf run against the JavaScript reference targets (saml2-js)', () => {
  it('reaches the verdicts pinned in targets/<name>/expected.json', () => {
    const { result, seconds } = runConfig(CONFIG, TARGETS, work, 150_000);
    console.log(`js-stacks: ${result.scenarios.length} scenarios in ${seconds.toFixed(1)} s`);

    // Whatever is pinned: an SP that logged nobody in never proved a refusal.
    const encrypted = result.scenarios.filter((s) => s.target === 'saml2js-sp-encrypted');
    const loggedIn = encrypted.some((s) => s.id.startsWith('sp-initiated-sso-') && s.verdict === 'pass');
    if (!loggedIn) {
      const passes = encrypted.filter((s) => s.verdict === 'pass').map((s) => s.id);
      expect(passes, 'saml2js-sp-encrypted logged nobody in, yet these scenarios passed').toEqual([]);
    }

    if (PIN) pinAll(result, TARGETS);
    else expectPinnedVerdicts(result, TARGETS);
  }, 170_000);
});
