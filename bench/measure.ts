// Timing loop and statistics for the benchmarks: warm up, then run one operation back to back for
// a fixed wall-clock budget on the calling thread, recording each operation's duration.
import { performance } from 'node:perf_hooks';

export interface Measurement {
  name: string;
  ops: number;
  /** Wall-clock time of the measured phase, in seconds. */
  seconds: number;
  opsPerSecond: number;
  /**
   * Operations per second of this process's CPU time (all threads, so GC helpers count against
   * it). Close to opsPerSecond on an idle machine; when other processes compete for the cores,
   * it estimates what one idle core would do, while opsPerSecond drops.
   */
  opsPerCpuSecond: number;
  medianMicros: number;
  p95Micros: number;
}

export interface MeasureOptions {
  /** Measured phase length. */
  seconds: number;
  /** Warm-up length (JIT, key caches); default a fifth of `seconds`, at most 1 s. */
  warmupSeconds?: number;
  /** Minimum operations in each phase, whatever the clock says. */
  minOps?: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Median of an ascending array: the mean of the two middle values for even lengths. */
export function median(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(name: string, durationsMs: number[], wallSeconds: number, cpuSeconds: number): Measurement {
  const sorted = Float64Array.from(durationsMs).sort();
  return {
    name,
    ops: sorted.length,
    seconds: wallSeconds,
    opsPerSecond: sorted.length / wallSeconds,
    opsPerCpuSecond: sorted.length / cpuSeconds,
    medianMicros: median(sorted) * 1000,
    p95Micros: percentile(sorted, 95) * 1000,
  };
}

/**
 * Run `op(i)` repeatedly (i counts up from 0 across warm-up and measurement, for rotating through
 * pools). Awaits only when `op` returns a promise, so synchronous work is not charged a microtask.
 */
export async function measure(name: string, op: (i: number) => unknown, options: MeasureOptions): Promise<Measurement> {
  const minOps = options.minOps ?? 5;
  const warmupMs = (options.warmupSeconds ?? Math.min(1, options.seconds / 5)) * 1000;
  let i = 0;
  const runPhase = async (budgetMs: number, record?: number[]) => {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    let done = 0;
    while (done < minOps || performance.now() - start < budgetMs) {
      const t0 = performance.now();
      const r = op(i++);
      if (r instanceof Promise) await r;
      const dt = performance.now() - t0;
      record?.push(dt);
      done++;
    }
    const wall = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
  };
  await runPhase(warmupMs);
  const durations: number[] = [];
  const { wall, cpu } = await runPhase(options.seconds * 1000, durations);
  return summarize(name, durations, wall, cpu);
}
