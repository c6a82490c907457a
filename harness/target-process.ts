// Starts a target's own server (config `start`, like Playwright's webServer), tells it who its
// peer is through the environment, waits until it answers, and stops it — the whole process
// group, so a shell's children go too. Every started group is also killed when this process
// exits or is interrupted, so no target outlives a run.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Role } from '../reports/schema.ts';
import { DEFAULT_START_TIMEOUT_MS, type TargetConfig } from './config.ts';
import { fetchLocal, FetchLocalError } from './net.ts';

export const DEFAULT_LOG_TAIL_LINES = 40;
const STOP_GRACE_MS = 5_000;
// A loopback request every 50 ms costs nothing next to a target booting, and the run starts sooner.
const POLL_INTERVAL_MS = 50;

/** What the harness tells a started target about the peer it plays (the mock on the other side). */
export interface PeerDetails {
  entityId: string;
  metadataUrl: string;
  metadataFile: string;
  /** The signing certificate file (PEM). */
  certFile: string;
  /** When the harness plays the IdP (SP targets): its SSO endpoint. */
  ssoUrl?: string;
  /** When the harness plays the SP (IdP targets): its ACS endpoint. */
  acsUrl?: string;
}

/**
 * The SAMLCONF_* variables for a target of `targetRole`: an SP target is told about our IdP
 * (SAMLCONF_IDP_*), an IdP target about our SP (SAMLCONF_SP_*).
 */
export function peerEnvironment(targetRole: Role, peer: PeerDetails): Record<string, string> {
  if (targetRole === 'sp') {
    return {
      SAMLCONF_IDP_METADATA_URL: peer.metadataUrl,
      SAMLCONF_IDP_METADATA_FILE: peer.metadataFile,
      SAMLCONF_IDP_ENTITY_ID: peer.entityId,
      SAMLCONF_IDP_SSO_URL: peer.ssoUrl ?? '',
      SAMLCONF_IDP_CERT_FILE: peer.certFile,
    };
  }
  return {
    SAMLCONF_SP_METADATA_URL: peer.metadataUrl,
    SAMLCONF_SP_METADATA_FILE: peer.metadataFile,
    SAMLCONF_SP_ENTITY_ID: peer.entityId,
    SAMLCONF_SP_ACS_URL: peer.acsUrl ?? '',
    SAMLCONF_SP_CERT_FILE: peer.certFile,
  };
}

export class TargetStartError extends Error {
  readonly target: string;
  /** The last lines the target printed (stdout and stderr interleaved). */
  readonly logTail: string[];
  readonly exitCode?: number | null;
  readonly logFile?: string;
  constructor(target: string, message: string, logTail: string[], extra: { exitCode?: number | null; logFile?: string; cause?: unknown } = {}) {
    const tail = logTail.length > 0 ? `\n--- last ${logTail.length} lines of its output ---\n${logTail.join('\n')}` : '\n(it printed nothing)';
    const where = extra.logFile ? `\nfull log: ${extra.logFile}` : '';
    super(`${message}${tail}${where}`, { cause: extra.cause });
    this.name = 'TargetStartError';
    this.target = target;
    this.logTail = logTail;
    this.exitCode = extra.exitCode;
    this.logFile = extra.logFile;
  }
}

export interface StartTargetOptions {
  /** SAMLCONF_* variables, usually from peerEnvironment(). */
  peerEnv?: Record<string, string>;
  /** Append the target's stdout and stderr here. */
  logFile?: string;
  /** Lines of output kept for error messages. Default 40. */
  logTailLines?: number;
  /** Stops waiting (and the process) when aborted. */
  signal?: AbortSignal;
}

export interface RunningTarget {
  name: string;
  pid: number;
  /** The readiness URL that answered. */
  url: string;
  logFile?: string;
  /** The last lines of output. */
  logTail(): string[];
  /** True once the started command has exited. */
  readonly exited: boolean;
  /** Kill the process group (TERM, then KILL after a grace period). Safe to call twice. */
  stop(): Promise<void>;
}

// Process groups we started and have not reaped yet; killed on exit and on signals.
const liveGroups = new Set<number>();
let exitHooksInstalled = false;

/** Signal 0 only asks whether the group still exists. */
function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}

/**
 * Whether any process of the group is still running. Killed grandchildren linger as zombies until
 * init reaps them, and a zombie still "receives" signals, so on Linux /proc is asked instead.
 */
