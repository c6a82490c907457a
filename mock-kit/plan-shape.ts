// A small checker for plans that arrive as JSON over the mocks' control API (both mocks use it).
// The whole plan is checked, at every depth, so a typo or a wrong type is a 400 naming its path
// when the plan is set, not a silent default or a 500 at the next login.

export type Shape =
  | { kind: 'string' }
  | { kind: 'number'; integer?: boolean }
  | { kind: 'boolean' }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'nullable'; of: Shape }
  | { kind: 'array'; of: Shape }
  | { kind: 'record'; of: Shape }
  | { kind: 'object'; fields: Record<string, Shape>; required?: readonly string[]; hint?: Record<string, string> }
  | { kind: 'either'; of: readonly Shape[] };

export const str: Shape = { kind: 'string' };
export const num: Shape = { kind: 'number' };
export const int: Shape = { kind: 'number', integer: true };
export const bool: Shape = { kind: 'boolean' };
export const literal = (value: string | number | boolean): Shape => ({ kind: 'literal', value });
export const oneOf = (values: readonly string[]): Shape => ({ kind: 'enum', values });
export const nullable = (of: Shape): Shape => ({ kind: 'nullable', of });
export const arrayOf = (of: Shape): Shape => ({ kind: 'array', of });
export const recordOf = (of: Shape): Shape => ({ kind: 'record', of });
export const either = (...of: Shape[]): Shape => ({ kind: 'either', of });
/** `hint`: a message for keys that are known not to travel as JSON (functions such as `mutate`). */
export const obj = (fields: Record<string, Shape>, options: { required?: readonly string[]; hint?: Record<string, string> } = {}): Shape => ({
  kind: 'object',
  fields,
  ...options,
});

/** A plan that does not fit its shape; `path` is where, e.g. `response.audience`. */
export class ShapeError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = 'ShapeError';
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function expected(shape: Shape): string {
  switch (shape.kind) {
    case 'string':
      return 'a string';
    case 'number':
      return shape.integer ? 'a whole number' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'literal':
      return JSON.stringify(shape.value);
    case 'enum':
      return `one of ${shape.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'nullable':
      return `${expected(shape.of)} or null`;
    case 'array':
      return `a list, each ${expected(shape.of)}`;
    case 'record':
      return 'an object';
    case 'object':
      return `an object { ${Object.keys(shape.fields).join(', ')} }`;
    case 'either':
      return shape.of.map(expected).join(' or ');
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known name a typo most likely meant, when one is close enough. */
export function closestName(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

/** Whether a value's JSON type is the one a shape starts from (to pick the branch of an `either`). */
function sameKind(v: unknown, shape: Shape): boolean {
  switch (shape.kind) {
    case 'string':
    case 'enum':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'literal':
      return typeof v === typeof shape.value;
    case 'nullable':
      return v === null || sameKind(v, shape.of);
    case 'array':
      return Array.isArray(v);
    case 'record':
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'either':
      return shape.of.some((s) => sameKind(v, s));
  }
}

const at = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/** Throws ShapeError at the first place `value` does not fit `shape`. */
export function checkShape(value: unknown, shape: Shape, path = ''): void {
  const wrong = () => new ShapeError(path, `expected ${expected(shape)}, got ${describe(value)}`);
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') throw wrong();
      return;
    case 'number':
      // JSON has no NaN or Infinity, but a plan set in code might.
      if (typeof value !== 'number' || !Number.isFinite(value) || (shape.integer && !Number.isInteger(value))) throw wrong();
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return;
    case 'literal':
      if (value !== shape.value) throw wrong();
      return;
    case 'enum':
      if (typeof value !== 'string' || !shape.values.includes(value)) {
        const guess = typeof value === 'string' ? closestName(value, shape.values) : undefined;
        throw new ShapeError(path, `expected ${expected(shape)}, got ${describe(value)}${guess ? `; did you mean "${guess}"?` : ''}`);
      }
      return;
    case 'nullable':
      if (value === null) return;
      if (!sameKind(value, shape.of)) throw wrong(); // "a string or null", not just "a string"
      checkShape(value, shape.of, path);
      return;
    case 'array':
      if (!Array.isArray(value)) throw wrong();
      value.forEach((item, i) => checkShape(item, shape.of, at(path, i)));
      return;
    case 'record':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrong();
      for (const [k, v] of Object.entries(value)) checkShape(v, shape.of, at(path, k));
      return;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrong();
      const known = Object.keys(shape.fields);
      for (const [k, v] of Object.entries(value)) {
        const field = shape.fields[k];
        if (field) {
          if (v !== undefined) checkShape(v, field, at(path, k));
          continue;
        }
        const hint = shape.hint?.[k];
        const guess = closestName(k, known);
        const why = hint ?? (guess ? `did you mean "${guess}"?` : `known fields here: ${known.join(', ') || '(none)'}`);
        throw new ShapeError(at(path, k), `unknown field; ${why}`);
      }
      for (const k of shape.required ?? []) {
        if ((value as Record<string, unknown>)[k] === undefined) throw new ShapeError(at(path, k), `missing: expected ${expected(shape.fields[k]!)}`);
      }
      return;
    }
    case 'either': {
      // The branch of the value's own JSON type explains itself best (a typo inside an object).
      const branches = shape.of.filter((s) => sameKind(value, s));
      if (branches.length === 0) throw wrong();
      let first: unknown;
      for (const b of branches) {
        try {
          checkShape(value, b, path);
          return;
        } catch (err) {
          first ??= err;
        }
      }
      // A problem inside a branch's object says more than the list of alternatives; one at this level does not.
      if (first instanceof ShapeError && first.path !== path) throw first;
      throw wrong();
    }
  }
}
