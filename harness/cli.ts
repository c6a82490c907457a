// Command-line entry: parses arguments and dispatches. Exit codes are the contract CI relies on:
// 0 no scenario failed, 1 a scenario failed or errored, 2 usage or configuration error.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, REPORTERS, toolVersion, UsageError, type ReporterName } from './cli-contract.ts';

export { EXIT_FAILED, EXIT_OK, EXIT_USAGE, REPORTERS, toolVersion, UsageError, type ReporterName };

const USAGE = `samlconf — SAML 2.0 conformance and security tests

Usage:
  samlconf run  [--config FILE] [--grep PATTERN] [--role idp|sp] [--reporter list,json,junit,html,markdown]
                [--out DIR] [--workers N] [--baseline results.json]
  samlconf list [--config FILE] [--grep PATTERN] [--role idp|sp] [--json]
  samlconf mock-idp [--port N] [--sp-metadata FILE|URL] [--state DIR] [--persona NAME]
                    [--mode target [--weakness accept-unsigned-requests,accept-any-acs-url,...]]
  samlconf mock-sp  [--port N] [--idp-metadata FILE|URL] [--state DIR]
                    [--mode target [--weakness accept-unsigned,skip-audience,trust-key-info-cert,...]]
  samlconf <command> --help     that command's options
  samlconf --version | --help

Without --config, samlconf uses ./samlconf.config.ts (or .json) if present, and otherwise tests
the bundled reference targets. Reports go to --out (default samlconf-report/).
A mock prints its metadata URL on the first line and serves until stopped; with --mode target it
behaves as a target with the given deliberate weaknesses, for testing samlconf itself.
Exit codes: 0 no scenario failed, 1 a scenario failed or errored, 2 usage or configuration error.`;

/** Each command's own usage, printed by `samlconf <command> --help`. */
export const COMMAND_USAGE: Record<'run' | 'list' | 'mock-idp' | 'mock-sp', string> = {
  run: `Usage: samlconf run [--config FILE] [--grep PATTERN] [--role idp|sp] [--reporter list,json,junit,html,markdown]
                    [--out DIR] [--workers N] [--baseline results.json]

Runs the catalogue against the configured targets. Prints one line per finished scenario and a
summary whatever the reporters; json, junit, html and markdown also write files into --out
(default samlconf-report/; default reporters: list,json,junit,html).
  --config FILE        the configuration (default ./samlconf.config.ts or .json, else the reference targets)
  --grep PATTERN       only scenarios whose id, title or group matches (a regular expression, any case)
  --role idp|sp        only targets (and scenarios) of that role
  --workers N          scenarios run side by side (default: cores + 1)
  --baseline FILE      an earlier results.json: list regressions and fixes against it
Exit codes: 0 no scenario failed, 1 a scenario failed or errored, 2 usage or configuration error
(a selection that matches nothing included).`,
  list: `Usage: samlconf list [--config FILE] [--grep PATTERN] [--role idp|sp] [--json]

Prints the catalogue as it would run: role, group, id, title and the requirements each scenario cites.
  --json               one JSON array instead of a table`,
  'mock-idp': `Usage: samlconf mock-idp [--port N] [--sp-metadata FILE|URL] [--state DIR] [--persona NAME]
                         [--mode target [--weakness NAME,...]]

Runs the mock IdP on its own. The first line of output is its metadata URL; it serves until stopped.
Control API: PUT/GET/DELETE /_samlconf/plan (a plan stays until replaced or deleted),
GET/DELETE /_samlconf/messages, GET /_samlconf/health.
  --persona NAME       shape it like authentik, azure-ad, okta, onelogin or google
  --mode target        behave as a target IdP (for testing samlconf itself); --weakness adds deliberate flaws`,
  'mock-sp': `Usage: samlconf mock-sp [--port N] [--idp-metadata FILE|URL] [--state DIR] [--mode target [--weakness NAME,...]]

Runs the mock SP on its own. The first line of output is its metadata URL; it serves until stopped.
Control API: PUT/GET/DELETE /_samlconf/plan (a plan stays until replaced or deleted),
GET/DELETE /_samlconf/messages, GET /_samlconf/responses, GET /_samlconf/health.
  --mode target        behave as a target SP (for testing samlconf itself); --weakness adds deliberate flaws`,
};

