// results.json: the canonical, versioned result (reports/SCHEMA.md). Written with a fixed key order
// so that two runs with the same outcome produce files that diff cleanly; read back with a shape
// check so that a baseline from another samlconf version is refused with a clear message.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../shared/result-model.ts';
import { RESULT_SCHEMA_VERSION, VERDICTS } from '../shared/result-model.ts';

export const JSON_REPORT_FILE = 'results.json';

export class ReportFormatError extends Error {
  readonly problems: string[];
  constructor(message: string, problems: string[] = []) {
    super(problems.length ? `${message}\n  - ${problems.join('\n  - ')}` : message);
    this.name = 'ReportFormatError';
    this.problems = problems;
  }
}

// Key order per object type: identity first, then outcome, then bulky evidence.
const KEY_ORDER = {
  run: ['schemaVersion', 'tool', 'targets', 'startedAt', 'finishedAt', 'selection', 'summary', 'scenarios'],
  tool: ['name', 'version'],
  target: ['name', 'role', 'entityId', 'metadata'],
  selection: ['grep', 'role'],
  summary: ['total', 'failed', 'byVerdict'],
  scenario: [
    'id', 'family', 'role', 'target', 'group', 'title', 'refs', 'variant', 'verdict', 'reason',
    'startedAt', 'durationMs', 'positiveControl', 'findings', 'evidence', 'finalUrl', 'screenshot',
  ],
  positiveControl: ['shape', 'outcome', 'observed', 'shared', 'inFlow'],
  finding: ['check', 'requirement', 'severity', 'ok', 'refusal', 'expected', 'observed', 'detail', 'xml'],
  message: [
    'seq', 'at', 'direction', 'via', 'kind', 'binding', 'url', 'relayState', 'signatures', 'note',
    'raw', 'xml', 'pretty',
  ],
  signature: ['kind', 'valid', 'algorithm', 'covers', 'reason'],
} as const;

type Obj = Record<string, unknown>;

/** Known keys in their order, then any unknown keys alphabetically (kept, not dropped). */
function ordered(value: unknown, order: readonly string[], nested: Record<string, (v: unknown) => unknown> = {}): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const src = value as Obj;
  const out: Obj = {};
  const rest = Object.keys(src).filter((k) => !order.includes(k)).sort();
  for (const k of [...order, ...rest]) {
    if (!(k in src) || src[k] === undefined) continue;
    out[k] = nested[k] ? nested[k](src[k]) : src[k];
  }
  return out;
}

const each = (fn: (v: unknown) => unknown) => (v: unknown) => (Array.isArray(v) ? v.map(fn) : v);

function canonicalMessage(m: unknown): unknown {
  return ordered(m, KEY_ORDER.message, { signatures: each((s) => ordered(s, KEY_ORDER.signature)) });
}

function canonicalScenario(s: unknown): unknown {
  return ordered(s, KEY_ORDER.scenario, {
    variant: (v) => ordered(v, []),
    findings: each((f) => ordered(f, KEY_ORDER.finding)),
    evidence: each(canonicalMessage),
  });
}

/** The result with keys in canonical order (a new object; the input is not changed). */
export function canonicalRunResult(result: RunResult): RunResult {
  return ordered(result, KEY_ORDER.run, {
    tool: (t) => ordered(t, KEY_ORDER.tool),
    targets: each((t) => ordered(t, KEY_ORDER.target)),
    selection: (s) => ordered(s, KEY_ORDER.selection),
    summary: (s) =>
      ordered(s, KEY_ORDER.summary, { byVerdict: (b) => ordered(b, VERDICTS as unknown as string[]) }),
    scenarios: each(canonicalScenario),
  }) as RunResult;
}

export function stringifyRunResult(result: RunResult): string {
  return `${JSON.stringify(canonicalRunResult(result), null, 2)}\n`;
}

