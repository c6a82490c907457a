// Finding scenario files and expanding scenario families into runnable scenarios.
// Variants are data: every combination of a family's axes becomes one scenario with a stable ID.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { glob } from 'tinyglobby';
import type { Role } from '../shared/result-model.ts';
import type { ScenarioFamily, Variant, VariantValue } from './scenario.ts';

export const BUILTIN_SCENARIO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
/** Scenario files are `*.scenario.ts` so that helpers beside them are never mistaken for scenarios. */
export const SCENARIO_FILE_GLOB = '**/*.scenario.{ts,mts,js,mjs}';

export interface ExpandedScenario {
  id: string;
  family: ScenarioFamily<any, any>;
  variant: Variant;
  title: string;
  role: Role;
  group: string;
  refs: string[];
  file: string;
}

export class CatalogueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogueError';
  }
}

export async function findScenarioFiles(extraGlobs: string[] = [], cwd = process.cwd()): Promise<string[]> {
  const builtin = await glob(SCENARIO_FILE_GLOB, { cwd: BUILTIN_SCENARIO_DIR, absolute: true });
  const extra = extraGlobs.length ? await glob(extraGlobs, { cwd, absolute: true }) : [];
  return [...new Set([...builtin.sort(), ...extra.sort()])];
}

export async function loadFamilies(file: string): Promise<ScenarioFamily<any, any>[]> {
  const mod = await import(pathToFileURL(file).href);
  const exported = mod.default ?? mod.scenarios;
  const families = Array.isArray(exported) ? exported : [exported];
  for (const f of families) {
    if (!f || typeof f.id !== 'string' || typeof f.run !== 'function') {
      throw new CatalogueError(`${file}: the default export must be a scenario (or an array of them) made with defineScenario`);
    }
  }
  return families;
}

const ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function kebab(value: VariantValue): string {
  return String(value)
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function cartesian(axes: Record<string, readonly VariantValue[]>): Variant[] {
  let combos: Variant[] = [{}];
  for (const [axis, values] of Object.entries(axes)) {
    if (!values.length) throw new CatalogueError(`variant axis "${axis}" has no values`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
  }
  return combos;
}

export function expandFamily(family: ScenarioFamily<any, any>, file: string): ExpandedScenario[] {
  if (!ID_PATTERN.test(family.id)) throw new CatalogueError(`${file}: scenario id "${family.id}" is not kebab-case`);
  const variants = family.variants ? cartesian(family.variants as Record<string, readonly VariantValue[]>) : [{}];
  return variants
    .filter((v) => !family.include || family.include(v))
    .map((variant) => {
      const id = family.variants
        ? family.variantId?.(variant) ?? [family.id, ...Object.values(variant).map(kebab)].join('-')
        : family.id;
      if (!ID_PATTERN.test(id)) throw new CatalogueError(`${file}: expanded scenario id "${id}" is not kebab-case`);
      return {
        id,
        family,
        variant,
        title: typeof family.title === 'function' ? family.title(variant) : family.title,
        role: family.role,
        group: family.group,
        refs: family.refs,
        file,
      };
    });
}

export interface Selection {
  grep?: string;
  role?: Role;
}

export async function loadCatalogue(files: string[], selection: Selection = {}): Promise<ExpandedScenario[]> {
  const all: ExpandedScenario[] = [];
  for (const file of files) for (const family of await loadFamilies(file)) all.push(...expandFamily(family, file));
  const seen = new Map<string, string>();
  for (const s of all) {
    const prior = seen.get(s.id);
    if (prior) throw new CatalogueError(`scenario id "${s.id}" is defined twice (${prior} and ${s.file})`);
    seen.set(s.id, s.file);
  }
  let grep: RegExp | undefined;
  if (selection.grep) {
    try {
      grep = new RegExp(selection.grep, 'i');
    } catch (err) {
      throw new CatalogueError(`--grep: not a valid regular expression: ${(err as Error).message}`);
    }
  }
  return all.filter(
    (s) => (!selection.role || s.role === selection.role) && (!grep || grep.test(s.id) || grep.test(s.title) || grep.test(s.group)),
  );
}
