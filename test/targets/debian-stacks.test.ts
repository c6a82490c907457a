// The Debian reference targets (targets/debian-stacks.config.ts): mod_auth_mellon behind Apache as
// an SP, SimpleSAMLphp and a small pysaml2 IdP as IdPs — three SAML stacks written in neither
// TypeScript nor JavaScript, each configured as its own documentation tells an admin. One full `samlconf run` against all three,
// compared verdict for verdict with targets/<name>/expected.json (each non-pass pinned with its
// reason). To re-pin after a change in the harness, run this file with SAMLCONF_PIN=1: it rewrites
// the expected.json files from the run (reasons of unchanged verdicts kept, new ones marked
// UNDIAGNOSED) instead of comparing. `node --import tsx targets/lib/expected.ts pin results.json`
// does the same from any run's results.json.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { expectPinnedVerdicts, PIN, pinAll, ROOT, runConfig } from './pinned-run.ts';

const CONFIG = path.join(ROOT, 'targets/debian-stacks.config.ts');
const TARGETS = ['mellon-sp', 'pysaml2-idp', 'simplesamlphp-idp'] as const;

/** What the targets need (bin/setup installs it on Debian); elsewhere the test is skipped. */
const missing = [
  ['/usr/sbin/apache2', 'apache2'],
  ['/usr/lib/apache2/modules/mod_auth_mellon.so', 'libapache2-mod-auth-mellon'],
  ['/usr/share/simplesamlphp/www', 'simplesamlphp'],
  ['/usr/bin/php', 'php-cli'],
  ['/usr/lib/python3/dist-packages/saml2/server.py', 'python3-pysaml2'],
  ['/usr/bin/xmlsec1', 'xmlsec1'],
].filter(([file]) => !existsSync(file!)).map(([, pkg]) => pkg!);

const work = mkdtempSync(path.join(os.tmpdir(), 'samlconf-debian-stacks-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(missing.length > 0)(`samlconf run against the Debian reference targets${missing.length ? ` (skipped: install ${missing.join(' ')})` : ''}`, () => {
  it('reaches the verdicts pinned in targets/<name>/expected.json', () => {
    // Exit 1: the stacks have real failures (see expected.json).
    const { result } = runConfig(CONFIG, TARGETS, work, 220_000);
    if (PIN) pinAll(result, TARGETS);
    else expectPinnedVerdicts(result, TARGETS);
  }, 240_000);
});
