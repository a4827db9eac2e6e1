import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set in MB: VmHWM from /proc/self/status. Not
 * process.resourceUsage().maxRSS: a child's ru_maxrss starts at its parent's resident set at
 * fork (exec records it), so every benchmark child would carry the runner's graphs. Falls back
 * to maxRSS where /proc is missing. The Python reference reads the same counter.
 */
export function peakRssMb() {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // no /proc: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}
