// Runs one benchmark case in a child process (Fathom or the PyTorch reference) and returns its
// JSON line; each child's peak RSS is then its own, measured the same way on both sides
// (getrusage maxrss of the child, nothing subtracted).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const HERE = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
export const FATHOM_CASE = join(HERE, 'fathom-case.mjs');
export const TORCH_CASE = join(HERE, '..', 'reference', 'torch_models.py');
export const DEFAULT_PYTHON = process.env.FATHOM_BENCH_PYTHON ?? '/usr/bin/python3';

function argv(params) {
  return Object.entries(params).filter(([, v]) => v !== undefined).flatMap(([k, v]) => [`--${k}`, String(v)]);
}

/**
 * Runs `side` ('fathom' | 'torch') on `params` ({case, graph, repeats, warmup, threads, depth, ...}).
 * Returns the child's JSON object, { skipped } when torch is missing, or { error } on failure.
 */
export function runChild(side, params, { python = DEFAULT_PYTHON, timeoutMs = 30 * 60_000 } = {}) {
  const env = { ...process.env, OMP_NUM_THREADS: String(params.threads), OPENBLAS_NUM_THREADS: String(params.threads) };
  const [cmd, args] = side === 'fathom' ? [process.execPath, [FATHOM_CASE, ...argv(params)]] : [python, [TORCH_CASE, ...argv(params)]];
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: timeoutMs });
  const wall_ms = performance.now() - t0;
  const lines = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{'));
  if (r.status === 0 && lines.length > 0) return { ...JSON.parse(lines[lines.length - 1]), wall_ms };
  const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  const tail = (r.stderr ?? '').trim().split('\n').slice(-6).join('\n');
  return { error: `${side} ${params.case} failed (${why})${tail ? `: ${tail}` : ''}`, wall_ms };
}

/** Peak RSS of an idle process of each runtime: bare, and with the library loaded. */
export function idleBaselines({ python = DEFAULT_PYTHON } = {}) {
  const node = (code) => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: join(HERE, '..', '..') });
    return r.status === 0 ? Number(r.stdout.trim()) : null;
  };
  const py = (code) => {
    const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
    return r.status === 0 ? Number(r.stdout.trim()) : null;
  };
  const rss = 'console.log(process.resourceUsage().maxRSS / 1024)';
  const pyRss = 'import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)';
  return {
    node_bare_mb: node(rss),
    node_with_fathom_mb: node(`await import('./dist/esm/index.js'); ${rss}`),
    python_bare_mb: py(pyRss),
    python_with_torch_mb: py(`import torch; ${pyRss}`),
  };
}
