// The Lasso IdP (targets/lasso-idp, run alone by targets/lasso-idp.config.ts): a SAML 2.0 IdP
// written on Lasso, the C library behind mod_auth_mellon and authentic2, through its Python
// binding — an implementation that shares no code with samlconf. One full `samlconf run` against
// it, compared verdict for verdict with targets/lasso-idp/expected.json (each non-pass pinned with
// its reason). SAMLCONF_PIN=1 re-pins instead of comparing, as in debian-stacks.test.ts.
//
// debian-stacks.test.ts starts the same target on its fixed port (47233), and vitest runs test
// files side by side, so this file gives it a free port of its own (SAMLCONF_LASSO_IDP_PORT).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectPinnedVerdicts, PIN, pinAll, ROOT, runConfig } from './pinned-run.ts';

const CONFIG = path.join(ROOT, 'targets/lasso-idp.config.ts');
const TARGETS = ['lasso-idp'] as const;

/** What the target needs (bin/setup installs it on Debian); elsewhere the test is skipped. */
const missing = existsSync('/usr/lib/python3/dist-packages/lasso.py') && existsSync('/usr/bin/python3') ? [] : ['python3-lasso'];

const work = mkdtempSync(path.join(os.tmpdir(), 'samlconf-lasso-idp-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
beforeAll(async () => {
  process.env.SAMLCONF_LASSO_IDP_PORT ??= String(await freePort());
});

describe.skipIf(missing.length > 0)(`samlconf run against the Lasso IdP${missing.length ? ` (skipped: install ${missing.join(' ')})` : ''}`, () => {
  it('reaches the verdicts pinned in targets/lasso-idp/expected.json', () => {
    const { result, seconds } = runConfig(CONFIG, TARGETS, work, 150_000);
    console.log(`lasso-idp: ${result.scenarios.length} scenarios in ${seconds.toFixed(1)} s`);
    if (PIN) pinAll(result, TARGETS);
    else expectPinnedVerdicts(result, TARGETS);
  }, 170_000);
});
