// The direction of imports (docs/architecture.md) holds in the whole tree, and the check would
// notice if it did not: the same rules refuse a toolkit file that imports the harness, a mock that
// imports the other mock, and an import circle.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEPCRUISE = path.join(ROOT, 'node_modules/.bin/depcruise');
const RULES = path.join(ROOT, '.dependency-cruiser.cjs');
const FOLDERS = ['saml', 'shared', 'mock-kit', 'mock-idp', 'mock-sp', 'reports', 'harness', 'scenarios', 'targets', 'bin', 'bench', 'test'];

function cruise(cwd: string, folders: string[]) {
  const r = spawnSync(DEPCRUISE, ['--config', RULES, '--output-type', 'err', ...folders], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'samlconf-layers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(scratch, 't-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

describe('the direction of imports', () => {
  it('holds in the whole tree', () => {
    const r = cruise(ROOT, FOLDERS);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/no dependency violations found/);
  }, 150_000);

  it('refuses a toolkit file importing the harness, one mock importing the other, and a circle', () => {
    const dir = tree({
      'saml/xml.ts': "import { run } from '../harness/runner.ts';\nexport const x = run;\n",
      'harness/runner.ts': "import { y } from './flows.ts';\nexport const run = y;\n",
      'harness/flows.ts': "import { run } from './runner.ts';\nexport const y = 1; export const z = run;\n",
      'mock-sp/core.ts': "import { idp } from '../mock-idp/server.ts';\nexport const sp = idp;\n",
      'mock-idp/server.ts': 'export const idp = 1;\n',
    });
    const r = cruise(dir, ['saml', 'harness', 'mock-sp', 'mock-idp']);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('saml-imports-nothing-of-ours');
    expect(r.out).toContain('mock-sp-does-not-import-mock-idp');
    expect(r.out).toContain('no-circles');
  }, 60_000);
});
