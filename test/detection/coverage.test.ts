// Every scenario in the catalogue is proven somewhere in the detection matrix: a negative one fails
// on a target with exactly its weakness and passes on correct ones, a positive one passes on a
// correct target. A scenario added without rows would be a check nobody has seen fail (or pass).
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { findScenarioFiles, loadCatalogue } from '../../harness/catalogue.ts';
import type { DetectionMatrix } from './matrix.ts';

const ROWS_DIR = path.join(import.meta.dirname, 'rows');

it('gives every scenario of the catalogue at least one detection-matrix row', async () => {
  const matrices: DetectionMatrix[] = [];
  for (const file of fs.readdirSync(ROWS_DIR).filter((f) => f.endsWith('.ts'))) {
    matrices.push(((await import(path.join(ROWS_DIR, file))) as { MATRIX: DetectionMatrix }).MATRIX);
  }
  const covered = new Set(matrices.flatMap((m) => [...m.negatives, ...m.positives].map((r) => r.scenario)));
  const catalogue = await loadCatalogue(await findScenarioFiles([], path.resolve(import.meta.dirname, '../..')));
  expect(catalogue.length).toBeGreaterThan(50);
  expect(catalogue.map((s) => s.id).filter((id) => !covered.has(id))).toEqual([]);
  // And no row names a scenario that no longer exists.
  const ids = new Set(catalogue.map((s) => s.id));
  expect([...covered].filter((id) => !ids.has(id))).toEqual([]);
});
