// `npm run bench [-- --only saml|browser] [--seconds N] ...` (see USAGE): prints figures, asserts nothing.
// Exit code 0 whatever the figures say; 1 when a benchmark could not run; 2 on bad arguments.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { benchBrowser, type BrowserBenchFigures } from './browser.ts';
import { benchSaml, type SamlRow } from './saml.ts';
import { formatBytes, formatNumber, formatTable } from './table.ts';

const USAGE = `usage: npm run bench -- [--only saml|browser] [--seconds N] [--workers N] [--config FILE] [--grep TEXT]
  --only saml      part 1 only: the protocol toolkit on one core (main thread)
  --only browser   part 2 only: the scenario catalogue against the reference targets
  --seconds N      measured time per headline figure in part 1 (default 3)
  --workers N      scenario concurrency in part 2 (default: the harness's own)
  --config FILE    part 2 against these targets instead of the bundled reference targets
  --grep TEXT      part 2 on the matching scenarios only`;

interface Args {
  only?: 'saml' | 'browser';
  seconds: number;
  workers?: number;
  config?: string;
  grep?: string;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      seconds: { type: 'string' },
      workers: { type: 'string' },
      config: { type: 'string' },
      grep: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.only !== undefined && values.only !== 'saml' && values.only !== 'browser') throw new Error(`--only must be saml or browser, got ${values.only}`);
  const seconds = values.seconds === undefined ? 3 : Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) throw new Error(`--seconds must be a number of seconds in (0, 600], got ${values.seconds}`);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) throw new Error(`--workers must be a positive integer, got ${values.workers}`);
  return { only: values.only as Args['only'], seconds, workers, config: values.config, grep: values.grep };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function aimStatus(r: SamlRow): string {
  if (r.aim === undefined) return '-';
  if (r.opsPerSecond >= r.aim) return 'OK';
  // On a shared machine the wall-clock rate understates one idle core; say so rather than hide it.
  return r.opsPerCpuSecond >= r.aim ? 'BELOW (OK per CPU-s: machine busy)' : 'BELOW';
}

