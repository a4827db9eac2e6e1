// Runs one benchmark case in a child process (Fathom or the PyTorch reference) and returns its
// JSON line; each child's peak RSS is then its own, measured the same way on both sides
// (getrusage maxrss of the child, nothing subtracted).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const HERE = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
export const FATHOM_CASE = join(HERE, 'fathom-case.mjs');
export const TORCH_CASE = join(HERE, '..', 'reference', 'torch_models.py');
export const GPU_CASES = join(HERE, '..', 'reference', 'gpu_cases.py');
export const DEFAULT_PYTHON = process.env.FATHOM_BENCH_PYTHON ?? '/usr/bin/python3';

/**
 * A case's parameters, passed to the child as `--key value` (undefined ones left out).
 * @typedef {{ case: string; threads: number; [key: string]: string | number | undefined }} CaseParams
 */
/**
 * What a case child printed (fathom-case.mjs or torch_models.py; which keys depend on the case),
 * with the runner's wall time; or `error` (and what the watchdog saw) when it failed, `skipped`
 * when torch is missing.
 * @typedef {{
 *   wall_ms?: number; error?: string; skipped?: string; exceeded_rss_mb?: number; max_rss_seen_mb?: number;
 *   times_ms?: number[]; peak_rss_mb?: number; nodes?: number; nnz?: number; features?: number;
 *   loss_first?: number; loss_last?: number; tensor_mb?: { before_step: number; after_forward: number; step_peak: number };
 *   records?: Record<string, unknown>[]; [key: string]: unknown;
 * }} ChildResult
 */

/** @param {CaseParams} params */
function argv(params) {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) => [`--${k}`, String(v)]);
}

/** @param {number | undefined} pid */
function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `side` ('fathom', or a Python side: 'torch', and with `script` GPU_CASES also 'pyg') on
 * `params` ({case, graph, repeats, warmup, threads, depth, ...}). Resolves to the child's last
 * JSON line, { skipped } when torch is missing, or { error } on failure; `records` holds the JSON
 * lines printed before it (per-case records of a child running a list of cases, kept also when
 * it failed or was killed). A watchdog kills the child once its RSS passes `maxRssMb` (the
 * machine is shared): the result then says so, with `exceeded_rss_mb` set.
 * @param {string} side
 * @param {CaseParams} params
 * `onRecord` sees each JSON line as soon as the child prints it; `extraEnv` is added to the child's environment.
 * @param {{ python?: string; timeoutMs?: number; maxRssMb?: number; script?: string; extraArgs?: string[]; extraEnv?: Record<string, string>; onRecord?: (r: Record<string, unknown>) => void }} [options]
 * @returns {Promise<ChildResult>}
 */
export function runChild(
  side,
  params,
  { python = DEFAULT_PYTHON, timeoutMs = 30 * 60_000, maxRssMb = Infinity, script = TORCH_CASE, extraArgs = [], extraEnv = {}, onRecord } = {},
) {
  const env = { ...process.env, OMP_NUM_THREADS: String(params.threads), OPENBLAS_NUM_THREADS: String(params.threads), ...extraEnv };
  const [cmd, args] = side === 'fathom' ? [process.execPath, [FATHOM_CASE, ...extraArgs, ...argv(params)]] : [python, [script, ...extraArgs, ...argv(params)]];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    /** @type {string | null} */
    let killedFor = null;
    let seenMb = 0;
    let pending = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!onRecord) return;
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) {
        if (!l.startsWith('{')) continue;
        try {
          onRecord(JSON.parse(l));
        } catch {
          // Not a JSON line after all.
        }
      }
    });
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-8192)));
    const poll = setInterval(() => {
      seenMb = Math.max(seenMb, rssMb(child.pid));
      if (seenMb > maxRssMb && !killedFor) {
        killedFor = `RSS passed the ${(maxRssMb / 1024).toFixed(1)} GB cap`;
        child.kill('SIGKILL');
      }
    }, 100);
    const timer = setTimeout(() => {
      killedFor = `ran past ${timeoutMs / 1000} s`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (status, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      const wall_ms = performance.now() - t0;
      /** @type {Record<string, unknown>[]} */
      const records = [];
      for (const l of stdout.trim().split('\n')) {
        if (!l.startsWith('{')) continue;
        try {
          records.push(JSON.parse(l));
        } catch {
          // A line cut short by a kill.
        }
      }
      if (status === 0 && records.length > 0) return resolve({ ...records[records.length - 1], records: records.slice(0, -1), wall_ms });
      const why = killedFor ?? (signal ? `killed by ${signal}` : `exit ${status}`);
      const tail = stderr.trim().split('\n').slice(-4).join(' | ');
      /** @type {ChildResult} */
      const r = { error: `${side} ${params.case} failed (${why})${tail && !killedFor ? `: ${tail}` : ''}`, wall_ms, max_rss_seen_mb: seenMb, records };
      if (killedFor?.startsWith('RSS')) r.exceeded_rss_mb = maxRssMb;
      resolve(r);
    });
  });
}

/**
 * Peak RSS of an idle process of each runtime: bare, and with the library loaded.
 * @param {{ python?: string }} [options]
 */
export function idleBaselines({ python = DEFAULT_PYTHON } = {}) {
  /** @param {string} code */
  const node = (code) => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: join(HERE, '..', '..') });
    return r.status === 0 ? Number(r.stdout.trim()) : null;
  };
  /** @param {string} code */
  const py = (code) => {
    const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
    return r.status === 0 ? Number(r.stdout.trim()) : null;
  };
  // VmHWM: the child's own peak (see peakRss.mjs), not the runner's resident set at fork.
  const rss = `const { peakRssMb } = await import('./bench/lib/peakRss.mjs'); console.log(peakRssMb())`;
  const pyRss = 'import re; print(int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024)';
  return {
    node_bare_mb: node(rss),
    node_with_fathom_mb: node(`await import('./dist/esm/index.js'); ${rss}`),
    python_bare_mb: py(pyRss),
    python_with_torch_mb: py(`import torch; ${pyRss}`),
  };
}