/** Write `<dir>/results.json` (creating dir) and return its path. Atomic: a reader never sees half a file. */
export async function writeJsonReport(result: RunResult, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, JSON_REPORT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, stringifyRunResult(result), 'utf8');
  await rename(tmp, file);
  return file;
}

/** Read and check a results.json written by this version of samlconf (a baseline, say). */
export async function readJsonReport(file: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ReportFormatError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseJsonReport(text, file);
}

export function parseJsonReport(text: string, source = 'results.json'): RunResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ReportFormatError(`${source} is not JSON: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ReportFormatError(`${source} is not a samlconf result: expected a JSON object`);
  }
  const version = (data as Obj).schemaVersion;
  if (version === undefined) {
    throw new ReportFormatError(`${source} is not a samlconf result: it has no schemaVersion`);
  }
  if (version !== RESULT_SCHEMA_VERSION) {
    throw new ReportFormatError(
      `${source} uses result schema version ${JSON.stringify(version)}, but this samlconf reads version ` +
        `${RESULT_SCHEMA_VERSION}. Re-run the baseline with this samlconf version, or use the samlconf version that wrote it.`,
    );
  }
  const problems = checkShape(data as Obj);
  if (problems.length) {
    const shown = problems.slice(0, 12);
    if (problems.length > shown.length) shown.push(`... and ${problems.length - shown.length} more`);
    throw new ReportFormatError(`${source} does not match result schema version ${RESULT_SCHEMA_VERSION}:`, shown);
  }
  return data as RunResult;
}

// ---- shape check: what a consumer relies on, not every optional detail ----

type Check = (v: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isBoolean: Check = (v) => typeof v === 'boolean';
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const oneOf = (...values: readonly unknown[]): Check => (v) => values.includes(v);
const isScalar: Check = (v) => isString(v) || isNumber(v) || isBoolean(v);

const ROLES = ['idp', 'sp'] as const;
const SEVERITIES = ['must', 'should', 'may', 'info'] as const;
const KINDS = ['AuthnRequest', 'Response', 'LogoutRequest', 'LogoutResponse', 'ArtifactResolve', 'ArtifactResponse', 'Metadata', 'Other'] as const;
const BINDINGS = ['redirect', 'post', 'artifact', 'soap'] as const;

function describeExpected(values: readonly unknown[]): string {
  return `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
}

class ShapeChecker {
  readonly problems: string[] = [];

  field(obj: Obj, path: string, key: string, check: Check, what: string, optional = false): void {
    const v = obj[key];
    if (v === undefined) {
      if (!optional) this.problems.push(`${path}.${key}: missing (expected ${what})`);
      return;
    }
    if (!check(v)) this.problems.push(`${path}.${key}: expected ${what}, got ${JSON.stringify(v)?.slice(0, 60)}`);
  }

  enumField(obj: Obj, path: string, key: string, values: readonly unknown[], optional = false): void {
    this.field(obj, path, key, oneOf(...values), describeExpected(values), optional);
  }

  array(obj: Obj, path: string, key: string, optional = false): unknown[] {
    const v = obj[key];
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) {
      this.problems.push(`${path}.${key}: expected an array`);
      return [];
    }
    return v;
  }

  object(v: unknown, path: string): Obj | undefined {
    if (!isObject(v)) {
      this.problems.push(`${path}: expected an object`);
      return undefined;
    }
    return v;
  }
}

