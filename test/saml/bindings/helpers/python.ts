// Runs a Python peer script with Debian's python3 (where python3-pysaml2 and python3-lasso live),
// passing JSON on stdin and reading JSON from stdout. Fails loudly when the peer is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const SYSTEM_PYTHON = '/usr/bin/python3';

export function runPythonScript<T>(scriptPath: string, input: unknown, timeoutMs = 20_000): T {
  if (!existsSync(SYSTEM_PYTHON)) {
    throw new Error(`${SYSTEM_PYTHON} not found: the cross-check needs Debian python3 with python3-pysaml2`);
  }
  const res = spawnSync(SYSTEM_PYTHON, [scriptPath], { input: JSON.stringify(input), encoding: 'utf8', timeout: timeoutMs });
  if (res.error) throw res.error;
  if (res.status !== 0) {
    const hint = /No module named/.test(res.stderr) ? ' (is python3-pysaml2 installed?)' : '';
    throw new Error(`python peer failed (exit ${res.status})${hint}:\n${res.stderr}`);
  }
  try {
    return JSON.parse(res.stdout) as T;
  } catch {
    throw new Error(`python peer printed no JSON:\n${res.stdout}\n${res.stderr}`);
  }
}
