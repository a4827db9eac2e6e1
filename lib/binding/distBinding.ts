// Native functions of data-parallel training over MPI (native/napi/dist_binding.cc). MPI is
// opened at run time (native/mpi/mpi_runtime.h): every function exists in every build.
import type { TensorHandle } from './handles.js';

/** Whether NCCL's libnccl opened, which file, and whether this job's CUDA tensors go through it. */
export interface NcclInfo {
  available: boolean;
  /** The library file opened ('' when none). */
  library: string;
  /** ncclGetVersion's number (22304 for 2.23.4); 0 when unknown. */
  version: number;
  /** True after initDistributed() when every rank loaded NCCL and sees a GPU: CUDA tensors' collectives use it. */
  inUse: boolean;
  reason?: string;
}

/** Whether Open MPI's libmpi opened, which file, and why not; and NCCL's status. */
export interface MpiInfo {
  available: boolean;
  /** The library file opened ('' when none). */
  library: string;
  reason?: string;
  nccl: NcclInfo;
}

export interface DistBinding {
  /** Opens libmpi (once) without initializing MPI. */
  mpiInfo(): MpiInfo;
  /** MPI_Init_thread once (later calls only report); FathomError DISTRIBUTED when MPI is missing. */
  distInit(): { rank: number; size: number };
  /** Sums each tensor (times `scale`) over the ranks in place; `mean` divides by the world size. f32 and f64. */
  distAllReduce(mean: boolean, scale: number, ...tensors: TensorHandle[]): void;
  /** Rank `root`'s values into every rank's tensor, in place. */
  distBroadcast(tensor: TensorHandle, root: number): void;
  distBarrier(): void;
  /** Rows `ids` [ids.length × width] of features partitioned by the book (owner, local), this rank's `rows` its shard; a collective under MPI. */
  distGatherRows<T extends Float32Array | Float64Array>(ids: Int32Array, owner: Int32Array, local: Int32Array, rows: T, width: number): T;
  /** MPI_Abort: ends every rank of the job with `code`. Never returns. */
  distAbort(code: number): never;
  /** MPI_Finalize when initialized; safe to repeat. */
  distFinalize(): void;
}
