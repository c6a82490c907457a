// Peak memory while the browser scenarios run: this process's RSS, and the summed VmRSS of the
// browser processes (and of other child processes, i.e. started targets) descending from it,
// read from /proc (Linux only; elsewhere only this process is sampled).
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** The kernel's short command name (at most 15 characters). */
  comm: string;
}

/** Parse /proc/<pid>/stat. The command name sits in parentheses and may itself hold spaces or ')'. */
export function parseProcStat(text: string): ProcessEntry | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number.parseInt(text.slice(0, open), 10);
  const rest = text.slice(close + 2).split(' ');
  const ppid = Number.parseInt(rest[1] ?? '', 10);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid)) return undefined;
  return { pid, ppid, comm: text.slice(open + 1, close) };
}

/** VmRSS from /proc/<pid>/status, in bytes; undefined for kernel threads and zombies. */
export function parseVmRssBytes(statusText: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Pss from /proc/<pid>/smaps_rollup, in bytes: shared pages divided among their sharers. */
export function parsePssBytes(smapsRollupText: string): number | undefined {
  const m = /^Pss:\s+(\d+)\s+kB$/m.exec(smapsRollupText);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Every process below `root` in the parent tree (not root itself). */
export function descendantsOf(root: number, processes: ProcessEntry[]): ProcessEntry[] {
  const byParent = new Map<number, ProcessEntry[]>();
  for (const p of processes) {
    const list = byParent.get(p.ppid);
    if (list) list.push(p);
    else byParent.set(p.ppid, [p]);
  }
  const out: ProcessEntry[] = [];
  const queue = [root];
  const seen = new Set<number>([root]);
  while (queue.length > 0) {
    for (const c of byParent.get(queue.shift()!) ?? []) {
      if (seen.has(c.pid)) continue;
      seen.add(c.pid);
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/** Chromium names its processes after the binary: chromium, chrome, headless_shell, chrome_crashpad. */
export function isBrowserProcess(comm: string): boolean {
  return /chrom|headless_shell/i.test(comm);
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

function listProcesses(): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readOrUndefined(`/proc/${name}/stat`);
    const entry = stat && parseProcStat(stat);
    if (entry) out.push(entry);
  }
  return out;
}

export interface ChildRss {
  browserBytes: number;
  /** Summed PSS of the browser processes: unlike summed RSS, shared pages count once overall. */
  browserPssBytes: number;
  browserProcesses: number;
  otherBytes: number;
  otherProcesses: number;
}

/**
 * Summed VmRSS of this process's descendants, split into browser and other processes; with
 * `pss`, the browser's PSS too. PSS costs the kernel a walk over every mapping (about 10 ms for a
 * browser with a few pages open), so the sampler asks for it less often than for RSS.
 */
export function childRss(rootPid = process.pid, options: { pss?: boolean } = {}): ChildRss {
  const withPss = options.pss ?? true;
  const out: ChildRss = { browserBytes: 0, browserPssBytes: 0, browserProcesses: 0, otherBytes: 0, otherProcesses: 0 };
  for (const p of descendantsOf(rootPid, listProcesses())) {
    const status = readOrUndefined(`/proc/${p.pid}/status`);
    const rss = status === undefined ? undefined : parseVmRssBytes(status);
    if (rss === undefined) continue;
    if (isBrowserProcess(p.comm)) {
      out.browserBytes += rss;
      out.browserProcesses++;
      if (!withPss) continue;
      const rollup = readOrUndefined(`/proc/${p.pid}/smaps_rollup`);
      out.browserPssBytes += (rollup === undefined ? undefined : parsePssBytes(rollup)) ?? 0;
    } else {
      out.otherBytes += rss;
      out.otherProcesses++;
    }
  }
  return out;
}

export interface MemoryPeaks {
  processRssPeakBytes: number;
  /** Undefined where /proc is not available. */
  browserRssPeakBytes?: number;
  browserPssPeakBytes?: number;
  browserProcessesPeak?: number;
  otherChildrenRssPeakBytes?: number;
  samples: number;
  /** Longest gap between two samples: a busy event loop delays the timer, and peaks in between are missed. */
  longestGapMs: number;
  intervalMs: number;
  /** Every how many samples PSS was read. */
  pssEvery: number;
  /** Time this thread spent sampling: the measurement's own cost, taken from the run it measures. */
  samplingMs: number;
}

/**
 * Sample RSS every `intervalMs` and PSS every `pssEvery`-th sample, on this thread's event loop,
 * until stop(). Sampling competes with the run it measures, so it is kept sparse and its own cost
 * is reported.
 */
export function startMemorySampler(intervalMs = 200, pssEvery = 5): { stop(): MemoryPeaks } {
  const withProc = process.platform === 'linux' && existsSync('/proc/self/status');
  const peaks: MemoryPeaks = { processRssPeakBytes: 0, samples: 0, longestGapMs: 0, intervalMs, pssEvery, samplingMs: 0 };
  if (withProc) {
    peaks.browserRssPeakBytes = 0;
    peaks.browserPssPeakBytes = 0;
    peaks.browserProcessesPeak = 0;
    peaks.otherChildrenRssPeakBytes = 0;
  }
  let last = performance.now();
  const sample = (force = false) => {
    const t = performance.now();
    peaks.longestGapMs = Math.max(peaks.longestGapMs, t - last);
    last = t;
    peaks.processRssPeakBytes = Math.max(peaks.processRssPeakBytes, process.memoryUsage.rss());
    if (withProc) {
      const c = childRss(process.pid, { pss: force || peaks.samples % pssEvery === 0 });
      peaks.browserRssPeakBytes = Math.max(peaks.browserRssPeakBytes!, c.browserBytes);
      peaks.browserPssPeakBytes = Math.max(peaks.browserPssPeakBytes!, c.browserPssBytes);
      peaks.browserProcessesPeak = Math.max(peaks.browserProcessesPeak!, c.browserProcesses);
      peaks.otherChildrenRssPeakBytes = Math.max(peaks.otherChildrenRssPeakBytes!, c.otherBytes);
    }
    peaks.samples++;
    peaks.samplingMs += performance.now() - t;
  };
  sample(true);
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample(true);
      return { ...peaks };
    },
  };
}
