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
  /** What rank r wrote, by rank (null where it wrote nothing). */
  ranks: (T | null)[];
  ms: number;
}

/** Open MPI refuses root and binds ranks to cores unless told; one OpenMP thread per rank. */
const MPI_ENV = { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1', OMP_NUM_THREADS: '1', OMPI_MCA_rmaps_base_oversubscribe: '1' };

/**
 * Runs `worker` with `config` (JSON in DP_CONFIG, plus `out`, the prefix of the files each rank
 * writes: `${out}.${rank}.json`) under `mpirun -np np`, or as a plain process when np is 0.
 */
export function runWorker<T>(dir: string, worker: string, np: number, name: string, config: object, timeoutMs = 60_000): Promise<MpiRun<T>> {
  const out = join(dir, name);
  const env = { ...process.env, ...MPI_ENV, FATHOM_DIST: DIST_INDEX, DP_CONFIG: JSON.stringify({ ...config, out }) };
  const [cmd, args] =
    np === 0
      ? [process.execPath, [worker]]
      : ['mpirun', ['-np', String(np), '--oversubscribe', '--allow-run-as-root', '--bind-to', 'none', process.execPath, worker]];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args as string[], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name}: mpirun -np ${np} still running after ${timeoutMs} ms (a hang):\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ranks = Array.from({ length: Math.max(np, 1) }, (_, r) => {
        const f = `${out}.${r}.json`;
        return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as T) : null;
      });
      resolve({ code, output, ranks, ms: performance.now() - t0 });
    });
  });
}

/** Writes `source` as an ES module into `dir` and returns its path. */
export function writeWorker(dir: string, source: string): string {
  const path = join(dir, 'worker.mjs');
  writeFileSync(path, source);
  return path;
}
