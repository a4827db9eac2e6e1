// Timing helpers shared by the benchmarks: medians over repeats after warm-up. On CUDA, kernels
// run asynchronously: every timed call is fenced by a device synchronize before and after (see
// deviceSync), so a time is the work, not the launch.
import os from 'node:os';

/** @param {readonly number[]} xs */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * How a benchmark waits for a device: `sync()` to call before starting and after stopping a
 * timer, and what to record in the JSON (`synchronized`, `sync_method`).
 * @param {{ synchronize(device?: 'cpu' | 'cuda'): void }} F the Fathom module
 * @param {'cpu' | 'cuda'} device
 */
export function deviceSync(F, device) {
  return {
    sync: () => F.synchronize(device),
    synchronized: true,
    sync_method:
      device === 'cuda'
        ? 'synchronize("cuda") (cudaDeviceSynchronize) before starting and after stopping each timer'
        : 'synchronize("cpu"): CPU ops finish before they return; the call is a no-op',
  };
}

/**
 * Runs fn `warmup` times, then `repeats` times; returns the median and all times in ms. `sync`
 * (deviceSync(F, device).sync) runs before each timer starts and before it stops.
 * @param {() => unknown} fn
 * @param {{ warmup?: number; repeats?: number; sync?: () => void }} [options]
 */
export function time(fn, { warmup = 2, repeats = 10, sync = () => {} } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const ms = [];
  for (let i = 0; i < repeats; i++) {
    sync();
    const t0 = performance.now();
    fn();
    sync();
    ms.push(performance.now() - t0);
  }
  return { median_ms: median(ms), min_ms: Math.min(...ms), repeats, times_ms: ms.map((v) => +v.toFixed(3)) };
}

/** @param {number} threads */
export function machine(threads) {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    logical_cores: cpus.length,
    threads,
    memory_gb: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    date: new Date().toISOString(),
  };
}
