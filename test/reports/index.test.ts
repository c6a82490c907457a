import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJsonReport, REPORT_FILES, writeReports } from '../../reports/index.ts';
import type { ReportFormat } from '../../reports/index.ts';
import { baselineRun, sampleRun } from '../fixtures/reports/sample-run.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samlconf-reports-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeReports', () => {
  it('writes every format and returns the paths', async () => {
    const run = sampleRun();
    const paths = await writeReports(run, join(dir, 'out'), ['markdown', 'html', 'junit', 'json']);
    expect(paths).toEqual(['results.json', 'junit.xml', 'index.html', 'summary.md'].map((f) => join(dir, 'out', f)));
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['index.html', 'junit.xml', 'results.json', 'summary.md']);
    expect(await readJsonReport(paths[0])).toEqual(run);
    expect(await readFile(paths[1], 'utf8')).toContain('<testsuites name="samlconf" tests="16"');
    expect(await readFile(paths[2], 'utf8')).toContain('<title>samlconf report: failed');
    expect(await readFile(paths[3], 'utf8')).toMatch(/^# samlconf: FAILED/);
  });

  it('writes only what is asked for, once', async () => {
    const paths = await writeReports(sampleRun(), dir, ['junit', 'junit']);
    expect(paths).toEqual([join(dir, REPORT_FILES.junit)]);
    expect(await readdir(dir)).toEqual(['junit.xml']);
  });

  it('renders the baseline comparison into HTML and Markdown', async () => {
    const [html, md] = await writeReports(sampleRun(), dir, ['html', 'markdown'], { baseline: baselineRun() });
    expect(await readFile(html, 'utf8')).toContain('Compared with the baseline');
    expect(await readFile(md, 'utf8')).toContain('## Compared with the baseline');
  });

  it('refuses an unknown format before writing anything', async () => {
    await expect(writeReports(sampleRun(), dir, ['json', 'pdf' as ReportFormat])).rejects.toThrow(
      'unknown report format "pdf"; use json, junit, html, markdown',
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