function samlTable(rows: SamlRow[], withAim: boolean): string {
  const headers = ['operation', 'ops/s', 'ops/CPU-s', 'median µs', 'p95 µs', 'ops'];
  if (withAim) headers.push('aim', 'status');
  const body = rows.map((r) => {
    const cells = [r.name, formatNumber(r.opsPerSecond), formatNumber(r.opsPerCpuSecond), formatNumber(r.medianMicros), formatNumber(r.p95Micros), String(r.ops)];
    if (withAim) cells.push(r.aim === undefined ? '-' : `≥${r.aim}/s`, aimStatus(r));
    return cells;
  });
  return formatTable(headers, body, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left']);
}

const BROWSER_LOAD_HINT = 'scenario rates and times are low';

/** One line on how busy the machine was, since every figure here depends on it. */
function loadLine(consequence: string): string {
  const [one] = os.loadavg();
  const cores = os.availableParallelism();
  const busy = one > cores * 0.75;
  return `load average (1 min) ${one.toFixed(2)} on ${cores} cores${busy ? ` — machine busy: ${consequence}` : ''}`;
}

async function runSaml(args: Args): Promise<void> {
  console.log(`\nPart 1 — protocol toolkit, one core (main thread, no workers), ${args.seconds} s per headline figure`);
  const hint = 'wall-clock figures are low, see ops/CPU-s';
  console.log(loadLine(hint) + ' (before)');
  const result = await benchSaml({ seconds: args.seconds, log });
  console.log(loadLine(hint) + ' (after)');
  console.log('\n' + samlTable(result.headline, true));
  console.log('\nBreakdown (where the time goes; shorter runs):');
  console.log(samlTable(result.breakdown, false));
}

function printBrowser(r: BrowserBenchFigures): void {
  const m = r.memory;
  const verdicts = Object.entries(r.byVerdict)
    .map(([v, n]) => `${v} ${n}`)
    .join(', ');
  const status = r.executedPerSecond >= r.aim ? 'OK' : 'BELOW';
  const rows: string[][] = [
    ['scenarios (executed / total)', `${r.executed} / ${r.scenarios}`],
    ['verdicts', verdicts || '-'],
    ['wall time of the whole run', `${r.wallSeconds.toFixed(1)} s${r.workers ? ` with ${r.workers} workers` : ''}`],
    ['executed scenarios/s, whole run', `${formatNumber(r.executedPerSecond)} (aim ≥${r.aim}/s: ${status})`],
    ['executed scenarios/s, scenario phase only', `${formatNumber(r.executedPerPhaseSecond)} (${formatNumber(r.scenarioPhaseSeconds)} s without start-up)`],
    ['all scenarios/s incl. not-applicable, whole run', formatNumber(r.scenariosPerSecond)],
    ['median / p95 ms per executed scenario', `${formatNumber(r.medianScenarioMs)} / ${formatNumber(r.p95ScenarioMs)}`],
    ['peak RSS, this process', formatBytes(m.processRssPeakBytes)],
    [
      'peak RSS, browser (sum over chromium processes)',
      m.browserRssPeakBytes === undefined ? 'n/a (no /proc)' : `${formatBytes(m.browserRssPeakBytes)} (up to ${m.browserProcessesPeak} processes)`,
    ],
    ['peak PSS, browser (shared pages split among sharers)', formatBytes(m.browserPssPeakBytes)],
    ['peak RSS, other child processes (targets, tsx/esbuild)', formatBytes(m.otherChildrenRssPeakBytes)],
    [
      `memory samples: RSS every ${m.intervalMs} ms, PSS every ${m.intervalMs * m.pssEvery} ms`,
      `${m.samples} (longest gap ${Math.round(m.longestGapMs)} ms; sampling took ${Math.round(m.samplingMs)} ms of the run)`,
    ],
  ];
  console.log('\n' + formatTable(['measure', 'value'], rows));
  console.log('Summed RSS counts pages shared between chromium processes once per process (an upper bound); PSS does not.');
  if (r.targetErrors.length > 0) {
    console.log(`WARNING: ${r.targetErrors.length} target(s) could not be prepared, so their scenarios ended at once in error and the rates above mean little:`);
    for (const e of r.targetErrors) console.log(`  ${e}`);
  }
  if (r.slowest.length > 0) {
    console.log('Slowest scenarios:');
    for (const s of r.slowest) console.log(`  ${formatNumber(s.ms).padStart(7)} ms  ${s.id} (${s.verdict})`);
  }
  if (r.errorSamples.length > 0) {
    console.log('Scenarios that ended in error (they end early, so they flatter the rate):');
    for (const e of r.errorSamples) console.log(`  ${e}`);
  }
  console.log(loadLine(BROWSER_LOAD_HINT) + ' (after)');
}

async function runBrowser(args: Args): Promise<void> {
  console.log('\nPart 2 — browser scenarios: bundled catalogue against the reference targets');
  console.log(loadLine(BROWSER_LOAD_HINT) + ' (before)');
  const result = await benchBrowser({ workers: args.workers, configFile: args.config, grep: args.grep, log });
  if (!result.available) {
    console.log(`not available yet: ${result.reason}`);
    return;
  }
  printBrowser(result);
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const cpus = os.cpus();
  console.log('samlconf benchmark');
  console.log(`Node ${process.version} on ${process.platform}/${process.arch}; CPU ${cpus[0]?.model ?? 'unknown'} (${os.availableParallelism()} logical cores)`);
  let status = 0;
  if (args.only !== 'browser') {
    try {
      await runSaml(args);
    } catch (err) {
      console.error(`part 1 failed: ${(err as Error).stack ?? err}`);
      status = 1;
    }
  }
  if (args.only !== 'saml') {
    try {
      await runBrowser(args);
    } catch (err) {
      console.error(`part 2 failed: ${(err as Error).stack ?? err}`);
      status = 1;
    }
  }
  return status;
}

process.exitCode = await main();
// Whatever a run leaves open (a target process, a socket) must not hang the command; say so and leave.
setTimeout(() => {
  console.error('bench: handles were still open 5 s after the end; exiting anyway');
  process.exit();
}, 5000).unref();
