// `samlconf run` around the run itself: what it prints whatever reporters are chosen, and what it
// refuses before anything starts. The run is a stand-in (vi.mock), so no browser and no target.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RESULT_SCHEMA_VERSION, summarize, type RunResult, type ScenarioResult } from '../../shared/result-model.ts';

const scenario: ScenarioResult = {
  id: 'sp-wrong-audience-rejected', family: 'sp-wrong-audience-rejected', role: 'sp', group: 'conditions', title: 'Audience', refs: ['core-2.5.1.4'],
  verdict: 'pass', durationMs: 12, startedAt: '2026-01-01T00:00:00.000Z', findings: [], evidence: [],
};

vi.mock('../../harness/api.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../harness/api.ts')>();
  return {
    ...real,
    runCatalogue: vi.fn(async (o: { onScenarioEnd?: (r: ScenarioResult) => void; onWarning?: (t: unknown, m: string) => void; config: { targets: unknown[] } }) => {
      o.onWarning?.(o.config.targets[0], "target 'app': oracle.whoami is on another host");
      o.onScenarioEnd?.(scenario);
      const result: RunResult = {
        schemaVersion: RESULT_SCHEMA_VERSION, tool: { name: 'samlconf', version: '0' }, targets: [{ name: 'app', role: 'sp', metadata: 'x' }],
        startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', summary: summarize([scenario]), scenarios: [scenario],
      };
      return result;
    }),
  };
});

const { runCommand } = await import('../../harness/commands/run.ts');
const { UsageError } = await import('../../harness/cli.ts');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-run-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const configFile = path.join(work, 'samlconf.config.json');
fs.writeFileSync(
  configFile,
  JSON.stringify({
    targets: [{ name: 'app', role: 'sp', metadata: path.resolve(import.meta.dirname, '../fixtures/metadata/authentik-source-sp.xml'), oracle: { whoami: 'http://app.test:1/whoami' } }],
  }),
);

let stdout: string;
let stderr: string;
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void (stderr += `${args.join(' ')}\n`));
});
afterEach(() => vi.restoreAllMocks());

const base = { config: configFile, out: path.join(work, 'out') };

describe('samlconf run', () => {
  it('prints progress and the summary with --reporter json alone, and writes the file too', async () => {
    const code = await runCommand({ ...base, reporters: ['json'], grep: 'audience' });
    expect(code).toBe(0);
    expect(stdout).toMatch(/pass\s+sp-wrong-audience-rejected/);
    expect(stdout).toContain('PASSED  1 passed, 0 failed, 0 warnings, 0 not applicable, 0 errors');
    expect(stdout).toContain(path.join(base.out, 'results.json'));
    expect(fs.existsSync(path.join(base.out, 'results.json'))).toBe(true);
  });

  it('prints warnings about the configuration on stderr', async () => {
    await runCommand({ ...base, reporters: ['list'], grep: 'audience' });
    expect(stderr).toContain("samlconf: warning: target 'app': oracle.whoami is on another host");
  });

  it('refuses a selection that runs nothing instead of passing 0 scenarios', async () => {
    await expect(runCommand({ ...base, reporters: ['list'], grep: 'no-such-scenario' })).rejects.toThrow(
      new UsageError('nothing to run: --grep "no-such-scenario" matches no scenario; "samlconf list" shows the catalogue'),
    );
    await expect(runCommand({ ...base, reporters: ['list'], role: 'idp' })).rejects.toThrow(/^nothing to run: --role idp: no configured target has role 'idp'/);
  });

  it('refuses a missing or unreadable baseline as a usage error', async () => {
    const missing = path.join(work, 'missing.json');
    await expect(runCommand({ ...base, reporters: ['list'], baseline: missing })).rejects.toSatisfy(
      (e: Error) => e instanceof UsageError && e.message.startsWith(`--baseline: cannot read ${missing}`),
    );
    const garbage = path.join(work, 'garbage.json');
    fs.writeFileSync(garbage, 'not json at all');
    await expect(runCommand({ ...base, reporters: ['list'], baseline: garbage })).rejects.toSatisfy(
      (e: Error) => e instanceof UsageError && /^--baseline: .*garbage\.json is not JSON/.test(e.message),
    );
  });
});
