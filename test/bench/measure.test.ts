import { describe, expect, it } from 'vitest';
import { measure, median, percentile, summarize } from '../../bench/measure.ts';
import { formatBytes, formatNumber, formatTable } from '../../bench/table.ts';

describe('bench statistics', () => {
  it('takes the nearest-rank percentile of an ascending array', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1); // 1..20
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNaN();
  });

  it('takes the median, averaging the middle pair for even lengths', () => {
    expect(median([1, 2, 3])).toBe(2);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('summarizes durations in ms into rates and microseconds, sorting numerically', () => {
    const m = summarize('op', [3, 1, 2, 10, 4], 0.5, 0.25);
    expect(m.ops).toBe(5);
    expect(m.opsPerSecond).toBe(10);
    expect(m.opsPerCpuSecond).toBe(20);
    expect(m.medianMicros).toBe(3000);
    expect(m.p95Micros).toBe(10000);
  });

  it('runs the operation at least minOps times per phase with a counter that keeps rising across warm-up', async () => {
    const seen: number[] = [];
    const m = await measure('noop', (i) => seen.push(i), { seconds: 0.001, warmupSeconds: 0, minOps: 7 });
    expect(m.ops).toBeGreaterThanOrEqual(7);
    expect(seen.length).toBeGreaterThanOrEqual(14);
    expect(seen).toEqual(seen.map((_, i) => i));
  });

  it('awaits operations that return a promise', async () => {
    let resolved = 0;
    await measure('async', () => Promise.resolve().then(() => resolved++), { seconds: 0.001, warmupSeconds: 0, minOps: 3 });
    expect(resolved).toBeGreaterThanOrEqual(6);
  });
});

describe('bench table formatting', () => {
  it('aligns columns and right-aligns numbers', () => {
    const out = formatTable(['name', 'ops/s'], [['a', '5'], ['longer', '1,234']], ['left', 'right']);
    expect(out.split('\n')).toEqual(['name    ops/s', '------  -----', 'a           5', 'longer  1,234']);
  });

  it('formats rates and sizes', () => {
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(formatNumber(Number.NaN)).toBe('n/a');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatBytes(undefined)).toBe('n/a');
  });
});
