import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../reports/diff.ts';
import { escapeHtml, renderHtml, writeHtmlReport } from '../../reports/html.ts';
import { baselineRun, HOSTILE_SCRIPT, sampleRun } from '../fixtures/reports/sample-run.ts';

const CHROMIUM = process.env.SAMLCONF_CHROMIUM ?? '/usr/lib/chromium/chromium';

/** Opening tags of every `<details class="scn ...">`, by scenario id. */
function scenarioTags(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<details class="scn [^>]*>/g)) {
    const id = /id="s-[^-]+(?:-app)?-([^"]+)"/.exec(m[0]);
    const verdict = /data-verdict="([^"]+)"/.exec(m[0])![1];
    out.set(`${verdict}:${id?.[1]}`, m[0]);
  }
  return out;
}

describe('renderHtml (static)', () => {
  const run = sampleRun();
  const html = renderHtml(run);

  it('is one self-contained UTF-8 page', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')).toBe(true);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\b(src|href|action|poster)\s*=\s*"(?!#|data:image\/png;base64,)/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    const imgs = [...html.matchAll(/<img\b[^>]*>/g)].map((m) => m[0]);
    expect(imgs).toHaveLength(2); // the two screenshots
    for (const img of imgs) expect(img).toMatch(/ src="data:image\/png;base64,[A-Za-z0-9+/]+=*"/);
  });

  it('allows only its own script, by hash', () => {
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0][1], 'utf8').digest('base64');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1].replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).not.toContain('unsafe-eval');
  });

  it('escapes everything a target controls', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain(HOSTILE_SCRIPT);
    expect(html).not.toMatch(/<img[^>]*onerror/i);
    expect(html).not.toContain(`"><script>alert('relay')`);
    // ...and still shows it, escaped: the error reason, the RelayState, the hostile IdP's markup.
    expect(html).toContain('Body began: &lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;');
    expect(html).toContain('<code>&quot;&gt;&lt;script&gt;alert(&#39;relay&#39;)&lt;/script&gt;</code>');
    expect(html).toContain('&lt;<span class="x-t">script</span> <span class="x-a">xmlns</span>=<span class="x-v">&quot;http://www.w3.org/1999/xhtml&quot;</span>&gt;alert(&quot;xss&quot;)');
    // The comment-injection NameID keeps its comment visible.
    expect(html).toContain('alice@example.test<span class="x-c">&lt;!----&gt;</span>.evil.test');
    // The BEL in the error reason is dropped.
    expect(html).not.toContain('\u0007');
  });

  it('escapes the five characters and drops control characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>\u0000\u001b`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('opens failed and errored scenarios, and only those', () => {
    const tags = [...html.matchAll(/<details class="scn [^>]*>/g)].map((m) => m[0]);
    expect(tags).toHaveLength(16);
    const open = tags.filter((t) => / open>$/.test(t)).map((t) => /data-verdict="([^"]+)"/.exec(t)![1]);
    expect(open.sort()).toEqual(['error', 'fail', 'fail']);
    expect(scenarioTags(html).size).toBe(16);
  });

  it('shows the header facts, totals and summary', () => {
    expect(html).toContain('<span class="status bad">Failed</span>');
    expect(html).toContain('samlconf 0.1.0 · result schema v1');
    expect(html).toContain('<dd>2026-03-14 09:29:58 UTC</dd>');
    expect(html).toContain('<dd>1 min 48 s</dd>');
    for (const [n, label] of [[8, 'passed'], [2, 'failed'], [2, 'warnings'], [1, 'to review'], [1, 'error'], [2, 'not applicable']] as const) {
      expect(html).toMatch(new RegExp(`<b>${n}</b><span>${label}</span>`));
    }
    const summaryStart = html.indexOf('<tbody>', html.indexOf('id="h-summary"'));
    const summaryRows = html.slice(summaryStart, html.indexOf('</tbody>', summaryStart)).match(/<tr>/g);
    expect(summaryRows).toHaveLength(9);
    expect(html).toContain('Needs attention <span class="muted">6 of 16 scenarios</span>');
  });

  it('shows findings, requirements, evidence in order and the screenshot', () => {
    const start = html.indexOf('id="s-acme-app-sp-xsw3-evil-assertion-before-signed"');
    const section = html.slice(start, html.indexOf('<details class="scn', start + 10));
    expect(section).toContain('<tr class="bad"><td class="icon" aria-label="failed">✗</td><td data-label="Check"><code>logged-in-identity</code></td><td data-label="Requirement"><code class="req">core-5.4.2</code>');
    expect(section).toContain('<span class="label">Offending XML</span>');
    expect(section).toContain('<code class="req">Somorovsky2012-XSW3</code>');
    const seqs = [...section.matchAll(/<span class="seq">(\d+)<\/span>/g)].map((m) => m[1]);
    expect(seqs).toEqual(['1', '2']);
    expect(section).toContain('<strong>AuthnRequest</strong><span class="pill">HTTP-Redirect</span>');
    expect(section).toContain('<strong>Response</strong><span class="pill">HTTP-POST</span>');
    expect(section).toContain('✓ XML signature valid <span class="muted">· rsa-sha256 · covers _assert-signed-91c2</span>');
    expect(section).toContain('Decoded XML <span class="muted">59 lines</span>');
    expect(section).toMatch(/<img alt="Browser page at the end of sp-xsw3-evil-assertion-before-signed" src="data:image\/png;base64,iVBORw0KGgo/);
  });

  it('cuts giant fields with a note and stays small', () => {
    const big = sampleRun();
    const msg = big.scenarios.find((s) => s.id === 'sp-xsw3-evil-assertion-before-signed')!.evidence[1];
    msg.raw = 'SAMLResponse=' + 'A'.repeat(2_000_000);
    msg.pretty = '<x>' + 'y'.repeat(3_000_000) + '</x>';
    big.scenarios[0].screenshot = 'A'.repeat(4_000_000);
    big.scenarios[1].screenshot = 'not base64 <script>';
    const out = renderHtml(big);
    expect(out.length).toBeLessThan(html.length + 200_000);
    expect(out).toContain('Raw value cut at 32,000 of 2,000,013 characters; results.json holds all of it.');
    expect(out).toContain('Decoded XML cut at 100,000 of 3,000,007 characters');
    expect(out).toContain('The screenshot (4,000,000 characters) is too large for this page');
    expect(out).toContain('The screenshot is not valid base64 and is left out.');
  });

  it('keeps screenshots that explain a problem and drops passing ones beyond the budget', () => {
    const out = renderHtml(run, { maxPassScreenshotsChars: 1000 });
    const imgs = [...out.matchAll(/<img alt="Browser page at the end of ([^"]+)"/g)].map((m) => m[1]);
    expect(imgs).toEqual(['sp-xsw3-evil-assertion-before-signed']);
    expect(out).toContain('The screenshot is left out to keep this page small; results.json holds it.');
  });

  it('renders the baseline comparison with links to the scenarios', () => {
    const out = renderHtml(run, { diff: compareRuns(baselineRun(), run) });
    expect(out).toContain('<h2 id="h-diff">Compared with the baseline</h2>');
    expect(out).toContain('<p>1 regression, 1 fix, 1 new, 1 removed, 1 otherwise changed.</p>');
    expect(out).toMatch(/<h3>Regressions <span class="count">1<\/span><\/h3><ul><li><a href="#s-acme-app-sp-xsw3-evil-assertion-before-signed">/);
    expect(out).toContain('<code>sp-legacy-sha1-only</code>'); // removed: no anchor to link to
    expect(html).not.toContain('h-diff');
  });

  it('renders an empty run', () => {
    const empty = sampleRun();
    empty.scenarios = [];
    const out = renderHtml(empty);
    expect(out).toContain('This run holds no scenarios.');
    expect(out).toContain('<span class="status good">Passed</span>');
  });
});

