// The Debian reference targets (targets/debian-stacks.config.ts): mod_auth_mellon behind Apache as
// an SP, SimpleSAMLphp and a small pysaml2 IdP as IdPs — three SAML stacks written in neither
// TypeScript nor JavaScript, each configured as its own documentation tells an admin. One full `samlconf run` against all three,
// compared verdict for verdict with targets/<name>/expected.json (each non-pass pinned with its
// reason). To re-pin after a change in the harness, run this file with SAMLCONF_PIN=1: it rewrites
// the expected.json files from the run (reasons of unchanged verdicts kept, new ones marked
// UNDIAGNOSED) instead of comparing. `node --import tsx targets/lib/expected.ts pin results.json`
// does the same from any run's results.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJsonReport } from '../../reports/json.ts';
import { isAbout, readExpected, repin, verdictsOf, writeExpected, type Expected } from '../../targets/lib/expected.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/samlconf.js');
const CONFIG = path.join(ROOT, 'targets/debian-stacks.config.ts');
const TARGETS = ['mellon-sp', 'pysaml2-idp', 'simplesamlphp-idp'] as const;
const PIN = process.env.SAMLCONF_PIN === '1';

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
    const out = path.join(work, 'report');
    const started = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'run', '--config', CONFIG, '--out', out, '--reporter', 'list,json'], {
      cwd: work,
      encoding: 'utf8',
      timeout: 220_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    // Exit 1: the stacks have real failures, and the harness some errors (see expected.json).
    expect([0, 1], `exit ${r.status} after ${seconds} s\n${r.stdout}\n${r.stderr}`).toContain(r.status);
    const result = parseJsonReport(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(result.targets.map((t) => t.name).sort()).toEqual([...TARGETS]);

    if (PIN) {
      for (const target of TARGETS) writeExpected(target, repin(result, target, readExpected(target)));
      return;
    }
    const problems: string[] = [];
    for (const target of TARGETS) {
      const expected: Expected = readExpected(target);
      const got = verdictsOf(result, target);
      const ids = [...new Set([...Object.keys(expected), ...Object.keys(got)])].sort();
      for (const id of ids) {
        if (expected[id]?.verdict === got[id]) continue;
        const s = result.scenarios.find((x) => isAbout(result, x, target) && x.id === id);
        const lines = [`[${target}] ${id}: expected ${expected[id]?.verdict ?? '(not pinned)'}, got ${got[id] ?? '(not run)'}${s?.reason ? ` (${s.reason.slice(0, 300)})` : ''}`];
        if (expected[id]?.reason) lines.push(`    pinned because: ${expected[id]!.reason}`);
        for (const f of s?.findings ?? []) if (!f.ok) lines.push(`    FAILED ${f.check}: ${f.observed.slice(0, 400)}`);
        for (const e of s?.evidence ?? []) if (e.note) lines.push(`    ${e.direction} ${e.kind}: ${e.note.slice(0, 300)}`);
        problems.push(lines.join('\n'));
      }
      for (const [id, pinned] of Object.entries(expected)) {
        if (pinned.verdict !== 'pass' && !pinned.reason) problems.push(`[${target}] ${id}: pinned ${pinned.verdict} without a reason`);
      }
    }
    expect(problems, `${problems.length} verdicts differ from targets/<name>/expected.json (re-pin with SAMLCONF_PIN=1 if the change is right):\n${problems.join('\n')}`).toEqual([]);
  }, 240_000);
});
