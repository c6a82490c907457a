// The CLI as scripts and CI use it: exit codes, usage errors, the catalogue listing, and the main
// job — a full `samlconf run` against the bundled reference targets, with the verdicts we expect
// of them pinned, so a regression in the harness or a change in a target's library shows up here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summaryLine } from '../../reports/console.ts';
import { parseJsonReport } from '../../reports/json.ts';
import type { Verdict } from '../../reports/schema.ts';
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

/** Each case starts several CLI processes one after another (~1-3 s each on a loaded 2-core machine). */
const CLI_TIMEOUT_MS = 120_000;

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
  }, CLI_TIMEOUT_MS);

  it('prints each command\'s own usage with --help', () => {
    for (const command of ['run', 'list', 'mock-idp', 'mock-sp']) {
      const r = samlconf([command, '--help']);
      expect(r.code, `${command} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Usage: samlconf ${command} [`);
    }
  }, CLI_TIMEOUT_MS);

  it('exits 2 with a message when a run would run nothing, its baseline is unusable or its start.cwd is missing', () => {
    writeFileSync(path.join(work, 'garbage.json'), 'not json');
    writeFileSync(
      path.join(work, 'lost-cwd.config.json'),
      JSON.stringify({ targets: [{ name: 'app', role: 'sp', metadata: 'http://app.test:1/metadata', oracle: { text: 'x' }, start: { command: 'true', url: 'http://app.test:1/', cwd: 'no-such-folder' } }] }),
    );
    for (const [args, message] of [
      [['run', '--grep', 'no-such-scenario-anywhere'], /nothing to run: --grep "no-such-scenario-anywhere" matches no scenario/],
      [['run', '--baseline', 'missing.json'], /--baseline: cannot read .*missing\.json/],
      [['run', '--baseline', 'garbage.json'], /--baseline: .*garbage\.json is not JSON/],
      [['run', '--config', 'lost-cwd.config.json'], /targets\[0\]\.start\.cwd: folder .*no-such-folder does not exist/],
    ] as const) {
      const r = samlconf([...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
    }
  }, CLI_TIMEOUT_MS);

  it('exits 2 naming --port when a mock\'s port is in use', async () => {
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      for (const command of ['mock-idp', 'mock-sp']) {
        const r = samlconf([command, '--port', String(port)]);
        expect(r.code, `${command}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(`--port: port ${port} is already in use`);
      }
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  }, CLI_TIMEOUT_MS);

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
 * What the bundled targets do today. Each expectation is a real finding about a real library, as
 * its README configures it.
 * node-saml SP: requires the Response AND the assertion to be signed, so single-signature Responses
 * the profile allows are refused (warnings), and every attack built on a Response signed on one
 * level only (the wrapping shapes, the foreign Reference, the assertions for another SP) cannot
 * reach the code it probes: not applicable, after the same Response without the attack was
 * refused too (its positive control; these passed, hollowly, before controls were checked); checks
 * neither Recipient, Destination nor the Response Issuer, and logs in the assertion of a Response
 * whose status is an error (failures); accepts RSA-SHA1 signatures (warning); answers the IdP's
 * valid LogoutResponse with HTTP 400 at the end of SP-initiated logout (validatePostResponseAsync
 * wants InResponseTo on a Response root; Bindings 3.5.6 forbids HTTP errors there: a failure).
 * samlify IdP: answers AuthnRequests from an unknown Issuer or to another Destination, ignores
 * IsPassive, NameIDPolicy, ForceAuthn and RequestedAuthnContext (failures); keeps no request-ID
 * cache and no request age limit (warnings).
 */
const EXPECTED: Record<string, Verdict> = {
  // node-saml-sp
  'sp-wrong-recipient-rejected': 'fail',
  'sp-wrong-destination-rejected': 'fail',
  'sp-wrong-issuer-rejected': 'fail',
  'sp-wrong-audience-rejected': 'pass',
  'sp-expired-assertion-rejected': 'pass',
  'sp-not-yet-valid-assertion-rejected': 'pass',
  'sp-expired-subject-confirmation-rejected': 'pass',
  'sp-idp-initiated-sso': 'not-applicable',
  'sp-unsolicited-response-needs-opt-in': 'pass',
  'sp-slo-unsigned-logout-request-rejected-redirect': 'pass', // sent to its POST-only SLO endpoint anyway
  'sp-slo-unsigned-logout-request-rejected-post': 'pass',
  'sp-slo-other-user-logout-request-ignored': 'pass',
  'sp-slo-sp-initiated': 'fail', // HTTP 400 for the IdP's LogoutResponse
  'sp-slo-idp-initiated': 'pass',
  'sp-error-status-with-assertion-rejected': 'fail',
  'sp-wrong-in-response-to-rejected': 'pass',
  'sp-missing-in-response-to-rejected': 'pass',
  'sp-second-assertion-for-another-sp-ignored': 'not-applicable',
  'sp-advice-assertion-for-another-sp-ignored': 'not-applicable',
  'sp-replayed-response-rejected': 'pass',
  'sp-replayed-unsolicited-response-rejected': 'not-applicable',
  'sp-unsigned-response-rejected': 'pass',
  'sp-untrusted-key-rejected': 'pass',
  'sp-signature-removed-rejected': 'pass',
  'sp-signature-empty-value-rejected': 'pass',
  'sp-signature-foreign-reference-rejected': 'not-applicable',
  'sp-initiated-sso-both': 'pass',
  'sp-initiated-sso-assertion': 'warning',
  'sp-initiated-sso-response': 'warning',
  'sp-comment-injection-nameid': 'pass',
  'sp-xsw-rejected-xsw1': 'not-applicable',
  'sp-xsw-rejected-xsw2': 'not-applicable',
  'sp-xsw-rejected-xsw3': 'not-applicable',
  'sp-xsw-rejected-xsw4': 'not-applicable',
  'sp-xsw-rejected-xsw5': 'not-applicable',
  'sp-xsw-rejected-xsw6': 'not-applicable',
  'sp-xsw-rejected-xsw7': 'not-applicable',
  'sp-xsw-rejected-xsw8': 'not-applicable',
  'sp-signature-relocation-rejected': 'not-applicable',
  'sp-untrusted-key-expired-certificate-rejected': 'pass',
  'sp-sha1-signature-refused': 'warning', // relies on RSA-SHA1 signatures
  'sp-nameid-case-not-normalised': 'pass',
  'sp-nameid-trailing-space-not-normalised': 'pass',
  'sp-relaystate-https-not-followed': 'pass',
  'sp-relaystate-scheme-relative-not-followed': 'pass',
  'sp-relaystate-javascript-not-run': 'pass',
  // samlify-idp
  'idp-acs-selection-unknown-index': 'pass',
  'idp-acs-selection-redirect-binding': 'pass',
  'idp-attribute-markup-escaped': 'pass',
  'idp-force-authn-reauthenticates': 'fail', // answers ForceAuthn from its session
  'idp-unsatisfiable-authn-context-refused': 'fail', // asserts PasswordProtectedTransport whatever was asked
  'idp-slo-sp-initiated': 'pass',
  'idp-slo-unsigned-logout-request-rejected': 'pass',
  'idp-unsupported-nameid-format-refused': 'fail',
  'idp-unsigned-authn-request-rejected-redirect': 'pass',
  'idp-unsigned-authn-request-rejected-post': 'pass',
  'idp-rogue-acs-url-refused': 'pass',
  'idp-relay-state-script': 'pass',
  'idp-relay-state-long': 'pass',
  'idp-unknown-issuer-refused': 'fail',
  'idp-wrong-destination-refused-redirect': 'fail',
  'idp-wrong-destination-refused-post': 'fail',
  'idp-replayed-authn-request-refused': 'warning',
  'idp-stale-authn-request-refused': 'warning',
  'idp-sso-redirect': 'pass',
  'idp-sso-post': 'pass',
  'idp-passive-request-without-session': 'fail',
};

describe('samlconf run against the bundled reference targets', () => {
  it('runs the whole catalogue, writes every report, and reaches the expected verdicts', () => {
    const out = path.join(work, 'report');
    const r = samlconf(['run', '--out', out], 240_000);
    // Exit 1: node-saml's real failures (see EXPECTED); a harness error would show as "errors".
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stdout).toContain(path.join(out, 'index.html'));

    const result = parseJsonReport(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(result.targets.map((t) => t.name).sort()).toEqual(['node-saml-sp', 'samlify-idp']);
    const verdicts = Object.fromEntries(result.scenarios.map((s) => [s.id, s.verdict]));
    // On a mismatch, say what each differing scenario saw, not just its verdict.
    const differing = result.scenarios
      .filter((s) => EXPECTED[s.id] !== s.verdict)
      .map((s) => {
        const seen = s.findings.map((f) => `    ${f.ok ? 'ok' : 'FAILED'} ${f.check}: ${f.observed.slice(0, 400)}`);
        const notes = s.evidence.filter((e) => e.note).map((e) => `    ${e.direction} ${e.kind}: ${e.note!.slice(0, 300)}`);
        return [`${s.id}: expected ${EXPECTED[s.id] ?? '(not pinned)'}, got ${s.verdict}${s.reason ? ` (${s.reason.slice(0, 300)})` : ''}`, ...seen, ...notes].join('\n');
      });
    expect(verdicts, differing.join('\n')).toEqual(EXPECTED);
    const counts: Record<Verdict, number> = { pass: 0, fail: 0, warning: 0, review: 0, 'not-applicable': 0, error: 0 };
    for (const v of Object.values(EXPECTED)) counts[v]++;
    expect(r.stdout).toContain(summaryLine(counts)); // 0 errors among them
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
