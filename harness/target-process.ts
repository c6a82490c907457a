// Starts a target's own server (config `start`, like Playwright's webServer), tells it who its
// peer is through the environment, waits until it answers, and stops it — the whole process
// group, so a shell's children go too: TERM first, so start scripts' cleanup traps run, then KILL
// after a grace period. Every started group is also killed when this process exits or is
// interrupted, so no target outlives a run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Role } from '../shared/result-model.ts';
import { DEFAULT_START_TIMEOUT_MS, type TargetConfig } from './config.ts';
import { fetchLocal, FetchLocalError } from './net.ts';

export const DEFAULT_LOG_TAIL_LINES = 40;
/** How long a stopped target may take to exit after SIGTERM before its group is SIGKILLed. */
export const STOP_GRACE_MS = 5_000;
/** Bytes of a not-yet-ready answer quoted in the timeout message. */
const READINESS_EXCERPT_BYTES = 200;
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
 * The address a started target is told is its own (SAMLCONF_TARGET_BASE_URL): the origin
 * (scheme://host:port) of its readiness URL `start.url`, the one URL every started target has.
 */
export function targetBaseUrl(target: TargetConfig): string | undefined {
  if (!target.start) return undefined;
  try {
    return new URL(target.start.url).origin;
  } catch {
    return undefined;
  }
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
  /** After SIGTERM, how long the group may take to exit before SIGKILL. Default STOP_GRACE_MS. */
  stopGraceMs?: number;
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
  // Interrupted: the targets get TERM and the grace period too (their cleanup traps run), unless
  // a second signal says not to wait. The groups stay in liveGroups meanwhile, so an exit in the
  // middle still KILLs them.
  let shuttingDown = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // If nobody else handles the signal, behave as if we had not either: die of it, once the targets are gone.
      const alone = process.listenerCount(signal) === 1;
      const finish = () => {
        killAllTargets();
        if (alone) {
          process.removeListener(signal, onSignal);
          process.kill(process.pid, signal);
        }
      };
      if (shuttingDown) return finish();
      shuttingDown = true;
      const groups = [...liveGroups];
      for (const pgid of groups) killGroup(pgid, 'SIGTERM');
      const deadline = Date.now() + STOP_GRACE_MS;
      const wait = () => {
        if (groups.some((g) => processGroupAlive(g)) && Date.now() < deadline) setTimeout(wait, POLL_INTERVAL_MS);
        else {
          shuttingDown = false;
          finish();
        }
      };
      wait();
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

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Readiness {
  /** Answered with a status below 500. */
  up: boolean;
  /** What it answered when not up: `HTTP 500: "first bytes"` or why no answer came. */
  seen: string;
}

/** Answers with a status below 500: up. Connection refused and 5xx: not yet. */
async function probe(url: string): Promise<Readiness> {
  try {
    const res = await fetchLocal(url, { timeoutMs: 2_000, maxBytes: 1024 * 1024, redirect: 'manual' });
    const body = res.body.subarray(0, READINESS_EXCERPT_BYTES).toString('utf8').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
    const more = res.body.length > READINESS_EXCERPT_BYTES ? '...' : '';
    return { up: res.status < 500, seen: `HTTP ${res.status}${body ? `: ${JSON.stringify(body + more)}` : ' with an empty body'}` };
  } catch (err) {
    if (err instanceof FetchLocalError && (err.code === 'not-loopback' || err.code === 'bad-url')) throw err;
    return { up: false, seen: `no answer (${(err as Error).message})` };
  }
}

async function answers(url: string): Promise<boolean> {
  return (await probe(url)).up;
}

/**
 * Real pipes (FIFOs) for the target's stdout and stderr. Node's own 'pipe' stdio is a socket pair
 * on Unix, and some servers (Apache's ErrorLog /dev/stderr) cannot open /dev/stderr when it is a
 * socket. Undefined when no FIFO can be made (no mkfifo): then Node's pipes are used.
 */
function fifoPipes(): { write: number[]; read: Readable[] } | undefined {
  if (process.platform === 'win32') return undefined;
  let dir: string | undefined;
  const fds: number[] = [];
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samlconf-target-'));
    const write: number[] = [];
    const read: Readable[] = [];
    for (const name of ['stdout', 'stderr']) {
      const fifo = path.join(dir, name);
      execFileSync('mkfifo', ['-m', '600', fifo], { stdio: 'ignore' });
      // The read end first and non-blocking, so opening the write end does not wait for a reader.
      const r = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      fds.push(r);
      const w = fs.openSync(fifo, fs.constants.O_WRONLY);
      fds.push(w);
      write.push(w);
      read.push(new net.Socket({ fd: r, readable: true, writable: false }));
    }
    return { write, read };
  } catch {
    for (const fd of fds) {
      try {
        fs.closeSync(fd);
      } catch {
        // already owned by a socket
      }
    }
    return undefined;
  } finally {
    // The open descriptors keep the FIFOs working; the names are no longer needed.
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
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

  // spawn would only say `spawn /bin/sh ENOENT`: name the setting instead.
  if (start.cwd !== undefined && !isDirectory(start.cwd)) {
    throw new TargetStartError(target.name, `cannot start target '${target.name}': start.cwd ${start.cwd} is not an existing folder`, []);
  }

  const baseUrl = targetBaseUrl(target);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(options.peerEnv ?? {}),
    ...(baseUrl ? { SAMLCONF_TARGET_BASE_URL: baseUrl } : {}),
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
  const fifos = fifoPipes();
  let child: ChildProcess;
  try {
    child = spawn(start.command, {
      shell: true,
      cwd: start.cwd,
      env,
      detached: true, // its own process group, killed as a whole
      stdio: fifos ? ['ignore', fifos.write[0]!, fifos.write[1]!] : ['ignore', 'pipe', 'pipe'],
    });
  } finally {
    // The child has its copies; ours would keep the read ends from ever seeing end-of-file.
    for (const fd of fifos?.write ?? []) fs.closeSync(fd);
  }
  const outputs: Array<Readable | null> = fifos ? fifos.read : [child.stdout, child.stderr];
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
  for (const [name, stream] of [['out', outputs[0]], ['err', outputs[1]]] as const) {
    stream?.setEncoding('utf8');
    stream?.on('error', () => undefined); // a broken output pipe must not crash the harness
    stream?.on('data', (chunk: string) => {
      tail.push(name, chunk);
      log?.write(chunk);
    });
  }

  const graceMs = options.stopGraceMs ?? STOP_GRACE_MS;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (pid !== undefined) {
        // TERM to the whole group, then wait for the whole group, not just the shell: the shell
        // dies at once while a start script's cleanup trap is still running in its child.
        killGroup(pid, 'SIGTERM');
        const deadline = Date.now() + graceMs;
        while (processGroupAlive(pid) && Date.now() < deadline) await sleep(POLL_INTERVAL_MS);
        if (processGroupAlive(pid)) killGroup(pid, 'SIGKILL');
        await Promise.race([exitedPromise, sleep(1_000)]);
        for (let i = 0; i < 100 && processGroupAlive(pid); i++) await sleep(20);
        liveGroups.delete(pid);
      }
      // Let output written during shutdown (a trap's last words) reach the log first.
      await Promise.race([Promise.all(outputs.map((o) => (o && !o.readableEnded ? new Promise((r) => o.once('close', r)) : undefined))), sleep(500)]);
      for (const o of outputs) o?.destroy();
      await new Promise<void>((r) => (log ? log.end(r) : r()));
    })();
    return stopping;
  };

  const fail = async (message: string, cause?: unknown): Promise<never> => {
    await stop();
    throw new TargetStartError(target.name, message, tail.snapshot(), { exitCode, logFile: options.logFile, cause });
  };

  const deadline = Date.now() + timeoutMs;
  let last: Readiness | undefined;
  for (;;) {
    if (spawnError) await fail(`target '${target.name}' could not be started (${start.command}): ${spawnError.message}`, spawnError);
    if (exited) {
      const how = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${exitCode}`;
      await fail(`target '${target.name}' ${how} before ${start.url} answered (command: ${start.command})`);
    }
    if (options.signal?.aborted) await fail(`starting target '${target.name}' was cancelled`);
    last = await probe(start.url);
    if (last.up) break;
    if (Date.now() > deadline) {
      await fail(
        `target '${target.name}' did not answer at ${start.url} within ${timeoutMs} ms with a status below 500 ` +
          `(its last answer: ${last.seen}; command: ${start.command}); raise start.timeoutMs if it is just slow`,
      );
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
