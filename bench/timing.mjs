// Timing helpers shared by the benchmarks: medians over repeats after warm-up.
import os from 'node:os';

/** @param {readonly number[]} xs */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs fn `warmup` times, then `repeats` times; returns the median and all times in ms.
 * @param {() => unknown} fn
 * @param {{ warmup?: number; repeats?: number }} [options]
 */
export function time(fn, { warmup = 2, repeats = 10 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const ms = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
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