/** `samlconf <command> --help`: that command's usage on stdout, exit 0. */
function wantsHelp(command: keyof typeof COMMAND_USAGE, v: Record<string, unknown>): boolean {
  if (!v.help) return false;
  console.log(COMMAND_USAGE[command]);
  return true;
}

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP: Options = { help: { type: 'boolean', short: 'h' } };

function parse(args: string[], options: Options) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function positiveInt(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} expects a positive whole number, got "${value}"`);
  return n;
}

function port(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port expects 0-65535, got "${value}"`);
  return n;
}

function role(value: string | boolean | undefined): 'idp' | 'sp' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'idp' && value !== 'sp') throw new UsageError(`--role expects idp or sp, got "${value}"`);
  return value;
}

function reporters(value: string | boolean | undefined): ReporterName[] {
  if (value === undefined) return ['list', 'json', 'junit', 'html'];
  const names = String(value).split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(REPORTERS as readonly string[]).includes(n)) throw new UsageError(`--reporter: unknown reporter "${n}" (choose from ${REPORTERS.join(', ')})`);
  }
  return names as ReporterName[];
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': {
        const v = parse(rest, {
          config: { type: 'string' }, grep: { type: 'string' }, role: { type: 'string' }, reporter: { type: 'string' },
          out: { type: 'string' }, workers: { type: 'string' }, baseline: { type: 'string' }, ...HELP,
        });
        if (wantsHelp('run', v)) return EXIT_OK;
        const { runCommand } = await import('./commands/run.ts');
        return await runCommand({
          config: v.config as string | undefined,
          grep: v.grep as string | undefined,
          role: role(v.role),
          reporters: reporters(v.reporter),
          out: (v.out as string | undefined) ?? 'samlconf-report',
          workers: positiveInt(v.workers, '--workers'),
          baseline: v.baseline as string | undefined,
        });
      }
      case 'list': {
        const v = parse(rest, { config: { type: 'string' }, grep: { type: 'string' }, role: { type: 'string' }, json: { type: 'boolean' }, ...HELP });
        if (wantsHelp('list', v)) return EXIT_OK;
        const { listCommand } = await import('./commands/list.ts');
        return await listCommand({ config: v.config as string | undefined, grep: v.grep as string | undefined, role: role(v.role), json: !!v.json });
      }
      case 'mock-idp':
      case 'mock-sp': {
        const peerFlag = command === 'mock-idp' ? 'sp-metadata' : 'idp-metadata';
        const v = parse(rest, {
          port: { type: 'string' }, [peerFlag]: { type: 'string' }, state: { type: 'string' },
          mode: { type: 'string' }, weakness: { type: 'string' }, ...(command === 'mock-idp' ? { persona: { type: 'string' } } : {}), ...HELP,
        });
        if (wantsHelp(command, v)) return EXIT_OK;
        if (v.mode !== undefined && v.mode !== 'mock' && v.mode !== 'target') throw new UsageError(`--mode expects mock or target, got "${v.mode}"`);
        if (v.weakness !== undefined && v.mode !== 'target') throw new UsageError('--weakness only applies with --mode target');
        const { mockCommand } = await import('./commands/mock.ts');
        return await mockCommand(command, {
          port: port(v.port),
          peerMetadata: v[peerFlag] as string | undefined,
          stateDir: v.state as string | undefined,
          mode: v.mode as 'mock' | 'target' | undefined,
          weaknesses: v.weakness as string | undefined,
          persona: v.persona as string | undefined,
        });
      }
      case '--version':
      case '-v':
        console.log(toolVersion());
        return EXIT_OK;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        console.log(USAGE);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (isUserError(err)) {
      console.error(`samlconf: ${(err as Error).message}`);
      if (err instanceof UsageError) console.error(`Run "samlconf --help" for usage.`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

/** Errors that mean "the user must fix something", as opposed to a bug. */
function isUserError(err: unknown): boolean {
  return err instanceof Error && ['UsageError', 'ConfigError', 'CatalogueError', 'BrowserNotFoundError'].includes(err.name);
}
