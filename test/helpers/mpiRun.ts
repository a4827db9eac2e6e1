// Runs a worker script under `mpirun -np N` (or plainly, as one process) and reads back what each
// rank wrote: the data-parallel tests' launcher. The worker is written by the test into a temp
// folder; it imports the compiled package (dist/).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { DIST_INDEX } from './apiFixtures.js';

/** Why the MPI tests skip, or null when `mpirun` runs here. */
export const MPIRUN_MISSING: string | null = (() => {
  const r = spawnSync('mpirun', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'mpirun is not installed (apt-get install -y openmpi-bin libopenmpi-dev)';
})();

export interface MpiRun<T> {
  code: number | null;
  output: string;
  stdout: string;
  /** What rank r wrote, by rank (null where it wrote nothing). */
  ranks: (T | null)[];
  ms: number;
}

/** Open MPI refuses root and binds ranks to cores unless told; one OpenMP thread per rank. */
const MPI_ENV = { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1', OMP_NUM_THREADS: '1', OMPI_MCA_rmaps_base_oversubscribe: '1' };

/**
 * Runs `worker` with `config` (JSON in DP_CONFIG, plus `out`, the prefix of the files each rank
 * writes: `${out}.${rank}.json`) under `mpirun -np np`, or as a plain process when np is 0; `env`
 * adds variables.
 */
export async function runWorker<T>(
  dir: string,
  worker: string,
  np: number,
  name: string,
  config: object,
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): Promise<MpiRun<T>> {
  const out = join(dir, name);
  const run = await runMpi(np, [worker], { ...env, FATHOM_DIST: DIST_INDEX, DP_CONFIG: JSON.stringify({ ...config, out }) }, timeoutMs);
  const ranks = Array.from({ length: Math.max(np, 1) }, (_, r) => {
    const f = `${out}.${r}.json`;
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as T) : null;
  });
  return { ...run, ranks };
}

/** `node ...args` under `mpirun -np np` (plainly when np is 0); a run past `timeoutMs` is killed and rejects as a hang. */
export function runMpi(
  np: number,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string; stdout: string; ms: number }> {
  const [cmd, argv] =
    np === 0
      ? [process.execPath, args]
      : ['mpirun', ['-np', String(np), '--oversubscribe', '--allow-run-as-root', '--bind-to', 'none', process.execPath, ...args]];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...MPI_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (d) => {
      output += d;
      stdout += d;
    });
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mpirun -np ${np} ${args.join(' ')}: still running after ${timeoutMs} ms (a hang):\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout, ms: performance.now() - t0 });
    });
  });
}

/** Writes `source` as an ES module into `dir` and returns its path. */
export function writeWorker(dir: string, source: string): string {
  const path = join(dir, 'worker.mjs');
  writeFileSync(path, source);
  return path;
}