export function processGroupAlive(pgid: number): boolean {
  if (!killGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may contain spaces): state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
      liveGroups.clear();
      // If nobody else handles the signal, behave as if we had not either: die of it.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/** Kill every target this process started and has not stopped. */
export function killAllTargets(): void {
  for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  liveGroups.clear();
}

class LineTail {
  private readonly lines: string[] = [];
  private partial: Record<string, string> = {};
  constructor(private readonly max: number) {}
  push(stream: string, chunk: string): void {
    const text = (this.partial[stream] ?? '') + chunk;
    const parts = text.split(/\r?\n/);
    this.partial[stream] = parts.pop() ?? '';
    for (const line of parts) this.add(line);
  }
  private add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  snapshot(): string[] {
    const rest = Object.values(this.partial).filter((p) => p !== '');
    return [...this.lines, ...rest].slice(-this.max);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers with a status below 500: up. Connection refused and 5xx: not yet. */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetchLocal(url, { timeoutMs: 2_000, maxBytes: 1024 * 1024, redirect: 'manual' });
    return res.status < 500;
  } catch (err) {
    if (err instanceof FetchLocalError && (err.code === 'not-loopback' || err.code === 'bad-url')) throw err;
    return false;
  }
}

/**
 * Starts `target.start.command` in a shell (its own process group) with the process environment
 * plus `peerEnv`, PORT (when start.port is set) and start.env (which wins), and resolves once
 * `start.url` answers. Throws TargetStartError with the tail of the output when the command exits
 * first, when the URL does not answer in time, or when something already answers there.
 */
export async function startTarget(target: TargetConfig, options: StartTargetOptions = {}): Promise<RunningTarget> {
  const start = target.start;
  if (!start) throw new Error(`target '${target.name}' has no start command`);
  const timeoutMs = start.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const tail = new LineTail(options.logTailLines ?? DEFAULT_LOG_TAIL_LINES);

  // A stale server on the port would make us test the wrong thing.
  if (await answers(start.url)) {
    throw new TargetStartError(
      target.name,
      `cannot start target '${target.name}': something already answers at ${start.url}. Stop it or move the target to another port.`,
      [],
    );
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(options.peerEnv ?? {}),
    ...(start.port !== undefined ? { PORT: String(start.port) } : {}),
    ...(start.env ?? {}),
  };
  let log: fs.WriteStream | undefined;
  if (options.logFile) {
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    log = fs.createWriteStream(options.logFile, { flags: 'a' });
    log.write(`\n=== ${new Date().toISOString()} starting ${target.name}: ${start.command}\n`);
  }

  installExitHooks();
  const child: ChildProcess = spawn(start.command, {
    shell: true,
    cwd: start.cwd,
    env,
    detached: true, // its own process group, killed as a whole
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  let spawnError: Error | undefined;
  let exitCode: number | null | undefined;
  let exitSignal: NodeJS.Signals | null = null;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      exited = true;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      exited = true;
      // Forget the group once it is empty, so a recycled ID is never signalled later.
      if (pid !== undefined && !processGroupAlive(pid)) liveGroups.delete(pid);
      resolve();
    });
  });
  if (pid !== undefined) liveGroups.add(pid);
  for (const [name, stream] of [['out', child.stdout], ['err', child.stderr]] as const) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      tail.push(name, chunk);
      log?.write(chunk);
    });
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (pid !== undefined) {
        killGroup(pid, 'SIGTERM');
        const graceful = await Promise.race([exitedPromise.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
        // The leader may be gone while children linger: KILL whatever is left of the group.
        if (!graceful || processGroupAlive(pid)) killGroup(pid, 'SIGKILL');
        await Promise.race([exitedPromise, sleep(1_000)]);
        for (let i = 0; i < 100 && processGroupAlive(pid); i++) await sleep(20);
        liveGroups.delete(pid);
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      await new Promise<void>((r) => (log ? log.end(r) : r()));
    })();
    return stopping;
  };

  const fail = async (message: string, cause?: unknown): Promise<never> => {
    await stop();
    throw new TargetStartError(target.name, message, tail.snapshot(), { exitCode, logFile: options.logFile, cause });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) await fail(`target '${target.name}' could not be started (${start.command}): ${spawnError.message}`, spawnError);
    if (exited) {
      const how = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${exitCode}`;
      await fail(`target '${target.name}' ${how} before ${start.url} answered (command: ${start.command})`);
    }
    if (options.signal?.aborted) await fail(`starting target '${target.name}' was cancelled`);
    if (await answers(start.url)) break;
    if (Date.now() > deadline) {
      await fail(`target '${target.name}' did not answer at ${start.url} within ${timeoutMs} ms (command: ${start.command}); raise start.timeoutMs if it is just slow`);
    }
    await Promise.race([sleep(POLL_INTERVAL_MS), exitedPromise]);
  }

  return {
    name: target.name,
    pid: pid!,
    url: start.url,
    logFile: options.logFile,
    logTail: () => tail.snapshot(),
    get exited() {
      return exited;
    },
    stop,
  };
}
