import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseJsonReport, readJsonReport, ReportFormatError, stringifyRunResult, writeJsonReport } from '../../reports/json.ts';
import type { RunResult } from '../../shared/result-model.ts';
import { sampleRun } from '../fixtures/reports/sample-run.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samlconf-json-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The same data with every object's keys inserted in reverse order. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)])) as T;
  }
  return value;
}

describe('writeJsonReport', () => {
  it('writes results.json that reads back equal to the run', async () => {
    const run = sampleRun();
    const file = await writeJsonReport(run, join(dir, 'nested', 'out'));
    expect(file).toBe(join(dir, 'nested', 'out', 'results.json'));
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "schemaVersion": 1,'); // pretty, version first
    expect(JSON.parse(text)).toEqual(run);
    expect(await readJsonReport(file)).toEqual(run);
  });

  it('uses a canonical key order, whatever order the run was built in', () => {
    const run = sampleRun();
    const a = stringifyRunResult(run);
    const b = stringifyRunResult(reversedKeys(run));
    expect(b).toBe(a);
    const parsed = JSON.parse(a) as RunResult;
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'tool', 'targets', 'startedAt', 'finishedAt', 'summary', 'scenarios']);
    expect(Object.keys(parsed.summary.byVerdict)).toEqual(['pass', 'fail', 'warning', 'not-applicable', 'error', 'review']);
    const xsw = parsed.scenarios.find((s) => s.id === 'sp-xsw3-evil-assertion-before-signed')!;
    expect(Object.keys(xsw)).toEqual([
      'id', 'family', 'role', 'target', 'group', 'title', 'refs', 'verdict', 'reason',
      'startedAt', 'durationMs', 'findings', 'evidence', 'finalUrl', 'screenshot',
    ]);
    const variant = parsed.scenarios.find((s) => s.id === 'idp-web-sso-post-post')!.variant!;
    expect(Object.keys(variant)).toEqual(['request', 'response']);
    expect(Object.keys(xsw.findings[0])).toEqual(['check', 'requirement', 'severity', 'ok', 'expected', 'observed', 'detail', 'xml']);
    expect(Object.keys(xsw.evidence[1]).slice(0, 5)).toEqual(['seq', 'at', 'direction', 'via', 'kind']);
  });

  it('keeps fields it does not know, after the known ones', () => {
    const run = sampleRun() as RunResult & { extra?: string };
    run.extra = 'kept';
    const parsed = JSON.parse(stringifyRunResult(run));
    expect(parsed.extra).toBe('kept');
    expect(Object.keys(parsed).at(-1)).toBe('extra');
  });
});

describe('readJsonReport', () => {
  it('refuses another schema version with a message that says what to do', async () => {
    const file = join(dir, 'results.json');
    await writeFile(file, JSON.stringify({ ...sampleRun(), schemaVersion: 2 }));
    const err = await readJsonReport(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReportFormatError);
    expect((err as Error).message).toMatch(/schema version 2/);
    expect((err as Error).message).toMatch(/reads version 1/);
  });

  it('refuses JSON that is not a samlconf result', () => {
    expect(() => parseJsonReport('{"hello":1}', 'x.json')).toThrow(/x\.json is not a samlconf result: it has no schemaVersion/);
    expect(() => parseJsonReport('[1,2]')).toThrow(/expected a JSON object/);
    expect(() => parseJsonReport('{not json')).toThrow(ReportFormatError);
    expect(() => parseJsonReport('{not json')).toThrow(/is not JSON/);
  });

  it('names every field that has the wrong shape', () => {
    const run = JSON.parse(JSON.stringify(sampleRun()));
    run.scenarios[0].verdict = 'passed';
    delete run.scenarios[2].findings[0].observed;
    run.scenarios[0].evidence[0].signatures[0].valid = 'yes';
    run.summary.byVerdict.error = '1';
    let err: ReportFormatError | undefined;
    try {
      parseJsonReport(JSON.stringify(run));
    } catch (e) {
      err = e as ReportFormatError;
    }
    expect(err).toBeInstanceOf(ReportFormatError);
    expect(err!.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$\.scenarios\[0\]\.verdict: expected one of "pass"/),
        '$.scenarios[2].findings[0].observed: missing (expected a string)',
        expect.stringMatching(/^\$\.scenarios\[0\]\.evidence\[0\]\.signatures\[0\]\.valid: expected a boolean/),
        expect.stringMatching(/^\$\.summary\.byVerdict\.error: expected a number/),
      ]),
    );
    expect(err!.problems).toHaveLength(4);
  });

  it('reports a missing file as a format error with the path', async () => {
    await expect(readJsonReport(join(dir, 'nope.json'))).rejects.toThrow(/cannot read .*nope\.json/);
  });
});
