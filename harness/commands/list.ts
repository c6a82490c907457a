// `samlconf list`: the catalogue as it would run, without running anything.
import { findScenarioFiles, loadCatalogue } from '../catalogue.ts';
import { EXIT_OK } from '../cli-contract.ts';
import { loadConfig } from '../config.ts';

export interface ListOptions {
  config?: string;
  grep?: string;
  role?: 'idp' | 'sp';
  json: boolean;
}

export async function listCommand(o: ListOptions): Promise<number> {
  const { config, dir } = await loadConfig(o.config);
  const files = await findScenarioFiles(config.scenarios ?? [], dir);
  const scenarios = await loadCatalogue(files, { grep: o.grep, role: o.role });
  const rows = scenarios.map((s) => ({ id: s.id, role: s.role, group: s.group, title: s.title, refs: s.refs }));
  if (o.json) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    const idWidth = Math.max(2, ...rows.map((r) => r.id.length));
    for (const r of rows) console.log(`${r.role.padEnd(3)}  ${r.group.padEnd(14)}  ${r.id.padEnd(idWidth)}  ${r.title}  [${r.refs.join(', ')}]`);
    console.log(`${rows.length} scenario${rows.length === 1 ? '' : 's'}`);
  }
  return EXIT_OK;
}
