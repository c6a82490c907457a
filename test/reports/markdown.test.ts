import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../reports/diff.ts';
import { renderMarkdown, writeMarkdownReport } from '../../reports/markdown.ts';
import { baselineRun, sampleRun } from '../fixtures/reports/sample-run.ts';

/** Markdown with every code span removed: what a renderer could interpret as markup. */
function outsideCode(md: string): string {
  return md.replace(/(`+)[\s\S]*?\1/g, '');
}

describe('renderMarkdown', () => {
  const run = sampleRun();
  const md = renderMarkdown(run);

  it('states the outcome and the totals', () => {
    expect(md.startsWith('# samlconf: FAILED\n')).toBe(true);
    expect(md).toContain('samlconf 0.1.0 · started 2026-03-14 09:29:58 UTC · took 1 min 48 s');
    expect(md).toContain('**16 scenarios:** ✅ 8 pass · ❌ 2 fail · ⚠️ 2 warning · 👀 1 review · 💥 1 error · ➖ 2 n/a');
    expect(md).toContain('- `acme-app` (sp) — `http://acme-app.target.test:8080/saml/metadata`');
  });

  it('has a table row per role and group', () => {
    const rows = md.split('\n').filter((l) => /^\| (idp|sp) \|/.test(l));
    expect(rows).toHaveLength(9);
    expect(rows).toContain('| sp | security | 2 | 1 | · | · | 1 | · |');
    expect(rows).toContain('| idp | nameid | · | · | · | 1 | · | 1 |');
  });

  it('lists every failing and erroring scenario with expected and observed', () => {
    const section = md.slice(md.indexOf('## Failures and errors'), md.indexOf('## Warnings and reviews'));
    const headings = section.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual(['### ❌ idp-rogue-acs-url', '### ❌ sp-xsw3-evil-assertion-before-signed', '### 💥 sp-xxe-external-entity']);
    expect(section).toContain('- **MUST** `logged-in-identity` — `core-5.4.2`');
    expect(section).toContain('  - expected: `no login, or a login as the signed identity alice@example.test`');
    expect(section).toContain('  - observed: `logged in as admin@evil.test`');
    expect(section).toContain('Reason: The ACS answered HTTP 500');
    expect(md).not.toContain('### ✅'); // passes are not listed one by one
  });

  it('summarises warnings and reviews in one line each', () => {
    const section = md.slice(md.indexOf('## Warnings and reviews'));
    expect(section.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(3);
    expect(section).toContain('observed `logged in as alice@example.test (trailing space trimmed)`');
  });

  it('keeps markup from targets inert', () => {
    const hostile = sampleRun();
    const s = hostile.scenarios.find((x) => x.id === 'sp-xsw3-evil-assertion-before-signed')!;
    s.findings[0].observed = 'has `backticks` and <b>tags</b>\n| a | table |';
    s.reason = '<img src=x onerror=alert(1)> **bold** [link](javascript:alert(1))';
    const out = renderMarkdown(hostile);
    expect(out).toContain('  - observed: ``has `backticks` and <b>tags</b> | a | table |``');
    const prose = outsideCode(out);
    expect(prose).not.toMatch(/(^|[^\\])<\/?(script|img|b)\b/); // only backslash-escaped angle brackets
    expect(prose).not.toContain('[link](javascript');
    expect(out).toContain('Reason: \\<img src=x onerror=alert(1)\\> \\*\\*bold\\*\\* \\[link\\](javascript:alert(1))');
  });

  it('adds the baseline comparison when given', () => {
    const withDiff = renderMarkdown(run, { diff: compareRuns(baselineRun(), run) });
    expect(withDiff).toContain('## Compared with the baseline\n\n1 regression, 1 fix, 1 new, 1 removed, 1 otherwise changed');
    expect(withDiff).toContain('- `sp-xsw3-evil-assertion-before-signed`: pass → **fail**');
    expect(md).not.toContain('baseline');
  });

  it('says PASSED for a clean run and writes summary.md', async () => {
    const clean = sampleRun();
    clean.scenarios = clean.scenarios.filter((s) => s.verdict === 'pass');
    const out = renderMarkdown(clean);
    expect(out.startsWith('# samlconf: PASSED\n')).toBe(true);
    expect(out).not.toContain('## Failures');
    const dir = await mkdtemp(join(tmpdir(), 'samlconf-md-'));
    try {
      const file = await writeMarkdownReport(run, dir);
      expect(file).toBe(join(dir, 'summary.md'));
      expect(await readFile(file, 'utf8')).toBe(md);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
