import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Runs `work(i)` for i in [0, count), `size` at a time, and waits for all. */
export async function inBatches<T>(
  count: number,
  size: number,
  work: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < count; i += size) {
    const batch = Array.from({ length: Math.min(size, count - i) }, (_, k) => work(i + k));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

/** Samples this process's resident set size every 100 ms; `peakMb` is the highest seen so far. */
export function sampleRss() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  timer.unref();
  return {
    peakMb: () => Math.round(Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024),
    stop: () => clearInterval(timer),
  };
}

/** CPU time (user + system) in ms of a `process.cpuUsage()` reading. */
export const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/**
 * CPU time (user + system, ms) used so far by the processes on this machine whose command line
 * contains `pattern` (the PostgreSQL backends: `postgres:`), read from /proc; undefined where
 * there is no /proc (not Linux) or no such process.
 */
export function processesCpuMs(pattern: string): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  let found = false;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!cmdline.includes(pattern)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * tick;
      found = true;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return found ? total : undefined;
}

/**
 * The cores each part of the machine kept busy over a phase: `start()` reads every part's CPU
 * time so far, the function it returns reads them again and answers, per part, CPU ms ÷ wall ms
 * (0.5 is half a core). A part whose process is gone or not on this machine reads as NaN.
 */
export function coresBusy(parts: Record<string, () => number | undefined>) {
  const read = () =>
    Object.fromEntries(Object.entries(parts).map(([name, cpu]) => [name, cpu() ?? Number.NaN]));
  return {
    start() {
      const before = read();
      const started = performance.now();
      return (): Record<string, number> => {
        const after = read();
        const wall = performance.now() - started;
        return Object.fromEntries(
          Object.keys(parts).map((name) => [name, (after[name] - before[name]) / wall]),
        );
      };
    },
  };
}

/** `coresBusy`'s answer as one line: `this process 0.81, Temporal 0.62, …`. */
export const coresLine = (cores: Record<string, number>) =>
  Object.entries(cores)
    .map(([name, busy]) => `${name} ${busy.toFixed(2)}`)
    .join(', ');
