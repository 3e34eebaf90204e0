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
