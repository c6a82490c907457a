// The CLI as scripts and CI use it: exit codes, usage errors, the catalogue listing, and the main
// job — a full `samlconf run` against the bundled reference targets, with the verdicts we expect
// of them pinned, so a regression in the harness or a change in a target's library shows up here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJsonReport } from '../../reports/json.ts';
import { REQUIREMENTS } from '../../saml/requirements.ts';
import { parseXml } from '../../saml/xml.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/samlconf.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'samlconf-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function samlconf(args: string[], timeout = 60_000) {
  // Run from an empty folder so no samlconf.config.* is picked up by accident; state stays there.
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('samlconf CLI contract', () => {
  it('prints usage, and exits 2 with a message on usage errors', () => {
    expect(samlconf(['--help'])).toMatchObject({ code: 0 });
    const none = samlconf([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('samlconf run');
    for (const [args, message] of [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['run', '--workers', '0'], /--workers expects a positive whole number/],
      [['run', '--role', 'client'], /--role expects idp or sp/],
      [['run', '--reporter', 'pdf'], /unknown reporter "pdf"/],
      [['run', '--config', 'missing.config.json'], /missing\.config\.json/],
      [['list', '--grep', '('], /not a valid regular expression/],
      [['mock-sp', '--weakness', 'accept-unsigned'], /--weakness only applies with --mode target/],
    ] as const) {
      const r = samlconf([...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('lists the catalogue with ids, roles, groups and refs that all exist in the requirement registry', () => {
    const r = samlconf(['list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ id: string; role: string; group: string; title: string; refs: string[] }>;
    expect(rows.length).toBeGreaterThanOrEqual(14);
    expect(new Set(rows.map((s) => s.id)).size).toBe(rows.length);
    for (const s of rows) {
      expect(s.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['idp', 'sp']).toContain(s.role);
      expect(s.refs.length, `${s.id} cites no requirement`).toBeGreaterThan(0);
      for (const ref of s.refs) expect(REQUIREMENTS[ref], `${s.id} cites unknown requirement ${ref}`).toBeDefined();
    }
    const sp = samlconf(['list', '--role', 'sp']);
    expect(sp.stdout).toContain('sp-unsigned-response-rejected');
    expect(sp.stdout).not.toContain('idp-sso-redirect');
  });
});

/**
 * What the bundled targets do today. Each expectation is a real finding about a real library:
 * node-saml (as its README configures it) requires the Response AND the assertion to be signed,
 * so single-signature Responses that the profile allows are refused (warnings); and it checks
 * neither Recipient nor Destination against its ACS URL, nor the Response Issuer (failures).
 */
const EXPECTED: Record<string, string> = {
  'sp-initiated-sso-both': 'pass',
  'sp-initiated-sso-assertion': 'warning',
  'sp-initiated-sso-response': 'warning',
  'sp-idp-initiated-sso': 'not-applicable',
  'sp-unsolicited-response-needs-opt-in': 'pass',
  'sp-unsigned-response-rejected': 'pass',
  'sp-untrusted-key-rejected': 'pass',
  'sp-wrong-audience-rejected': 'pass',
  'sp-expired-assertion-rejected': 'pass',
  'sp-wrong-recipient-rejected': 'fail',
  'sp-wrong-destination-rejected': 'fail',
  'sp-wrong-issuer-rejected': 'fail',
  'idp-sso-redirect': 'pass',
  'idp-sso-post': 'pass',
  'idp-unsigned-authn-request-rejected-redirect': 'pass',
  'idp-unsigned-authn-request-rejected-post': 'pass',
  'idp-rogue-acs-url-refused': 'pass',
};

describe('samlconf run against the bundled reference targets', () => {
  it('runs the whole catalogue, writes every report, and reaches the expected verdicts', () => {
    const out = path.join(work, 'report');
    const r = samlconf(['run', '--out', out], 240_000);
    // Exit 1: node-saml's real failures (see EXPECTED); a harness error would show as "errors".
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stdout).toMatch(/\d+ passed, 3 failed, 2 warnings, 1 not applicable, 0 errors/);
    expect(r.stdout).toContain(path.join(out, 'index.html'));

    const result = parseJsonReport(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(result.targets.map((t) => t.name).sort()).toEqual(['node-saml-sp', 'samlify-idp']);
    const verdicts = Object.fromEntries(result.scenarios.map((s) => [s.id, s.verdict]));
    expect(verdicts).toEqual(EXPECTED);
    for (const s of result.scenarios.filter((x) => x.verdict !== 'not-applicable')) {
      expect(s.findings.length, `${s.id} made no check`).toBeGreaterThan(0);
      expect(s.evidence.some((e) => e.kind !== 'Other'), `${s.id} recorded no message`).toBe(true);
    }

    const junit = parseXml(readFileSync(path.join(out, 'junit.xml'), 'utf8'));
    expect(junit.documentElement!.getAttribute('tests')).toBe(String(result.scenarios.length));
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).toContain('sp-unsigned-response-rejected');
    expect(existsSync(path.join(work, '.samlconf'))).toBe(true);
  }, 300_000);
});
