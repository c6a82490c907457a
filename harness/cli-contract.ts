// What the command line promises scripts and CI, shared by the CLI and its commands: exit codes, the
// usage error, the reporter names and the tool's version. Kept apart from cli.ts so the commands
// can use it without importing the entry point that imports them.
import { readFileSync } from 'node:fs';

/** 0 no scenario failed, 1 a scenario failed or errored, 2 usage or configuration error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const REPORTERS = ['list', 'json', 'junit', 'html', 'markdown'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
