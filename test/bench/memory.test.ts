import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childRss, descendantsOf, isBrowserProcess, parseProcStat, parsePssBytes, parseVmRssBytes, startMemorySampler } from '../../bench/memory.ts';

describe('/proc parsing for the browser memory figures', () => {
  it('reads pid, ppid and a command name that holds spaces and parentheses', () => {
    expect(parseProcStat('4242 (chromium) S 4200 4242 4242 0 -1 4194560')).toEqual({ pid: 4242, ppid: 4200, comm: 'chromium' });
    expect(parseProcStat('77 (a b) (c)) R 1 77 77 0')).toEqual({ pid: 77, ppid: 1, comm: 'a b) (c)' });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('reads VmRSS and Pss in bytes, and nothing from a kernel thread status', () => {
    expect(parseVmRssBytes('Name:\tnode\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\n')).toBe(123456 * 1024);
    expect(parseVmRssBytes('Name:\tkthreadd\nState:\tS (sleeping)\n')).toBeUndefined();
    expect(parsePssBytes('5610-7ffc [rollup]\nRss:   1596 kB\nPss:    207 kB\nPss_Dirty:  112 kB\n')).toBe(207 * 1024);
  });

  it('collects the whole subtree below a pid, not the pid itself, and survives a cycle', () => {
    const procs = [
      { pid: 10, ppid: 1, comm: 'node' },
      { pid: 11, ppid: 10, comm: 'chromium' },
      { pid: 12, ppid: 11, comm: 'chromium' },
      { pid: 13, ppid: 12, comm: 'chrome_crashpad' },
      { pid: 20, ppid: 1, comm: 'other' },
      { pid: 30, ppid: 31, comm: 'loop' },
      { pid: 31, ppid: 30, comm: 'loop' },
    ];
    expect(descendantsOf(10, procs).map((p) => p.pid).sort()).toEqual([11, 12, 13]);
    expect(descendantsOf(30, procs).map((p) => p.pid)).toEqual([31]);
  });

  it('recognizes chromium process names', () => {
    for (const name of ['chromium', 'chrome', 'headless_shell', 'chrome_crashpad']) expect(isBrowserProcess(name)).toBe(true);
    for (const name of ['node', 'python3', 'esbuild']) expect(isBrowserProcess(name)).toBe(false);
  });
});

describe('live sampling', () => {
  it('counts a child process of this process as an other (non-browser) child with non-zero RSS', async () => {
    if (process.platform !== 'linux') throw new Error('this test reads /proc and needs Linux');
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const before = childRss();
      expect(before.otherProcesses).toBeGreaterThanOrEqual(1);
      expect(before.otherBytes).toBeGreaterThan(0);
      expect(before.browserProcesses).toBe(0);
      const sampler = startMemorySampler(10);
      await new Promise((resolve) => setTimeout(resolve, 40));
      const peaks = sampler.stop();
      expect(peaks.samples).toBeGreaterThanOrEqual(2);
      expect(peaks.processRssPeakBytes).toBeGreaterThan(0);
      expect(peaks.otherChildrenRssPeakBytes).toBeGreaterThan(0);
      expect(peaks.samplingMs).toBeGreaterThan(0); // the sampler reports its own cost
    } finally {
      child.kill();
    }
  });
});
