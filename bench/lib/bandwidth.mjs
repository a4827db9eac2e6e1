// The bandwidth floor: compiles lib/triad.c with gcc -O3 -fopenmp (once, into bench/.cache) and
// runs it with the benchmark's thread count. Returns its JSON, or { error } without a compiler.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What triad.c prints: the best of `reps` passes (`bytes` moved in `best_s` seconds).
 * @typedef {{ n: number; reps: number; threads: number; bytes: number; best_s: number; gbytes_per_s: number; check: number }} Triad
 */

const HERE = import.meta.dirname ?? new URL('.', import.meta.url).pathname;

/**
 * Best-of-`reps` triad bandwidth over 3 arrays of `n` doubles (default 40M: 960 MB, ≫ any LLC).
 * @param {{ threads?: number; n?: number; reps?: number }} [options]
 * @returns {Triad | { error: string }}
 */
export function measureBandwidth({ threads, n = 40_000_000, reps = 10 } = {}) {
  const src = join(HERE, 'triad.c');
  const dir = join(HERE, '..', '.cache');
  const bin = join(dir, 'triad');
  try {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
      execFileSync('gcc', ['-O3', '-fopenmp', src, '-o', bin], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), OMP_PROC_BIND: process.env.OMP_PROC_BIND ?? 'false' };
    const out = execFileSync(bin, [String(n), String(reps)], { env, encoding: 'utf8' });
    return JSON.parse(out.trim());
  } catch (e) {
    return { error: `triad probe failed: ${String(e instanceof Error ? e.message : e).split('\n')[0]}` };
  }
}