function checkShape(run: Obj): string[] {
  const c = new ShapeChecker();
  const tool = c.object(run.tool, '$.tool');
  if (tool) {
    c.field(tool, '$.tool', 'name', oneOf('samlconf'), '"samlconf"');
    c.field(tool, '$.tool', 'version', isString, 'a string');
  }
  c.array(run, '$', 'targets').forEach((t, i) => {
    const p = `$.targets[${i}]`;
    const o = c.object(t, p);
    if (!o) return;
    c.field(o, p, 'name', isString, 'a string');
    c.enumField(o, p, 'role', ROLES);
  });
  c.field(run, '$', 'startedAt', isString, 'an ISO date string');
  c.field(run, '$', 'finishedAt', isString, 'an ISO date string');
  if (run.selection !== undefined) c.object(run.selection, '$.selection');
  const summary = c.object(run.summary, '$.summary');
  if (summary) {
    c.field(summary, '$.summary', 'total', isNumber, 'a number');
    c.field(summary, '$.summary', 'failed', isBoolean, 'a boolean');
    const by = c.object(summary.byVerdict, '$.summary.byVerdict');
    if (by) for (const v of VERDICTS) c.field(by, '$.summary.byVerdict', v, isNumber, 'a number');
  }
  c.array(run, '$', 'scenarios').forEach((s, i) => checkScenario(c, s, `$.scenarios[${i}]`));
  return c.problems;
}

function checkScenario(c: ShapeChecker, value: unknown, p: string): void {
  const s = c.object(value, p);
  if (!s) return;
  for (const k of ['id', 'family', 'group', 'title', 'startedAt']) c.field(s, p, k, isString, 'a string');
  c.enumField(s, p, 'role', ROLES);
  c.enumField(s, p, 'verdict', VERDICTS);
  c.field(s, p, 'durationMs', isNumber, 'a number');
  for (const k of ['reason', 'target', 'screenshot', 'finalUrl']) c.field(s, p, k, isString, 'a string', true);
  c.array(s, p, 'refs').forEach((r, i) => {
    if (!isString(r)) c.problems.push(`${p}.refs[${i}]: expected a string`);
  });
  if (s.variant !== undefined) {
    const v = c.object(s.variant, `${p}.variant`);
    if (v) for (const k of Object.keys(v)) c.field(v, `${p}.variant`, k, isScalar, 'a string, number or boolean');
  }
  c.array(s, p, 'findings').forEach((f, i) => {
    const fp = `${p}.findings[${i}]`;
    const o = c.object(f, fp);
    if (!o) return;
    for (const k of ['check', 'expected', 'observed']) c.field(o, fp, k, isString, 'a string');
    c.enumField(o, fp, 'severity', SEVERITIES);
    c.field(o, fp, 'ok', isBoolean, 'a boolean');
    for (const k of ['requirement', 'xml', 'detail']) c.field(o, fp, k, isString, 'a string', true);
    c.field(o, fp, 'refusal', isBoolean, 'a boolean', true);
  });
  if (s.positiveControl !== undefined) {
    const cp = `${p}.positiveControl`;
    const o = c.object(s.positiveControl, cp);
    if (o) {
      for (const k of ['shape', 'observed']) c.field(o, cp, k, isString, 'a string');
      c.enumField(o, cp, 'outcome', ['succeeded', 'refused', 'error']);
      c.field(o, cp, 'shared', isBoolean, 'a boolean');
      c.field(o, cp, 'inFlow', isBoolean, 'a boolean', true);
    }
  }
  c.array(s, p, 'evidence').forEach((m, i) => {
    const mp = `${p}.evidence[${i}]`;
    const o = c.object(m, mp);
    if (!o) return;
    c.field(o, mp, 'seq', isNumber, 'a number');
    for (const k of ['at', 'via', 'raw']) c.field(o, mp, k, isString, 'a string');
    c.enumField(o, mp, 'direction', ['sent', 'received']);
    c.enumField(o, mp, 'kind', KINDS);
    c.enumField(o, mp, 'binding', BINDINGS, true);
    for (const k of ['url', 'xml', 'pretty', 'relayState', 'note']) c.field(o, mp, k, isString, 'a string', true);
    c.array(o, mp, 'signatures', true).forEach((sig, j) => {
      const sp = `${mp}.signatures[${j}]`;
      const so = c.object(sig, sp);
      if (!so) return;
      c.enumField(so, sp, 'kind', ['xml', 'redirect-query']);
      c.field(so, sp, 'valid', isBoolean, 'a boolean');
    });
  });
}
