import { describe, expect, it } from 'vitest';
import { colorEnabled, createListReporter, summaryLine } from '../../reports/console.ts';
import { compareRuns } from '../../reports/diff.ts';
import type { ReporterStream } from '../../reports/console.ts';
import { baselineRun, sampleRun } from '../fixtures/reports/sample-run.ts';

function fakeStream(isTTY = false): ReporterStream & { text: () => string } {
  let out = '';
  return {
    isTTY,
    columns: 120,
    write(chunk: string) {
      out += chunk;
      return true;
    },
    text: () => out,
  };
}

const ESC = '\u001b';

describe('createListReporter', () => {
  it('prints one plain line per scenario, with the reason for anything but a pass', () => {
    const stream = fakeStream(false);
    const reporter = createListReporter(stream, { env: {} });
    const run = sampleRun();
    for (const s of run.scenarios) reporter.onScenarioEnd(s);
    const lines = stream.text().trimEnd().split('\n');
    expect(lines).toHaveLength(16);
    expect(stream.text()).not.toContain(ESC);
    expect(lines[0]).toBe('  ✓ pass   idp-web-sso-redirect-post [authentik] (2.4 s)');
    const fail = lines.find((l) => l.includes('sp-xsw3'))!;
    expect(fail).toMatch(
      /^ {2}✗ FAIL {3}sp-xsw3-evil-assertion-before-signed \[acme-app\] \(2\.1 s\) — logged-in-identity \(core-5\.4\.2\): observed logged in as admin@evil\.test; expected no login/,
    );
    expect(lines.find((l) => l.includes('sp-slo-front'))).toBe(
      '  - n/a    sp-slo-front-channel-redirect [acme-app] (0 ms) — The SP metadata has no SingleLogoutService and the config does not declare the slo capability.',
    );
    expect(lines.find((l) => l.includes('idp-nameid-email'))).toMatch(/^ {2}\? review idp-nameid-email \[authentik\] \(2\.6 s\) — The IdP released/);
    expect(lines.find((l) => l.includes('sp-xxe'))).toMatch(/^ {2}‼ ERROR {2}sp-xxe-external-entity \[acme-app\] \(30\.0 s\) — The ACS answered HTTP 500/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(200);
  });

  it('fits each line to the width of a terminal', () => {
    const tty = fakeStream(true);
    const reporter = createListReporter(tty, { env: {} });
    for (const s of sampleRun().scenarios) reporter.onScenarioEnd(s);
    const visible = tty.text().replace(/\u001b\[[0-9;]*m/g, '').trimEnd().split('\n');
    expect(visible).toHaveLength(16);
    for (const l of visible) expect(l.length).toBeLessThanOrEqual(120);
    expect(visible.find((l) => l.includes('sp-xsw3'))).toMatch(/…$/);
  });

  it('never passes control characters from a target to the terminal', () => {
    const stream = fakeStream(false);
    const run = sampleRun();
    const s = run.scenarios.find((x) => x.id === 'sp-xxe-external-entity')!;
    s.reason = `boom ${ESC}]0;pwned\u0007 ${ESC}[2J\r\nnext \u009b31m`;
    createListReporter(stream, { env: {} }).onScenarioEnd(s);
    const out = stream.text();
    expect(out).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/); // only the final newline
    expect(out).toContain('boom ]0;pwned [2J next 31m');
  });

  it('colours only a TTY, and never when NO_COLOR is set', () => {
    const run = sampleRun();
    const tty = fakeStream(true);
    createListReporter(tty, { env: {} }).onScenarioEnd(run.scenarios[0]);
    expect(tty.text()).toContain(`${ESC}[32m✓ pass  ${ESC}[0m`);

    const noColor = fakeStream(true);
    createListReporter(noColor, { env: { NO_COLOR: '1' } }).onScenarioEnd(run.scenarios[0]);
    expect(noColor.text()).not.toContain(ESC);

    expect(colorEnabled({ write: () => true, isTTY: true }, { NO_COLOR: '' })).toBe(true); // empty means unset
    expect(colorEnabled({ write: () => true }, {})).toBe(false);
  });

  it('ends with a summary line, the baseline comparison and where the reports are', () => {
    const stream = fakeStream(false);
    const run = sampleRun();
    createListReporter(stream, { env: {} }).onRunEnd(run, {
      written: ['samlconf-report/results.json', 'samlconf-report/index.html'],
      baseline: baselineRun(),
    });
    const expected = [
      '',
      'FAILED  8 passed, 2 failed, 2 warnings, 1 to review, 2 not applicable, 1 error (16 scenarios in 1 min 48 s)',
      'Compared with baseline: 1 regression, 1 fix, 1 new, 1 removed, 1 otherwise changed',
      '  Regressions:',
      '    sp-xsw3-evil-assertion-before-signed [acme-app]: pass → FAIL',
      '  Fixes:',
      '    idp-signing-refuses-sha1-request [authentik]: FAIL → warn',
      'Reports:',
      '  samlconf-report/results.json',
      '  samlconf-report/index.html',
      '',
    ];
    expect(stream.text().split('\n')).toEqual(expected);

    // A diff computed beforehand prints the same.
    const again = fakeStream(false);
    createListReporter(again, { env: {} }).onRunEnd(run, {
      written: ['samlconf-report/results.json', 'samlconf-report/index.html'],
      diff: compareRuns(baselineRun(), run),
    });
    expect(again.text()).toBe(stream.text());
  });

  it('says PASSED when nothing failed or errored', () => {
    const stream = fakeStream(false);
    const run = sampleRun();
    run.scenarios = run.scenarios.filter((s) => s.verdict !== 'fail' && s.verdict !== 'error');
    createListReporter(stream, { env: {} }).onRunEnd(run);
    expect(stream.text()).toMatch(/^\nPASSED {2}8 passed, 0 failed, 2 warnings, 1 to review, 2 not applicable, 0 errors/);
  });
});

describe('summaryLine', () => {
  it('reads like the brief', () => {
    expect(summaryLine({ pass: 12, fail: 2, warning: 1, 'not-applicable': 3, error: 0, review: 0 })).toBe(
      '12 passed, 2 failed, 1 warning, 3 not applicable, 0 errors',
    );
  });
});
