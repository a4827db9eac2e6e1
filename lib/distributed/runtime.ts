import { native } from '../binding/native.js';
import type { MpiInfo } from '../binding/types.js';
import { FathomError } from '../errors/FathomError.js';

/** Where this process stands in a data-parallel job. */
export interface DistributedWorld {
  rank: number;
  worldSize: number;
  /** True when MPI was initialized (the process runs under mpirun). */
  mpi: boolean;
}

let world: DistributedWorld | null = null;

/**
 * Joins the data-parallel job this process was started in. Under `mpirun` (Open MPI sets
 * OMPI_COMM_WORLD_RANK and OMPI_COMM_WORLD_SIZE) it initializes MPI, which the addon opens at run
 * time (`libmpi.so.40`); started plainly it is a world of one process, and every collective is
 * the identity. Idempotent: later calls return the same world. MPI is finalized when the process
 * exits with code 0; after an exit with another code (an uncaught error) mpirun ends the job.
 *
 * @throws FathomError 'DISTRIBUTED' under mpirun when Open MPI's library cannot be opened.
 * @example
 * const { rank, worldSize } = initDistributed();
 * if (rank === 0) console.log(`training on ${worldSize} processes`);
 */
export function initDistributed(): DistributedWorld {
  if (world) return world;
  const size = envInteger('OMPI_COMM_WORLD_SIZE');
  if (size === null || size <= 1) {
    world = Object.freeze({ rank: 0, worldSize: 1, mpi: false });
    return world;
  }
  const info = native().mpiInfo();
  if (!info.available) {
    throw new FathomError(`initDistributed: this process runs under mpirun (world size ${size}) but MPI is not available: ${info.reason ?? ''}`, 'DISTRIBUTED');
  }
  const { rank, size: mpiSize } = native().distInit();
  if (mpiSize !== size) {
    throw new FathomError(`initDistributed: MPI reports a world of ${mpiSize} processes, OMPI_COMM_WORLD_SIZE says ${size}`, 'DISTRIBUTED');
  }
  // Only a clean exit finalizes MPI, which waits for every rank to finalize: a rank that fails
  // (an uncaught error, process.exit(1)) would wait there for ranks that wait for it. It exits
  // unfinalized instead, and mpirun ends the job when a rank exits with an error.
  process.once('exit', (code) => {
    if (code === 0) native().distFinalize();
  });
  world = Object.freeze({ rank, worldSize: size, mpi: true });
  return world;
}

/** This process's rank in [0, worldSize()). @throws FathomError 'DISTRIBUTED' before initDistributed(). */
export function rank(): number {
  return currentWorld('rank').rank;
}

/** The number of processes of the job (1 outside mpirun). @throws FathomError 'DISTRIBUTED' before initDistributed(). */
export function worldSize(): number {
  return currentWorld('worldSize').worldSize;
}

/** The world, or a FathomError 'DISTRIBUTED' naming `op` before initDistributed(). */
export function currentWorld(op: string): DistributedWorld {
  if (!world) throw new FathomError(`${op}: the distributed runtime is not initialized; call initDistributed() first`, 'DISTRIBUTED');
  return world;
}

/**
 * Whether Open MPI's library opens in this process (for `fathom info`), and NCCL's status
 * (`nccl.available`: libnccl.so.2 or FATHOM_NCCL_LIBRARY opened; `nccl.inUse`: after
 * initDistributed(), CUDA tensors' collectives go through it). Never initializes MPI.
 *
 * @example
 * const s = mpiStatus();
 * console.log(s.available ? s.library : s.reason, s.nccl.available ? 'NCCL' : s.nccl.reason);
 */
export function mpiStatus(): MpiInfo {
  return native().mpiInfo();
}

/**
 * Ends the whole job after an error on this rank: prints it (with the rank) and calls MPI_Abort,
 * so that the other ranks, waiting in a collective for this one, exit at once instead of hanging.
 * In a world of one it only rethrows.
 */
export function abortDistributed(error: unknown): never {
  if (!(error instanceof Error)) throw new TypeError(`abortDistributed: argument error must be an Error (the error that ends the job), got ${typeof error}`);
  if (!world?.mpi) throw error;
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`fathom: rank ${world.rank} of ${world.worldSize} failed, aborting the job: ${message}\n`);
  return native().distAbort(1);
}

function envInteger(name: string): number | null {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new FathomError(`initDistributed: ${name} is '${raw}', not a non-negative integer`, 'DISTRIBUTED');
  return n;
}