describe('renderHtml in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set SAMLCONF_CHROMIUM`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    dir = await mkdtemp(join(tmpdir(), 'samlconf-html-'));
    const run = sampleRun();
    file = await writeHtmlReport(run, dir, { diff: compareRuns(baselineRun(), run) });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs no injected script, loads nothing, and its own filters work', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(pathToFileURL(file).href);

    // Every request is the page itself or an inline image.
    expect(requests.filter((u) => !u.startsWith('data:') && u !== pathToFileURL(file).href)).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]); // a CSP violation would show up here as a console error
    expect(await page.evaluate(() => document.scripts.length)).toBe(1);
    expect(await page.evaluate(() => document.querySelectorAll('[onerror], [onload], iframe, object, embed').length)).toBe(0);

    // The filter bar is unhidden by our script, which proves the CSP hash admits it.
    await expect.poll(() => page.isVisible('#filters')).toBe(true);
    const visible = () => page.$$eval('details.scn', (els) => els.filter((e) => !(e as HTMLElement).hidden).length);
    expect(await visible()).toBe(16);
    expect(await page.textContent('#f-count')).toBe('16 of 16 shown');

    await page.click('a.total.v-fail');
    expect(await visible()).toBe(2);
    expect(await page.$$eval('section.group', (els) => els.filter((e) => !(e as HTMLElement).hidden).length)).toBe(2);

    await page.click('a.total.v-pass');
    await page.fill('#f-text', 'comment');
    expect(await visible()).toBe(1);
    await page.fill('#f-text', '');
    await page.selectOption('#f-role', 'idp');
    expect(await visible()).toBe(4); // the IdP passes

    // A link to a scenario opens it even when it is filtered out.
    await page.evaluate(() => {
      location.hash = '#s-authentik-idp-nameid-email';
    });
    await expect.poll(() => page.$eval('#s-authentik-idp-nameid-email', (e) => (e as HTMLDetailsElement).open && !(e as HTMLElement).hidden)).toBe(true);

    // Hostile strings render as visible text.
    const reason = await page.textContent('#s-acme-app-sp-xxe-external-entity .reason');
    expect(reason).toContain('Body began: <script>alert("xss")</script>');
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('fits a narrow screen without sideways scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 400, height: 800 } });
    await page.goto(pathToFileURL(file).href);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });
});
