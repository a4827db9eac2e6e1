// Native functions of METIS graph partitioning (native/napi/metis_binding.cc). METIS is opened at
// run time (native/metis/metis_runtime.h): every function exists in every build.

/** Whether libmetis opened, which file, the width of its idx_t, and why not. */
export interface MetisInfo {
  available: boolean;
  /** The library file opened ('' when none). */
  library: string;
  /** Bits of METIS's idx_t (32 or 64; 0 when not loaded). */
  idxBits: number;
  reason?: string;
}

/** A k-way partition: a part in [0, numParts) per node, and the undirected edges it cuts. */
export interface MetisPartition {
  parts: Int32Array;
  edgeCut: number;
}

export interface MetisBinding {
  /** Opens libmetis (once). */
  metisInfo(): MetisInfo;
  /**
   * METIS_PartGraphKway of the symmetrized graph (self loops and repeats dropped) of a CSR;
   * seed in [0, 2^31), ufactor in [1, 1000]. FathomError MISSING_MODULE when METIS is missing.
   */
  metisPartition(rowptr: Int32Array, col: Int32Array, numParts: number, seed: number, ufactor: number): MetisPartition;
  /** The same partition computed on a libuv worker thread; arguments are checked before it is queued. */
  metisPartitionAsync(rowptr: Int32Array, col: Int32Array, numParts: number, seed: number, ufactor: number): Promise<MetisPartition>;
}
