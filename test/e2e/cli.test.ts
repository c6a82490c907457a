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
import { REQUIREMENTS } from '../../saml/requirements.ts';
import { parseXml } from '../../saml/xml.ts';
import { expectPinnedVerdicts, PIN, pinAll } from '../targets/pinned-run.ts';

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

/** The bundled targets of the default run; their verdicts are pinned beside them (targets/<name>/expected.json). */
const REFERENCE = ['node-saml-sp', 'samlify-idp'] as const;

describe('samlconf run against the bundled reference targets', () => {
  it('runs the whole catalogue, writes every report, and reaches the expected verdicts', () => {
    const out = path.join(work, 'report');
    const r = samlconf(['run', '--out', out], 240_000);
    // Exit 1: the reference targets' real failures (see targets/<name>/expected.json).
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stdout).toContain(path.join(out, 'index.html'));

    const result = parseJsonReport(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(result.targets.map((t) => t.name).sort()).toEqual([...REFERENCE]);
    // Compared the way --baseline compares, verdict for verdict; SAMLCONF_PIN=1 re-pins instead.
    if (PIN) pinAll(result, REFERENCE);
    else expectPinnedVerdicts(result, REFERENCE);
    expect(result.summary.byVerdict.error, 'a harness error among the reference verdicts').toBe(0);
    expect(r.stdout).toContain(summaryLine(result.summary.byVerdict));
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
