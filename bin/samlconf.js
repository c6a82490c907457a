#!/usr/bin/env node
// The samlconf command. Scenario and config files are TypeScript, so load tsx's ESM hooks first.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli.ts');
process.exitCode = await main(process.argv.slice(2));
